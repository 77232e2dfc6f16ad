package console

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

// queueLimit bounds the work queue page; the oldest requests come first.
const queueLimit = 500

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// queueRow is one line of the work queue.
type queueRow struct {
	postgres.QueueItem
	What    string
	Age     string
	DueBy   time.Time
	Overdue bool
}

func (co *Console) queue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	items, err := co.DB.WorkQueue(ctx, creditorsOf(c), queueLimit)
	if err != nil {
		return err
	}
	cal, err := co.DB.Calendar(ctx)
	if err != nil {
		return err
	}
	now := co.DB.Now()
	rows := make([]queueRow, 0, len(items))
	for _, it := range items {
		due := collect.AnswerDue(cal, it.CreatedAt, it.AnswerDays)
		if it.Kind == "plan" {
			it.Detail = fmt.Sprintf("%s in %s", formatMoney(it.Total), plural(it.Months, "month"))
		}
		rows = append(rows, queueRow{QueueItem: it, What: kindName[it.Kind], Age: Age(now.Sub(it.CreatedAt)), DueBy: due, Overdue: now.After(due)})
	}
	return co.render(c, fiber.StatusOK, "queue", page{Title: "Work queue", Queue: rows, Now: now})
}

var kindName = map[string]string{"plan": "Payment plan proposal", "dispute": "Dispute", "hardship": "Hardship report"}

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
