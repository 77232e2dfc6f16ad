package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// TestStoreWebhookEventsBatch: a batch stores each event once, in the order
// given reports the first copy as fresh and every other copy (in the batch
// or stored before) as a redelivery, counts every delivery, and stores
// nothing when the follow-up fails.
func TestStoreWebhookEventsBatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := func(id string) postgres.WebhookEvent {
		return postgres.WebhookEvent{Provider: "stripe", EventID: id, EventType: "checkout.session.completed", Payload: []byte(`{"id":"` + id + `"}`)}
	}
	if err := f.db.StoreWebhookEvent(ctx, ev("evt_old"), func(pgx.Tx, int64, bool) error { return nil }); err != nil {
		t.Fatal(err)
	}
	batch := []postgres.WebhookEvent{ev("evt_b"), ev("evt_a"), ev("evt_old"), ev("evt_b"),
		{Provider: "mollie", EventID: "tr_1", EventType: "payment"}, ev("evt_b")}
	var got []postgres.StoredEvent
	if err := f.db.StoreWebhookEvents(ctx, batch, func(_ pgx.Tx, s []postgres.StoredEvent) error { got = s; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(batch) {
		t.Fatalf("%d results for %d events", len(got), len(batch))
	}
	wantFresh := []bool{true, true, false, false, true, false}
	for i, s := range got {
		if s.Fresh != wantFresh[i] {
			t.Errorf("event %d (%s): fresh %v, want %v", i, batch[i].EventID, s.Fresh, wantFresh[i])
		}
	}
	if got[0].RowID != got[3].RowID || got[0].RowID != got[5].RowID || got[0].RowID == got[1].RowID {
		t.Errorf("row ids %+v: the copies of evt_b must share one row, other events not", got)
	}
	for id, want := range map[string]int{"evt_old": 2, "evt_a": 1, "evt_b": 3, "tr_1": 1} {
		var n, rows int
		if err := f.pool.QueryRow(ctx, `SELECT coalesce(sum(deliveries), 0), count(*) FROM webhook_events WHERE event_id = $1`, id).Scan(&n, &rows); err != nil {
			t.Fatal(err)
		}
		if n != want || rows != 1 {
			t.Errorf("%s: %d rows with %d deliveries, want 1 row with %d", id, rows, n, want)
		}
	}
	stored, err := f.db.WebhookEvent(ctx, got[1].RowID)
	if err != nil || stored.EventID != "evt_a" || string(stored.Payload) != `{"id": "evt_a"}` {
		t.Errorf("stored evt_a: %+v, %v", stored, err)
	}

	// A follow-up that fails takes the whole batch back.
	boom := errors.New("enqueue failed")
	err = f.db.StoreWebhookEvents(ctx, []postgres.WebhookEvent{ev("evt_c"), ev("evt_a")}, func(pgx.Tx, []postgres.StoredEvent) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the follow-up's", err)
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_events WHERE event_id = 'evt_c'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("evt_c stored %d times after a failed batch (%v)", n, err)
	}
	if err := f.pool.QueryRow(ctx, `SELECT deliveries FROM webhook_events WHERE event_id = 'evt_a'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("evt_a counts %d deliveries after a failed batch, want 1 (%v)", n, err)
	}
}

// TestStoreWebhookEventsConcurrent: two batches in flight at once that
// share events (a storm of one event, a redelivery) store each event once,
// report it fresh to exactly one of them, so it gets one job, and count
// every delivery. The later batch waits for the earlier one's transaction;
// if that fails, the later batch stores the shared events itself.
func TestStoreWebhookEventsConcurrent(t *testing.T) {
	t.Parallel()
	for _, firstFails := range []bool{false, true} {
		f := newFixture(t)
		ctx := context.Background()
		ev := func(id string) postgres.WebhookEvent {
			return postgres.WebhookEvent{Provider: "stripe", EventID: id, EventType: "checkout.session.completed", Payload: []byte(`{}`)}
		}
		boom := errors.New("enqueue failed")
		inside, hold := make(chan struct{}), make(chan struct{})
		var first []postgres.StoredEvent
		firstErr := make(chan error, 1)
		go func() {
			firstErr <- f.db.StoreWebhookEvents(ctx, []postgres.WebhookEvent{ev("evt_storm"), ev("evt_1")}, func(_ pgx.Tx, s []postgres.StoredEvent) error {
				first = s
				close(inside)
				<-hold // the events are inserted, the transaction still open
				if firstFails {
					return boom
				}
				return nil
			})
		}()
		<-inside
		var second []postgres.StoredEvent
		secondErr := make(chan error, 1)
		go func() {
			secondErr <- f.db.StoreWebhookEvents(ctx, []postgres.WebhookEvent{ev("evt_storm"), ev("evt_2"), ev("evt_storm")}, func(_ pgx.Tx, s []postgres.StoredEvent) error {
				second = s
				return nil
			})
		}()
		// The second batch's insert must wait for the first one's row.
		for waiting := false; !waiting; time.Sleep(5 * time.Millisecond) {
			select {
			case err := <-secondErr:
				t.Fatalf("the second batch ended (%v) while the first held the storm's event uncommitted", err)
			default:
			}
			err := f.pool.QueryRow(ctx, `SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database()
				AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO webhook_events%'`).Scan(&waiting)
			if err != nil {
				t.Fatal(err)
			}
		}
		close(hold)
		if err := <-firstErr; (err != nil) != firstFails {
			t.Fatalf("first batch (fails: %v): %v", firstFails, err)
		}
		if err := <-secondErr; err != nil {
			t.Fatalf("second batch: %v", err)
		}
		fresh := map[int64]int{}
		for _, s := range first {
			if s.Fresh && !firstFails {
				fresh[s.RowID]++
			}
		}
		for _, s := range second {
			if s.Fresh {
				fresh[s.RowID]++
			}
		}
		rows, err := f.pool.Query(ctx, `SELECT id, event_id, deliveries FROM webhook_events ORDER BY event_id`)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			id         int64
			eventID    string
			deliveries int
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.eventID, &x.deliveries)
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"evt_1": 1, "evt_2": 1, "evt_storm": 3}
		if firstFails {
			want = map[string]int{"evt_2": 1, "evt_storm": 2}
		}
		if len(got) != len(want) {
			t.Errorf("first fails %v: stored %+v, want one row each of %v", firstFails, got, want)
		}
		for _, r := range got {
			if r.deliveries != want[r.eventID] {
				t.Errorf("first fails %v: %s counts %d deliveries, want %d", firstFails, r.eventID, r.deliveries, want[r.eventID])
			}
			if fresh[r.id] != 1 {
				t.Errorf("first fails %v: %s reported fresh %d times by the committed batches, want once (one job)", firstFails, r.eventID, fresh[r.id])
			}
		}
		if !firstFails && (!first[0].Fresh || second[0].Fresh || second[2].Fresh || second[0].RowID != first[0].RowID) {
			t.Errorf("the storm's event: first batch %+v, second %+v; want it fresh in the first only, one row", first, second)
		}
	}
}

