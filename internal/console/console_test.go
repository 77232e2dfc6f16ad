package console_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/console"
	"github.com/settle/settle/internal/postgres"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	e, _ := newAgentEnv(t)

	c := e.Client()
	r := c.Get("/console")
	apptest.WantStatus(t, "queue before sign-in", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/console/login" {
		t.Fatalf("queue before sign-in: location %q, want /console/login", loc)
	}

	// A wrong password and an unknown email get the same answer.
	wrong := c.Login("agent@example.nl", "not the password at all")
	apptest.WantStatus(t, "wrong password", wrong, http.StatusUnauthorized)
	unknown := c.Login("nobody@example.nl", "not the password at all")
	apptest.WantStatus(t, "unknown email", unknown, http.StatusUnauthorized)
	msg := html.EscapeString("The email address or password is not right")
	apptest.WantContains(t, "wrong password", wrong.Body, msg)
	apptest.WantContains(t, "unknown email", unknown.Body, msg)
	if a, b := strings.ReplaceAll(wrong.Body, "agent@example.nl", "X"), strings.ReplaceAll(unknown.Body, "nobody@example.nl", "X"); stripCSRF(a) != stripCSRF(b) {
		t.Errorf("wrong password and unknown email give different pages:\n%s\n---\n%s", a, b)
	}
	if ck := wrong.Cookie(console.SessionCookie); ck != nil && ck.Value != "" {
		t.Error("a wrong password set a session cookie")
	}

	r = c.Login("Agent@Example.nl ", password)
	apptest.WantStatus(t, "right password", r, http.StatusSeeOther)
	ck := r.Cookie(console.SessionCookie)
	if ck == nil || ck.Value == "" {
		t.Fatal("no session cookie after signing in")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/console" || ck.Secure {
		t.Errorf("session cookie: HttpOnly %v, SameSite %v, Path %q, Secure %v; want HttpOnly, Lax, /console, not Secure on http",
			ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure)
	}
	r = c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	apptest.WantContains(t, "queue", r.Body, "<h1>Work queue</h1>", "agent@example.nl")
	// The right password cleared the count of wrong ones.
	a, err := e.DB.AgentByEmail(e.Ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	if a.Failed != 0 || a.LockedUntil != nil {
		t.Errorf("after a right password: %d failures, locked until %v", a.Failed, a.LockedUntil)
	}
	// The sign-in page sends a signed-in user on to the queue.
	apptest.WantStatus(t, "sign-in page when signed in", c.Get("/console/login"), http.StatusSeeOther)

	// Sign out: the session is gone in the database, not only the cookie.
	tok := ck.Value
	r = c.Post("/console/logout", nil)
	apptest.WantStatus(t, "sign out", r, http.StatusOK)
	apptest.WantContains(t, "sign out", r.Body, "You are signed out")
	if _, err := e.DB.SessionByToken(e.Ctx, "agent", tok); !collect.IsNotFound(err) {
		t.Errorf("session after sign-out: %v, want not found", err)
	}
	c.Jar[console.SessionCookie] = tok
	apptest.WantStatus(t, "old cookie after sign-out", c.Get("/console"), http.StatusSeeOther)
}

func stripCSRF(s string) string { return apptest.CSRFField.ReplaceAllString(s, "") }

func TestSessionIdleAndCookieSecureOnHTTPS(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, config.Config{BaseURL: "https://settle.example"})
	cr := e.creditor("Zonnestroom")
	e.Agent("agent@example.nl", "agent", cr.ID)
	c := e.Client()
	// Over https, with no Referer at all (every page says no-referrer): the
	// CSRF check needs none.
	c.Header.Set("X-Forwarded-Proto", "https")
	r := c.Login("agent@example.nl", password)
	apptest.WantStatus(t, "sign in over https", r, http.StatusSeeOther)
	if ck := r.Cookie(console.SessionCookie); ck == nil || !ck.Secure {
		t.Fatalf("session cookie over https: %+v, want Secure", ck)
	}
	r = c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("console Referrer-Policy = %q, want no-referrer", got)
	}
	// A note posted over https with the page's token is accepted.
	d := e.debtor(cr, "D", "Jan Jansen")
	c.Get("/console/debtors/" + d.ID)
	c.Header.Set("Referer", "https://settle.test/console/debtors/"+d.ID)
	apptest.WantStatus(t, "note over https", c.Post("/console/debtors/"+d.ID+"/notes", url.Values{"body": {"hello"}}), http.StatusSeeOther)
	// Idle for longer than the sessions table allows: signed out.
	e.Clock.Advance(postgres.SessionIdle + time.Minute)
	apptest.WantStatus(t, "queue after idling", c.Get("/console"), http.StatusSeeOther)
}

