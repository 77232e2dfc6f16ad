package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The creditor's events: pushed to its webhook endpoint, or polled from
// GET /events.

type endpointRequest struct {
	URL string `json:"url"`
}

type endpointJSON struct {
	URL       string `json:"url"`
	Secret    string `json:"secret,omitempty"` // only when it is made
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func endpointOut(e postgres.WebhookEndpoint, secret bool) endpointJSON {
	out := endpointJSON{URL: e.URL, CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339), UpdatedAt: e.UpdatedAt.UTC().Format(time.RFC3339)}
	if secret {
		out.Secret = e.Secret
	}
	return out
}

// apiActor is the audit actor of a change made with a creditor's API key.
const apiActor = "api"

// putWebhookEndpoint answers PUT /webhook-endpoint: registers the address
// (or changes it) and answers a new secret, once.
func (a *API) putWebhookEndpoint(c *fiber.Ctx) error {
	var req endpointRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	e, err := casework.SetWebhookEndpoint(c.UserContext(), a.DB, apiActor, creditorOf(c).ID, req.URL, a.LocalWebhooks)
	if err != nil {
		return err
	}
	return c.JSON(endpointOut(e, true))
}

// rotateWebhookSecret answers POST /webhook-endpoint/rotate with a new secret.
func (a *API) rotateWebhookSecret(c *fiber.Ctx) error {
	e, err := casework.RotateWebhookSecret(c.UserContext(), a.DB, apiActor, creditorOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(endpointOut(e, true))
}

// getWebhookEndpoint answers GET /webhook-endpoint: the address, never the secret.
func (a *API) getWebhookEndpoint(c *fiber.Ctx) error {
	e, err := casework.WebhookEndpointOf(c.UserContext(), a.DB, creditorOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(endpointOut(e, false))
}

// deleteWebhookEndpoint answers DELETE /webhook-endpoint: nothing more is sent.
func (a *API) deleteWebhookEndpoint(c *fiber.Ctx) error {
	if err := casework.DeleteWebhookEndpoint(c.UserContext(), a.DB, apiActor, creditorOf(c).ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// listEvents answers GET /events?after=&limit=: the creditor's events
// after the cursor, oldest first, and the cursor of the next page.
func (a *API) listEvents(c *fiber.Ctx) error {
	p, err := casework.EventsFeed(c.UserContext(), a.DB, creditorOf(c).ID, c.Query("after"), c.Query("limit"))
	if err != nil {
		return err
	}
	out := make([]collect.EventBody, 0, len(p.Events))
	for _, e := range p.Events {
		out = append(out, e.Body())
	}
	return c.JSON(fiber.Map{"events": out, "next_cursor": strconv.FormatInt(p.Next, 10)})
}
