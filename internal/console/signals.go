package console

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// registerSignals mounts the early-signals list and the dismissal of a
// signal, for every agent of the signal's creditor.
func (co *Console) registerSignals(app *fiber.App) {
	co.pages["signals"] = template.Must(template.New("signals").Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/signals.html"))
	app.Get(prefix+"/signals", co.requireAgent, co.h(co.signalList))
	app.Post(prefix+"/signals/:id/dismiss", co.requireAgent, co.h(co.dismissSignal))
}

// signalRow is one early signal with its reason in words.
type signalRow struct {
	collect.Signal
	Why string
}

// signalRows words the reasons of signals.
func signalRows(ss []collect.Signal) []signalRow {
	out := make([]signalRow, 0, len(ss))
	for _, s := range ss {
		out = append(out, signalRow{Signal: s, Why: casework.SignalReasonText[s.Reason]})
	}
	return out
}

func (co *Console) signalList(c *fiber.Ctx) error {
	return co.renderSignals(c, fiber.StatusOK, doneMessages[c.Query("done")], "")
}

// renderSignals shows the open signals of the agent's creditors.
func (co *Console) renderSignals(c *fiber.Ctx, status int, done, problem string) error {
	ss, err := casework.OpenSignals(c.UserContext(), co.DB, creditorsOf(c))
	if err != nil {
		return err
	}
	return co.render(c, status, "signals", page{Title: "Early signals", Signals: signalRows(ss), Done: done, Problem: problem})
}

// dismissSignal closes a signal with the agent's note and goes back to
// where the form was: the debtor's file (back=file) or the list. A missing
// note, or a signal dismissed meanwhile, shows the list with the reason.
func (co *Console) dismissSignal(c *fiber.Ctx) error {
	s, err := casework.DismissSignal(c.UserContext(), co.DB, co.Now(), agentOf(c).ID, creditorsOf(c), c.Params("id"), c.FormValue("note"))
	switch {
	case err == nil:
	case collect.ErrorCode(err) == collect.EINVALID:
		return co.renderSignals(c, fiber.StatusUnprocessableEntity, "", problemText(err))
	case collect.ErrorCode(err) == collect.ECONFLICT:
		return co.renderSignals(c, fiber.StatusConflict, "", problemText(err))
	default:
		return err
	}
	if c.FormValue("back") == "file" {
		return c.Redirect(doneURL(s.DebtorID, "signal"), fiber.StatusSeeOther)
	}
	return c.Redirect(prefix+"/signals?done=signal", fiber.StatusSeeOther)
}
