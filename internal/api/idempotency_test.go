package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/postgres/pgtest"
	"github.com/settle/settle/internal/reconcile/camt053"
	"github.com/settle/settle/internal/server"
)

// postWithKey sends a JSON POST with an Idempotency-Key.
func (b *bundle) postWithKey(t *testing.T, path, apiKey, idemKey string, body any) response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set(api.IdempotencyKeyHeader, idemKey)
	res, err := b.test(t, req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: got}
}

func (b *bundle) countInvoices(t *testing.T, creditorID string) int {
	t.Helper()
	var n int
	if err := b.db.PoolForTests().QueryRow(context.Background(), `SELECT count(*) FROM invoices WHERE creditor_id = $1`, creditorID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	clock := pgtest.NewClock(now)
	b.db.Now = clock.Now
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	invoice := func(number string) obj {
		return obj{"debtor_id": debtor, "number": number, "issue_date": "2026-11-01", "due_date": "2026-11-15", "amount": 12500, "currency": "EUR"}
	}
	const key = "7f1c2a9e-retry-me"

	first := b.postWithKey(t, "/api/v1/invoices", b.A.Key, key, invoice("F-1"))
	if first.Status != http.StatusCreated || first.Header.Get(api.IdempotentReplayedHeader) != "" {
		t.Fatalf("first POST: %d %s, replayed %q", first.Status, first.Body, first.Header.Get(api.IdempotentReplayedHeader))
	}

	t.Run("a retry gets the first answer and creates nothing", func(t *testing.T) {
		for range 2 {
			again := b.postWithKey(t, "/api/v1/invoices", b.A.Key, key, invoice("F-1"))
			if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
				t.Errorf("replay %d %s, want %d %s", again.Status, again.Body, first.Status, first.Body)
			}
			if again.Header.Get(api.IdempotentReplayedHeader) != "true" || !strings.HasPrefix(again.Header.Get("Content-Type"), "application/json") {
				t.Errorf("replay headers %v", again.Header)
			}
		}
		if n := b.countInvoices(t, b.A.ID); n != 1 {
			t.Errorf("%d invoices after three POSTs with one key, want 1", n)
		}
	})

	t.Run("the same key with another body is refused", func(t *testing.T) {
		b.postWithKey(t, "/api/v1/invoices", b.A.Key, key, invoice("F-2")).wantError(t, http.StatusUnprocessableEntity, "idempotency_key_reused", api.IdempotencyKeyHeader)
		b.postWithKey(t, "/api/v1/debtors", b.A.Key, key, consumer("K-2", "Piet Pieters")).wantError(t, http.StatusUnprocessableEntity, "idempotency_key_reused", api.IdempotencyKeyHeader)
		if n := b.countInvoices(t, b.A.ID); n != 1 {
			t.Errorf("%d invoices after a refused POST, want 1", n)
		}
	})

	t.Run("keys are per creditor", func(t *testing.T) {
		other := b.postWithKey(t, "/api/v1/debtors", b.B.Key, key, consumer("K-1", "Piet Pieters"))
		if other.Status != http.StatusCreated || other.Header.Get(api.IdempotentReplayedHeader) != "" {
			t.Errorf("creditor B with A's key: %d %s", other.Status, other.Body)
		}
	})

	t.Run("an answer that is an error is given again too", func(t *testing.T) {
		bad := obj{"debtor_id": debtor, "number": "F-9", "issue_date": "2026-11-01", "due_date": "2026-11-15", "amount": 12500, "currency": "USD"}
		r1 := b.postWithKey(t, "/api/v1/invoices", b.A.Key, "bad-currency", bad)
		r2 := b.postWithKey(t, "/api/v1/invoices", b.A.Key, "bad-currency", bad)
		if r1.Status != http.StatusUnprocessableEntity || r2.Status != r1.Status || !bytes.Equal(r1.Body, r2.Body) || r2.Header.Get(api.IdempotentReplayedHeader) != "true" {
			t.Errorf("error answer %d %s, replay %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
		}
	})

	t.Run("a key that is not a token is refused", func(t *testing.T) {
		b.postWithKey(t, "/api/v1/invoices", b.A.Key, strings.Repeat("k", 256), invoice("F-3")).wantError(t, http.StatusUnprocessableEntity, "invalid", api.IdempotencyKeyHeader)
		b.postWithKey(t, "/api/v1/invoices", b.A.Key, "two words", invoice("F-3")).wantError(t, http.StatusUnprocessableEntity, "invalid", api.IdempotencyKeyHeader)
	})

	t.Run("a rotated API key is not kept", func(t *testing.T) {
		r := b.postWithKey(t, "/api/v1/api-keys", b.B.Key, "rotate-1", obj{})
		if r.Status != http.StatusCreated {
			t.Fatalf("rotate: %d %s", r.Status, r.Body)
		}
		var kept int
		if err := b.db.PoolForTests().QueryRow(context.Background(), `SELECT count(*) FROM idempotency_keys WHERE key = 'rotate-1'`).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 0 {
			t.Errorf("the answer holding the new API key was stored")
		}
	})

	t.Run("after 24 hours the key is new", func(t *testing.T) {
		clock.Advance(24*time.Hour - time.Second)
		b.postWithKey(t, "/api/v1/invoices", b.A.Key, key, invoice("F-2")).wantError(t, http.StatusUnprocessableEntity, "idempotency_key_reused", api.IdempotencyKeyHeader)
		clock.Advance(time.Second)
		if r := b.postWithKey(t, "/api/v1/invoices", b.A.Key, key, invoice("F-2")); r.Status != http.StatusCreated || r.Header.Get(api.IdempotentReplayedHeader) != "" {
			t.Errorf("key after 24 hours: %d %s, want a new invoice", r.Status, r.Body)
		}
		var kept int
		if err := b.db.PoolForTests().QueryRow(context.Background(), `SELECT count(*) FROM idempotency_keys WHERE creditor_id = $1`, b.A.ID).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 1 {
			t.Errorf("%d keys kept for creditor A, want only the new one (expired keys are deleted)", kept)
		}
	})
}

// TestIdempotencyKeyConcurrent sends one request with one key many times at
// once: one runs, the others wait for it and get its answer.
func TestIdempotencyKeyConcurrent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	body := obj{"debtor_id": debtor, "number": "F-1", "issue_date": "2026-11-01", "due_date": "2026-11-15", "amount": 12500, "currency": "EUR"}
	answers := make([]response, 12)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = b.postWithKey(t, "/api/v1/invoices", b.A.Key, "concurrent-1", body)
		}()
	}
	wg.Wait()
	replayed := 0
	for _, a := range answers {
		if a.Status != http.StatusCreated || !bytes.Equal(a.Body, answers[0].Body) {
			t.Errorf("answer %d %s, want 201 %s", a.Status, a.Body, answers[0].Body)
		}
		if a.Header.Get(api.IdempotentReplayedHeader) == "true" {
			replayed++
		}
	}
	if replayed != len(answers)-1 {
		t.Errorf("%d of %d answers replayed, want all but the first", replayed, len(answers))
	}
	if n := b.countInvoices(t, b.A.ID); n != 1 {
		t.Errorf("%d invoices, want 1", n)
	}
}

