package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
)

// DemoClockPath is where `settle demo` lets a creditor move the demo clock;
// `settle serve` has no such route.
const DemoClockPath = "/api/v1/demo/clock"

type demoClockRequest struct {
	Advance string `json:"advance"`
	To      string `json:"to"`
}

func (a *API) moveDemoClock(c *fiber.Ctx) error {
	var req demoClockRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	advance, err := demoAdvance(req.Advance)
	if err != nil {
		return err
	}
	var to time.Time
	if req.To != "" {
		if to, err = time.Parse(time.RFC3339, req.To); err != nil {
			return invalid("to", "to must be a moment with its offset, as 2026-12-20T10:00:00+01:00")
		}
	}
	now, err := casework.MoveDemoClock(c.UserContext(), a.DemoClock, advance, to)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"now": now.In(demoZone).Format(time.RFC3339)})
}

// demoAdvance reads a forward move: a Go duration ("26h", "90m") or whole
// days ("14d"); "" is no move.
func demoAdvance(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 && n <= 3660 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, invalid("advance", "advance must be a positive duration such as \"26h\", \"90m\" or \"14d\"")
}

// demoZone is where the demo's time is read, so the answer shows the
// Dutch wall clock the ladder's send window follows.
var demoZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()