func TestBruteForceLocks(t *testing.T) {
	t.Parallel()
	e, _ := newAgentEnv(t)
	c := e.Client()
	for i := range access.MaxLoginFailures {
		apptest.WantStatus(t, fmt.Sprintf("wrong password %d", i+1), c.Login("agent@example.nl", fmt.Sprintf("guess number %d!", i)), http.StatusUnauthorized)
	}
	a, err := e.DB.AgentByEmail(e.Ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	if a.LockedUntil == nil || !a.LockedUntil.After(e.DB.Now()) {
		t.Fatalf("after %d wrong passwords: locked until %v, want a lock in PostgreSQL", access.MaxLoginFailures, a.LockedUntil)
	}
	// Locked: even the right password does not get in, with the same message.
	r := c.Login("agent@example.nl", password)
	apptest.WantStatus(t, "right password while locked", r, http.StatusUnauthorized)
	apptest.WantContains(t, "right password while locked", r.Body, html.EscapeString("The email address or password is not right"))
	e.Clock.Advance(access.LockDuration - time.Minute)
	apptest.WantStatus(t, "right password a minute before the lock ends", c.Login("agent@example.nl", password), http.StatusUnauthorized)
	e.Clock.Advance(time.Minute + time.Second)
	c.SignInAgent("agent@example.nl")
}

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
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	d, _, x := e.disputed(cr, "Jan Jansen", "Klopt niet")
	e.Agent("agent@example.nl", "agent", cr.ID)

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

func TestDisputeTextIsEscaped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	d, _, _ := e.disputed(cr, "Jan <b>Jansen</b>", `<script>alert(1)</script> "quoted" & more`)
	e.Agent("agent@example.nl", "agent", cr.ID)
	c := e.signedIn("agent@example.nl")
	r := c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "debtor file", r, http.StatusOK)
	apptest.WantContains(t, "debtor file", r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;", "Jan &lt;b&gt;Jansen&lt;/b&gt;")
	apptest.WantNotContains(t, "debtor file", r.Body, "<script>alert(1)", "<b>Jansen</b>")
}

func TestEvidenceIsADownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	d, _, x := e.disputed(cr, "Jan Jansen", "zie bon")
	e.Agent("agent@example.nl", "agent", cr.ID)
	c := e.signedIn("agent@example.nl")
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

func TestQueueOldestFirstWithDueBy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	d1 := e.debtor(cr, "D-1", "Eerste Persoon")
	d2 := e.debtor(cr, "D-2", "Tweede Persoon")
	d3 := e.debtor(cr, "D-3", "Derde Persoon")
	inv := e.invoice(cr, d2, "F-2", e.DB.Today().AddDate(0, 0, -20), 10000)
	e.proposal(cr, d1, 90000, 18) // Monday 23 November 10:00
	e.Clock.Advance(3 * time.Hour)
	e.dispute(cr, d2, inv, "nee")
	e.Clock.Advance(24 * time.Hour)
	e.hardship(cr, d3)
	e.Clock.Advance(6 * 24 * time.Hour) // Monday 30 November 13:00: the plan is overdue
	e.Agent("agent@example.nl", "agent", cr.ID)
	c := e.signedIn("agent@example.nl")
	r := c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	i1, i2, i3 := strings.Index(r.Body, "Eerste Persoon"), strings.Index(r.Body, "Tweede Persoon"), strings.Index(r.Body, "Derde Persoon")
	if i1 < 0 || i2 < 0 || i3 < 0 || !(i1 < i2 && i2 < i3) {
		t.Errorf("queue order: plan at %d, dispute at %d, hardship at %d; want oldest first", i1, i2, i3)
	}
	apptest.WantContains(t, "queue", r.Body, "3 open requests", "Payment plan proposal", "Dispute", "Hardship report",
		"Mon 30 Nov 2026, 10:00", "overdue", "7 days", "€900.00 in 18 months", "invoice F-2, reason: amount wrong")
}

