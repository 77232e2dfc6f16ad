package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

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
