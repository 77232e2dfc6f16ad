package jobs_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
)

// An event reaches the demo's receiver through River: the periodic
// dispatcher starts the debtor's delivery job, which posts the event
// signed; the receiver finds the signature valid and the delivery is
// recorded as delivered.
func TestWebhookDeliveredThroughRiver(t *testing.T) {
	t.Parallel()
	e := apptest.NewStore(t, start)
	ln, base := apptest.Listen(t)
	a := e.BuildWith(e.DB, config.Config{BaseURL: base}, app.Options{Work: true, FakeWebhooks: true})
	apptest.Serve(t, a, ln)
	apptest.StartWork(t, a)
	cr := e.Creditor(collect.Creditor{Name: "Water Oost B.V."}).Creditor
	d := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-1", Name: "Jan Jansen"})
	if err := a.PointDemoWebhooks(e.Ctx, e.DB, base, []string{cr.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.ReportHardship(e.Ctx, collect.Hardship{CreditorID: cr.ID, DebtorID: d.ID, Reason: "income", Consent: true}, 30); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := a.FakeWebhooks.Received()
		page, err := casework.WebhookPage(e.Ctx, e.DB, cr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && len(page.Deliveries) == 1 && page.Deliveries[0].DeliveredAt != nil {
			if !got[0].Valid || got[0].Event.Type != collect.EventHardshipReported || got[0].Event.ID != page.Deliveries[0].Event.ID {
				t.Fatalf("the receiver got %+v, want the signed hardship.reported event", got[0])
			}
			return
		}
		if len(got) > 1 || time.Now().After(deadline) {
			t.Fatalf("after %d deliveries the receiver has %+v and the store %+v", len(got), got, page.Deliveries)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