// TestIdempotencyKeyBankStatement sends a bank statement, a streamed body,
// with an Idempotency-Key: the middleware hashes it while spooling it to a
// file for the handler, within the route's limit.
func TestIdempotencyKeyBankStatement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, ref := b.bankInvoice(t, "NL91ABNA0417164300")
	ctx := context.Background()
	file := statement(t, 40, camt053.GenOptions{StatementID: "IDEM-1",
		Entry: func(i int) (string, int64) {
			if i == 0 {
				return ref, 2500
			}
			return "", int64(100 + i)
		}})
	post := func(app *fiber.App, key string) response {
		t.Helper()
		// A reader of unknown length: the request is sent chunked, with no
		// Content-Length for the server to check first.
		req := httptest.NewRequest("POST", api.BankStatementsPath, io.MultiReader(bytes.NewReader(file.Bytes())))
		req.TransferEncoding = []string{"chunked"}
		req.Header.Set("Authorization", "Bearer "+b.A.Key)
		req.Header.Set(api.IdempotencyKeyHeader, key)
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{Status: res.StatusCode, Header: res.Header, Body: raw}
	}

	t.Run("a retry replays the first answer and books once", func(t *testing.T) {
		first := post(b.app, "statement-1")
		m := first.want(t, http.StatusCreated)
		if num(t, m["lines"]) != 40 || num(t, m["booked"]) != 1 || first.Header.Get(api.IdempotentReplayedHeader) != "" {
			t.Fatalf("first import: %s", first.Body)
		}
		again := post(b.app, "statement-1")
		if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) || again.Header.Get(api.IdempotentReplayedHeader) != "true" {
			t.Errorf("retry %d %s, want the first answer replayed", again.Status, again.Body)
		}
		var statements, lines, paid int64
		if err := b.db.PoolForTests().QueryRow(ctx, `SELECT (SELECT count(*) FROM bank_statements), (SELECT count(*) FROM bank_lines),
			(SELECT count(*) FROM bank_lines WHERE state = 'booked')`).Scan(&statements, &lines, &paid); err != nil {
			t.Fatal(err)
		}
		if statements != 1 || lines != 40 || paid != 1 {
			t.Errorf("%d statements, %d lines, %d booked; want 1, 40, 1", statements, lines, paid)
		}
	})

	t.Run("a chunked body past the route's limit is 413", func(t *testing.T) {
		// The same route with a 4 KiB limit: the statement is larger.
		small := server.New(server.Deps{DB: b.db, Log: slog.New(slog.DiscardHandler), APIError: (&api.API{DB: b.db, Log: slog.New(slog.DiscardHandler)}).WriteError,
			API:     (&api.API{DB: b.db, Signer: b.signer, BaseURL: baseURL, Log: slog.New(slog.DiscardHandler)}).Register,
			Uploads: []server.Upload{{Method: fiber.MethodPost, Path: api.BankStatementsPath, Max: 4 << 10, Hint: api.StatementHint}}})
		if file.Len() <= 4<<10 {
			t.Fatalf("test file of %d bytes is not above the limit", file.Len())
		}
		post(small, "statement-2").wantError(t, http.StatusRequestEntityTooLarge, "too_large", "")
		var kept int
		if err := b.db.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM idempotency_keys WHERE key = 'statement-2'`).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 0 {
			t.Errorf("the refused statement's key was stored")
		}
	})
}
