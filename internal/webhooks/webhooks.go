// Package webhooks receives payment providers' reports. Each handler checks
// the report, stores it once, enqueues the booking job in the same
// transaction and answers at once; the job does the work.
package webhooks

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"regexp"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/metrics"
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

	inboxOnce sync.Once
	inbox     *casework.StripeInbox
}

// Register mounts POST /webhooks/mollie and POST /webhooks/stripe.
func (h *Handlers) Register(app *fiber.App) {
	app.Post("/webhooks/mollie", h.mollie)
	app.Post("/webhooks/stripe", h.stripe)
}

var mollieID = regexp.MustCompile(`^tr_[A-Za-z0-9]{1,64}$`)

// mollie handles Mollie's report. Its body holds only a payment id and
// proves nothing: the use case stores the delivery and asks for a sync
// that re-fetches the payment from Mollie (casework.ReceiveMollieEvent).
func (h *Handlers) mollie(c *fiber.Ctx) error {
	id := c.FormValue("id")
	if !mollieID.MatchString(id) {
		metrics.WebhookEvent("mollie", false)
		return c.Status(fiber.StatusBadRequest).SendString("unknown payment")
	}
	err := casework.ReceiveMollieEvent(c.UserContext(), h.DB, h.Jobs, id)
	if errors.Is(err, casework.ErrUnknownPayment) {
		metrics.WebhookEvent("mollie", false)
		return c.Status(fiber.StatusBadRequest).SendString("unknown payment")
	}
	if err != nil {
		return err
	}
	metrics.WebhookEvent("mollie", true)
	return c.SendStatus(fiber.StatusOK)
}

// stripe handles Stripe's events: the signature is checked on the raw body
// before anything else; each event id is stored and booked once, and the
// events of concurrent posts are stored together (casework.StripeInbox).
func (h *Handlers) stripe(c *fiber.Ctx) error {
	body := c.Body()
	ev, err := stripe.ParseWebhook(body, c.Get("Stripe-Signature"), h.StripeSecret)
	if err != nil {
		if errors.Is(err, stripe.ErrForged) || errors.Is(err, stripe.ErrUnknownPayment) {
			h.Log.Warn("stripe webhook refused", "reason", err.Error())
		}
		metrics.WebhookEvent("stripe", false)
		return c.Status(fiber.StatusBadRequest).SendString("event refused")
	}
	if !ev.Handled {
		metrics.WebhookEvent("stripe", true)
		return c.SendStatus(fiber.StatusOK) // verified, but nothing Settle acts on
	}
	h.inboxOnce.Do(func() {
		h.inbox = &casework.StripeInbox{DB: h.DB, Queue: h.Jobs, Log: h.Log, ResolveIntent: h.ResolveIntent}
	})
	// Fiber reuses the body's buffer once the handler returns; the inbox
	// may still hold the event then (a post whose sender hung up).
	body = bytes.Clone(body)
	err = h.inbox.Receive(c.UserContext(),
		casework.StripeEvent{ID: ev.ID, Type: ev.Type, PaymentID: ev.PaymentID, ProviderID: ev.ProviderID, Payload: body})
	refused := errors.Is(err, casework.ErrUnknownPayment) || errors.Is(err, casework.ErrEventRefused)
	if err != nil && !refused {
		return err
	}
	metrics.WebhookEvent("stripe", !refused)
	switch {
	case errors.Is(err, casework.ErrUnknownPayment):
		return c.Status(fiber.StatusBadRequest).SendString("unknown payment")
	case errors.Is(err, casework.ErrEventRefused):
		return c.Status(fiber.StatusBadRequest).SendString("event refused")
	}
	return c.SendStatus(fiber.StatusOK)
}
