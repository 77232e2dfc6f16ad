// Package portal serves the debtor pages: the magic link, the second factor,
// the overview and one invoice explained, in plain language.
package portal

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/csrf"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/web"
)

// Cookie names.
const (
	sessionCookie = "settle_session"
	linkCookie    = "settle_link"
	langCookie    = "settle_lang"
)

// Portal is the debtor side of Settle.
type Portal struct {
	DB     *postgres.DB
	Signer *access.Signer
	Log    *slog.Logger
	// Now is the clock every page's date reads (the store's, so tests can set it).
	Now func() time.Time
	// Secure marks cookies Secure (when the public URL is https).
	Secure bool
	// Actions are the debtor actions other parts add (pay, plan, dispute, ...)
	// as links on the overview; only actions that exist are shown.
	Actions []Action
	// Pay enables the pay pages; nil leaves them out (and their buttons).
	Pay *casework.Payments

	pages map[string]*template.Template
}

// Action is a button on the overview that leads to another part of the portal.
type Action struct {
	Key  string // i18n key of the button text
	Path string
	// Always shows the action even when nothing is open (contact wishes).
	Always bool
}

// Register mounts the portal's routes.
func (p *Portal) Register(app *fiber.App) {
	p.pages = parsePages()
	if p.Pay != nil {
		p.Actions = append([]Action{{Key: "action.pay", Path: "/pay"}}, p.Actions...)
	}
	p.Actions = append(p.Actions, selfServiceActions...)
	registerStatic(app)

	// Second-factor answers are also limited per address, on top of the per-link lockout.
	verifyLimit := limiter.New(limiter.Config{Max: 30, Expiration: time.Minute, Storage: casework.RateCounters(p.DB, "limit:verify:"),
		LimitReached: func(c *fiber.Ctx) error {
			return p.message(c, fiber.StatusTooManyRequests, "error.title", p.printer(c).T("error.toomany"))
		}})

	app.Get("/", p.home)
	app.Get("/l/:token", p.openLink)
	p.registerShortLink(app)
	app.Get("/verify", p.verifyForm)
	app.Post("/verify", verifyLimit, p.verify)
	app.Post("/language", p.setLanguage)
	app.Post("/signout", p.signOut)
	// Signed-in routes take the session check per route: a Group with
	// middleware on "" would guard every route mounted after the portal too.
	d := signedIn{r: app, check: p.requireSession}
	d.Get("/overview", p.overview)
	d.Get("/invoices/:id", p.invoice)
	p.registerPay(d)
	p.registerDispute(d)
	p.registerPlan(d)
	p.registerHardship(d)
	p.registerContact(d)
	p.registerPromise(d)
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range []string{"verify", "overview", "invoice", "message", "pay", "paymethod", "payresult",
		"dispute", "done", "plan", "planpreview", "planresult", "hardship", "hardshipdone", "help", "contact", "promise"} {
		pages[name] = parsePage(name)
	}
	return pages
}

// parsePage is one page in the layout, with the functions the layout uses.
func parsePage(name string) *template.Template {
	return template.Must(template.New("layout.html").Funcs(pageFuncs).ParseFS(web.Templates, "templates/layout.html", "templates/"+name+".html"))
}

// view is what every page template gets.
type view struct {
	P         i18n.Printer
	Title     string
	Creditor  collect.Creditor
	CSRF      string
	Languages []i18n.Language
	Back      string
	// Switch is the language switch in the header (languageSwitch).
	Switch template.HTML
	// Footer is whom to ask and how, on every page with a creditor (footer).
	Footer   template.HTML
	SignedIn bool

	// second factor
	Question    string
	Wrong       bool
	TriesLeft   int
	Locked      bool
	LockedUntil string
	// overview and invoice
	Debtor    collect.Debtor
	Statement collect.Statement
	Open      []collect.Line
	Cards     template.HTML  // Open as the overview's cards (invoiceCards)
	Apart     []collect.Line // open invoices under dispute, shown apart
	NextSteps []string
	Actions   []Action
	Nav       template.HTML // Actions as the overview's buttons (actionsNav)
	Next      template.HTML // NextSteps as the overview's section (nextSection)
	Line      collect.Line
	CanPay    bool
	Payments  []string
	// paying
	Selected    string
	MinAmount   string
	Typed       string
	Problem     string
	Choice      payChoice
	Payment     collect.Payment
	Result      string // paid, pending or failed
	Receipts    []Receipt
	PaidOn      string
	AutoRefresh bool
	// message pages
	Lines []string

	// self-service: the form as typed, to show it again after a problem
	Form     map[string]string
	Reasons  []string
	Channels []collect.Channel
	// Choices are a form's lists of options by name (contact: "slots",
	// "avoid", "days", "from", "to").
	Choices map[string][]string
	Step    int
	Saved   bool
	Files   int
	// payment plans
	Schedule   []collect.Instalment
	Total      int64
	Months     int
	Inside     bool
	AnswerBy   time.Time
	State      string // planresult: approved, proposed, accepted, declined, gone
	Approved   *planView
	PlanAsk    *planView // the newest proposal, counter-offer or refusal
	Disputes   []casework.DebtorDispute
	OpenClaim  bool // the invoice page: a dispute on this invoice is open
	Breathing  *collect.Hardship
	MaxMonths  int
	FirstLimit time.Time
	Today      time.Time
	// promises: the debtor's promises and missed parts; Calm is set while
	// breathing space, a promise or a kept plan means "late" is not the word.
	Promise *promiseView
	Calm    bool
	// Rewards word what the debtor can still earn by paying well.
	Rewards []string
	// Transfer is the bank transfer block of the invoice and overview pages.
	Transfer *transferView
	// PlanSays is what the plan pages say about the creditor's rules.
	PlanSays *planSays
}