// TestEachActionOneAuditRow runs every action once on a fresh debtor and
// checks that it wrote exactly one audit record, which the timeline shows.
func TestEachActionOneAuditRow(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	c := e.signedIn("agent@example.nl")
	today := e.DB.Today()

	type setup struct {
		d    collect.Debtor
		path string
	}
	n := 0
	fresh := func() (collect.Debtor, collect.Invoice) {
		n++
		d := e.debtor(cr, fmt.Sprintf("D-%d", n), fmt.Sprintf("Debtor %d", n))
		inv := e.invoice(cr, d, fmt.Sprintf("F-%d", n), today.AddDate(0, 0, -60), 50000)
		return d, inv
	}
	cases := []struct {
		name   string
		action string // the audit action
		done   string
		setup  func() setup
		form   url.Values
	}{
		{"approve plan", "plan.approve", "plan.approve", func() setup {
			d, _ := fresh()
			p := e.proposal(cr, d, 90000, 18)
			return setup{d, "/plans/" + p.ID}
		}, url.Values{"decision": {"approve"}}},
		{"reject plan", "plan.reject", "plan.reject", func() setup {
			d, _ := fresh()
			p := e.proposal(cr, d, 90000, 18)
			return setup{d, "/plans/" + p.ID}
		}, url.Values{"decision": {"reject"}, "reason": {"18 months is too long for this amount."}}},
		{"counter plan", "plan.counter", "plan.counter", func() setup {
			d, _ := fresh()
			p := e.proposal(cr, d, 90000, 18)
			return setup{d, "/plans/" + p.ID}
		}, url.Values{"decision": {"counter"}, "total": {"900,00"}, "months": {"12"}, "first_due": {today.AddDate(0, 0, 10).Format("2006-01-02")}}},
		{"offer plan", "plan.offered", "plan.offer", func() setup {
			d, _ := fresh()
			return setup{d, "/plans"}
		}, url.Values{"total": {"500,00"}, "months": {"5"}, "first_due": {today.AddDate(0, 0, 14).Format("2006-01-02")}, "reason": {"After your call."}}},
		{"uphold dispute", "dispute.upheld", "dispute.upheld", func() setup {
			d, inv := fresh()
			x := e.dispute(cr, d, inv, "paid already")
			return setup{d, "/disputes/" + x.ID}
		}, url.Values{"outcome": {"upheld"}}},
		{"reject dispute", "dispute.rejected", "dispute.rejected", func() setup {
			d, inv := fresh()
			x := e.dispute(cr, d, inv, "paid already")
			return setup{d, "/disputes/" + x.ID}
		}, url.Values{"outcome": {"rejected"}, "answer": {"We did not receive your payment."}}},
		{"correct dispute", "dispute.corrected", "dispute.corrected", func() setup {
			d, inv := fresh()
			x := e.dispute(cr, d, inv, "too much")
			return setup{d, "/disputes/" + x.ID}
		}, url.Values{"outcome": {"corrected"}, "amount": {"80,00"}, "answer": {"You are right about the amount."}}},
		{"extend breathing space", "hardship.extend", "hardship.extend", func() setup {
			d, _ := fresh()
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"extend"}, "days": {"14"}}},
		{"followed up", "hardship.followed_up", "hardship.followed_up", func() setup {
			d, _ := fresh()
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"followed_up"}}},
		{"won't pay", "hardship.wont_pay", "hardship.wont_pay", func() setup {
			d, _ := fresh()
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"wont_pay"}}},
		{"waive costs", "hardship.waive_costs", "hardship.waive_costs", func() setup {
			d, inv := fresh()
			// A notice whose term passed long ago: costs are open.
			if _, err := e.DB.CreateNotice(e.Ctx, cr.Creditor, d.ID, []string{inv.ID}, collect.Notice{Channel: "email", SentOn: today.AddDate(0, 0, -40)}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.DB.ApplyPayment(e.Ctx, postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: 100, On: today, SourceKey: "test:" + d.ID}); err != nil {
				t.Fatal(err)
			}
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"waive_costs"}}},
		{"note", "note.added", "note", func() setup {
			d, _ := fresh()
			return setup{d, "/notes"}
		}, url.Values{"body": {"Called the debtor; <b>agreed</b> to wait."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.T = t
			s := tc.setup()
			before := e.auditCount(s.d.ID)
			c.Get("/console/debtors/" + s.d.ID)
			r := c.Post("/console/debtors/"+s.d.ID+s.path, tc.form)
			apptest.WantStatus(t, tc.name, r, http.StatusSeeOther)
			if loc, want := r.Header.Get("Location"), "/console/debtors/"+s.d.ID+"?done="+tc.done; loc != want {
				t.Fatalf("%s: redirect to %q, want %q", tc.name, loc, want)
			}
			if got := e.auditCount(s.d.ID); got != before+1 {
				t.Errorf("%s: %d audit rows written, want exactly 1", tc.name, got-before)
			}
			if got := e.lastAction(s.d.ID); got != tc.action {
				t.Errorf("%s: last audit action %q, want %q", tc.name, got, tc.action)
			}
			page := c.Get(r.Header.Get("Location"))
			apptest.WantStatus(t, tc.name+": file", page, http.StatusOK)
			tl := page.Body[strings.Index(page.Body, `id="timeline"`):]
			apptest.WantContains(t, tc.name+": timeline", tl, "<td>"+tc.action+"<br>", "agent@example.nl")
			apptest.WantContains(t, tc.name+": confirmation", page.Body, `<div class="ok" role="status">`)
		})
	}
	c.T = t
}

