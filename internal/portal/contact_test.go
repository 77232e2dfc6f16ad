package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/i18n"
)

func TestContactWishes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, start)
	cr := e.creditor(creditorName, creditorPhone)
	d, _, c := selfServiceDebtor(t, e, cr, "K-1", "12")

	r := c.get("/overview")
	wantContains(t, "overview", r.Body, `href="/contact"`, nl.T("action.contact"))
	r = c.get("/contact")
	wantStatus(t, "contact form", r, http.StatusOK)
	wantContains(t, "contact form", r.Body, `name="channel" value="post"`, `name="channel" value="email"`, `name="channel" value="sms"`,
		`name="channel" value="whatsapp"`, `maxlength="300"`, "Bijvoorbeeld: niet op werkdagen van 7:00 tot 17:00", `name="lang" value="en"`,
		`name="lang" value="nl" required checked`)

	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"channel": {"pigeon"}, "lang": {"nl"}}, nl.T("wishes.error.channel")},
		{url.Values{"channel": {"sms"}, "lang": {"nl"}, "quiet": {strings.Repeat("ü", 301)}}, nl.T("wishes.error.quiet", 300)},
		{url.Values{"channel": {"sms"}, "lang": {"xx"}}, nl.T("wishes.error.lang")},
	} {
		r := c.post("/contact", tc.form)
		wantStatus(t, tc.form.Encode(), r, http.StatusUnprocessableEntity)
		wantContains(t, tc.form.Encode(), r.Body, tc.want)
	}
	if _, ok, _ := e.db.ContactWishesOf(e.ctx, d.ID); ok {
		t.Fatal("refused forms stored wishes")
	}

	quiet := "niet op werkdagen van 7:00 tot 17:00"
	r = c.post("/contact", url.Values{"channel": {"whatsapp"}, "quiet": {quiet}, "lang": {"en"}})
	wantStatus(t, "save", r, http.StatusOK)
	en := i18n.For("en")
	// Saved, and the portal now speaks English for the session.
	wantContains(t, "saved", r.Body, `<html lang="en"`, en.T("wishes.saved"), `value="whatsapp" required checked`, quiet)
	w, ok, err := e.db.ContactWishesOf(e.ctx, d.ID)
	if err != nil || !ok || w.Channel != "whatsapp" || w.QuietTimes != quiet || w.Language != "en" {
		t.Fatalf("stored wishes = %+v, %v, %v", w, ok, err)
	}
	r = c.get("/overview")
	wantContains(t, "overview after the choice", r.Body, `<html lang="en"`, en.T("overview.title", creditorName))
	r = c.get("/contact")
	wantContains(t, "contact form again", r.Body, `value="whatsapp" required checked`, `value="en" required checked`, quiet)

	// Back to Dutch, by email.
	r = c.post("/contact", url.Values{"channel": {"email"}, "lang": {"nl"}})
	wantContains(t, "saved in Dutch", r.Body, `<html lang="nl"`, nl.T("wishes.saved"))
	if w, _, _ := e.db.ContactWishesOf(e.ctx, d.ID); w.Channel != "email" || w.QuietTimes != "" || w.Language != "nl" {
		t.Errorf("stored wishes after the change = %+v", w)
	}
}
