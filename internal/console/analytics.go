package console

// The analytics page: one creditor's figures over a period (the same as
// GET /api/v1/analytics, defined in docs/analytics.md), with bar charts
// drawn here as SVG like the finance page's, and a CSV of the figures.
// Finance users and admins see it for their creditors; to an agent it does
// not exist (404).

import (
	"errors"
	"fmt"
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

const analyticsPrefix = prefix + "/analytics"

// registerAnalytics mounts the analytics page and its CSV.
func (co *Console) registerAnalytics(app *fiber.App) {
	co.pages["analytics"] = template.Must(template.New("analytics").Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/analytics.html"))
	app.Get(analyticsPrefix, co.requireAgent, co.requireFinance, co.h(co.analytics))
	app.Get(analyticsPrefix+".csv", co.requireAgent, co.requireFinance, co.h(co.analyticsCSV))
}

// analyticsPage is what the analytics template shows.
type analyticsPage struct {
	Creditors []collect.Creditor
	Creditor  collect.Creditor
	Query     template.URL
	casework.AnalyticsFigures
	ByChannel, ByMethod, Messages hbarChart
}

func (co *Console) analytics(c *fiber.Ctx) error {
	s, err := co.selectFor(c, func(k string) string { return c.Query(k) })
	if errors.Is(err, errBadPeriod) {
		return co.message(c, fiber.StatusBadRequest, "This period cannot be shown",
			fmt.Sprintf("Give the period as two dates (YYYY-MM-DD), the first not after the last, at most %d days apart.", casework.MaxAnalyticsDays-1))
	}
	if err != nil {
		return err
	}
	f, err := casework.Analytics(c.UserContext(), co.DB, s.creditor.ID, s.from, s.to)
	if collect.ErrorCode(err) == collect.EINVALID {
		return co.message(c, fiber.StatusBadRequest, "This period cannot be shown", problemText(err))
	}
	if err != nil {
		return err
	}
	a := &analyticsPage{Creditors: s.creditors, Creditor: s.creditor, Query: template.URL(s.query()), AnalyticsFigures: f}
	var ch, me, ms []hbarItem
	for _, x := range f.ByChannel {
		ch = append(ch, hbarItem{Label: channelWord(x.Key), Value: x.Amount, Text: formatMoney(x.Amount) + " · " + plural(x.Payments, "payment")})
	}
	for _, x := range f.ByMethod {
		me = append(me, hbarItem{Label: channelName(x.Method), Value: x.Amount, Text: formatMoney(x.Amount) + " · " + plural(x.Payments, "payment")})
	}
	for _, x := range f.Messages {
		ms = append(ms, hbarItem{Label: channelWord(x.Channel), Value: int64(x.Sent), Text: fmt.Sprintf("%d sent, %d opened", x.Sent, x.Opened.Part)})
	}
	a.ByChannel = newHBarChart("chart-channel", "Money collected by channel of the last message", ch)
	a.ByMethod = newHBarChart("chart-method", "Money collected by payment method", me)
	a.Messages = newHBarChart("chart-messages", "Messages sent per channel, and opened", ms)
	return co.render(c, fiber.StatusOK, "analytics", page{Title: "Analytics", Analytics: a})
}

func (co *Console) analyticsCSV(c *fiber.Ctx) error {
	s, err := co.exportSelection(c)
	if err != nil {
		return err
	}
	f, err := casework.Analytics(c.UserContext(), co.DB, s.creditor.ID, s.from, s.to)
	if collect.ErrorCode(err) == collect.EINVALID {
		return fiber.NewError(fiber.StatusBadRequest, "bad period")
	}
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := f.WriteCSV(&b); err != nil {
		return err
	}
	return sendCSV(c, "analytics", s, []byte(b.String()))
}

// channelWord names a message channel for people.
func channelWord(ch string) string {
	switch ch {
	case "email":
		return "Email"
	case "sms":
		return "SMS"
	case "whatsapp":
		return "WhatsApp"
	case "post":
		return "Letter"
	case "none":
		return "No message before"
	}
	return ch
}

// hbarChart is a horizontal bar chart drawn as SVG: one row per item, the
// label on the left, the bar scaled to the largest value, the value as text.
type hbarChart struct {
	ID, Title, Summary string
	Width, Height      int
	Rows               []hbarRow
}

type hbarRow struct {
	Y, TextY, W int
	Label, Text string
}

type hbarItem struct {
	Label string
	Value int64
	Text  string
}

// Horizontal chart geometry.
const (
	hbarWidth   = 720
	hbarLabel   = 170 // where the bars start
	hbarMax     = 330 // the longest bar
	hbarRowH    = 30
	hbarBarH    = 18
	hbarPadding = 8
)

func newHBarChart(id, title string, items []hbarItem) hbarChart {
	ch := hbarChart{ID: id, Title: title, Width: hbarWidth, Height: 2*hbarPadding + hbarRowH*len(items)}
	var most int64
	for _, it := range items {
		most = max(most, it.Value)
	}
	var parts []string
	for i, it := range items {
		y := hbarPadding + i*hbarRowH
		w := 0
		if most > 0 && it.Value > 0 {
			w = max(int(int64(hbarMax)*it.Value/most), 1)
		}
		ch.Rows = append(ch.Rows, hbarRow{Y: y + (hbarRowH-hbarBarH)/2, TextY: y + hbarRowH/2 + 5, W: w, Label: it.Label, Text: it.Text})
		parts = append(parts, it.Label+": "+it.Text)
	}
	ch.Summary = title + ". " + strings.Join(parts, "; ") + "."
	return ch
}

func init() {
	funcs["channelWord"] = channelWord
	funcs["hbarX"] = func() int { return hbarLabel }
	funcs["hbarTextX"] = func(w int) int { return hbarLabel + w + 8 }
}