func TestPlanDecisionsChangeStatus(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	c := e.signedIn("agent@example.nl")
	today := e.DB.Today()

	status := func(d collect.Debtor) map[string]collect.Plan {
		ps, err := e.DB.Plans(e.Ctx, cr.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]collect.Plan{}
		for _, p := range ps {
			out[p.ID] = p
		}
		return out
	}

	d := e.debtor(cr, "A", "Approve Me")
	p := e.proposal(cr, d, 90000, 18)
	c.Get("/console/debtors/" + d.ID)
	c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"approve"}})
	if got := status(d)[p.ID].Status; got != "approved" {
		t.Errorf("approved plan: status %q", got)
	}
	// Answered once: a second answer is refused and changes nothing.
	c.Get("/console/debtors/" + d.ID)
	r := c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"reject"}, "reason": {"no"}})
	apptest.WantStatus(t, "second answer", r, http.StatusConflict)
	apptest.WantContains(t, "second answer", r.Body, "already answered")

	d = e.debtor(cr, "R", "Reject Me")
	p = e.proposal(cr, d, 90000, 18)
	c.Get("/console/debtors/" + d.ID)
	r = c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"reject"}})
	apptest.WantStatus(t, "reject without a reason", r, http.StatusUnprocessableEntity)
	c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"reject"}, "reason": {"Too long."}})
	if got := status(d)[p.ID]; got.Status != "rejected" || got.Reason != "Too long." {
		t.Errorf("rejected plan: status %q, reason %q", got.Status, got.Reason)
	}

	d = e.debtor(cr, "C", "Counter Me")
	p = e.proposal(cr, d, 90000, 18)
	page := c.Get("/console/debtors/" + d.ID)
	// The counter form starts from the proposal's total.
	apptest.WantContains(t, "counter form", page.Body, `name="total" inputmode="decimal" required value="900,00"`)
	first := today.AddDate(0, 0, 10)
	r = c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"counter"}, "total": {"900,00"}, "months": {"12"},
		"first_due": {first.Format("2006-01-02")}, "reason": {"12 months is our maximum."}})
	apptest.WantStatus(t, "counter", r, http.StatusSeeOther)
	plans := status(d)
	if got := plans[p.ID].Status; got != "replaced" {
		t.Errorf("countered proposal: status %q, want replaced", got)
	}
	var counter collect.Plan
	for _, q := range plans {
		if q.CounterOf == p.ID {
			counter = q
		}
	}
	if counter.Status != "countered" || counter.Total != 90000 || counter.Months != 12 || !counter.FirstDue.Equal(first) || len(counter.Instalments) != 12 {
		t.Errorf("counter-offer: %+v", counter)
	}
	// Terms out of bounds are refused.
	d = e.debtor(cr, "B", "Bad Terms")
	p = e.proposal(cr, d, 90000, 18)
	c.Get("/console/debtors/" + d.ID)
	for _, form := range []url.Values{
		{"decision": {"counter"}, "total": {"abc"}, "months": {"12"}, "first_due": {first.Format("2006-01-02")}},
		{"decision": {"counter"}, "total": {"900,00"}, "months": {"0"}, "first_due": {first.Format("2006-01-02")}},
		{"decision": {"counter"}, "total": {"900,00"}, "months": {"12"}, "first_due": {today.AddDate(0, 0, -1).Format("2006-01-02")}},
		{"decision": {"maybe"}},
	} {
		apptest.WantStatus(t, fmt.Sprint(form), c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, form), http.StatusUnprocessableEntity)
	}
	if got := status(d)[p.ID].Status; got != "proposed" {
		t.Errorf("after refused terms: status %q, want proposed", got)
	}
}

