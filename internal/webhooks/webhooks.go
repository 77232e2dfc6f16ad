// Package webhooks receives payment providers' reports. Each handler checks
// the report, stores it once, enqueues the booking job in the same
// transaction and answers at once; the job does the work.
package webhooks

import (
	"context"
	"errors"
	"log/slog"
	"regexp"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
)

// Handlers are the provider webhooks.
type Handlers struct {
	DB           *postgres.DB
	Jobs         *jobs.Client
	StripeSecret string
	// ResolveIntent finds our payment id for a Stripe PaymentIntent: Stripe
	// copies no metadata onto disputes, so a dispute names only the intent.
	ResolveIntent func(ctx context.Context, paymentIntentID string) (string, error)
	Log           *slog.Logger
}

// Register mounts POST /webhooks/mollie and POST /webhooks/stripe.
func (h *Handlers) Register(app *fiber.App) {
	app.Post("/webhooks/mollie", h.mollie)
	app.Post("/webhooks/stripe", h.stripe)
}

var mollieID = regexp.MustCompile(`^tr_[A-Za-z0-9]{1,64}$`)

// mollie handles Mollie's report. Its body holds only a payment id and
// proves nothing, so the job re-fetches the payment from Mollie. Mollie sends
// the same id for every status change, so every delivery asks for a sync;
// while one waits, further deliveries add nothing (see jobs.EnqueueSyncTx).
func (h *Handlers) mollie(c *fiber.Ctx) error {
	id := c.FormValue("id")
	if !mollieID.MatchString(id) {
		return c.Status(fiber.StatusBadRequest).SendString("unknown payment")
	}
	p, err := h.DB.PaymentByProviderID(c.UserContext(), "mollie", id)
	if collect.IsNotFound(err) {
		return c.Status(fiber.StatusBadRequest).SendString("unknown payment")
	}
	if err != nil {
		return err
	}
	err = h.DB.StoreWebhookEvent(c.UserContext(), postgres.WebhookEvent{Provider: "mollie", EventID: id, EventType: "payment", PaymentID: p.ID},
		func(tx pgx.Tx, _ int64, _ bool) error { return h.Jobs.EnqueueSyncTx(c.UserContext(), tx, p.ID) })
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusOK)
}

// stripe handles Stripe's events: the signature is checked on the raw body
// before anything else; each event id is stored and booked once.
func (h *Handlers) stripe(c *fiber.Ctx) error {
	body := c.Body()
	ev, err := stripe.ParseWebhook(body, c.Get("Stripe-Signature"), h.StripeSecret)
	if err != nil {
		if errors.Is(err, stripe.ErrForged) || errors.Is(err, stripe.ErrUnknownPayment) {
			h.Log.Warn("stripe webhook refused", "reason", err.Error())
			return c.Status(fiber.StatusBadRequest).SendString("event refused")
		}
		return c.Status(fiber.StatusBadRequest).SendString("event refused")
	}
	if !ev.Handled {
		return c.SendStatus(fiber.StatusOK) // verified, but nothing Settle acts on
	}
	if ev.PaymentID == "" && ev.ProviderID != "" && h.ResolveIntent != nil {
		if ev.PaymentID, err = h.ResolveIntent(c.UserContext(), ev.ProviderID); err != nil {
			h.Log.Warn("stripe webhook: intent not ours", "event_id", ev.ID, "err", err)
			return c.Status(fiber.StatusBadRequest).SendString("unknown payment")
		}
	}
	p, err := h.DB.PaymentByID(c.UserContext(), ev.PaymentID)
	if err != nil {
		if collect.IsNotFound(err) {
			return c.Status(fiber.StatusBadRequest).SendString("unknown payment")
		}
		return err
	}
	// A correctly signed event may still name a payment it has no say
	// over (another provider's, another session's): refuse it here, before
	// anything is stored or booked, and show finance.
	if refused, err := casework.RefuseForeignStripeEvent(c.UserContext(), h.DB, h.Log, p, ev.ProviderID, ev.ID, ev.Type); err != nil {
		return err
	} else if refused {
		return c.Status(fiber.StatusBadRequest).SendString("event refused")
	}
	err = h.DB.StoreWebhookEvent(c.UserContext(), postgres.WebhookEvent{Provider: "stripe", EventID: ev.ID, EventType: ev.Type, PaymentID: ev.PaymentID, Payload: body},
		func(tx pgx.Tx, rowID int64, fresh bool) error {
			if !fresh {
				return nil
			}
			return h.Jobs.EnqueueStripeEventTx(c.UserContext(), tx, rowID)
		})
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusOK)
}
