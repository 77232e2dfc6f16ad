// Package app wires Settle's parts into one Fiber app. The binary and the
// end-to-end tests both build the app here, so tests run what ships.
package app

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/portal"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/server"
)

// App is the built application and the parts tests may want to reach.
type App struct {
	Fiber  *fiber.App
	Portal *portal.Portal
	API    *api.API
}

// Build wires the creditor API, the debtor portal and the error pages.
func Build(cfg config.Config, db *postgres.DB, signer *access.Signer, log *slog.Logger) *App {
	a := &App{
		API:    &api.API{DB: db, Signer: signer, BaseURL: cfg.BaseURL, Log: log},
		Portal: &portal.Portal{DB: db, Signer: signer, Log: log, Secure: cfg.SecureCookies()},
	}
	a.Fiber = server.New(server.Deps{
		DB:        db,
		Log:       log,
		API:       a.API,
		Mount:     []func(*fiber.App){a.Portal.Register},
		HTMLError: a.Portal.ErrorPage,
	})
	return a
}
