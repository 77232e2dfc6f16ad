package postgres_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// DebtorFiles must read for each debtor exactly what the single reads the
// outreach planner used before give: facts, promises, the creditor's
// policy, whether there are plans, contact wishes and bounced addresses.
func TestDebtorFilesEqualSingleReads(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	full := f.debtor(t, "F1", collect.Consumer)
	inv := f.invoice(t, full, "F-1", "2026-09-01", 10000)
	inv2 := f.invoice(t, full, "F-2", "2026-10-01", 5000)
	f.notice(t, full, "post", "2026-09-10", inv)
	f.pay(t, full, 2500, "2026-10-05", "bank:f1", inv)
	if _, err := f.db.MakePromise(ctx, collect.Promise{CreditorID: f.creditor.ID, DebtorID: full, InvoiceID: inv2, PromisedOn: day("2026-12-01"),
		Amount: 5000, Status: collect.PromiseOpen, MadeBy: collect.MadeByDebtor}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ProposePlan(ctx, collect.ProposePlan(collect.Plan{CreditorID: f.creditor.ID, DebtorID: full, Total: 10000, Months: 2, FirstDue: day("2026-12-01")},
		collect.PlanCheck{Inside: true}, true, f.db.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateDispute(ctx, collect.Dispute{CreditorID: f.creditor.ID, DebtorID: full, InvoiceID: inv, Reason: "amount_wrong", Body: "too much"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ReportHardship(ctx, collect.Hardship{CreditorID: f.creditor.ID, DebtorID: full, Reason: "income", Consent: true}, 30); err != nil {
		t.Fatal(err)
	}
	w := collect.ContactWishes{Channel: "email", Channels: []collect.Channel{collect.ChannelEmail, collect.ChannelSMS}, Email: "f1@example.nl", Phone: "+31612345678",
		Avoid: []collect.TimeRange{{From: 18, To: 21}}, Language: "en"}
	if err := f.db.SetContactWishes(ctx, f.creditor.ID, full, w, f.db.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `INSERT INTO blocked_addresses (debtor_id, creditor_id, channel, address, blocked_at) VALUES ($1, $2, 'email', 'old@example.nl', now())`,
		full, f.creditor.ID); err != nil {
		t.Fatal(err)
	}
	business := f.debtor(t, "B1", collect.Business)
	f.invoice(t, business, "B-1", "2026-11-01", 20000)
	bare := f.debtor(t, "N1", collect.Consumer)
	missing := "00000000-0000-4000-8000-000000000001"

	files, err := f.db.DebtorFiles(ctx, []string{full, business, bare, missing})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[missing] != nil {
		t.Fatalf("files for %d debtors, missing one %v; want the 3 that exist", len(files), files[missing])
	}
	for _, d := range []string{full, business, bare} {
		got := files[d]
		if got == nil {
			t.Fatalf("no file for %s", d)
		}
		var want postgres.DebtorFile
		if want.Facts, err = f.db.Facts(ctx, f.creditor.ID, d); err != nil {
			t.Fatal(err)
		}
		if want.Promises, err = f.db.Promises(ctx, f.creditor.ID, d); err != nil {
			t.Fatal(err)
		}
		if want.Policy, err = f.db.PromisePolicy(ctx, f.creditor.ID); err != nil {
			t.Fatal(err)
		}
		plans, err := f.db.Plans(ctx, f.creditor.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		want.HasPlans = len(plans) > 0
		if want.Wishes, want.WishesGiven, err = f.db.ContactWishesOf(ctx, d); err != nil {
			t.Fatal(err)
		}
		if want.Blocked, err = f.db.BlockedAddresses(ctx, d); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("debtor %s:\nbatch  %+v\nsingle %+v", d, *got, want)
		}
	}
	// The full debtor's file really holds each part, so the comparison
	// above compared something.
	g := files[full]
	if len(g.Facts.Entries) < 3 || len(g.Facts.Notices) != 1 || len(g.Facts.Holds[inv]) != 1 || len(g.Facts.Breathing) != 1 ||
		len(g.Promises) != 1 || !g.HasPlans || !g.WishesGiven || len(g.Wishes.Avoid) != 1 || len(g.Blocked[collect.ChannelEmail]) != 1 {
		t.Errorf("the full debtor's file lacks a part: %+v", *g)
	}
	if b, c := files[business].Facts.Rates, files[full].Facts.Rates; len(b) == 0 || len(c) == 0 || reflect.DeepEqual(b, c) {
		t.Errorf("a business debtor needs the commercial rates and a consumer the consumer rates: %d and %d rows", len(b), len(c))
	}
}
