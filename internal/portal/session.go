package portal

import (
	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// requireSession lets only a signed-in debtor through; the session names the
// debtor and creditor whose data every page may show.
func (p *Portal) requireSession(c *fiber.Ctx) error {
	s, err := p.session(c)
	if err != nil {
		if collect.IsNotFound(err) || err == errNoSession {
			p.setCookie(c, sessionCookie, "", -1, "/")
			return p.message(c, fiber.StatusUnauthorized, "error.title", p.printer(c).T("error.session"))
		}
		return err
	}
	c.Locals("session", s)
	cr, err := p.DB.Creditor(c.UserContext(), s.CreditorID)
	if err != nil {
		return err
	}
	c.Locals("creditor", cr)
	return c.Next()
}

func (p *Portal) session(c *fiber.Ctx) (postgres.Session, error) {
	tok := c.Cookies(sessionCookie)
	if tok == "" {
		return postgres.Session{}, errNoSession
	}
	return p.DB.SessionByToken(c.UserContext(), "debtor", tok)
}

func (p *Portal) home(c *fiber.Ctx) error {
	if _, err := p.session(c); err == nil {
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	return p.message(c, fiber.StatusOK, "error.title", p.printer(c).T("error.session"))
}

func (p *Portal) signOut(c *fiber.Ctx) error {
	if tok := c.Cookies(sessionCookie); tok != "" {
		// Say goodbye in the language the debtor chose in this session.
		if s, err := p.DB.SessionByToken(c.UserContext(), "debtor", tok); err == nil {
			c.Locals("lang", s.Language)
		}
		if err := p.DB.DeleteSession(c.UserContext(), tok); err != nil {
			return err
		}
	}
	p.setCookie(c, sessionCookie, "", -1, "/")
	pr := p.printer(c)
	return p.message(c, fiber.StatusOK, "signedout.title", pr.T("signedout.text"))
}

// setLanguage remembers the chosen language in the session and a cookie, and
// goes back to the page the debtor was on.
func (p *Portal) setLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !supported(lang) {
		return fiber.NewError(fiber.StatusBadRequest, "unknown language")
	}
	p.setCookie(c, langCookie, lang, 365*24*3600*1e9, "/")
	if tok := c.Cookies(sessionCookie); tok != "" {
		if err := p.DB.SetSessionLanguage(c.UserContext(), tok, lang); err != nil {
			return err
		}
	}
	back := c.FormValue("back")
	if !safeBack(back) {
		back = "/"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// safeBack allows only local paths, so the switch cannot redirect elsewhere.
func safeBack(s string) bool {
	if len(s) == 0 || s[0] != '/' || len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	return !hasPrefix(s, "/l/") && !hasPrefix(s, "/b/")
}
