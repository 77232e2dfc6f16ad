package portal

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

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
	w, ok, err := casework.ContactWishesOf(c.UserContext(), p.DB, sessionOf(c).DebtorID)
	if err != nil {
		return err
	}
	if ok {
		v.Form["channel"], v.Form["quiet"] = w.Channel, w.QuietTimes
		if w.Language != "" {
			v.Form["lang"] = w.Language
		}
	}
	return p.render(c, fiber.StatusOK, "contact", v)
}

// contactSave stores the wishes; the language chosen is also the portal's
// language for the rest of the session.
func (p *Portal) contactSave(c *fiber.Ctx) error {
	v := p.contactPage(c)
	w := collect.ContactWishes{Channel: c.FormValue("channel"), Language: c.FormValue("lang"),
		QuietTimes: strings.TrimSpace(strings.ReplaceAll(c.FormValue("quiet"), "\r\n", "\n"))}
	v.Form["channel"], v.Form["quiet"], v.Form["lang"] = w.Channel, w.QuietTimes, w.Language
	s := sessionOf(c)
	err := casework.SetContactWishes(c.UserContext(), p.DB, s, c.Cookies(sessionCookie), w)
	var e *collect.Error
	if errors.As(err, &e) && e.Code == collect.EINVALID {
		v.Problem = v.P.T("wishes.error." + e.Field)
		if e.Field == "quiet" {
			v.Problem = v.P.T("wishes.error.quiet", casework.MaxQuietTimes)
		}
		return p.render(c, fiber.StatusUnprocessableEntity, "contact", v)
	}
	if err != nil {
		return err
	}
	p.setCookie(c, langCookie, w.Language, 365*24*time.Hour, "/")
	s.Language = w.Language
	c.Locals("session", s)
	v.P = i18n.For(w.Language)
	v.Title, v.Saved = v.P.T("wishes.title"), true
	return p.render(c, fiber.StatusOK, "contact", v)
}
