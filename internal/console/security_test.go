package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/console"
	"github.com/settle/settle/internal/postgres"
)

func TestDebtorSessionGetsNoConsole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	d, _, x := e.disputed(cr, "Jan Jansen", "Klopt niet")
	tok, err := e.DB.CreateSession(e.Ctx, postgres.Session{Kind: "debtor", DebtorID: d.ID, CreditorID: cr.ID, Language: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.Client()
	c.Jar["settle_session"] = tok
	// Even a debtor's token in the console's own cookie counts for nothing.
	for _, cookie := range []string{"settle_session", console.SessionCookie} {
		c.Jar[cookie] = tok
		for _, path := range []string{"/console", "/console/debtors/" + d.ID, "/console/files/" + x.Files[0].ID} {
			r := c.Get(path)
			if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/console/login" {
				t.Errorf("debtor cookie %s on %s: status %d, location %q; want the sign-in page", cookie, path, r.Status, r.Header.Get("Location"))
			}
			apptest.WantNotContains(t, path, r.Body, d.Name, "Klopt niet", "%PDF")
		}
	}
	c.Get("/console/login")
	r := c.Post("/console/debtors/"+d.ID+"/notes", url.Values{"body": {"hello"}})
	apptest.WantStatus(t, "debtor posting a note", r, http.StatusUnauthorized)
	if n := e.auditCount(d.ID); n != 1 {
		t.Errorf("audit rows: %d, want only the dispute's", n)
	}
}

func TestAPIKeyGetsNoConsole(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	d, _, x := e.disputed(cr, "Jan Jansen", "Klopt niet")

	c := e.Client()
	c.Header.Set("Authorization", "Bearer "+cr.Key)
	for _, path := range []string{"/console", "/console/login", "/console/debtors/" + d.ID, "/console/files/" + x.Files[0].ID} {
		r := c.Get(path)
		apptest.WantStatus(t, "API key on "+path, r, http.StatusNotFound)
		apptest.WantNotContains(t, path, r.Body, d.Name, "Klopt niet", "%PDF")
	}
	// Not even together with a signed-in agent's cookie.
	s := e.signedIn("agent@example.nl")
	s.Header.Set("Authorization", "Bearer "+cr.Key)
	apptest.WantStatus(t, "agent cookie with an API key", s.Get("/console/debtors/"+d.ID), http.StatusNotFound)
}

