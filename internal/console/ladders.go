package console

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// registerLadders mounts the collection ladder editor, for admins only:
// the creditors, and per creditor its current ladder with a form for the
// next version and the older versions read-only.
func (co *Console) registerLadders(app *fiber.App) {
	co.pages["ladders"] = template.Must(template.New("ladders").Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/ladders.html"))
	app.Get(prefix+"/ladders", co.requireAgent, co.forbidNonAdmins, co.h(co.ladderCreditors))
	app.Get(prefix+"/ladders/:creditor", co.requireAgent, co.forbidNonAdmins, co.h(co.ladderPage))
	app.Post(prefix+"/ladders/:creditor", co.requireAgent, co.forbidNonAdmins, co.h(co.saveLadder))
	app.Post(prefix+"/ladders/:creditor/rewards", co.requireAgent, co.forbidNonAdmins, co.h(co.saveReward))
}

// ladderLanguages are the languages a step's words are edited in: those
// every message step must have.
var ladderLanguages = []string{"nl", "en"}

// laddersPage is what the ladder templates show: the admin's creditors, or
// one creditor's ladders with the form's steps (the current ones, or what
// was just sent back with a problem, and one empty row to add a step).
type laddersPage struct {
	Creditors []collect.Creditor
	Book      *casework.LadderBook
	Draft     collect.Ladder
	Field     string // the field a refused save names
	Languages []string
	Kinds     []collect.StepKind
}

// forbidNonAdmins refuses anyone but admins with 403: the ladder decides
// what every debtor of a creditor receives.
func (co *Console) forbidNonAdmins(c *fiber.Ctx) error {
	if agentOf(c).Role != "admin" {
		return co.message(c, fiber.StatusForbidden, "Only admins may do this",
			"Collection ladders are changed by admins. Ask an admin if a step should change.")
	}
	return c.Next()
}

func (co *Console) ladderCreditors(c *fiber.Ctx) error {
	crs, err := casework.ConsoleCreditors(c.UserContext(), co.DB, creditorsOf(c))
	if err != nil {
		return err
	}
	return co.render(c, fiber.StatusOK, "ladders", page{Title: "Collection ladders", Ladders: &laddersPage{Creditors: crs}})
}

func (co *Console) ladderPage(c *fiber.Ctx) error {
	b, err := casework.CreditorLadders(c.UserContext(), co.DB, creditorsOf(c), c.Params("creditor"))
	if err != nil {
		return err
	}
	done := ""
	if v := c.Query("saved"); v != "" {
		done = "Version " + v + " is saved. New invoices start on it; invoices already on the ladder keep their version."
	}
	if c.Query("rewards") != "" {
		done = "The reward is saved. Debtors see it on their overview and plan page."
	}
	return co.renderLadder(c, fiber.StatusOK, &b, b.Current, done, nil)
}

func (co *Console) saveLadder(c *fiber.Ctx) error {
	ctx := c.UserContext()
	b, err := casework.CreditorLadders(ctx, co.DB, creditorsOf(c), c.Params("creditor"))
	if err != nil {
		return err
	}
	in, err := ladderForm(c.FormValue)
	in.CreditorID, in.Actor = b.Creditor.ID, "agent:"+agentOf(c).ID
	if err == nil {
		var l collect.Ladder
		if l, err = casework.SaveLadder(ctx, co.DB, co.Now(), in); err == nil {
			return c.Redirect(fmt.Sprintf("%s/ladders/%s?saved=%d", prefix, b.Creditor.ID, l.Version), fiber.StatusSeeOther)
		}
	}
	draft := collect.Ladder{Steps: in.Steps, MaxPerWeek: in.MaxPerWeek}
	return co.renderLadder(c, fiber.StatusUnprocessableEntity, &b, draft, "", err)
}

// renderLadder shows a creditor's ladders with draft in the form; a
// refusal (EINVALID) shows its field and message, anything else is the
// console's error page.
func (co *Console) renderLadder(c *fiber.Ctx, status int, b *casework.LadderBook, draft collect.Ladder, done string, err error) error {
	p := &laddersPage{Book: b, Languages: ladderLanguages, Kinds: []collect.StepKind{collect.StepMessage, collect.StepNotice, collect.StepTask}}
	problem := ""
	if err != nil {
		e, ok := err.(*collect.Error)
		if !ok || e.Code != collect.EINVALID {
			return err
		}
		p.Field, problem = e.Field, e.Field+": "+e.Message
	}
	p.Draft = draft
	p.Draft.Steps = append(append([]collect.LadderStep(nil), draft.Steps...), collect.LadderStep{Kind: collect.StepMessage})
	return co.render(c, status, "ladders", page{Title: "Collection ladder of " + b.Creditor.Name, Ladders: p, Done: done, Problem: problem})
}

// maxLadderSteps bounds the rows the form is read for.
const maxLadderSteps = 30

// ladderForm reads the editor's form: the weekly cap and, per row, a step;
// a row without a key is left out (an empty row, or a step taken away).
// Channels are typed as a comma-separated list; none means the channels
// the person accepts.
func ladderForm(get func(key string, def ...string) string) (casework.LadderSave, error) {
	var in casework.LadderSave
	var err error
	if in.MaxPerWeek, err = strconv.Atoi(strings.TrimSpace(get("max_per_week"))); err != nil {
		return in, collect.Errorf(collect.EINVALID, "max_per_week", "the weekly cap must be a whole number")
	}
	rows, _ := strconv.Atoi(get("rows"))
	for i := range min(rows, maxLadderSteps) {
		f := func(name string) string {
			return strings.TrimSpace(strings.ReplaceAll(get(fmt.Sprintf("step-%d-%s", i, name)), "\r\n", "\n"))
		}
		if f("key") == "" {
			continue
		}
		s := collect.LadderStep{Key: f("key"), Kind: collect.StepKind(f("kind"))}
		field := fmt.Sprintf("steps[%d]", len(in.Steps))
		if s.Day, err = strconv.Atoi(f("day")); err != nil {
			in.Steps = append(in.Steps, s)
			return in, collect.Errorf(collect.EINVALID, field+".day", "the day must be a whole number, negative before the due date")
		}
		for _, ch := range strings.Split(f("channels"), ",") {
			if ch = strings.ToLower(strings.TrimSpace(ch)); ch != "" {
				s.Channels = append(s.Channels, collect.Channel(ch))
			}
		}
		if s.Kind != collect.StepTask {
			s.Texts = map[string]collect.MessageText{}
			for _, lang := range ladderLanguages {
				s.Texts[lang] = collect.MessageText{Subject: f(lang + "-subject"), Text: f(lang + "-text"), SMS: f(lang + "-sms")}
			}
		}
		in.Steps = append(in.Steps, s)
	}
	return in, nil
}
