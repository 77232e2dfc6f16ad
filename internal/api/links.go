package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
)

type linkRequest struct {
	Channel string          `json:"channel"`
	TTLDays json.RawMessage `json:"ttl_days"`
}

func (a *API) createLink(c *fiber.Ctx) error {
	var req linkRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	in := casework.LinkOrder{CreditorID: creditorOf(c).ID, DebtorID: c.Params("id"), Channel: req.Channel}
	if len(req.TTLDays) > 0 && string(req.TTLDays) != "null" {
		days, err := cents(req.TTLDays, "ttl_days")
		if err != nil {
			return invalid("ttl_days", "ttl_days must be a whole number of days")
		}
		in.TTLDays = &days
	}
	url, l, err := casework.CreateLink(c.UserContext(), a.DB, a.Signer, a.BaseURL, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": l.JTI, "url": url, "expires_at": l.ExpiresAt.UTC().Format(time.RFC3339)})
}

func (a *API) revokeLink(c *fiber.Ctx) error {
	if err := casework.RevokeLink(c.UserContext(), a.DB, creditorOf(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) revokeDebtorLinks(c *fiber.Ctx) error {
	n, err := casework.RevokeDebtorLinks(c.UserContext(), a.DB, creditorOf(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"revoked": n})
}

func (a *API) rotateKey(c *fiber.Ctx) error {
	key, err := casework.RotateAPIKey(c.UserContext(), a.DB, creditorOf(c).ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"api_key": key})
}
