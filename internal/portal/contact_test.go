package portal_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

func TestContactWishes(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, _, c := selfServiceDebtor(t, e, cr, "K-1", "12")

	r := c.Get("/overview")
	apptest.WantContains(t, "overview", r.Body, `href="/contact"`, nl.T("action.contact"))
	r = c.Get("/contact")
	apptest.WantStatus(t, "contact form", r, http.StatusOK)
	apptest.WantContains(t, "contact form", r.Body, `<select id="ch1" name="ch1" required>`, `<option value="whatsapp">`,
		`name="email"`, `type="tel" id="phone"`, `name="avoid_work"`, `name="avoid_days"`, `name="lang" value="en"`,
		`name="lang" value="nl" required checked`, nl.T("wishes.avoid.hint"))

	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"ch1": {"pigeon"}, "lang": {"nl"}}, nl.T("wishes.error.channel")},
		{url.Values{"lang": {"nl"}}, nl.T("wishes.error.channel")},
		{url.Values{"ch1": {"sms"}, "ch2": {"sms"}, "phone": {"0612345678"}, "lang": {"nl"}}, nl.T("wishes.error.channel")},
		{url.Values{"ch1": {"sms"}, "lang": {"nl"}}, nl.T("wishes.error.phone")},
		{url.Values{"ch1": {"sms"}, "phone": {"06-1234"}, "lang": {"nl"}}, nl.T("wishes.error.phone")},
		{url.Values{"ch1": {"email"}, "email": {"jan at example.nl"}, "lang": {"nl"}}, nl.T("wishes.error.email")},
		{url.Values{"ch1": {"post"}, "avoid_days": {"weekdays"}, "avoid_from": {"17"}, "avoid_to": {"9"}, "lang": {"nl"}}, nl.T("wishes.error.avoid")},
		{url.Values{"ch1": {"post"}, "avoid_days": {"sunday"}, "avoid_from": {"9"}, "avoid_to": {"17"}, "lang": {"nl"}}, nl.T("wishes.error.avoid")},
		{url.Values{"ch1": {"post"}, "lang": {"xx"}}, nl.T("wishes.error.lang")},
	} {
		r := c.Post("/contact", tc.form)
		apptest.WantStatus(t, tc.form.Encode(), r, http.StatusUnprocessableEntity)
		apptest.WantContains(t, tc.form.Encode(), r.Body, tc.want)
	}
	if _, ok, _ := e.DB.ContactWishesOf(e.Ctx, d.ID); ok {
		t.Fatal("refused forms stored wishes")
	}

	// WhatsApp first, then email; not during office hours nor on Tuesday
	// evenings; in English.
	r = c.Post("/contact", url.Values{"ch1": {"whatsapp"}, "ch2": {"email"}, "phone": {"06 1234 5678"}, "email": {"Anna@Example.NL"},
		"avoid_work": {"on"}, "avoid_days": {"2"}, "avoid_from": {"18"}, "avoid_to": {"21"}, "lang": {"en"}})
	apptest.WantStatus(t, "save", r, http.StatusOK)
	en := i18n.For("en")
	// Saved, shown as stored (the number in E.164), and the portal now
	// speaks English for the session.
	apptest.WantContains(t, "saved", r.Body, `<html lang="en"`, en.T("wishes.saved"), `<option value="whatsapp" selected>`,
		`value="&#43;31612345678"`, `value="Anna@example.nl"`, `id="avoid_work" name="avoid_work" value="on" checked`, `<option value="2" selected>`)
	w, ok, err := e.DB.ContactWishesOf(e.Ctx, d.ID)
	want := []collect.TimeRange{{Days: collect.Weekdays, From: 480, To: 1020}, {Days: []time.Weekday{time.Tuesday}, From: 1080, To: 1260}}
	if err != nil || !ok || !slices.Equal(w.Channels, []collect.Channel{collect.ChannelWhatsApp, collect.ChannelEmail}) ||
		w.Channel != "whatsapp" || w.Phone != "+31612345678" || w.Email != "Anna@example.nl" || w.Language != "en" ||
		len(w.Avoid) != 2 || !slices.Equal(w.Avoid[1].Days, want[1].Days) || w.Avoid[0].From != 480 || w.Avoid[1].To != 1260 {
		t.Fatalf("stored wishes = %+v, %v, %v", w, ok, err)
	}
	r = c.Get("/overview")
	apptest.WantContains(t, "overview after the choice", r.Body, `<html lang="en"`, en.T("overview.title", creditorName))
	r = c.Get("/contact")
	apptest.WantContains(t, "contact form again", r.Body, `<option value="whatsapp" selected>`, `value="en" required checked`,
		`<option value="18" selected>`)

	// Back to Dutch, by post only.
	r = c.Post("/contact", url.Values{"ch1": {"post"}, "lang": {"nl"}})
	apptest.WantContains(t, "saved in Dutch", r.Body, `<html lang="nl"`, nl.T("wishes.saved"))
	if w, _, _ := e.DB.ContactWishesOf(e.Ctx, d.ID); !slices.Equal(w.Channels, []collect.Channel{collect.ChannelPost}) || len(w.Avoid) != 0 || w.Language != "nl" {
		t.Errorf("stored wishes after the change = %+v", w)
	}
}
