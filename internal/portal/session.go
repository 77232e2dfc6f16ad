package portal

import (
	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// requireSession lets only a signed-in debtor through; the session names the
// debtor and creditor whose data every page may show.
func (p *Portal) requireSession(c *fiber.Ctx) error {
	s, cr, err := casework.DebtorSession(c.UserContext(), p.DB, c.Cookies(sessionCookie))
	if err != nil {
		if collect.IsNotFound(err) {
			p.setCookie(c, sessionCookie, "", -1, "/")
			return p.message(c, fiber.StatusUnauthorized, "error.title", p.printer(c).T("error.session"))
		}
		return err
	}
	c.Locals("session", s)
	c.Locals("creditor", cr)
	return c.Next()
}

func (p *Portal) home(c *fiber.Ctx) error {
	if _, _, err := casework.DebtorSession(c.UserContext(), p.DB, c.Cookies(sessionCookie)); err == nil {
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	return p.message(c, fiber.StatusOK, "error.title", p.printer(c).T("error.session"))
}

func (p *Portal) signOut(c *fiber.Ctx) error {
	lang, err := casework.SignOut(c.UserContext(), p.DB, c.Cookies(sessionCookie))
	if err != nil {
		return err
	}
	if lang != "" {
		// Say goodbye in the language the debtor chose in this session.
		c.Locals("lang", lang)
	}
	p.setCookie(c, sessionCookie, "", -1, "/")
	p.setCookie(c, langCookie, "", -1, "/")
	pr := p.printer(c)
	return p.message(c, fiber.StatusOK, "signedout.title", pr.T("signedout.text"))
}

// setLanguage remembers the chosen language and goes back to the page the
// debtor was on: signed in, in the session; before sign-in, in a browser
// session cookie for this link visit only (see printer), which sign-in
// takes over into the session.
func (p *Portal) setLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !supported(lang) {
		return fiber.NewError(fiber.StatusBadRequest, "unknown language")
	}
	if _, _, err := casework.DebtorSession(c.UserContext(), p.DB, c.Cookies(sessionCookie)); err == nil {
		if err := casework.SetSessionLanguage(c.UserContext(), p.DB, c.Cookies(sessionCookie), lang); err != nil {
			return err
		}
	} else {
		p.setCookie(c, langCookie, lang, 0, "/")
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
