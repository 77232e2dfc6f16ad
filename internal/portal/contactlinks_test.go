package portal_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// TestTapToCallAndMail: wherever the portal shows the creditor's phone
// number or email address, it is a link a phone can call or mail, with only
// digits and + in the tel: address.
func TestTapToCallAndMail(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	intl := e.Creditor(collect.Creditor{Name: "Water Zuid", Phone: "+31 (0)20 765 43 21"})
	d := e.debtor(cr, "K-1", debtorName, "7311 KL", "12")
	d2 := e.debtor(intl, "K-2", debtorName, "7311 KL", "12")
	tel := `<a href="tel:0201234567">` + creditorPhone + `</a>`
	mail := `<a href="mailto:klantenservice@example.nl">klantenservice@example.nl</a>`

	// The footer of a signed-in page and of the second-factor page.
	apptest.WantContains(t, "overview", e.signIn(cr, d).Get("/overview").Body, tel, mail)
	apptest.WantContains(t, "international number", e.signIn(intl, d2).Get("/overview").Body, `href="tel:+31207654321"`)
	c, tok := e.opened(cr, d)
	apptest.WantContains(t, "verify", c.Get("/verify").Body, tel, mail)

	// The error page of an old link names both as links.
	e.Clock.Advance(61 * 24 * time.Hour)
	r := e.Client().Get("/l/" + tok)
	apptest.WantStatus(t, "expired", r, http.StatusGone)
	apptest.WantContains(t, "expired", r.Body, tel, mail)
}

// TestNewLinkWithoutPhone: a creditor without a phone number gets no blank
// "call  on ." sentence; the page says in general terms how to get a new link.
func TestNewLinkWithoutPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, start)
	// Straight to the store: the fixture fills in a phone number.
	c, key, err := e.DB.CreateCreditor(e.Ctx, collect.Creditor{Name: "Zonder Nummer", IBAN: "NL91ABNA0417164300"})
	if err != nil {
		t.Fatal(err)
	}
	cr := creditorFixture{Creditor: c, Key: key}
	d := e.debtor(cr, "K-1", debtorName, "7311 KL", "12")
	tok, _ := e.link(cr, d, "letter")
	e.Clock.Advance(61 * 24 * time.Hour)
	r := e.Client().Get("/l/" + tok)
	apptest.WantStatus(t, "expired", r, http.StatusGone)
	apptest.WantContains(t, "expired", r.Body, nl.T("error.link.expired"), nl.T("error.link.new.general", "Zonder Nummer"))
	apptest.WantNotContains(t, "expired", r.Body, "Bel  op", "tel:", "mailto:")

	// With a phone number the page says whom to call and when.
	e2, cr2, d2 := newJan(t)
	tok, _ = e2.link(cr2, d2, "letter")
	e2.Clock.Advance(61 * 24 * time.Hour)
	r = e2.Client().Get("/l/" + tok)
	apptest.WantContains(t, "expired with phone", r.Body, nl.T("error.link.new", creditorName, `<a href="tel:0201234567">`+creditorPhone+`</a>`))
	apptest.WantNotContains(t, "expired with phone", r.Body, nl.T("error.link.new.general", creditorName))
}
