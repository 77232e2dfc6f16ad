package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/jobs"
)

// The early_signals job, as River runs it after a kick (the demo clock's),
// raises the signal a failed payment gives.
func TestKickSignals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := apptest.NewDB(t, func() time.Time { return start })
	cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Waterbedrijf"})
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := db.UpsertDebtor(ctx, collect.Debtor{CreditorID: cr.ID, ExternalRef: "W-1", Kind: collect.Consumer, Name: "Wim", Language: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreatePayment(ctx, collect.Payment{CreditorID: cr.ID, DebtorID: d.ID, Amount: 5000, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FailCheckout(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	client, done := runRiver(t, db, jobs.Deps{})
	if err := client.KickSignals(ctx); err != nil {
		t.Fatal(err)
	}
	waitJob(t, done, 30*time.Second, func(j *rivertype.JobRow) bool { return j.Kind == jobs.SignalsArgs{}.Kind() })
	ss, err := casework.OpenSignals(ctx, db, []string{cr.ID})
	if err != nil || len(ss) != 1 || ss[0].Reason != collect.ReasonPaymentFailed || ss[0].Subject != p.ID {
		t.Errorf("signals after the job: %+v, %v; want the failed payment's", ss, err)
	}
}
