package scaletest

import (
	"context"
	"slices"
	"testing"

	"github.com/settle/settle/internal/postgres/pgtest"
)

// withoutCreditor are the tables that do not carry creditor_id, each with
// why. Sharding by creditor (docs/scaling.md) distributes every other table
// on creditor_id; these are reference tables, copied whole to every node,
// or the bookkeeping of the tools that run the schema.
var withoutCreditor = map[string]string{
	// The shard key's own table: in Citus it is distributed by its id,
	// which is every other table's creditor_id.
	"creditors": "the creditors themselves (distributed by id)",
	// Console users and their sign-in bookkeeping: one agent may work for
	// several creditors (their roles list them), and a sign-in happens
	// before any creditor is chosen.
	"agents":                  "an agent may serve several creditors",
	"console_login_addresses": "sign-in attempts per address, before any creditor",
	"console_pending_logins":  "sign-ins waiting for the second factor, before any creditor",
	// Sessions, rate-limit counters and idempotency keys under one key
	// space; a key may name a debtor's session or a client address.
	"kv_store": "keys of several kinds, most without a creditor",
	// Provider webhooks arrive with the provider's event id only; which
	// creditor they concern is known after the fetch they trigger.
	"webhook_events": "stored before the creditor is known",
	// One provider payout settles the payments of every creditor on
	// Settle's provider account.
	"payouts": "a payout spans creditors",
	// Dated reference data the same for everyone: reference tables in Citus.
	"interest_rates":          "statutory rates, the same for every creditor",
	"equated_holidays":        "public holidays, the same for every creditor",
	"postcode_municipalities": "postcode to municipality, the same for every creditor",
	"signal_thresholds":       "the early-signal thresholds of the law, the same for every creditor",
	// The demo's movable clock: one row for the whole database.
	"demo_clock": "one clock per database",
	// The schema tools' own bookkeeping.
	"goose_db_version":   "goose's migration versions",
	"river_job":          "River's queue; jobs name their creditor in their args",
	"river_leader":       "River's leader election",
	"river_migration":    "River's migration versions",
	"river_notification": "River's notifications",
	"river_queue":        "River's queues",
}

// Every table carries creditor_id, so that a sharded PostgreSQL (Citus)
// can distribute it and keep one creditor's rows together; the few that
// legitimately do not are listed in withoutCreditor with their reason. A
// new table fails here until it has the column or a reason.
func TestEveryTableHasCreditorID(t *testing.T) {
	ctx := context.Background()
	conn, _ := pgtest.New(t)
	rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'creditor_id' AND NOT a.attisdropped)
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		missing = append(missing, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range missing {
		if _, ok := withoutCreditor[name]; !ok {
			t.Errorf("table %s has no creditor_id and no reason in withoutCreditor", name)
		}
	}
	for name := range withoutCreditor {
		if !slices.Contains(missing, name) {
			t.Errorf("withoutCreditor lists %s, which has creditor_id now or is gone: delete its line", name)
		}
	}
}
