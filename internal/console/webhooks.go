package console

import (
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// registerWebhooks mounts the webhooks page for finance users and admins:
// a creditor's endpoint, its latest deliveries, and replaying one.
func (co *Console) registerWebhooks(app *fiber.App) {
	co.pages["webhooks"] = template.Must(template.New("webhooks").Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/webhooks.html"))
	app.Get(webhooksPrefix, co.requireAgent, co.requireFinance, co.h(co.webhooks))
	app.Post(webhooksPrefix+"/:event/replay", co.requireAgent, co.requireFinance, co.h(co.replayWebhook))
}

const webhooksPrefix = prefix + "/webhooks"

// webhooksPage is what the webhooks template shows.
type webhooksPage struct {
	Creditors []collect.Creditor
	Creditor  collect.Creditor
	casework.WebhookConsole
}

func (co *Console) webhooks(c *fiber.Ctx) error {
	s, err := co.selectFor(c, func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	w, err := casework.WebhookPage(c.UserContext(), co.DB, s.creditor.ID)
	if err != nil {
		return err
	}
	done := ""
	switch c.Query("replayed") {
	case "accepted":
		done = "The event was sent again and the receiver accepted it."
	case "refused":
		done = "The event was sent again, but the receiver did not accept it: see its last answer below."
	}
	return co.render(c, fiber.StatusOK, "webhooks", page{Title: "Webhooks", Done: done,
		Webhooks: &webhooksPage{Creditors: s.creditors, Creditor: s.creditor, WebhookConsole: w}})
}

// replayWebhook sends one event to the creditor's endpoint again now
// (audited), and goes back to the list with the outcome.
func (co *Console) replayWebhook(c *fiber.Ctx) error {
	s, err := co.selectFor(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	a, err := casework.ReplayWebhook(c.UserContext(), co.DB, casework.WebhookClient, agentOf(c).ID, s.creditor.ID, c.Params("event"), co.Now())
	if err != nil {
		return err
	}
	outcome := "refused"
	if a.Delivered {
		outcome = "accepted"
	}
	return c.Redirect(webhooksPrefix+"?"+url.Values{"creditor": {s.creditor.ID}, "replayed": {outcome}}.Encode(), fiber.StatusSeeOther)
}
