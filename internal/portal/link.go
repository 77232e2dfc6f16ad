package portal

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
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
	if _, _, err := p.checkLink(c, tok); err != nil {
		// checkLink has rendered the page; returning errHandled would have
		// replaced it with a 500.
		return ignoreHandled(err)
	}
	p.setCookie(c, linkCookie, tok, linkTTL, "/")
	return c.Redirect("/verify", fiber.StatusSeeOther)
}

// checkLink verifies a token and its database row. On failure it renders the
// right page and returns errHandled.
func (p *Portal) checkLink(c *fiber.Ctx, tok string) (access.LinkClaims, postgres.Link, error) {
	ctx := c.UserContext()
	claims, err := p.Signer.Verify(tok)
	if err != nil && !errors.Is(err, access.ErrTokenExpired) {
		return claims, postgres.Link{}, p.linkError(c, fiber.StatusNotFound, "error.link.invalid", nil)
	}
	link, lerr := p.DB.LinkByJTI(ctx, claims.ID)
	if lerr != nil || link.DebtorID != claims.DebtorID || link.CreditorID != claims.CreditorID {
		// A well-signed token we never recorded is treated as unknown.
		return claims, link, p.linkError(c, fiber.StatusNotFound, "error.link.invalid", nil)
	}
	cr, cerr := p.DB.Creditor(ctx, link.CreditorID)
	if cerr != nil {
		return claims, link, cerr
	}
	c.Locals("creditor", cr)
	p.debtorLanguage(c, link)
	switch {
	case link.RevokedAt != nil:
		return claims, link, p.linkError(c, fiber.StatusGone, "error.link.revoked", &cr)
	case errors.Is(err, access.ErrTokenExpired) || !p.DB.Now().Before(link.ExpiresAt):
		return claims, link, p.linkError(c, fiber.StatusGone, "error.link.expired", &cr)
	}
	return claims, link, nil
}

// debtorLanguage makes the debtor's own language the default on pages before sign-in.
func (p *Portal) debtorLanguage(c *fiber.Ctx, link postgres.Link) {
	if d, err := p.DB.Debtor(c.UserContext(), link.CreditorID, link.DebtorID); err == nil && i18n.Supported(d.Language) {
		c.Locals("lang", d.Language)
	}
}

var errHandled = errors.New("handled")

func (p *Portal) linkError(c *fiber.Ctx, status int, key string, cr *collect.Creditor) error {
	pr := p.printer(c)
	lines := []string{pr.T(key)}
	if cr != nil {
		lines = append(lines, pr.T("error.link.new", cr.Name, cr.Phone, cr.PhoneHours, cr.Email))
	}
	if err := p.message(c, status, "error.title", lines...); err != nil {
		return err
	}
	return errHandled
}

func (p *Portal) verifyForm(c *fiber.Ctx) error {
	_, link, err := p.checkLink(c, c.Cookies(linkCookie))
	if err != nil {
		return ignoreHandled(err)
	}
	return p.renderVerify(c, link, false)
}

func (p *Portal) renderVerify(c *fiber.Ctx, link postgres.Link, wrong bool) error {
	cr := c.Locals("creditor").(collect.Creditor)
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T("verify.title"), Creditor: cr, Question: cr.SecondFactor, Back: "/verify",
		Wrong: wrong, TriesLeft: access.MaxAttempts - link.FailedAttempts}
	status := fiber.StatusOK
	if wrong {
		status = fiber.StatusUnprocessableEntity
	}
	if link.LockedUntil != nil && p.DB.Now().Before(*link.LockedUntil) {
		v.Locked = true
		v.LockedUntil = pr.Time(link.LockedUntil.In(amsterdam))
		status = fiber.StatusTooManyRequests
	}
	return p.render(c, status, "verify", v)
}

// verify checks the second factor. Wrong answers are counted per link in
// PostgreSQL; the fifth locks the link for a quarter of an hour.
func (p *Portal) verify(c *fiber.Ctx) error {
	ctx := c.UserContext()
	_, link, err := p.checkLink(c, c.Cookies(linkCookie))
	if err != nil {
		return ignoreHandled(err)
	}
	// Claim the attempt before looking at the answer, so parallel answers
	// cannot get past the lockout.
	link, claimed, err := p.DB.ClaimAttempt(ctx, link.JTI, access.MaxAttempts, access.LockDuration)
	if err != nil {
		return err
	}
	if !claimed {
		return p.renderVerify(c, link, false)
	}
	cr := c.Locals("creditor").(collect.Creditor)
	d, err := p.DB.Debtor(ctx, link.CreditorID, link.DebtorID)
	if err != nil {
		return err
	}
	answer := access.Answer{Postcode: c.FormValue("postcode"), HouseNumber: c.FormValue("house_number"), BirthDate: c.FormValue("birth_date")}
	if !access.CheckSecondFactor(cr.SecondFactor, d, answer) {
		return p.renderVerify(c, link, true)
	}
	if err := p.DB.ResetAttempts(ctx, link.JTI); err != nil {
		return err
	}
	// A new session gets a new CSRF nonce, as the console does at sign-in.
	csrf.Rotate(c, p.Secure)
	lang := d.Language
	if l := c.Cookies(langCookie); i18n.Supported(l) {
		lang = l
	}
	token, err := p.DB.CreateSession(ctx, postgres.Session{Kind: "debtor", DebtorID: d.ID, CreditorID: cr.ID, LinkJTI: link.JTI, Language: lang})
	if err != nil {
		return err
	}
	p.setCookie(c, linkCookie, "", -1, "/")
	// The cookie itself lives at most as long as a session may; the server ends it sooner when idle.
	p.setCookie(c, sessionCookie, token, postgres.SessionMax, "/")
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
