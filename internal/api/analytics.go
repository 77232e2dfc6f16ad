package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
)

// The calling creditor's figures over a period, the same as the console's
// analytics page; docs/analytics.md defines each of them.

type rateJSON struct {
	Part    int     `json:"part"`
	Whole   int     `json:"whole"`
	Percent float64 `json:"percent"`
}

type analyticsJSON struct {
	From               string                `json:"from"`
	To                 string                `json:"to"`
	SelfService        rateJSON              `json:"self_service"`
	PromisesKept       rateJSON              `json:"promises_kept"`
	PlansKept          rateJSON              `json:"plans_kept"`
	DaysToPay          daysToPayJSON         `json:"days_to_first_payment"`
	CollectedCents     int64                 `json:"collected_cents"`
	CollectedByChannel []channelAmountJSON   `json:"collected_by_channel"`
	CollectedByMethod  []methodAmountJSON    `json:"collected_by_method"`
	Disputes           countedJSON           `json:"disputes"`
	Hardships          countedJSON           `json:"hardship_reports"`
	Messages           []channelMessagesJSON `json:"messages"`
}

type daysToPayJSON struct {
	Debtors int     `json:"debtors"`
	Median  int     `json:"median"`
	Average float64 `json:"average"`
}

type channelAmountJSON struct {
	Channel     string `json:"channel"`
	Payments    int    `json:"payments"`
	AmountCents int64  `json:"amount_cents"`
}

type methodAmountJSON struct {
	Method        string `json:"method"`
	Payments      int    `json:"payments"`
	AmountCents   int64  `json:"amount_cents"`
	ReturnedCents int64  `json:"returned_cents"`
}

type countedJSON struct {
	Total int         `json:"total"`
	By    []countJSON `json:"by"`
}

type countJSON struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

type channelMessagesJSON struct {
	Channel string   `json:"channel"`
	Sent    int      `json:"sent"`
	Opened  rateJSON `json:"opened"`
}

func rateOut(r casework.Rate) rateJSON {
	return rateJSON{Part: r.Part, Whole: r.Whole, Percent: r.Percent}
}

// getAnalytics answers GET /api/v1/analytics?from=&to=.
func (a *API) getAnalytics(c *fiber.Ctx) error {
	from, err := date(c.Query("from"), "from")
	if err != nil {
		return err
	}
	to, err := date(c.Query("to"), "to")
	if err != nil {
		return err
	}
	f, err := casework.Analytics(c.UserContext(), a.DB, creditorOf(c).ID, from, to)
	if err != nil {
		return err
	}
	out := analyticsJSON{From: dateString(f.From), To: dateString(f.To), SelfService: rateOut(f.SelfService), PromisesKept: rateOut(f.PromisesKept),
		PlansKept: rateOut(f.PlansKept), DaysToPay: daysToPayJSON{Debtors: f.DaysToPay.Debtors, Median: f.DaysToPay.Median, Average: f.DaysToPay.Average},
		CollectedCents: f.CollectedTotal, Disputes: countedJSON{Total: f.DisputesTotal, By: []countJSON{}},
		Hardships: countedJSON{Total: f.HardshipsTotal, By: []countJSON{}}}
	for _, ch := range f.ByChannel {
		out.CollectedByChannel = append(out.CollectedByChannel, channelAmountJSON{Channel: ch.Key, Payments: ch.Payments, AmountCents: ch.Amount})
	}
	for _, m := range f.ByMethod {
		out.CollectedByMethod = append(out.CollectedByMethod, methodAmountJSON{Method: m.Method, Payments: m.Payments, AmountCents: m.Amount, ReturnedCents: m.Returned})
	}
	for _, d := range f.Disputes {
		out.Disputes.By = append(out.Disputes.By, countJSON{Key: d.Key, Count: d.Count})
	}
	for _, h := range f.Hardships {
		out.Hardships.By = append(out.Hardships.By, countJSON{Key: h.Key, Count: h.Count})
	}
	for _, m := range f.Messages {
		out.Messages = append(out.Messages, channelMessagesJSON{Channel: m.Channel, Sent: m.Sent, Opened: rateOut(m.Opened)})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
