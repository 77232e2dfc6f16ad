package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// TestCleanup: the periodic cleanup job deletes idempotency keys older than
// 24 hours, per-address sign-in counters past their window and expired
// pending sign-ins, by the database's clock, and keeps the current ones.
func TestCleanup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := pgtest.NewClock(start)
	db, _ := apptest.NewDB(t, clk.Now)
	// rows makes one of each kind at the clock's time, named by suffix. Each
	// key has a creditor of its own, since storing a key drops its creditor's
	// expired keys itself: the job is for those of creditors gone quiet.
	rows := func(suffix string) {
		t.Helper()
		cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Creditor " + suffix + " B.V."})
		if err != nil {
			t.Fatal(err)
		}
		agent, err := db.CreateAgent(ctx, "agent"+suffix+"@example.nl", "agent", "not-a-real-hash", []string{cr.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, claim, err := db.ClaimIdempotencyKey(ctx, cr.ID, "key-"+suffix, []byte("hash"))
		if err != nil {
			t.Fatal(err)
		}
		if err := claim.Save(ctx, postgres.StoredAnswer{Status: 201, Body: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimAddressAttempt(ctx, "192.0.2."+suffix, access.MaxAddressAttempts, access.AddressWindow); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreatePendingLogin(ctx, agent.ID); err != nil {
			t.Fatal(err)
		}
	}
	count := func(table string) int {
		t.Helper()
		var n int
		if err := db.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	rows("1")
	clk.Advance(23 * time.Hour)
	rows("2") // the pending sign-in and the address counter of "1" are expired, its key is not
	clk.Advance(time.Hour)
	rows("3") // now key-1 is 24 hours old; key-2 and everything of "3" are current

	// The job as River runs it, on a worker of its own.
	client, done := runRiver(t, db, jobs.Deps{})
	res, err := client.River.Insert(ctx, jobs.CleanupArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, done, 30*time.Second, func(j *rivertype.JobRow) bool { return j.ID == res.Job.ID })

	var keys []string
	r, err := db.PoolForTests().Query(ctx, `SELECT key FROM idempotency_keys ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var k string
		if err := r.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	if len(keys) != 2 || keys[0] != "key-2" || keys[1] != "key-3" {
		t.Errorf("idempotency keys kept %v, want [key-2 key-3]", keys)
	}
	if n := count(`console_login_addresses WHERE address = '192.0.2.3'`); n != 1 || count("console_login_addresses") != 1 {
		t.Errorf("address counters: %d, want only the current one", count("console_login_addresses"))
	}
	if n := count(`console_pending_logins WHERE expires_at > '` + clk.Now().Format(time.RFC3339) + `'`); n != 1 || count("console_pending_logins") != 1 {
		t.Errorf("pending sign-ins: %d, want only the current one", count("console_pending_logins"))
	}
}