// PayQuery is the query string of the method page for the view's choice. It
// is typed as a URL so the template keeps its = and & (as a plain string the
// template would escape them and the link would lose its choice).
func (v view) PayQuery() template.URL { return template.URL(payQuery(v.Choice)) }

func (p *Portal) render(c *fiber.Ctx, status int, page string, v view) error {
	if v.P.Lang.Code == "" {
		v.P = p.printer(c)
	}
	v.Languages = i18n.Languages
	// The creditor's own texts in the page's language. Failing to read them
	// keeps the Dutch ones: the error page itself must not fail over opening
	// hours (a broken store shows in the handler's own queries).
	if cr, err := casework.CreditorIn(c.UserContext(), p.DB, v.Creditor, v.P.Lang.Code); err == nil {
		v.Creditor = cr
	}
	v.CSRF = csrf.Token(c)
	if v.Back == "" {
		v.Back = c.Path()
	}
	// A link's page must not echo its token (the language switch would not
	// go back there anyway): a tampered link's page must equal an unknown one's.
	if !safeBack(v.Back) {
		v.Back = "/"
	}
	v.frame()
	var buf bytes.Buffer
	if err := p.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if v.Transfer != nil {
		c.Set("Content-Security-Policy", transferCSP)
	}
	c.Type("html", "utf-8")
	return c.Status(status).Send(buf.Bytes())
}

// frame writes the parts of the layout that are made in Go (html.go): the
// language switch, the footer and the transfer block.
func (v *view) frame() {
	v.Switch = languageSwitch(v.P.Lang.Code, v.CSRF, v.Back)
	v.Footer = footer(v.P, v.Creditor)
	if v.Transfer != nil {
		v.Transfer.Block = v.Transfer.html(v.P)
	}
}

// message renders a page with a title and some paragraphs.
func (p *Portal) message(c *fiber.Ctx, status int, titleKey string, lines ...string) error {
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T(titleKey), Lines: lines}
	if cr, ok := c.Locals("creditor").(collect.Creditor); ok {
		v.Creditor = cr
	}
	return p.render(c, status, "message", v)
}

// ErrorPage renders the error page for a status code, without any detail of
// the error itself: no stack traces, no personal data.
func (p *Portal) ErrorPage(c *fiber.Ctx, status int, err error) error {
	if p.pages == nil {
		return c.Status(status).SendString(http.StatusText(status))
	}
	key := "error.server"
	switch status {
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		key = "error.notfound"
	case fiber.StatusTooManyRequests:
		key = "error.toomany"
	case fiber.StatusForbidden:
		key = "error.forbidden"
	case fiber.StatusRequestEntityTooLarge, fiber.StatusBadRequest:
		key = "error.forbidden"
	}
	// A signed-in debtor on an unknown address still sees whose portal this is
	// and whom to call: routes without the session check set no creditor.
	if _, ok := c.Locals("creditor").(collect.Creditor); !ok && status == fiber.StatusNotFound {
		if s, cr, err := casework.DebtorSession(c.UserContext(), p.DB, c.Cookies(sessionCookie)); err == nil {
			c.Locals("session", s)
			c.Locals("creditor", cr)
		}
	}
	return p.message(c, status, "error.title", p.printer(c).T(key))
}

// printer picks the language. Signed in: the session's, which starts as the
// debtor's choice in the file (casework.SignIn) and follows the switch.
// Before sign-in: a switch made on this link visit (langCookie, a browser
// session cookie that opening a link, signing in and signing out delete),
// then the link's debtor's language from the file. Then the browser's
// Accept-Language, then Dutch. No language outlives a sign-out, so a shared
// browser does not show one debtor's language to the next.
func (p *Portal) printer(c *fiber.Ctx) i18n.Printer {
	if s, ok := c.Locals("session").(postgres.Session); ok {
		if i18n.Supported(s.Language) {
			return i18n.For(s.Language)
		}
	} else if l := c.Cookies(langCookie); i18n.Supported(l) {
		return i18n.For(l)
	}
	if l, ok := c.Locals("lang").(string); ok && i18n.Supported(l) {
		return i18n.For(l)
	}
	if l := i18n.FromAcceptLanguage(c.Get(fiber.HeaderAcceptLanguage)); l != "" {
		return i18n.For(l)
	}
	return i18n.For(i18n.Default)
}

func (p *Portal) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration, path string) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: path, HTTPOnly: true, Secure: p.Secure, SameSite: fiber.CookieSameSiteLaxMode}
	if maxAge > 0 {
		ck.Expires = p.Now().Add(maxAge)
		ck.MaxAge = int(maxAge.Seconds())
	} else if maxAge < 0 {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	}
	c.Cookie(ck)
}

// signedIn registers routes that need a signed-in debtor.
type signedIn struct {
	r     fiber.Router
	check fiber.Handler
}

// Get registers a GET route behind the session check.
func (s signedIn) Get(path string, h ...fiber.Handler) {
	s.r.Get(path, append([]fiber.Handler{s.check}, h...)...)
}

// Post registers a POST route behind the session check.
func (s signedIn) Post(path string, h ...fiber.Handler) {
	s.r.Post(path, append([]fiber.Handler{s.check}, h...)...)
}