func TestDisputeOutcomesBookCredits(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	c := e.signedIn("agent@example.nl")
	today := e.DB.Today()
	line := func(d collect.Debtor, inv collect.Invoice) collect.Line {
		_, st, err := e.DB.Statement(e.Ctx, cr.ID, d.ID, e.DB.Today())
		if err != nil {
			t.Fatal(err)
		}
		l, _ := st.Line(inv.ID)
		return l
	}

	d := e.debtor(cr, "U", "Upheld")
	inv := e.invoice(cr, d, "F-U", today.AddDate(0, 0, -60), 10000)
	x := e.dispute(cr, d, inv, "paid")
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "uphold", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"upheld"}}), http.StatusSeeOther)
	if l := line(d, inv); l.Total() != 0 {
		t.Errorf("after upholding: invoice total %d, want 0", l.Total())
	}
	page := c.Get("/console/debtors/" + d.ID)
	apptest.WantContains(t, "upheld file", page.Body, "credit note", "dispute upheld")

	d = e.debtor(cr, "C", "Corrected")
	inv = e.invoice(cr, d, "F-C", today.AddDate(0, 0, 5), 10000)
	x = e.dispute(cr, d, inv, "too much")
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "correct to too much", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"corrected"}, "amount": {"120,00"}}), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "correct with a bad amount", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"corrected"}, "amount": {"tachtig"}}), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "correct", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"corrected"}, "amount": {"80,00"}}), http.StatusSeeOther)
	if l := line(d, inv); l.Principal != 8000 {
		t.Errorf("after correcting to 80,00: principal %d, want 8000", l.Principal)
	}

	d = e.debtor(cr, "R", "Rejected")
	inv = e.invoice(cr, d, "F-R", today.AddDate(0, 0, -60), 10000)
	x = e.dispute(cr, d, inv, "no")
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "reject without an answer", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"rejected"}}), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "reject", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"rejected"}, "answer": {"The meter reading is right."}}), http.StatusSeeOther)
	ds, err := e.DB.Disputes(e.Ctx, cr.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Status != "rejected" || ds[0].Answer != "The meter reading is right." {
		t.Errorf("rejected dispute: %q, %q", ds[0].Status, ds[0].Answer)
	}
	if l := line(d, inv); l.Principal != 10000 {
		t.Errorf("after rejecting: principal %d, want 10000", l.Principal)
	}
}

func TestWaiveCostsWritesOffOpenCosts(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	today := e.DB.Today()
	d := e.debtor(cr, "W", "Waive Me")
	inv := e.invoice(cr, d, "F-W", today.AddDate(0, 0, -60), 50000)
	if _, err := e.DB.CreateNotice(e.Ctx, cr.Creditor, d.ID, []string{inv.ID}, collect.Notice{Channel: "email", SentOn: today.AddDate(0, 0, -40)}); err != nil {
		t.Fatal(err)
	}
	_, st, err := e.DB.Statement(e.Ctx, cr.ID, d.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if st.Costs <= 0 {
		t.Fatalf("costs before the hardship report: %d, want some", st.Costs)
	}
	// Book them, then report hardship: the costs stay open until waived.
	if _, _, err := e.DB.ApplyPayment(e.Ctx, postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: 100, On: today, SourceKey: "test:1", InvoiceID: inv.ID}); err != nil {
		t.Fatal(err)
	}
	h := e.hardship(cr, d)
	c := e.signedIn("agent@example.nl")
	page := c.Get("/console/debtors/" + d.ID)
	apptest.WantContains(t, "file", page.Body, "Waive the open costs")
	apptest.WantStatus(t, "waive", c.Post("/console/debtors/"+d.ID+"/hardships/"+h.ID, url.Values{"action": {"waive_costs"}}), http.StatusSeeOther)
	_, st, err = e.DB.Statement(e.Ctx, cr.ID, d.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if st.Costs != 0 {
		t.Errorf("costs after waiving: %d, want 0", st.Costs)
	}
	var n int
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT count(*) FROM ledger_entries WHERE source_key = $1 AND kind = 'write_off' AND account = 'costs'`, "waive:"+h.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("write-off entries: %d, want 1", n)
	}
	// Once per hardship report: a second waiver is refused, nothing written.
	before := e.auditCount(d.ID)
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "waive again", c.Post("/console/debtors/"+d.ID+"/hardships/"+h.ID, url.Values{"action": {"waive_costs"}}), http.StatusConflict)
	if got := e.auditCount(d.ID); got != before {
		t.Errorf("refused waiver wrote %d audit rows", got-before)
	}
}

func TestFormsNeedCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	d := e.debtor(cr, "D", "Jan Jansen")
	e.Agent("agent@example.nl", "agent", cr.ID)
	c := e.signedIn("agent@example.nl")
	c.Get("/console/debtors/" + d.ID)
	r := c.Post("/console/debtors/"+d.ID+"/notes", url.Values{"body": {"hello"}, "_csrf": {"forged"}})
	apptest.WantStatus(t, "note with a forged token", r, http.StatusForbidden)
	if n := e.auditCount(d.ID); n != 0 {
		t.Errorf("audit rows after a forged form: %d", n)
	}
}