// TestPaymentsToCheck: the group commit's lookup gives each payment's id,
// creditor, provider and provider id, and leaves out ids that are no
// payment or no uuid.
func TestPaymentsToCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d := f.debtor(t, "K-1", collect.Consumer)
	started, err := f.db.CreatePayment(ctx, collect.Payment{CreditorID: f.creditor.ID, DebtorID: d, Amount: 5000, Provider: "stripe", Method: "card"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.StartCheckout(ctx, started.ID, pay.Checkout{ProviderID: "cs_test_1"}); err != nil {
		t.Fatal(err)
	}
	fresh, err := f.db.CreatePayment(ctx, collect.Payment{CreditorID: f.creditor.ID, DebtorID: d, Amount: 100, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.db.PaymentsToCheck(ctx, []string{started.ID, fresh.ID, "7d1f6a58-0c4e-4a55-9b7a-1f2d3c4b5a69", "12345", started.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]collect.Payment{
		started.ID: {ID: started.ID, CreditorID: f.creditor.ID, Provider: "stripe", ProviderID: "cs_test_1"},
		fresh.ID:   {ID: fresh.ID, CreditorID: f.creditor.ID, Provider: "mollie"},
	}
	if len(got) != len(want) {
		t.Errorf("got %d payments, want %d: %+v", len(got), len(want), got)
	}
	for id, w := range want {
		if g := got[id]; g != w {
			t.Errorf("payment %s: got %+v, want %+v", id, g, w)
		}
	}
}
