package casework

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// DemoClock is the clock of `settle demo`: it runs with real time, and a
// newcomer moves it forward to see reminders, notices and follow-ups come
// due without waiting weeks. It never runs back, not even across a restart:
// how far it runs ahead is kept in the store. `settle serve` has none.
type DemoClock struct {
	db *postgres.DB
	// ahead is how far the clock runs ahead of real time, in nanoseconds;
	// every request and job reads it, so it is atomic.
	ahead atomic.Int64
	// moving makes a move's read, check and keep one step.
	moving sync.Mutex
	// AfterMove runs after each move; the demo asks for an outreach run
	// there, so work that became due goes within seconds.
	AfterMove func(ctx context.Context)
}

// StartDemoClock reads how far the demo clock was moved before and makes it
// the store's clock (db.Now). Build everything that reads the time from
// db.Now (the link signer, the app) after this call.
func StartDemoClock(ctx context.Context, db *postgres.DB) (*DemoClock, error) {
	ahead, err := db.DemoClockOffset(ctx)
	if err != nil {
		return nil, fmt.Errorf("start demo clock: %w", err)
	}
	c := &DemoClock{db: db}
	c.ahead.Store(int64(ahead))
	db.Now = c.Now
	return c, nil
}

// Now is the demo's current time.
func (c *DemoClock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// MoveDemoClock moves the clock forward by advance, or to the moment to
// (exactly one is given), keeps the move and returns the new time. A move
// back is a conflict on "to"; a missing, doubled or negative move is
// invalid, naming its field.
func MoveDemoClock(ctx context.Context, c *DemoClock, advance time.Duration, to time.Time) (time.Time, error) {
	c.moving.Lock()
	wall := time.Now()
	now := wall.Add(time.Duration(c.ahead.Load()))
	target, err := collect.DemoClockTarget(now, advance, to)
	if err == nil {
		err = c.db.KeepDemoClockOffset(ctx, target.Sub(wall), wall)
	}
	if err == nil {
		c.ahead.Store(int64(target.Sub(wall)))
	}
	c.moving.Unlock()
	if err != nil {
		return time.Time{}, err
	}
	if c.AfterMove != nil {
		c.AfterMove(ctx)
	}
	return target, nil
}
