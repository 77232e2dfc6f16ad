package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// TestJourney walks one debtor through the portal: the link from a letter, the
// second factor, the overview, one invoice, the language switch, signing out.
func TestJourney(t *testing.T) {
	t.Parallel()
	e := newEnv(t, time.Date(2026, 5, 5, 10, 0, 0, 0, amsterdam))
	cr := e.creditor(creditorName, creditorPhone)
	d := e.debtor(cr, "K-1", debtorName, "7311 KL", "12a")
	inv := e.invoice(cr, d, "F-2026-001", "Stroom maart", collect.Day(2026, 3, 17), collect.Day(2026, 3, 31), 10000)
	e.notice(cr, d, "email", collect.Day(2026, 4, 30), inv)
	tok, _ := e.link(cr, d, "letter")
	c := e.Client()

	// The link puts the token in a cookie and takes it out of the address bar.
	r := c.Get("/l/" + tok)
	apptest.WantStatus(t, "open link", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/verify" || strings.Contains(loc, tok) {
		t.Errorf("open link: Location = %q, want /verify without the token", loc)
	}
	if ck := r.Cookie("settle_link"); ck == nil || ck.Value != tok || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("open link: link cookie = %+v", ck)
	}

	// The second-factor page shows only the creditor's name and the question.
	r = c.Get("/verify")
	apptest.WantStatus(t, "verify form", r, http.StatusOK)
	apptest.WantContains(t, "verify form", r.Body, creditorName, `name="postcode"`, `name="house_number"`, `name="_csrf"`, `<html lang="nl"`)
	apptest.WantNotContains(t, "verify form", r.Body, debtorName, "Jansen", "Dorpsstraat", "7311 KL", "Zwolle", "Stroom maart", "F-2026-001", "100,00", "40,00", tok)
	if strings.Contains(r.Body, `name="birth_date"`) {
		t.Error("verify form asks for a birth date; the creditor chose the address")
	}

	// A wrong answer says how many tries are left.
	r = c.Answer("7311 KL", "13")
	apptest.WantStatus(t, "wrong answer", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "wrong answer", r.Body, nl.T("verify.wrong", access.MaxAttempts-1))
	apptest.WantNotContains(t, "wrong answer", r.Body, debtorName, "Stroom maart")
	if r.Cookie("settle_session") != nil {
		t.Error("wrong answer set a session cookie")
	}

	// The right answer, typed differently, signs in and drops the link cookie.
	r = c.Answer("7311kl", "12A")
	apptest.WantStatus(t, "right answer", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/overview" {
		t.Errorf("right answer: Location = %q", loc)
	}
	sess := r.Cookie("settle_session")
	if sess == nil || sess.Value == "" {
		t.Fatal("right answer: no session cookie")
	}
	if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure || sess.Path != "/" {
		t.Errorf("session cookie over http = %+v, want HttpOnly, SameSite=Lax, not Secure, Path=/", sess)
	}
	if sess.MaxAge <= 0 || time.Duration(sess.MaxAge)*time.Second > 12*time.Hour {
		t.Errorf("session cookie Max-Age = %d, want at most 12 hours", sess.MaxAge)
	}
	if _, ok := c.Jar["settle_link"]; ok {
		t.Error("link cookie still set after sign-in")
	}

	// The overview: creditor, greeting, the invoice, the total and the one next step.
	st := e.statement(cr, d)
	r = c.Get("/overview")
	apptest.WantStatus(t, "overview", r, http.StatusOK)
	apptest.WantContains(t, "overview", r.Body,
		creditorName, nl.T("overview.hello", debtorName), "Stroom maart", "F-2026-001", "31 maart 2026",
		nl.T("overview.total")+": <strong>"+nl.Money(st.Total())+"</strong>",
		"Betaal uiterlijk op 18 mei 2026. Daarna komen er € 40,00 extra kosten bij.",
		creditorPhone, "klantenservice@example.nl", "/invoices/"+inv.ID, nl.T("signout"))
	if st.Total() <= 10000 {
		t.Errorf("total %d: interest since 1 April is missing", st.Total())
	}
	apptest.WantNotContains(t, "overview", r.Body, "kwamen er")

	// Past the deadline the page says which costs were added and why.
	e.Clock.Set(time.Date(2026, 5, 20, 10, 0, 0, 0, amsterdam))
	c = e.Client()
	c.SignInDebtor(tok, d)
	st = e.statement(cr, d)
	line, _ := st.Line(inv.ID)
	if line.Costs != 4000 || line.Interest <= 0 {
		t.Fatalf("line after the deadline: costs %d, interest %d", line.Costs, line.Interest)
	}
	r = c.Get("/overview")
	apptest.WantStatus(t, "overview past deadline", r, http.StatusOK)
	apptest.WantContains(t, "overview past deadline", r.Body,
		"Op 19 mei 2026 kwamen er € 40,00 extra kosten bij.",
		nl.T("next.interest", nl.Money(line.Interest)),
		nl.Money(st.Total()))
	apptest.WantNotContains(t, "overview past deadline", r.Body, "Daarna komen er")

	// The invoice page explains each amount and how to transfer.
	r = c.Get("/invoices/" + inv.ID)
	apptest.WantStatus(t, "invoice", r, http.StatusOK)
	apptest.WantContains(t, "invoice", r.Body,
		"F-2026-001", "Stroom maart", "€ 100,00", "€ 40,00", nl.Money(line.Interest), nl.Money(line.Total()),
		nl.T("invoice.costs.why", "19 mei 2026"),
		nl.T("invoice.interest.why", "1 april 2026"),
		nl.T("transfer.intro"), "NL91 ABNA 0417 1643 00", creditorName, inv.PaymentReference)
	if !strings.HasPrefix(inv.PaymentReference, "RF") {
		t.Errorf("payment reference %q is not an RF reference", inv.PaymentReference)
	}

	// The language switch holds for the rest of the session, on every page.
	r = c.Post("/language", url.Values{"lang": {"en"}, "back": {"/invoices/" + inv.ID}})
	apptest.WantStatus(t, "switch language", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/invoices/"+inv.ID {
		t.Errorf("switch language: Location = %q", loc)
	}
	langCookie := c.Jar["settle_lang"]
	delete(c.Jar, "settle_lang") // the session itself must remember it
	en := i18n.For("en")
	r = c.Get("/invoices/" + inv.ID)
	apptest.WantContains(t, "invoice in English", r.Body, `<html lang="en"`, en.T("invoice.title", "F-2026-001"), en.T("invoice.transfer"))
	r = c.Get("/overview")
	apptest.WantContains(t, "overview in English", r.Body, `<html lang="en"`, en.T("overview.title", creditorName), en.Money(st.Total()), en.T("signout"))
	apptest.WantNotContains(t, "overview in English", r.Body, nl.T("overview.total"))

	// Sign out ends the session on the server, not just in the browser.
	c.Jar["settle_lang"] = langCookie
	old := c.Jar["settle_session"]
	r = c.Post("/signout", nil)
	apptest.WantStatus(t, "sign out", r, http.StatusOK)
	apptest.WantContains(t, "sign out", r.Body, en.T("signedout.text"))
	checkNoLeak(t, "sign out", r.Body, debtorName, "Stroom maart")
	if _, ok := c.Jar["settle_session"]; ok {
		t.Error("sign out left the session cookie")
	}
	c.Jar["settle_session"] = old
	r = c.Get("/overview")
	apptest.WantStatus(t, "overview after sign out", r, http.StatusUnauthorized)
	checkNoLeak(t, "overview after sign out", r.Body, debtorName, "Stroom maart")

	// Tokens never reach the logs.
	if logs := e.Logs.String(); strings.Contains(logs, tok) || strings.Contains(logs, old) {
		t.Errorf("a token reached the log:\n%s", logs)
	}
}

func TestSecurityHeadersAndErrorPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, start)
	c := e.Client()
	for _, path := range []string{"/", "/nope", "/static/settle.css", "/invoices/x", "/overview", "/healthz", "/l/", "/verify"} {
		r := c.Get(path) // the client checks the headers of every response
		if r.Status >= 400 {
			checkNoLeak(t, path, r.Body)
		}
	}
	// Signed in, an unknown address is a plain 404.
	cr := e.creditor(creditorName, creditorPhone)
	d := e.debtor(cr, "K-1", debtorName, "7311 KL", "12")
	tok, _ := e.link(cr, d, "sms")
	c.SignInDebtor(tok, d)
	for _, path := range []string{"/nope", "/invoices", "/overview/x", "/static/nope.css"} {
		r := c.Get(path)
		apptest.WantStatus(t, "unknown page "+path, r, http.StatusNotFound)
		checkNoLeak(t, path, r.Body, debtorName)
	}
	r := c.Get("/nope")
	apptest.WantContains(t, "unknown page", r.Body, nl.T("error.notfound"), `<html lang="nl"`, creditorPhone)

	// A database that is gone gives the server error page and nothing of the error.
	broken := e.OpenDB()
	a := e.Build(broken)
	b := e.Client().On(a)
	b.Get("/")
	b.Jar["settle_session"] = "some-session-token"
	broken.Close()
	r = b.Get("/overview")
	apptest.WantStatus(t, "database down", r, http.StatusInternalServerError)
	apptest.WantContains(t, "database down", r.Body, nl.T("error.server"))
	checkNoLeak(t, "database down", r.Body)
	if !strings.Contains(e.Logs.String(), "request failed") {
		t.Error("the server error was not logged")
	}
	if strings.Contains(e.Logs.String(), "some-session-token") {
		t.Error("the session token reached the log")
	}
}
