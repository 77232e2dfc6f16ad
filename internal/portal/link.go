package portal

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/csrf"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
)

// linkTTL is how long the second-factor page may take after opening a link:
// long enough to outlast a lockout, so "try again after 10:15" still works
// without opening the letter's link again.
const linkTTL = 2 * access.LockDuration

// openLink checks the token from a letter or SMS, keeps it in a short-lived
// cookie and redirects, so the token leaves the address bar (and the history,
// and any Referer) at once.
func (p *Portal) openLink(c *fiber.Ctx) error {
	tok := c.Params("token")
	if _, err := p.checkLink(c, tok); err != nil {
		// checkLink has rendered the page; returning errHandled would have
		// replaced it with a 500.
		return ignoreHandled(err)
	}
	p.setCookie(c, linkCookie, tok, linkTTL, "/")
	// A new link may be a new person: an earlier visit's language choice goes.
	p.setCookie(c, langCookie, "", -1, "/")
	return c.Redirect("/verify", fiber.StatusSeeOther)
}

// checkLink opens the link of a token. On failure it renders the right page
// and returns errHandled.
func (p *Portal) checkLink(c *fiber.Ctx, tok string) (casework.LinkVisit, error) {
	v, err := casework.OpenLink(c.UserContext(), p.DB, p.Signer, tok)
	p.visitLocals(c, v)
	switch {
	case errors.Is(err, casework.ErrLinkUnknown):
		return v, p.linkError(c, fiber.StatusNotFound, "error.link.invalid", false)
	case errors.Is(err, casework.ErrLinkRevoked):
		return v, p.linkError(c, fiber.StatusGone, "error.link.revoked", true)
	case errors.Is(err, casework.ErrLinkExpired):
		return v, p.linkError(c, fiber.StatusGone, "error.link.expired", true)
	}
	return v, err
}

// visitLocals keeps a link visit's creditor and debtor language for the
// pages before sign-in.
func (p *Portal) visitLocals(c *fiber.Ctx, v casework.LinkVisit) {
	if v.Creditor.ID == "" {
		return
	}
	c.Locals("creditor", v.Creditor)
	if v.Language != "" {
		// The debtor's own language is the default on pages before sign-in.
		c.Locals("lang", v.Language)
	}
}

var errHandled = errors.New("handled")

// linkError renders why a link does not sign in; withCreditor adds whom to
// ask for a new one.
func (p *Portal) linkError(c *fiber.Ctx, status int, key string, withCreditor bool) error {
	pr := p.printer(c)
	lines := []string{pr.T(key)}
	if withCreditor {
		lines = append(lines, newLinkLines(pr, c.Locals("creditor").(collect.Creditor))...)
	}
	if err := p.message(c, status, "error.title", lines...); err != nil {
		return err
	}
	return errHandled
}

// newLinkLines say how to get a new link: by the creditor's phone and email
// where the creditor gave them, else in general terms, never with a blank
// where a number should be.
func newLinkLines(pr i18n.Printer, cr collect.Creditor) []string {
	var lines []string
	if cr.Phone != "" {
		lines = append(lines, pr.T("error.link.new", cr.Name, cr.Phone))
		if cr.PhoneHours != "" {
			lines[0] += " " + pr.T("error.link.new.hours", cr.PhoneHours)
		}
	} else {
		lines = append(lines, pr.T("error.link.new.general", cr.Name))
	}
	if cr.Email != "" {
		lines = append(lines, pr.T("error.link.new.mail", cr.Email))
	}
	return lines
}

func (p *Portal) verifyForm(c *fiber.Ctx) error {
	v, err := p.checkLink(c, c.Cookies(linkCookie))
	if err != nil {
		return ignoreHandled(err)
	}
	return p.renderVerify(c, v, false, nil)
}

// renderVerify shows the second-factor form; typed is the answer as typed,
// shown again after a wrong answer so one typo does not mean typing all of it
// again. Echoing it tells nothing the person did not type themselves.
func (p *Portal) renderVerify(c *fiber.Ctx, lv casework.LinkVisit, wrong bool, typed map[string]string) error {
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T("verify.title"), Creditor: lv.Creditor, Question: lv.Creditor.SecondFactor, Back: "/verify",
		Wrong: wrong, TriesLeft: lv.TriesLeft, Form: typed}
	status := fiber.StatusOK
	if wrong {
		status = fiber.StatusUnprocessableEntity
	}
	if lv.LockedUntil != nil {
		v.Locked = true
		v.LockedUntil = pr.Time(lv.LockedUntil.In(amsterdam))
		status = fiber.StatusTooManyRequests
	}
	return p.render(c, status, "verify", v)
}

// verify checks the second factor and starts the debtor's session.
func (p *Portal) verify(c *fiber.Ctx) error {
	lv, err := p.checkLink(c, c.Cookies(linkCookie))
	if err != nil {
		return ignoreHandled(err)
	}
	answer := access.Answer{Postcode: c.FormValue("postcode"), HouseNumber: c.FormValue("house_number"), BirthDate: c.FormValue("birth_date")}
	res, err := casework.SignIn(c.UserContext(), p.DB, lv, answer, c.Cookies(langCookie))
	if err != nil {
		return err
	}
	if res.Session == "" {
		typed := map[string]string{"postcode": answer.Postcode, "house_number": answer.HouseNumber, "birth_date": answer.BirthDate}
		return p.renderVerify(c, res.Visit, res.Wrong, typed)
	}
	// A new session gets a new CSRF nonce, as the console does at sign-in.
	csrf.Rotate(c, p.Secure)
	p.setCookie(c, linkCookie, "", -1, "/")
	p.setCookie(c, langCookie, "", -1, "/") // now in the session
	// The cookie itself lives at most as long as a session may; the server ends it sooner when idle.
	p.setCookie(c, sessionCookie, res.Session, postgres.SessionMax, "/")
	return c.Redirect("/overview", fiber.StatusSeeOther)
}

func ignoreHandled(err error) error {
	if errors.Is(err, errHandled) {
		return nil
	}
	return err
}

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()
