package portal

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/settle/settle/internal/casework"
)

// registerShortLink mounts the short links printed on letters,
// /b/XXXX-XXXX, and /b, a form to type the code over from paper. A code
// is short enough to guess at, so both are limited per address, as the
// second factor is.
func (p *Portal) registerShortLink(app *fiber.App) {
	p.pages["code"] = parsePage("code")
	limit := limiter.New(limiter.Config{Max: 30, Expiration: time.Minute, Storage: casework.RateCounters(p.DB, "limit:code:"),
		LimitReached: func(c *fiber.Ctx) error {
			return p.message(c, fiber.StatusTooManyRequests, "error.title", p.printer(c).T("error.toomany"))
		}})
	app.Get("/b", limit, p.codeForm)
	app.Get("/b/:code", limit, p.openCode)
}

// codeForm shows the form, or opens the code it sent.
func (p *Portal) codeForm(c *fiber.Ctx) error {
	if typed := c.Query("code"); typed != "" {
		return p.openShortCode(c, typed)
	}
	return p.render(c, fiber.StatusOK, "code", view{Back: "/b"})
}

func (p *Portal) openCode(c *fiber.Ctx) error { return p.openShortCode(c, c.Params("code")) }

// openShortCode leads a code to the second factor of the link behind it,
// as a letter's long link does: the link's token goes into the short-lived
// cookie, and the address bar shows /verify. An unknown code gets the form
// again, with what was typed and whom to call.
func (p *Portal) openShortCode(c *fiber.Ctx, typed string) error {
	tok, v, err := casework.OpenShortLink(c.UserContext(), p.DB, p.Signer, typed)
	p.visitLocals(c, v)
	switch {
	case errors.Is(err, casework.ErrLinkUnknown):
		return p.render(c, fiber.StatusNotFound, "code", view{Back: "/b", Wrong: true, Typed: typed})
	case errors.Is(err, casework.ErrLinkRevoked):
		return ignoreHandled(p.linkError(c, fiber.StatusGone, "error.link.revoked", true))
	case errors.Is(err, casework.ErrLinkExpired):
		return ignoreHandled(p.linkError(c, fiber.StatusGone, "error.link.expired", true))
	case err != nil:
		return err
	}
	p.setCookie(c, linkCookie, tok, linkTTL, "/")
	p.setCookie(c, langCookie, "", -1, "/") // a new link may be a new person
	return c.Redirect("/verify", fiber.StatusSeeOther)
}
