package api_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
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
