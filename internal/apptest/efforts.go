package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The creditor's own efforts that vroegsignalering asks for before a
// consumer goes on the municipality's list, each as Settle records it at
// the store's clock (the caller moves the clock between them).

// Remind records a written reminder: a 14-day notice for invoiceIDs sent on.
func Remind(t testing.TB, db *postgres.DB, cr collect.Creditor, debtorID string, invoiceIDs []string, on time.Time) {
	t.Helper()
	if _, err := db.CreateNotice(context.Background(), cr, debtorID, invoiceIDs, collect.Notice{Channel: "email", SentOn: on}); err != nil {
		t.Fatal(err)
	}
}

// OfferPlan records an agent's offer of a three-month plan over total.
func OfferPlan(t testing.TB, db *postgres.DB, agentID, creditorID, debtorID string, total int64) {
	t.Helper()
	first := collect.DutchDate(db.Now()).AddDate(0, 1, 0)
	if _, err := casework.OfferPlan(context.Background(), db, agentID, creditorID, debtorID, collect.Plan{Total: total, Months: 3, FirstDue: first}); err != nil {
		t.Fatal(err)
	}
}

// TryContact records an attempt at personal contact: a follow-up task the
// agent finished.
func TryContact(t testing.TB, db *postgres.DB, agentID, creditorID, debtorID string) {
	t.Helper()
	ctx := context.Background()
	id, err := db.AddAgentTask(ctx, creditorID, debtorID, "call", collect.DutchDate(db.Now()))
	if err == nil {
		err = casework.FinishTask(ctx, db, agentID, []string{creditorID}, id)
	}
	if err != nil {
		t.Fatal(err)
	}
}
