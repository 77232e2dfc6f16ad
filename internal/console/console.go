// Package console serves the agent console at /console: sign-in for console
// users (agents, finance, admins), the work queue of open plan proposals,
// disputes and hardship reports, the debtor's file on one page, and the
// actions an agent takes on it. Every page works without JavaScript; every
// form carries a CSRF token; every action is one transaction with an audit
// record.
package console

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/csrf"
	"github.com/settle/settle/internal/postgres"
)

// SessionCookie holds the console session; it is scoped to /console, so the
// debtor portal never sees it.
const (
	SessionCookie = "settle_console"
	prefix        = "/console"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static/console.css
var stylesheet []byte

// shortcuts is the queue's keyboard shortcuts: the console's only script,
// from its own address, never inline; the pages work without it.
//
//go:embed static/console.js
var shortcuts []byte

// consoleCSP is the app's policy with this one script allowed: same origin
// only, no inline code.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"

// Console is the agent side of Settle.
type Console struct {
	DB  *postgres.DB
	Log *slog.Logger
	// Now is the clock every page's date reads (the store's, so tests and
	// the demo clock move it).
	Now func() time.Time
	// Secure marks cookies Secure (when the public URL is https).
	Secure bool
	// Demo adds the demo clock and outbox page (settle demo only).
	Demo *Demo
	// Pay pays a debtor's credit back through the payment providers.
	Pay *casework.Payments

	pages map[string]*template.Template
}

// Register mounts the console's routes. The server's app-wide CSRF check
// (package csrf) guards every console form. The console answers everything under /console
// itself, with its own error pages and a 404 for any other path.
func (co *Console) Register(app *fiber.App) {
	co.pages = parsePages()
	app.Get(prefix+"/static/console.css", serveStylesheet)
	app.Get(prefix+"/static/console.js", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, staticHour)
		c.Type("js", "utf-8")
		return c.Send(shortcuts)
	})
	app.Use(prefix, co.refuseMachines)
	// Sign-in attempts are limited per account (ClaimLogin) and per network
	// address (ClaimAddressAttempt), both counted in PostgreSQL.
	app.Get(prefix+"/login", co.h(co.loginForm))
	app.Post(prefix+"/login", co.h(co.login))
	app.Post(prefix+"/login/code", co.h(co.loginCode))
	app.Post(prefix+"/logout", co.h(co.logout))
	app.Get(prefix+"/security", co.requireAgent, co.h(co.security))
	app.Post(prefix+"/security", co.requireAgent, co.h(co.enrol))

	app.Get(prefix, co.requireAgent, co.h(co.queue))
	app.Get(prefix+"/search", co.requireAgent, co.h(co.search))
	app.Post(prefix+"/queue/assign", co.requireAgent, co.h(co.assign))
	app.Get(prefix+"/debtors/:id", co.requireAgent, co.h(co.debtorFile))
	app.Get(prefix+"/files/:id", co.requireAgent, co.h(co.evidence))
	app.Post(prefix+"/debtors/:id/notes", co.requireAgent, co.h(co.addNote))
	app.Post(prefix+"/debtors/:id/plans", co.requireAgent, co.h(co.offerPlan))
	app.Post(prefix+"/debtors/:id/plans/:plan", co.requireAgent, co.h(co.decidePlan))
	app.Post(prefix+"/debtors/:id/disputes/:dispute", co.requireAgent, co.h(co.resolveDispute))
	app.Post(prefix+"/debtors/:id/hardships/:hardship", co.requireAgent, co.h(co.hardship))
	app.Post(prefix+"/debtors/:id/credit/refund", co.requireAgent, co.h(co.refundCredit))
	app.Post(prefix+"/tasks/:id/done", co.requireAgent, co.h(co.finishTask))

	co.registerLetters(app)
	co.registerLadders(app)
	co.registerSignals(app)
	co.registerFinance(app)
	co.registerWebhooks(app)
	co.registerMunicipalSignals(app)
	co.registerDemo(app)

	notFound := func(c *fiber.Ctx) error { return co.notFound(c) }
	app.All(prefix, notFound)
	app.All(prefix+"/*", notFound)
}

func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range []string{"login", "code", "queue", "debtor", "message", "finance", "demo", "search"} {
		pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// refuseMachines turns away API clients: the console is for people with a
// console session, and an API key never opens it. The answer is the same
// 404 as for an address that does not exist.
func (co *Console) refuseMachines(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) != "" {
		return co.notFound(c)
	}
	return c.Next()
}

