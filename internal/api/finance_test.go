package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/reconcile"
)

func TestListPayments(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	d := b.debtor(t, b.A.Key, consumer("P-1", "Piet Pay"))
	inv := b.invoice(t, b.A.Key, d, "P-INV-1", "2026-10-01", "2026-10-15", 10000)
	var ids []string
	for _, amount := range []int64{3000, 2500} {
		p, err := b.db.CreatePayment(ctx, collect.Payment{CreditorID: b.A.ID, DebtorID: d, InvoiceID: inv, Amount: amount, Provider: "mollie", Method: "ideal"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: amount}, "test"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}

	page := b.call(t, "GET", "/api/v1/payments?limit=1&since=2026-01-01", b.A.Key, nil).want(t, 200)
	list := page["payments"].([]any)
	if len(list) != 1 || page["next_cursor"] == nil {
		t.Fatalf("first page = %v", page)
	}
	next := b.call(t, "GET", "/api/v1/payments?limit=1&since=2026-01-01&cursor="+url.QueryEscape(str(t, page["next_cursor"])), b.A.Key, nil).want(t, 200)
	list = append(list, next["payments"].([]any)...)
	if len(list) != 2 {
		t.Fatalf("two pages hold %d payments, want 2", len(list))
	}
	seen := map[string]int64{}
	for _, item := range list {
		p := item.(map[string]any)
		if str(t, p["status"]) != "paid" {
			t.Fatalf("payment = %v", p)
		}
		var applied int64
		for _, a := range p["allocation"].([]any) {
			part := a.(map[string]any)
			if str(t, part["invoice_number"]) != "P-INV-1" {
				t.Fatalf("allocation names another invoice: %v", part)
			}
			applied += num(t, part["amount"])
		}
		if applied != num(t, p["amount"]) {
			t.Fatalf("allocation adds up to %d, want %d", applied, num(t, p["amount"]))
		}
		seen[str(t, p["id"])] = applied
	}
	if seen[ids[0]] != 3000 || seen[ids[1]] != 2500 {
		t.Fatalf("pages = %v, want both payments once", seen)
	}

	// Another creditor sees none of them.
	other := b.call(t, "GET", "/api/v1/payments", b.B.Key, nil).want(t, 200)
	if n := len(other["payments"].([]any)); n != 0 {
		t.Fatalf("creditor B sees %d payments of A", n)
	}
	b.call(t, "GET", "/api/v1/payments?cursor=garbage", b.A.Key, nil).wantError(t, 422, "invalid", "cursor")
	b.call(t, "GET", "/api/v1/payments?limit=0", b.A.Key, nil).wantError(t, 422, "invalid", "limit")
}

// TestListPayouts: a creditor sees only the payouts that carry its lines,
// and of those only its own lines; a payout of another creditor or of
// nobody stays invisible.
func TestListPayouts(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	payment := func(c creditor, ref string, cents int64, providerID string) collect.Payment {
		t.Helper()
		d := b.debtor(t, c.Key, consumer(ref, "Jan Jansen"))
		p, err := b.db.CreatePayment(ctx, collect.Payment{CreditorID: c.ID, DebtorID: d, Amount: cents, Provider: "mollie", Method: "ideal"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	pa := payment(b.A, "A-1", 5000, "tr_a")
	pb := payment(b.B, "B-1", 3000, "tr_b")
	pb2 := payment(b.B, "B-2", 2000, "tr_b2")
	settled := now.Add(-48 * time.Hour)
	lines := func(ls ...collect.PayoutLine) []collect.PayoutLine { return ls }
	// Shared: A and B, plus a payment nobody knows. A's payment was settled
	// at 49,00 though A recorded 50,00.
	shared := collect.Payout{Provider: "mollie", ProviderID: "stl_shared", Reference: "1234567.2611.01", Amount: 4900 + 3000 + 1234 - 70 - 35 - 35,
		Difference: -100 - (1234 - 35), SettledAt: &settled, Lines: lines(
			collect.PayoutLine{Kind: "payment", ProviderRef: "tr_a", Method: "ideal", Amount: 4900, PaymentID: pa.ID, CreditorID: b.A.ID, Matched: true},
			collect.PayoutLine{Kind: "payment", ProviderRef: "tr_b", Method: "ideal", Amount: 3000, PaymentID: pb.ID, CreditorID: b.B.ID, Matched: true},
			collect.PayoutLine{Kind: "payment", ProviderRef: "tr_x", Method: "ideal", Amount: 1234},
			collect.PayoutLine{Kind: "fee", ProviderRef: "2026-11/ideal/" + b.A.ID, Method: "ideal", Amount: -70, FeeBips: -7018, CreditorID: b.A.ID, Matched: true},
			collect.PayoutLine{Kind: "fee", ProviderRef: "2026-11/ideal/" + b.B.ID, Method: "ideal", Amount: -35, FeeBips: -3509, CreditorID: b.B.ID, Matched: true},
			collect.PayoutLine{Kind: "fee", ProviderRef: "2026-11/ideal/unattributed", Method: "ideal", Amount: -35, FeeBips: -3509},
		)}
	onlyB := collect.Payout{Provider: "stripe", ProviderID: "po_b", Reference: "po_b", Amount: 1946, Reconciled: true, Lines: lines(
		collect.PayoutLine{Kind: "payment", ProviderRef: "txn_1", Method: "card", Amount: 2000, PaymentID: pb2.ID, CreditorID: b.B.ID, Matched: true},
		collect.PayoutLine{Kind: "fee", ProviderRef: "txn_1", Method: "card", Amount: -54, FeeBips: -5400, PaymentID: pb2.ID, CreditorID: b.B.ID, Matched: true},
	)}
	nobody := collect.Payout{Provider: "stripe", ProviderID: "po_x", Reference: "po_x", Amount: 500, Difference: -500, Lines: lines(
		collect.PayoutLine{Kind: "adjustment", ProviderRef: "txn_9", Amount: 500},
	)}
	for _, p := range []collect.Payout{shared, onlyB, nobody} {
		if _, err := b.db.SavePayout(ctx, p); err != nil {
			t.Fatal(err)
		}
	}

	m := b.call(t, "GET", "/api/v1/payouts", b.A.Key, nil).want(t, http.StatusOK)
	conforms(t, "PayoutList", m)
	ps := m["payouts"].([]any)
	if len(ps) != 1 {
		t.Fatalf("A sees %d payouts, want 1: %v", len(ps), m)
	}
	p := ps[0].(map[string]any)
	if p["provider_id"] != "stl_shared" || p["reference"] != "1234567.2611.01" || p["status"] != "expected" ||
		num(t, p["amount_cents"]) != shared.Amount || p["reconciled"] != false || num(t, p["difference_cents"]) != shared.Difference ||
		num(t, p["creditor_net_cents"]) != 4900-70 || p["settled_at"] != settled.UTC().Format(time.RFC3339) || p["arrived_at"] != nil {
		t.Errorf("A's payout %v", p)
	}
	ls := p["lines"].([]any)
	if len(ls) != 2 {
		t.Fatalf("A sees %d lines, want its 2: %v", len(ls), ls)
	}
	pl, fl := ls[0].(map[string]any), ls[1].(map[string]any)
	if pl["kind"] != "payment" || pl["provider_ref"] != "tr_a" || num(t, pl["amount_cents"]) != 4900 || pl["payment_id"] != pa.ID || pl["cause"] != "amount_differs" {
		t.Errorf("A's payment line %v", pl)
	}
	if fl["kind"] != "fee" || num(t, fl["fee_bips"]) != -7018 || num(t, fl["amount_cents"]) != -70 || fl["payment_id"] != nil || fl["cause"] != "" {
		t.Errorf("A's fee line %v", fl)
	}

	m = b.call(t, "GET", "/api/v1/payouts", b.B.Key, nil).want(t, http.StatusOK)
	conforms(t, "PayoutList", m)
	ps = m["payouts"].([]any)
	if len(ps) != 2 {
		t.Fatalf("B sees %d payouts, want 2: %v", len(ps), m)
	}
	for _, x := range ps {
		p := x.(map[string]any)
		for _, l := range p["lines"].([]any) {
			if ref := l.(map[string]any)["provider_ref"]; ref == "tr_a" || ref == "tr_x" || ref == "2026-11/ideal/unattributed" {
				t.Errorf("B sees a line that is not its own: %v", l)
			}
		}
	}

	b.call(t, "GET", "/api/v1/payouts", "", nil).wantError(t, http.StatusUnauthorized, "unauthorized", "-")
}

// TestExports: the payments and journal CSVs of the calling creditor only,
// in the Dutch spreadsheet format; the journal balances per day.
func TestExports(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	pay1 := func(c creditor, ref string, cents int64, provider, method string) {
		t.Helper()
		d := b.debtor(t, c.Key, consumer(ref, "Jan Jansen"))
		p, err := b.db.CreatePayment(ctx, collect.Payment{CreditorID: c.ID, DebtorID: d, Amount: cents, Provider: provider, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.db.StartCheckout(ctx, p.ID, pay.Checkout{ProviderID: "tr_" + ref}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: cents}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	pay1(b.A, "A-1", 123456, "mollie", "ideal")
	pay1(b.B, "B-1", 999, "stripe", "card")

	r := b.call(t, "GET", "/api/v1/exports/payments.csv?from=2026-11-01&to=2026-11-30", b.A.Key, nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("payments.csv: %d %s\n%s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	rows := dutchCSV(t, r.Body)
	if len(rows) != 2 || rows[1][3] != "mollie" || rows[1][4] != "ideal" || rows[1][10] != "1234,56" {
		t.Fatalf("A's payments: %v", rows)
	}
	r = b.call(t, "GET", "/api/v1/exports/journal.csv?from=2026-11-01&to=2026-11-30", b.A.Key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("journal.csv: %d\n%s", r.Status, r.Body)
	}
	rows = dutchCSV(t, r.Body)
	if strings.Join(rows[0], ";") != strings.Join(reconcile.JournalHeader, ";") {
		t.Errorf("journal header %v", rows[0])
	}
	if !bytes.Contains(r.Body, []byte(";movement;clearing:mollie;Clearing: Mollie;1234,56;")) || bytes.Contains(r.Body, []byte("9,99")) {
		t.Errorf("journal of A:\n%s", r.Body)
	}
	b.call(t, "GET", "/api/v1/exports/journal.csv?from=2026-11-30&to=2026-11-01", b.A.Key, nil).wantError(t, http.StatusUnprocessableEntity, "invalid", "from")
	b.call(t, "GET", "/api/v1/exports/payments.csv?from=2026-11-01", b.A.Key, nil).wantError(t, http.StatusUnprocessableEntity, "invalid", "to")
	b.call(t, "GET", "/api/v1/exports/payments.csv?from=2026-11-01&to=2026-11-30", "", nil).wantError(t, http.StatusUnauthorized, "unauthorized", "")
}

func dutchCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	raw, ok := bytes.CutPrefix(body, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatal("no BOM")
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if strings.Contains(cell, ",") && strings.Contains(cell, ".") {
				t.Errorf("cell %q has both a comma and a dot", cell)
			}
		}
	}
	return rows
}
