package casework

import (
	"context"
	"errors"
	"log/slog"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/postgres"
)

// Cleanup deletes what has expired by the store's clock: sessions, short
// lived keys, idempotency keys older than 24 hours, per-address sign-in
// counters past their window and pending console sign-ins past their time.
// Each of them is already ignored once expired; deleting them keeps the
// tables to what is live.
func Cleanup(ctx context.Context, db *postgres.DB) error {
	if _, err := db.DeleteExpiredSessions(ctx); err != nil {
		return err
	}
	if err := db.DeleteExpiredKV(ctx); err != nil {
		return err
	}
	if _, err := db.DeleteExpiredIdempotencyKeys(ctx); err != nil {
		return err
	}
	if _, err := db.DeleteExpiredAddressAttempts(ctx, access.AddressWindow); err != nil {
		return err
	}
	_, err := db.DeleteExpiredPendingLogins(ctx)
	return err
}

// CheckRates warns the operator when a statutory interest table does not
// reach the store's today: interest after that date would use an outdated
// rate. The warning names the command that fixes it.
func CheckRates(ctx context.Context, db *postgres.DB, log *slog.Logger) {
	today := db.Today()
	for _, kind := range []string{"consumer", "commercial"} {
		rt, err := db.Rates(ctx, kind)
		if err != nil {
			log.Error("read interest rates", "kind", kind, "err", err)
			continue
		}
		if end := rt.CoveredThrough(); end.Before(today) {
			log.Warn("the statutory interest table is out of date: add the current rate with `settle rates add`",
				"kind", kind, "covered_through", end.Format("2006-01-02"))
		}
	}
}

// Housekeep is the periodic housekeeping: the interest tables checked
// (CheckRates), bank imports cut off after storing their lines completed
// (CompleteBankImports), then what has expired deleted (Cleanup).
func Housekeep(ctx context.Context, db *postgres.DB, log *slog.Logger) error {
	CheckRates(ctx, db, log)
	// One import that cannot be completed must not stop the cleanup.
	n, importErr := CompleteBankImports(ctx, db)
	if n > 0 {
		log.Warn("completed bank statement imports that were cut off after storing their lines", "statements", n)
	}
	return errors.Join(importErr, Cleanup(ctx, db))
}
