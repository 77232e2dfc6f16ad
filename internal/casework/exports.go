package casework

import (
	"context"
	"time"

	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile"
)

// PaymentsExport is a creditor's payments received from one day to another
// (both included), with their allocation, for the accountant's export.
func PaymentsExport(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) ([]postgres.PaymentRow, error) {
	return db.PaymentRows(ctx, creditorID, from, to)
}

// JournalExport is a creditor's journal from one day to another (both
// included), for the accountant's export.
func JournalExport(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) (reconcile.Journal, error) {
	return reconcile.LoadJournal(ctx, db, creditorID, from, to)
}
