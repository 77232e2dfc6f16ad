package casework_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// hookStart is a Thursday morning; nothing in these tests depends on the day.
var hookStart = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// receiver is a creditor's webhook receiver: it checks each delivery's
// signature against the secret it was given (as a receiver must) at the
// test's clock, and keeps what it accepted. While down it answers 503.
type receiver struct {
	t      *testing.T
	now    func() time.Time
	mu     sync.Mutex
	secret string
	down   bool
	got    []collect.EventBody
	posts  int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts++
	if r.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if err := collect.VerifyWebhook(r.secret, req.Header.Get(collect.SignatureHeader), body, r.now(), 5*time.Minute); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var e collect.EventBody
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" || e.Type == "" || e.CreatedAt == "" {
		r.t.Errorf("delivery body %s: want id, type, created_at and data (%v)", body, err)
	}
	r.got = append(r.got, e)
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) set(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

func (r *receiver) received() []collect.EventBody {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]collect.EventBody(nil), r.got...)
}

// hookWorld is a creditor with two debtors, an endpoint registered at a
// receiver, and the test clock.
type hookWorld struct {
	ctx     context.Context
	db      *postgres.DB
	clk     *pgtest.Clock
	cr      collect.Creditor
	rcv     *receiver
	ep      postgres.WebhookEndpoint
	debtors []collect.Debtor
}

func newHookWorld(t *testing.T) *hookWorld {
	t.Helper()
	w := &hookWorld{ctx: context.Background()}
	w.db, w.clk = openDB(t, hookStart)
	w.cr, _ = newCreditor(t, w.db, collect.Creditor{Name: "Water Oost B.V."})
	for _, ref := range []string{"K-1", "K-2"} {
		w.debtors = append(w.debtors, newDebtor(t, w.db, collect.Debtor{CreditorID: w.cr.ID, ExternalRef: ref, Name: "Debtor " + ref, Kind: collect.Consumer, Language: "nl"}))
	}
	w.rcv = &receiver{t: t, now: w.clk.Now}
	srv := httptest.NewServer(w.rcv)
	t.Cleanup(srv.Close)
	ep, err := casework.SetWebhookEndpoint(w.ctx, w.db, "api", w.cr.ID, srv.URL+"/settle-events", true)
	if err != nil {
		t.Fatal(err)
	}
	w.ep, w.rcv.secret = ep, ep.Secret
	return w
}

