// Package api is the creditor integration API: JSON over HTTPS, one API key per creditor.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/server"
)

// MaxBody is the largest JSON body the API accepts; the server reads no more
// of any API request but a statement upload.
const MaxBody = server.APILimit

// API holds what the handlers need.
type API struct {
	DB      *postgres.DB
	Signer  *access.Signer
	BaseURL string
	Log     *slog.Logger
	// DemoClock is set by `settle demo` only; without it the route that
	// moves the clock does not exist.
	DemoClock *casework.DemoClock
	// LocalWebhooks lets a creditor register a plain http webhook address
	// on this machine (http://localhost, 127.0.0.1): set by the demo and
	// when Settle itself is not served over https (tests, development).
	LocalWebhooks bool
}

// Register mounts the API under /api/v1.
func (a *API) Register(app *fiber.App) {
	g := app.Group("/api/v1")
	g.Get("/openapi.json", a.openAPI)
	g.Use(a.limitBody, a.authenticate, a.idempotency())
	g.Post("/debtors", a.upsertDebtor)
	g.Get("/debtors/:id", a.getDebtor)
	g.Post("/debtors/:id/notices", a.createNotice)
	g.Get("/notices/:id/letter.pdf", a.noticeLetter)
	g.Post("/debtors/:id/links", a.createLink)
	g.Delete("/debtors/:id/links", a.revokeDebtorLinks)
	g.Delete("/links/:id", a.revokeLink)
	g.Post("/invoices", a.createInvoice)
	g.Post("/api-keys", a.rotateKey)
	g.Get("/payments", a.listPayments)
	g.Get("/payouts", a.listPayouts)
	g.Post("/bank-statements", a.importBankStatement)
	g.Get("/bank-statements/:id", a.getBankStatement)
	g.Get("/exports/payments.csv", a.exportPayments)
	g.Get("/exports/journal.csv", a.exportJournal)
	g.Put("/webhook-endpoint", a.putWebhookEndpoint)
	g.Get("/webhook-endpoint", a.getWebhookEndpoint)
	g.Delete("/webhook-endpoint", a.deleteWebhookEndpoint)
	g.Post("/webhook-endpoint/rotate", a.rotateWebhookSecret)
	g.Get("/events", a.listEvents)
	g.Get("/signals", a.listSignals)
	g.Get("/analytics", a.getAnalytics)
	if a.DemoClock != nil {
		g.Post(strings.TrimPrefix(DemoClockPath, "/api/v1"), a.moveDemoClock)
	}
	g.Use(func(c *fiber.Ctx) error { return notFound("no such endpoint") })
}

// Problem is an API error with its HTTP status.
type Problem struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

func (p *Problem) Error() string { return p.Message }

func invalid(field, format string, args ...any) *Problem {
	return &Problem{Status: fiber.StatusUnprocessableEntity, Code: collect.EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFound(msg string) *Problem {
	return &Problem{Status: fiber.StatusNotFound, Code: "not_found", Message: msg}
}

// WriteError answers an API request with the JSON error shape; the server's
// error handler calls it for every error under /api/ (server.Deps.APIError).
func (a *API) WriteError(c *fiber.Ctx, err error) error {
	var p *Problem
	var fe *fiber.Error
	var de *collect.Error
	switch {
	case errors.As(err, &p):
	case errors.As(err, &de):
		p = &Problem{Code: de.Code, Message: de.Message, Field: de.Field}
		switch de.Code {
		case collect.ENOTFOUND:
			p.Status = fiber.StatusNotFound
		case collect.ECONFLICT:
			p.Status = fiber.StatusConflict
		case collect.EINVALID:
			p.Status = fiber.StatusUnprocessableEntity
		case collect.EUNAUTHORIZED:
			p.Status = fiber.StatusUnauthorized
		default:
			p.Status = fiber.StatusInternalServerError
		}
	case errors.As(err, &fe):
		p = &Problem{Status: fe.Code, Code: strings.ToLower(strings.ReplaceAll(utilsStatus(fe.Code), " ", "_")), Message: fe.Message}
	default:
		p = &Problem{Status: fiber.StatusInternalServerError, Code: "internal", Message: "something went wrong on our side"}
	}
	if p.Status >= 500 {
		a.Log.Error("api error", "err", err, "path", c.Path(), "request_id", c.Locals("requestid"))
		p.Message = "something went wrong on our side"
	}
	return c.Status(p.Status).JSON(fiber.Map{"error": p})
}

func utilsStatus(code int) string {
	switch code {
	case fiber.StatusRequestEntityTooLarge:
		return "too_large"
	case fiber.StatusMethodNotAllowed:
		return "method_not_allowed"
	case fiber.StatusNotFound:
		return "not_found"
	case fiber.StatusTooManyRequests:
		return "too_many_requests"
	}
	return "error"
}

func (a *API) limitBody(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodPost && c.Path() == BankStatementsPath {
		// An XML file, read as a stream up to MaxStatementBody by its handler.
		return c.Next()
	}
	if len(c.Body()) > MaxBody {
		return &Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large", Message: "the body is larger than 1 MiB"}
	}
	return c.Next()
}

// authenticate resolves the Bearer API key to its creditor.
func (a *API) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || key == "" {
		return &Problem{Status: fiber.StatusUnauthorized, Code: "unauthorized", Message: "send your API key as Authorization: Bearer <key>"}
	}
	cred, err := casework.AuthenticateCreditor(c.UserContext(), a.DB, strings.TrimSpace(key))
	if err != nil {
		return err
	}
	c.Locals("creditor", cred)
	return c.Next()
}

func creditorOf(c *fiber.Ctx) collect.Creditor { return c.Locals("creditor").(collect.Creditor) }

// cents reads an amount that must be a whole number of cents: a float or a
// string is refused, never rounded.
func cents(raw json.RawMessage, field string) (int64, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return 0, invalid(field, "%s is required, in whole cents", field)
	}
	var n json.Number
	if s[0] == '"' || json.Unmarshal(raw, &n) != nil {
		return 0, invalid(field, "%s must be a whole number of cents, not a string", field)
	}
	v, err := n.Int64()
	if err != nil {
		return 0, invalid(field, "%s must be a whole number of cents (got %s)", field, s)
	}
	return v, nil
}

// date parses a required YYYY-MM-DD field.
func date(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, invalid(field, "%s is required (YYYY-MM-DD)", field)
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, invalid(field, "%s must be a date as YYYY-MM-DD", field)
	}
	return t, nil
}

func dateString(t time.Time) string { return t.Format("2006-01-02") }
