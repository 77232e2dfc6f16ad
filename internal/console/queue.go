package console

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// queueRow is one line of the work queue.
type queueRow struct {
	casework.QueueEntry
	What string
	Age  string
}

func (co *Console) queue(c *fiber.Ctx) error {
	now := co.Now()
	ctx := c.UserContext()
	f, due, ferr := queueFilter(c)
	v := &queueView{Filter: f, DueBy: due, Kinds: kindOptions, Back: queueFilterQuery{f, due}.encode(),
		Filtered: f != (casework.QueueFilter{})}
	var err error
	if v.Creditors, err = casework.ConsoleCreditors(ctx, co.DB, creditorsOf(c)); err != nil {
		return err
	}
	if v.Assignees, err = casework.Assignees(ctx, co.DB, creditorsOf(c)); err != nil {
		return err
	}
	p := page{Title: "Work queue", QueueView: v, Now: now}
	if ferr != nil {
		p.Problem = errMessage(ferr) + "."
		return co.render(c, fiber.StatusUnprocessableEntity, "queue", p)
	}
	entries, err := casework.FilteredQueue(ctx, co.DB, now, creditorsOf(c), agentOf(c).ID, f)
	if collect.ErrorCode(err) == collect.EINVALID {
		p.Problem = errMessage(err) + "."
		return co.render(c, fiber.StatusUnprocessableEntity, "queue", p)
	}
	if err != nil {
		return err
	}
	rows := make([]queueRow, 0, len(entries))
	for _, e := range entries {
		if e.Kind == "plan" {
			e.Detail = fmt.Sprintf("%s in %s", formatMoney(e.Total), plural(e.Months, planUnit[e.Frequency]))
		}
		rows = append(rows, queueRow{QueueEntry: e, What: kindName[e.Kind], Age: Age(now.Sub(e.CreatedAt))})
	}
	p.Queue = rows
	return co.render(c, fiber.StatusOK, "queue", p)
}

var kindName = map[string]string{"plan": "Payment plan proposal", "dispute": "Dispute", "hardship": "Hardship report", "task": "Personal follow-up"}

// Age says how long ago something came in, roughly, in words.
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	default:
		return plural(int(d/(24*time.Hour)), "day")
	}
}

// planUnit names a plan's instalments by frequency, so that 26 weekly
// parts are not read as 26 months.
var planUnit = map[collect.Frequency]string{collect.Monthly: "month", collect.FourWeekly: "four-week period", collect.Weekly: "week"}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func formatMoney(cents int64) string { return money.FormatCents(cents, "en") }

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("Mon 2 Jan 2006")
}

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(amsterdam).Format("Mon 2 Jan 2006, 15:04")
}

// inputAmount writes cents as a person types them in a form: "80,00".
func inputAmount(cents int64) string {
	return fmt.Sprintf("%d,%02d", cents/100, cents%100)
}