// happen records an audit action of debtor d in a transaction of the
// store, as every use case does (subject promise:<ref>).
func (w *hookWorld) happen(t *testing.T, d collect.Debtor, action string, after map[string]any) {
	t.Helper()
	err := w.db.WithTx(w.ctx, func(tx pgx.Tx) error {
		return postgres.Audit(w.ctx, tx, "debtor:"+d.ID, action, w.cr.ID, d.ID, "promise:"+d.ExternalRef, nil, after)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// round is what the jobs do once: find the streams with undelivered
// events and run each stream's delivery at the clock's time.
func (w *hookWorld) round(t *testing.T) (delivered int, failed int) {
	t.Helper()
	streams, err := casework.WebhookStreams(w.ctx, w.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		n, err := casework.DeliverWebhooks(w.ctx, w.db, casework.WebhookClient, s, w.clk.Now(), false)
		delivered += n
		switch {
		case err == nil:
		case strings.Contains(err.Error(), casework.ErrWebhookRefused.Error()):
			failed++
		default:
			t.Fatal(err)
		}
	}
	return delivered, failed
}

func TestWebhookDeliverySigned(t *testing.T) {
	w := newHookWorld(t)
	w.happen(t, w.debtors[0], "promise.made", map[string]any{"amount_cents": 5000, "promised_on": "2026-12-10", "note": "private"})
	w.happen(t, w.debtors[0], "note.added", map[string]any{"body": "no event"})
	if n, failed := w.round(t); n != 1 || failed != 0 {
		t.Fatalf("delivered %d, failed %d; want 1 delivered", n, failed)
	}
	got := w.rcv.received()
	if len(got) != 1 || got[0].Type != collect.EventPromiseMade || got[0].CreatedAt != "2026-12-03T09:00:00Z" {
		t.Fatalf("received %+v, want one promise.made created at the clock's 09:00 UTC", got)
	}
	var data map[string]any
	_ = json.Unmarshal(got[0].Data, &data)
	if data["amount_cents"] != 5000.0 || data["debtor_id"] != w.debtors[0].ID || data["promise_id"] != "K-1" || data["note"] != nil {
		t.Errorf("data = %v: want the amount, the debtor's id and the subject's id, and no note", data)
	}

	// A new secret: the receiver still trusting the old one refuses the
	// next delivery, which then waits for its retry.
	if _, err := casework.RotateWebhookSecret(w.ctx, w.db, "api", w.cr.ID); err != nil {
		t.Fatal(err)
	}
	w.happen(t, w.debtors[0], "promise.broken", map[string]any{"amount_cents": 5000})
	if n, failed := w.round(t); n != 0 || failed != 1 {
		t.Fatalf("after rotating: delivered %d, failed %d; want the old secret to fail the check", n, failed)
	}
	ep, err := casework.WebhookEndpointOf(w.ctx, w.db, w.cr.ID)
	if err != nil || ep.Secret == w.ep.Secret || !strings.HasPrefix(ep.Secret, casework.WebhookSecretPrefix) {
		t.Fatalf("rotated endpoint %+v, %v: want a new whsec_ secret", ep, err)
	}
	w.rcv.secret = ep.Secret
	if n, _ := w.round(t); n != 1 {
		t.Errorf("with the new secret: delivered %d, want 1", n)
	}
}

// A receiver down (503) for an hour gets every event afterwards, each once,
// each debtor's in the order they happened. The clock moves as River's
// retries would (collect.WebhookRetryDelay after each failed try).
func TestWebhookReceiverDownForAnHour(t *testing.T) {
	w := newHookWorld(t)
	w.rcv.set(true)
	a, b := w.debtors[0], w.debtors[1]
	for i, d := range []collect.Debtor{a, b, a, a, b, b, a} {
		w.happen(t, d, "promise.made", map[string]any{"n": i})
	}
	upAt := hookStart.Add(time.Hour)
	tries := 0
	for w.clk.Now().Before(upAt) {
		tries++
		if n, failed := w.round(t); n != 0 || failed != 2 {
			t.Fatalf("try %d while down: delivered %d, failed %d; want both streams to fail", tries, n, failed)
		}
		w.clk.Advance(collect.WebhookRetryDelay(tries))
	}
	w.rcv.mu.Lock()
	posts := w.rcv.posts
	w.rcv.mu.Unlock()
	if posts != 2*tries {
		t.Errorf("while down the receiver got %d posts in %d tries, want 2 a try (each stream stops at its first failure)", posts, tries)
	}
	w.rcv.set(false)
	w.happen(t, b, "promise.made", map[string]any{"n": 7})
	if n, failed := w.round(t); n != 8 || failed != 0 {
		t.Fatalf("receiver up: delivered %d, failed %d; want all 8", n, failed)
	}
	if n, _ := w.round(t); n != 0 {
		t.Errorf("a round after everything arrived delivered %d more, want 0", n)
	}
	seen := map[string]bool{}
	last := map[string]float64{}
	for _, e := range w.rcv.received() {
		if seen[e.ID] {
			t.Errorf("event %s arrived twice", e.ID)
		}
		seen[e.ID] = true
		var data map[string]any
		_ = json.Unmarshal(e.Data, &data)
		d, n := data["debtor_id"].(string), data["n"].(float64)
		if prev, ok := last[d]; ok && n < prev {
			t.Errorf("debtor %s: event %v arrived after %v", d, n, prev)
		}
		last[d] = n
	}
	if len(seen) != 8 {
		t.Errorf("received %d distinct events, want 8", len(seen))
	}
	page, err := casework.WebhookPage(w.ctx, w.db, w.cr.ID)
	if err != nil || len(page.Deliveries) != 8 {
		t.Fatalf("console page: %d deliveries, %v; want 8", len(page.Deliveries), err)
	}
	// The first event of each debtor waited through every try; the others
	// were tried only once the receiver was up.
	first := page.Deliveries[len(page.Deliveries)-1]
	if first.DeliveredAt == nil || first.Attempts != tries+1 || first.LastStatus != http.StatusNoContent {
		t.Errorf("first event's delivery: %d attempts, status %d, delivered %v; want %d attempts, 204", first.Attempts, first.LastStatus, first.DeliveredAt, tries+1)
	}
}

// When the retries have run out the failing event is given up and the
// stream moves on; the console can still replay it.
func TestWebhookGivenUpThenReplayed(t *testing.T) {
	w := newHookWorld(t)
	d := w.debtors[0]
	w.happen(t, d, "promise.made", map[string]any{"n": 0})
	w.happen(t, d, "promise.broken", map[string]any{"n": 1})
	w.rcv.set(true)
	streams, err := casework.WebhookStreams(w.ctx, w.db)
	if err != nil || len(streams) != 1 {
		t.Fatalf("streams %v, %v; want one", streams, err)
	}
	if _, err := casework.DeliverWebhooks(w.ctx, w.db, casework.WebhookClient, streams[0], w.clk.Now(), true); err == nil {
		t.Fatal("the last try against a receiver that is down succeeded")
	}
	w.rcv.set(false)
	if n, _ := w.round(t); n != 1 {
		t.Fatalf("after giving up the first event: delivered %d, want the second", n)
	}
	got := w.rcv.received()
	if len(got) != 1 || got[0].Type != collect.EventPromiseBroken {
		t.Fatalf("received %+v, want only promise.broken", got)
	}
	page, err := casework.WebhookPage(w.ctx, w.db, w.cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	given := page.Deliveries[1]
	if given.GaveUpAt == nil || given.DeliveredAt != nil || given.Event.Type != collect.EventPromiseMade {
		t.Fatalf("first event's delivery %+v: want given up, not delivered", given)
	}
	ag, err := w.db.CreateAgent(w.ctx, "finance@water.example", "finance", "x", []string{w.cr.ID})
	if err != nil {
		t.Fatal(err)
	}
	agent := ag.ID
	a, err := casework.ReplayWebhook(w.ctx, w.db, casework.WebhookClient, agent, w.cr.ID, given.Event.ID, w.clk.Now())
	if err != nil || !a.Delivered || a.Status != http.StatusNoContent {
		t.Fatalf("replay = %+v, %v; want delivered with 204", a, err)
	}
	if got := w.rcv.received(); len(got) != 2 || got[1].ID != given.Event.ID {
		t.Fatalf("after the replay the receiver has %+v, want the given-up event last", got)
	}
	timeline, err := w.db.Timeline(w.ctx, w.cr.ID, d.ID, 10)
	if err != nil || timeline[0].Action != "webhook.replayed" || timeline[0].Actor != "agent:"+agent {
		t.Fatalf("timeline %+v, %v: want the replay audited first, by the agent", timeline, err)
	}
	if _, err := casework.ReplayWebhook(w.ctx, w.db, casework.WebhookClient, agent, w.cr.ID, "not-an-event", w.clk.Now()); !collect.IsNotFound(err) {
		t.Errorf("replay of an unknown event: %v, want not found", err)
	}
}

func TestEventsFeedPages(t *testing.T) {
	w := newHookWorld(t)
	for i := range 5 {
		w.happen(t, w.debtors[i%2], "promise.made", map[string]any{"n": i})
		w.clk.Advance(time.Minute)
	}
	var all []collect.Event
	after := ""
	for pages := 0; ; pages++ {
		p, err := casework.EventsFeed(w.ctx, w.db, w.cr.ID, after, "2")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) == 0 {
			if pages != 3 || p.Next == 0 || after == "" {
				t.Errorf("the empty page came after %d pages with next %d, want after 3 pages, the same cursor", pages, p.Next)
			}
			break
		}
		if len(p.Events) > 2 || p.Next != p.Events[len(p.Events)-1].Seq {
			t.Fatalf("page of %d events with next %d: want at most 2 and the last seq", len(p.Events), p.Next)
		}
		all = append(all, p.Events...)
		after = strconv.FormatInt(p.Next, 10)
	}
	if len(all) != 5 {
		t.Fatalf("paged through %d events, want 5", len(all))
	}
	for i, e := range all {
		var data map[string]any
		_ = json.Unmarshal(e.Data, &data)
		if data["n"] != float64(i) || !e.CreatedAt.Equal(hookStart.Add(time.Duration(i)*time.Minute)) {
			t.Errorf("event %d: data %v at %s, want n=%d at 09:0%d", i, data, e.CreatedAt, i, i)
		}
	}
	if p, err := casework.EventsFeed(w.ctx, w.db, w.cr.ID, "", ""); err != nil || len(p.Events) != 5 {
		t.Errorf("default page: %d events, %v; want all 5 (the default limit is 100)", len(p.Events), err)
	}
	other, _ := newCreditor(t, w.db, collect.Creditor{Name: "Ander B.V."})
	if p, err := casework.EventsFeed(w.ctx, w.db, other.ID, "", ""); err != nil || len(p.Events) != 0 {
		t.Errorf("another creditor's feed: %d events, %v; want none", len(p.Events), err)
	}
	for _, q := range [][2]string{{"x", ""}, {"", "1001"}} {
		if _, err := casework.EventsFeed(w.ctx, w.db, w.cr.ID, q[0], q[1]); collect.ErrorCode(err) != collect.EINVALID {
			t.Errorf("after=%q limit=%q: %v, want invalid", q[0], q[1], err)
		}
	}
}
