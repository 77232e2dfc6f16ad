// Package server builds the Fiber app: middleware, error pages and the routes
// of the portal, the console, the creditor API and the provider webhooks.
package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/csrf"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reqid"
)

// Deps are what the routes need.
type Deps struct {
	DB  *postgres.DB
	Log *slog.Logger
	// API mounts the creditor API. It comes before the CSRF check, since it
	// authenticates with keys, not cookies.
	API func(app *fiber.App)
	// APIError answers an error under /api/ in the API's own JSON shape.
	APIError func(c *fiber.Ctx, err error) error
	// Mount adds the routes of the other parts (portal, console, webhooks).
	Mount []func(app *fiber.App)
	// HTMLError renders an error page for a browser; nil gives plain text.
	HTMLError func(c *fiber.Ctx, status int, err error) error
	// CSRFKey signs the CSRF tokens of every browser form.
	CSRFKey []byte
	// Sessions are the session cookies a CSRF token is bound to.
	Sessions []csrf.SessionCookie
	// Uploads are the only routes allowed bodies above FormLimit (APILimit
	// under /api/), read by their handlers as streams.
	Uploads []Upload
	// HTTPS says the public URL is https: the CSRF cookie is Secure and
	// __Host-, and every answer carries HSTS.
	HTTPS bool
	// Metrics, when set, counts every request; it runs outermost.
	Metrics fiber.Handler
}

// New builds the app.
func New(d Deps) *fiber.App {
	app := fiber.New(fiber.Config{
		// Bodies arrive as streams and limitBodies reads them, so none is
		// buffered before its route's limit is known: fasthttp then reads
		// at most 8 KiB ahead of the handler, whatever BodyLimit says.
		StreamRequestBody: true,
		BodyLimit:         FormLimit,
		// Pre-parsing would read a whole multipart form (files included)
		// before any check.
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 30 * time.Second,
		IdleTimeout:                  120 * time.Second,
		DisableStartupMessage:        true,
		ErrorHandler:                 errorHandler(d),
		// The server sits behind at most one proxy; client IPs for rate limits come from it.
		ProxyHeader: "",
	})
	if d.Metrics != nil {
		app.Use(d.Metrics)
	}
	app.Use(recover.New())
	app.Use(requestid.New())
	app.Use(requestContext)
	app.Use(accessLog(d.Log))
	app.Use(securityHeaders(d.HTTPS))
	app.Use(limitBodies(d.Uploads))
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", readyz(d.DB))
	if d.API != nil {
		d.API(app)
	}
	app.Use(csrf.New(csrf.Config{Key: d.CSRFKey, HTTPS: d.HTTPS, Skip: machineRoute, Sessions: d.Sessions, Upload: uploadParts}))
	for _, m := range d.Mount {
		m(app)
	}
	return app
}

func readyz(db *postgres.DB) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		ok, err := db.MigrationsCurrent(ctx)
		if err != nil || !ok {
			return c.Status(fiber.StatusServiceUnavailable).SendString("not ready")
		}
		return c.SendString("ready")
	}
}

// securityHeaders sets the headers every page carries: a CSP without inline
// script, no framing, no referrer, no content sniffing; on https, HSTS. No
// answer may be stored by a browser or proxy (signed-in pages, API answers,
// exports and the forms with their CSRF tokens alike); only the static files
// replace Cache-Control with their own.
func securityHeaders(https bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'")
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("Referrer-Policy", "no-referrer")
		c.Set("X-Frame-Options", "DENY")
		c.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		c.Set(fiber.HeaderCacheControl, "no-store")
		if https {
			c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}

// requestContext puts the request id into the context that handlers hand
// to the use cases, so a job enqueued on the way carries it (package reqid)
// and its worker's log lines can be joined to this request's.
func requestContext(c *fiber.Ctx) error {
	if id, ok := c.Locals("requestid").(string); ok {
		c.SetUserContext(reqid.With(c.UserContext(), id))
	}
	return c.Next()
}

// accessLog writes one JSON line per request. It logs the route pattern for
// magic links so that a token never reaches a log file.
func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		path := c.Path()
		if strings.HasPrefix(path, "/l/") {
			path = "/l/:token"
		}
		status := c.Response().StatusCode()
		if err != nil {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				status = fe.Code
			}
		}
		log.Info("request", "method", c.Method(), "path", path, "status", status,
			"duration_ms", time.Since(start).Milliseconds(), "request_id", c.Locals("requestid"))
		return err
	}
}

func errorHandler(d Deps) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		if strings.HasPrefix(c.Path(), "/api/") && d.APIError != nil {
			return d.APIError(c, err)
		}
		status := fiber.StatusInternalServerError
		var fe *fiber.Error
		switch {
		case errors.As(err, &fe):
			status = fe.Code
		case collect.IsNotFound(err):
			// A debtor route that loads a record by id and finds none of
			// this debtor's gives the same 404 as an unknown address.
			status = fiber.StatusNotFound
		}
		if status >= 500 {
			d.Log.Error("request failed", "err", err, "request_id", c.Locals("requestid"))
		}
		if d.HTMLError != nil {
			return d.HTMLError(c, status, err)
		}
		return c.Status(status).SendString(fiber.ErrInternalServerError.Message)
	}
}

// machineRoute tells routes that take no browser forms: the API and the
// provider webhooks authenticate otherwise, probes post nothing, and the
// demo's provider fakes take machine posts only.
func machineRoute(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/webhooks/") || path == "/healthz" || path == "/readyz" ||
		strings.HasPrefix(path, "/fake-mollie/") || strings.HasPrefix(path, "/fake-sms/") || strings.HasPrefix(path, "/fake-webhooks/")
}
