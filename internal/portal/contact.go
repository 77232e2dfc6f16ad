package portal

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// MaxQuietTimes is the longest text about when not to be contacted.
const MaxQuietTimes = 300

func (p *Portal) registerContact(g signedIn) {
	g.Get("/contact", p.contactForm)
	g.Post("/contact", p.contactSave)
}

func (p *Portal) contactPage(c *fiber.Ctx) view {
	cr := c.Locals("creditor").(collect.Creditor)
	pr := p.printer(c)
	return view{P: pr, Title: pr.T("wishes.title"), Creditor: cr, SignedIn: true, Channels: collect.ContactChannels,
		Form: map[string]string{"lang": pr.Lang.Code}}
}

// contactForm shows the debtor's contact wishes, as given before.
func (p *Portal) contactForm(c *fiber.Ctx) error {
	v := p.contactPage(c)
	w, ok, err := p.DB.ContactWishesOf(c.UserContext(), sessionOf(c).DebtorID)
	if err != nil {
		return err
	}
	if ok {
		v.Form["channel"], v.Form["quiet"] = w.Channel, w.QuietTimes
		if i18n.Supported(w.Language) {
			v.Form["lang"] = w.Language
		}
	}
	return p.render(c, fiber.StatusOK, "contact", v)
}

// contactSave stores the wishes; the language chosen is also the portal's
// language for the rest of the session.
func (p *Portal) contactSave(c *fiber.Ctx) error {
	v := p.contactPage(c)
	pr := v.P
	w := collect.ContactWishes{Channel: c.FormValue("channel"), Language: c.FormValue("lang"),
		QuietTimes: strings.TrimSpace(strings.ReplaceAll(c.FormValue("quiet"), "\r\n", "\n"))}
	v.Form["channel"], v.Form["quiet"], v.Form["lang"] = w.Channel, w.QuietTimes, w.Language
	problem := ""
	switch {
	case !slices.Contains(collect.ContactChannels, w.Channel):
		problem = pr.T("wishes.error.channel")
	case utf8.RuneCountInString(w.QuietTimes) > MaxQuietTimes:
		problem = pr.T("wishes.error.quiet", MaxQuietTimes)
	case !i18n.Supported(w.Language):
		problem = pr.T("wishes.error.lang")
	}
	if problem != "" {
		v.Problem = problem
		return p.render(c, fiber.StatusUnprocessableEntity, "contact", v)
	}
	s := sessionOf(c)
	if err := p.DB.SetContactWishes(c.UserContext(), s.CreditorID, s.DebtorID, w); err != nil {
		return err
	}
	if err := p.DB.SetSessionLanguage(c.UserContext(), c.Cookies(sessionCookie), w.Language); err != nil {
		return err
	}
	p.setCookie(c, langCookie, w.Language, 365*24*time.Hour, "/")
	s.Language = w.Language
	c.Locals("session", s)
	v.P = i18n.For(w.Language)
	v.Title, v.Saved = v.P.T("wishes.title"), true
	return p.render(c, fiber.StatusOK, "contact", v)
}