// page is what every console template gets.
type page struct {
	Title   string
	CSRF    string
	Agent   *postgres.Agent
	Done    string // a short confirmation after an action
	Problem string // why an action was not taken
	Lines   []string
	Email   string // the sign-in form's email, kept after a failure
	Queue   []queueRow
	// QueueView is the work queue's filters; Search the header search's results.
	QueueView *queueView
	Search    *searchPage
	Now       time.Time
	File      *debtorFile
	BackLink  bool
	Finance   *financePage
	TOTP      *totpPage
	Letters   *lettersPage
	Ladders   *laddersPage
	Signals   []signalRow // the early-signals list
	// DemoOn shows the demo page in the menu; DemoTools is that page.
	DemoOn    bool
	DemoTools *demoPage
	// Municipal is the vroegsignalering list.
	Municipal *municipalPage
	// Webhooks is a creditor's endpoint and deliveries.
	Webhooks *webhooksPage
	// Analytics is a creditor's figures over a period.
	Analytics *analyticsPage
}

// totpPage is the second-factor step: a code form, and during enrolment
// the key to add to an authenticator app.
type totpPage struct {
	Action string          // where the code is posted
	Key    *access.TOTPKey // set while enrolling
}

func (co *Console) render(c *fiber.Ctx, status int, name string, p page) error {
	p.CSRF = csrf.Token(c)
	p.DemoOn = co.Demo != nil
	if a, ok := c.Locals("agent").(postgres.Agent); ok {
		p.Agent = &a
	}
	var buf bytes.Buffer
	if err := co.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Content-Security-Policy", consoleCSP)
	c.Type("html", "utf-8")
	return c.Status(status).Send(buf.Bytes())
}

// message renders a page with a title and some paragraphs.
func (co *Console) message(c *fiber.Ctx, status int, title string, lines ...string) error {
	return co.render(c, status, "message", page{Title: title, Lines: lines, BackLink: true})
}

func (co *Console) notFound(c *fiber.Ctx) error {
	return co.message(c, fiber.StatusNotFound, "Page not found",
		"There is no page at this address, or you may not see it. Check the address, or go back to the work queue.")
}

// h wraps a handler so its errors become console pages: a record that is
// not found (or not the agent's) is a 404; anything else is logged and a
// calm error page is shown, without any detail of the error.
func (co *Console) h(fn fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := fn(c)
		if err == nil {
			return nil
		}
		var fe *fiber.Error
		switch {
		case collect.IsNotFound(err):
			return co.notFound(c)
		case errors.As(err, &fe) && fe.Code < 500:
			if fe.Code == fiber.StatusNotFound {
				return co.notFound(c)
			}
			return co.message(c, fe.Code, http.StatusText(fe.Code), "The request could not be handled. Go back and try again.")
		}
		if co.Log != nil {
			co.Log.Error("console request failed", "err", err, "path", c.Route().Path, "request_id", c.Locals("requestid"))
		}
		return co.message(c, fiber.StatusInternalServerError, "Something went wrong",
			"Nothing was changed by this error. Try again in a moment; if it keeps happening, tell the team that runs Settle.")
	}
}

// requireAgent lets only a signed-in console user through. A debtor's
// session, or no session, leads to the sign-in page; it never shows data.
func (co *Console) requireAgent(c *fiber.Ctx) error {
	a, ids, err := co.signedIn(c)
	if err == nil {
		c.Locals("agent", a)
		c.Locals("creditors", ids)
		return c.Next()
	}
	if !collect.IsNotFound(err) {
		return co.h(func(*fiber.Ctx) error { return err })(c)
	}
	if c.Cookies(SessionCookie) != "" {
		co.clearSession(c)
	}
	if c.Method() == fiber.MethodGet {
		return c.Redirect(prefix+"/login", fiber.StatusSeeOther)
	}
	return co.message(c, fiber.StatusUnauthorized, "Please sign in",
		"Your session has ended, so nothing was changed. Sign in again and repeat what you were doing.")
}

// signedIn loads the console user of the session cookie and the creditors
// they may see; no cookie, or one of no live session, is not found.
func (co *Console) signedIn(c *fiber.Ctx) (postgres.Agent, []string, error) {
	return casework.AgentSession(c.UserContext(), co.DB, c.Cookies(SessionCookie))
}

func agentOf(c *fiber.Ctx) postgres.Agent { return c.Locals("agent").(postgres.Agent) }

func creditorsOf(c *fiber.Ctx) []string {
	ids, _ := c.Locals("creditors").([]string)
	return ids
}

func (co *Console) setSession(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: token, Path: prefix, HTTPOnly: true, Secure: co.Secure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(postgres.SessionMax.Seconds()), Expires: time.Now().Add(postgres.SessionMax)})
}

func (co *Console) clearSession(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: prefix, HTTPOnly: true, Secure: co.Secure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(1, 0)})
}

// funcs are the template helpers.
var funcs = template.FuncMap{
	"money":    formatMoney,
	"date":     formatDate,
	"datetime": formatDateTime,
	"input":    inputAmount,
	"iso":      func(t time.Time) string { return t.Format("2006-01-02") },
	"title":    func(s string) string { return strings.ReplaceAll(s, "_", " ") },
}
