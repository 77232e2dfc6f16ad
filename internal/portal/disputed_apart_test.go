package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// TestDisputedInvoiceApart: with a dispute open about the 250,00 invoice,
// the overview shows it in its own section and the total, "pay everything",
// the largest amount and the plan's total are the other invoice's 100,00.
func TestDisputedInvoiceApart(t *testing.T) {
	t.Parallel()
	f := newPayFixture(t, unusedURL(t), unusedURL(t))
	if _, err := casework.OpenDispute(context.Background(), f.e.DB, f.cr.Creditor, collect.Dispute{DebtorID: f.d.ID,
		InvoiceID: f.invs[1].ID, Reason: "amount_wrong", Body: "Ik heb in november minder verbruikt."}); err != nil {
		t.Fatal(err)
	}
	c := f.c

	r := c.Get("/overview")
	apptest.WantStatus(t, "overview", r, http.StatusOK)
	body := text(r)
	apptest.WantContains(t, "overview", body, nl.T("overview.apart"), nl.T("overview.apart.text"), "F-2026-002",
		nl.T("overview.total")+": <strong>€ 100,00</strong>", nl.T("overview.count", 1, creditorName))
	apptest.WantNotContains(t, "overview", body, "€ 350,00")

	r = c.Get("/pay")
	apptest.WantStatus(t, "pay page", r, http.StatusOK)
	apptest.WantContains(t, "pay page", text(r), nl.T("pay.all", "€ 100,00"), nl.T("pay.amount.hint", "€ 5,00", "€ 100,00"))
	apptest.WantNotContains(t, "pay page", text(r), "Stroom november")
	r = c.Get("/pay/method?what=all")
	apptest.WantStatus(t, "pay everything", r, http.StatusOK)
	apptest.WantContains(t, "pay everything", text(r), nl.T("pay.method.intro", "€ 100,00"))
	r = c.Get("/pay/method?what=amount&amount=" + url.QueryEscape("100,01"))
	apptest.WantStatus(t, "more than everything", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "more than everything", text(r), nl.T("pay.error.max", "€ 100,00"))

	r = c.Get("/plan")
	apptest.WantStatus(t, "plan page", r, http.StatusOK)
	apptest.WantContains(t, "plan page", text(r), nl.T("plan.intro", "€ 100,00"))
}
