package console

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/notify"
)

// Demo is what `settle demo` adds to the console: the demo clock, which
// admins move, and the outbox of the built-in SMS gateway. In serve it is
// nil and its pages do not exist (404).
type Demo struct {
	Clock *casework.DemoClock
	// SMS lists what the built-in SMS gateway received; nil when the demo
	// sends through a real gateway.
	SMS func() []notify.FakeSMSMessage
	// MailInbox is the web inbox of the demo's Mailpit; "" when mail goes
	// to a server set in SETTLE_SMTP_URL.
	MailInbox string
}

// demoPage is what the demo template shows.
type demoPage struct {
	Now       time.Time
	Admin     bool
	SMS       []notify.FakeSMSMessage
	FakeSMS   bool
	MailInbox string
}

// registerDemo mounts the demo page, for every console user, and its clock
// form, for admins, when the console runs in the demo.
func (co *Console) registerDemo(app *fiber.App) {
	if co.Demo == nil {
		return
	}
	app.Get(prefix+"/demo", co.requireAgent, co.h(co.demoPage))
	app.Post(prefix+"/demo/clock", co.requireAgent, co.requireAdmin, co.h(co.moveDemoClock))
}

// requireAdmin answers 404 to anyone but admins.
func (co *Console) requireAdmin(c *fiber.Ctx) error {
	if agentOf(c).Role != "admin" {
		return co.notFound(c)
	}
	return c.Next()
}

func (co *Console) demoPage(c *fiber.Ctx) error {
	return co.renderDemo(c, fiber.StatusOK, "", "")
}

func (co *Console) moveDemoClock(c *fiber.Ctx) error {
	days, hours := strings.TrimSpace(c.FormValue("days")), strings.TrimSpace(c.FormValue("hours"))
	advance, ok := formAdvance(days, hours)
	if !ok {
		return co.renderDemo(c, fiber.StatusUnprocessableEntity, "", "Give the days and hours to move forward, as whole numbers, at least one of them above 0.")
	}
	now, err := casework.MoveDemoClock(c.UserContext(), co.Demo.Clock, advance, time.Time{})
	if err != nil {
		return err
	}
	return co.renderDemo(c, fiber.StatusOK, "The demo clock now reads "+now.In(amsterdam).Format("Monday 2 January 2006, 15:04")+". Work that came due runs within a few seconds.", "")
}

// formAdvance reads the clock form: whole days and hours, not negative,
// not both zero, at most ten years in all.
func formAdvance(days, hours string) (time.Duration, bool) {
	var total time.Duration
	for i, v := range []string{days, hours} {
		unit := []time.Duration{24 * time.Hour, time.Hour}[i]
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100_000 {
			return 0, false
		}
		total += time.Duration(n) * unit
	}
	return total, total > 0 && total <= 3660*24*time.Hour
}

func (co *Console) renderDemo(c *fiber.Ctx, status int, done, problem string) error {
	d := &demoPage{Now: co.Demo.Clock.Now(), Admin: agentOf(c).Role == "admin", FakeSMS: co.Demo.SMS != nil, MailInbox: co.Demo.MailInbox}
	if co.Demo.SMS != nil {
		d.SMS = co.Demo.SMS()
		slices.Reverse(d.SMS) // newest first
	}
	return co.render(c, status, "demo", page{Title: "Demo clock and outbox", Done: done, Problem: problem, DemoTools: d})
}