func TestAgentSeesOnlyOwnCreditors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	x := e.creditor("Zonnestroom")
	y := e.creditor("Groothandel")
	dx := e.debtor(x, "X-1", "Xander Xavier")
	dy := e.debtor(y, "Y-1", "Yvonne Yilmaz")
	ix := e.invoice(x, dx, "X-F1", e.DB.Today().AddDate(0, 0, -20), 10000)
	iy := e.invoice(y, dy, "Y-F1", e.DB.Today().AddDate(0, 0, -20), 20000)
	e.dispute(x, dx, ix, "X disagrees")
	dispY := e.dispute(y, dy, iy, "Y disagrees")
	planY := e.proposal(y, dy, 90000, 18)
	hY := e.hardship(y, dy)
	e.Agent("x@example.nl", "agent", x.ID)

	c := e.signedIn("x@example.nl")
	r := c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	apptest.WantContains(t, "queue", r.Body, "Xander Xavier")
	apptest.WantNotContains(t, "queue of X's agent", r.Body, "Yvonne Yilmaz", "Groothandel")

	apptest.WantStatus(t, "X's debtor", c.Get("/console/debtors/"+dx.ID), http.StatusOK)
	r = c.Get("/console/debtors/" + dy.ID)
	apptest.WantStatus(t, "Y's debtor", r, http.StatusNotFound)
	apptest.WantNotContains(t, "Y's debtor", r.Body, "Yvonne Yilmaz", "Y disagrees")
	r = c.Get("/console/files/" + dispY.Files[0].ID)
	apptest.WantStatus(t, "Y's evidence", r, http.StatusNotFound)
	apptest.WantNotContains(t, "Y's evidence", r.Body, "%PDF")
	apptest.WantStatus(t, "a debtor id that is no uuid", c.Get("/console/debtors/nonsense"), http.StatusNotFound)

	before := e.auditCount(dy.ID)
	for path, form := range map[string]url.Values{
		"/console/debtors/" + dy.ID + "/notes":                     {"body": {"sneaky"}},
		"/console/debtors/" + dy.ID + "/plans/" + planY.ID:         {"decision": {"approve"}},
		"/console/debtors/" + dy.ID + "/disputes/" + dispY.ID:      {"outcome": {"upheld"}},
		"/console/debtors/" + dy.ID + "/hardships/" + hY.ID:        {"action": {"wont_pay"}},
		"/console/debtors/" + dy.ID + "/plans":                     {"total": {"100,00"}, "months": {"2"}, "first_due": {"2026-12-01"}},
		"/console/debtors/" + dx.ID + "/plans/" + planY.ID:         {"decision": {"approve"}},
		"/console/debtors/" + dx.ID + "/disputes/" + dispY.ID:      {"outcome": {"upheld"}},
		"/console/debtors/" + dx.ID + "/hardships/" + hY.ID:        {"action": {"wont_pay"}},
		"/console/debtors/" + dx.ID + "/hardships/" + hY.ID + "/x": {"action": {"wont_pay"}},
	} {
		c.Get("/console")
		apptest.WantStatus(t, "POST "+path, c.Post(path, form), http.StatusNotFound)
	}
	if n := e.auditCount(dy.ID); n != before {
		t.Errorf("audit rows of Y's debtor: %d, want %d (nothing done)", n, before)
	}

	// An admin sees every creditor; a finance user sees the queue of theirs.
	e.Agent("admin@example.nl", "admin")
	e.Agent("finance@example.nl", "finance", y.ID)
	a := e.signedIn("admin@example.nl")
	apptest.WantContains(t, "admin's queue", a.Get("/console").Body, "Xander Xavier", "Yvonne Yilmaz")
	f := e.signedIn("finance@example.nl")
	r = f.Get("/console")
	apptest.WantStatus(t, "finance queue", r, http.StatusOK)
	apptest.WantContains(t, "finance queue", r.Body, "Yvonne Yilmaz")
	apptest.WantNotContains(t, "finance queue", r.Body, "Xander Xavier")
}

func TestUnknownConsolePathIs404(t *testing.T) {
	t.Parallel()
	e, _ := newAgentEnv(t)
	c := e.Client()
	apptest.WantStatus(t, "unknown path, signed out", c.Get("/console/nothing-here"), http.StatusNotFound)
	c.SignInAgent("agent@example.nl")
	r := c.Get("/console/nothing-here")
	apptest.WantStatus(t, "unknown path, signed in", r, http.StatusNotFound)
	apptest.WantContains(t, "404", r.Body, "Page not found")
}

func TestFormsNeedCSRF(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	d := e.debtor(cr, "D", "Jan Jansen")
	c.Get("/console/debtors/" + d.ID)
	r := c.Post("/console/debtors/"+d.ID+"/notes", url.Values{"body": {"hello"}, "_csrf": {"forged"}})
	apptest.WantStatus(t, "note with a forged token", r, http.StatusForbidden)
	if n := e.auditCount(d.ID); n != 0 {
		t.Errorf("audit rows after a forged form: %d", n)
	}
}

func TestDisputeTextIsEscaped(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	d, _, _ := e.disputed(cr, "Jan <b>Jansen</b>", `<script>alert(1)</script> "quoted" & more`)
	r := c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "debtor file", r, http.StatusOK)
	apptest.WantContains(t, "debtor file", r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;", "Jan &lt;b&gt;Jansen&lt;/b&gt;")
	apptest.WantNotContains(t, "debtor file", r.Body, "<script>alert(1)", "<b>Jansen</b>")
}

func TestEvidenceIsADownload(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	d, _, x := e.disputed(cr, "Jan Jansen", "zie bon")
	r := c.Get("/console/debtors/" + d.ID)
	apptest.WantContains(t, "debtor file", r.Body, `href="/console/files/`+x.Files[0].ID+`"`, "bon.pdf")
	r = c.Get("/console/files/" + x.Files[0].ID)
	apptest.WantStatus(t, "evidence", r, http.StatusOK)
	if r.Body != string(smallPDF) {
		t.Errorf("evidence body differs from what was stored")
	}
	for h, want := range map[string]string{"Content-Type": "application/pdf", "Content-Disposition": `attachment; filename=bon.pdf`, "X-Content-Type-Options": "nosniff"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("evidence %s = %q, want %q", h, got, want)
		}
	}
}
