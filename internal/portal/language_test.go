package portal_test

import (
	"net/http"
	"net/url"
	"strings"
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

// TestSharedBrowserLanguage: on one browser, debtor A picks Arabic (once
// signed in, once before signing in) and leaves; debtor B then sees B's own
// language, never A's.
func TestSharedBrowserLanguage(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	a := e.debtor(cr, "K-A", "Anna de Vries", "7311 KL", "12")
	b := e.debtor(cr, "K-B", "John Smith", "7411 AB", "3")
	b.Language = "en"
	b, _, err := e.DB.UpsertDebtor(e.Ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	e.invoice(cr, a, "F-A", "Stroom", collect.Day(2026, 11, 10), collect.Day(2026, 12, 10), 5000)
	e.invoice(cr, b, "F-B", "Electricity", collect.Day(2026, 11, 10), collect.Day(2026, 12, 10), 5000)
	tokA, _ := e.link(cr, a, "email")
	tokB, _ := e.link(cr, b, "email")
	c := e.Client()

	// A signs in (Dutch, from the file), switches to Arabic, signs out.
	c.SignInDebtor(tokA, a)
	apptest.WantContains(t, "A's overview", c.Get("/overview").Body, `<html lang="nl" dir="ltr"`)
	r := c.Post("/language", url.Values{"lang": {"ar"}, "back": {"/overview"}})
	apptest.WantStatus(t, "switch to Arabic", r, http.StatusSeeOther)
	apptest.WantContains(t, "A's overview in Arabic", c.Get("/overview").Body, `<html lang="ar" dir="rtl"`)
	r = c.Post("/signout", nil)
	apptest.WantContains(t, "goodbye in Arabic", r.Body, `<html lang="ar" dir="rtl"`)

	// B, on the same browser, sees English (B's file) before and after sign-in.
	apptest.WantContains(t, "B's second factor", c.OpenLink(tokB).Body, `<html lang="en"`)
	r = c.Answer(b.Address.Postcode, b.Address.HouseNumber)
	apptest.WantStatus(t, "B signs in", r, http.StatusSeeOther)
	apptest.WantContains(t, "B's overview", c.Get("/overview").Body, `<html lang="en"`)
	c.Post("/signout", nil)

	// A picks Arabic before signing in and walks away; B's link starts afresh.
	c.OpenLink(tokA)
	c.Post("/language", url.Values{"lang": {"ar"}, "back": {"/verify"}})
	apptest.WantContains(t, "A's second factor in Arabic", c.Get("/verify").Body, `<html lang="ar" dir="rtl"`)
	apptest.WantContains(t, "B's second factor after A", c.OpenLink(tokB).Body, `<html lang="en"`)
	c.Answer(b.Address.Postcode, b.Address.HouseNumber)
	apptest.WantContains(t, "B's overview after A", c.Get("/overview").Body, `<html lang="en"`)
	if v, ok := c.Jar["settle_lang"]; ok {
		t.Errorf("a language cookie outlives the visit: %q", v)
	}
}

// TestBrowserLanguage: when the file has no language the portal speaks (the
// creditor gave German), the browser's Accept-Language decides; with none
// there either, Dutch.
func TestBrowserLanguage(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d := e.debtor(cr, "K-1", "Ayşe Kaya", "7311 KL", "12")
	d.Language = "de"
	d, _, err := e.DB.UpsertDebtor(e.Ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := e.link(cr, d, "email")
	c := e.Client()
	r := c.Get("/l/" + tok)
	apptest.WantStatus(t, "open link", r, http.StatusSeeOther)
	r = c.Send(http.MethodGet, "/verify", nil, http.Header{"Accept-Language": {"de-DE, tr;q=0.8, en;q=0.5"}})
	apptest.WantContains(t, "verify in Turkish", r.Body, `<html lang="tr" dir="ltr"`, i18n.For("tr").T("verify.submit"))
	r = c.Send(http.MethodGet, "/verify", nil, http.Header{"Accept-Language": {"de-DE"}})
	apptest.WantContains(t, "verify in Dutch", r.Body, `<html lang="nl"`)
}

// TestCreditorTextsPerLanguage: the creditor's phone hours follow the page's
// language when the creditor wrote them in it, else they are the Dutch ones.
func TestCreditorTextsPerLanguage(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	if err := e.DB.SetCreditorText(e.Ctx, cr.ID, "en", "phone_hours", "weekdays from 9 am to 5 pm"); err != nil {
		t.Fatal(err)
	}
	d := e.debtor(cr, "K-1", "John Smith", "7311 KL", "12")
	e.invoice(cr, d, "F-1", "Electricity", collect.Day(2026, 11, 10), collect.Day(2026, 12, 10), 5000)
	tok, _ := e.link(cr, d, "email")
	c := e.Client()
	c.SignInDebtor(tok, d)
	dutch := cr.PhoneHours
	if dutch == "" {
		t.Fatal("the test creditor has no Dutch phone hours")
	}
	r := c.Get("/overview")
	apptest.WantContains(t, "Dutch page", r.Body, dutch)
	c.Post("/language", url.Values{"lang": {"en"}, "back": {"/overview"}})
	r = c.Get("/overview")
	apptest.WantContains(t, "English page", r.Body, "weekdays from 9 am to 5 pm")
	if strings.Contains(r.Body, dutch) {
		t.Errorf("English page still shows the Dutch hours %q", dutch)
	}
	c.Post("/language", url.Values{"lang": {"tr"}, "back": {"/overview"}})
	apptest.WantContains(t, "Turkish page, no Turkish hours: Dutch", c.Get("/overview").Body, dutch)
}
