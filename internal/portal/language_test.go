package portal_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// TestDebtorLanguage: the language the creditor gave for the debtor is the
// default, before and after sign-in.
func TestDebtorLanguage(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d := e.debtor(cr, "K-1", "John Smith", "7311 KL", "12")
	d.Language = "en"
	d, _, err := e.DB.UpsertDebtor(e.Ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	e.invoice(cr, d, "F-1", "Electricity", collect.Day(2026, 11, 10), collect.Day(2026, 12, 10), 5000)
	tok, _ := e.link(cr, d, "email")
	c := e.Client()
	r := c.OpenLink(tok)
	en := i18n.For("en")
	apptest.WantContains(t, "verify in English", r.Body, `<html lang="en"`, en.T("verify.submit"))
	c.Answer("7311 KL", "12")
	r = c.Get("/overview")
	apptest.WantContains(t, "overview in English", r.Body, `<html lang="en"`, en.T("next.due", "10 December 2026"))

	// Switching to Dutch wins over the debtor's language for the session.
	r = c.Post("/language", url.Values{"lang": {"nl"}, "back": {"/overview"}})
	apptest.WantStatus(t, "switch", r, http.StatusSeeOther)
	r = c.Get("/overview")
	apptest.WantContains(t, "overview in Dutch", r.Body, `<html lang="nl"`, nl.T("next.due", "10 december 2026"))
}

func TestLanguageSwitchRefusesOtherPlaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t, start)
	c := e.Client()
	c.Get("/")
	for _, back := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`, "/l/sometoken", "", "overview"} {
		r := c.Post("/language", url.Values{"lang": {"en"}, "back": {back}})
		apptest.WantStatus(t, "switch to "+back, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != "/" {
			t.Errorf("back %q: Location = %q, want /", back, loc)
		}
	}
	r := c.Post("/language", url.Values{"lang": {"xx"}, "back": {"/"}})
	apptest.WantStatus(t, "unknown language", r, http.StatusBadRequest)
	checkNoLeak(t, "unknown language", r.Body)
}
