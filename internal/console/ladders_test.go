package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// ladderForm is the editor's form for one message step on day, with the
// Dutch text nl.
func ladderForm(key, day, nl string) url.Values {
	return url.Values{"rows": {"2"}, "max_per_week": {"2"},
		"step-0-key": {key}, "step-0-day": {day}, "step-0-kind": {"message"},
		"step-0-nl-subject": {"Betaal rekening {{.Invoice}}"}, "step-0-nl-text": {nl},
		"step-0-nl-sms":     {"{{.Creditor}}: u moet nog {{.Amount}} betalen. Kijk hier: {{.Link}}"},
		"step-0-en-subject": {"Please pay invoice {{.Invoice}}"}, "step-0-en-text": {"Dear {{.Name}}, please pay {{.Amount}}: {{.Link}}"},
		"step-0-en-sms": {"Please pay {{.Amount}}: {{.Link}}"},
		"step-1-key":    {""}}
}

const plainDutch = "Beste {{.Name}},\r\n\r\nU moet nog {{.Amount}} betalen. Dat kan hier:\r\n{{.Link}}\r\n\r\nLukt het niet? Kies een regeling via de link."

// An admin edits a creditor's ladder: a template under the gate is refused
// with its score, a forged form is refused, versions 1 and 2 are saved
// with their audit records, and the next planned message uses version 2
// and the debtor's file says so. Anyone else gets 403.
func TestLadderEditor(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	e.Agent("admin@example.nl", "admin", cr.ID)
	page := "/console/ladders/" + cr.ID

	agent := e.Client()
	agent.SignInAgent("agent@example.nl")
	apptest.WantStatus(t, "agent opens the ladder", agent.Get(page), http.StatusForbidden)
	apptest.WantStatus(t, "agent lists the ladders", agent.Get("/console/ladders"), http.StatusForbidden)
	agent.Get("/console")
	apptest.WantStatus(t, "agent saves a ladder", agent.Post(page, ladderForm("nudge", "0", plainDutch)), http.StatusForbidden)

	admin := e.Client()
	admin.SignInAgent("admin@example.nl")
	r := admin.Get("/console/ladders")
	apptest.WantStatus(t, "ladder creditors", r, http.StatusOK)
	apptest.WantContains(t, "ladder creditors", r.Body, `href="/console/ladders/`+cr.ID+`"`)
	r = admin.Get(page)
	apptest.WantStatus(t, "ladder page", r, http.StatusOK)
	apptest.WantContains(t, "ladder page", r.Body, "Version 0 (the default ladder)", "reminder_before", "notice", "follow_up", `id="ladder-form"`)

	hard := "Geachte heer of mevrouw, wij constateren dat de openstaande rekening, ondanks herhaaldelijke herinneringen, " +
		"nog immer onbetaald is gebleven, waardoor wij genoodzaakt zijn aanvullende incassomaatregelen te overwegen: {{.Link}}"
	r = admin.Post(page, ladderForm("nudge", "0", hard))
	apptest.WantStatus(t, "hard Dutch", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "hard Dutch", r.Body, "steps[0].texts.nl.text", "Flesch-Douma", "wij constateren")
	forged := ladderForm("nudge", "0", plainDutch)
	forged.Set("_csrf", "forged")
	apptest.WantStatus(t, "forged form", admin.Post(page, forged), http.StatusForbidden)
	if n := e.Count(`SELECT count(*) FROM ladders WHERE creditor_id = $1`, cr.ID); n != 0 {
		t.Fatalf("%d ladder versions after refusals, want 0", n)
	}

	for i, day := range []string{"3", "0"} {
		admin.Get(page)
		r = admin.Post(page, ladderForm("nudge", day, plainDutch))
		apptest.WantStatus(t, "save", r, http.StatusSeeOther)
		if want := page + "?saved=" + string(rune('1'+i)); r.Header.Get("Location") != want {
			t.Errorf("save %d: location %q, want %q", i+1, r.Header.Get("Location"), want)
		}
	}
	r = admin.Get(page + "?saved=2")
	apptest.WantContains(t, "after saving", r.Body, "Version 2 is saved", "Version 2: new invoices start on it", `id="version-1"`, `id="version-0"`)
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action = 'ladder.saved' AND actor LIKE 'agent:%'`); n != 2 {
		t.Errorf("%d audit records of saved ladders by an agent, want 2", n)
	}

	d := e.debtor(cr, "L-1", "Sanne de Vries")
	e.invoice(cr, d, "F-7", collect.DateOf(e.Clock.Now()), 12000)
	if _, err := casework.PlanOutreach(e.Ctx, e.DB, e.Clock.Now(), ""); err != nil {
		t.Fatal(err)
	}
	r = admin.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "file", r, http.StatusOK)
	apptest.WantContains(t, "file", r.Body, "Collection ladder: version 2.", "ladder version 2", ">nudge<", `<td class="state">scheduled</td>`)
}
