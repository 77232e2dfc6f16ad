package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/postgres"
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
	cred := creditorOf(c)
	d, err := a.DB.Debtor(c.UserContext(), cred.ID, c.Params("id"))
	if err != nil {
		return err
	}
	ttl, ok := access.DefaultTTL(req.Channel)
	if !ok {
		return invalid("channel", "channel must be letter, sms or email")
	}
	if len(req.TTLDays) > 0 && string(req.TTLDays) != "null" {
		days, err := cents(req.TTLDays, "ttl_days")
		if err != nil {
			return invalid("ttl_days", "ttl_days must be a whole number of days")
		}
		if days < 1 || days > 365 {
			return invalid("ttl_days", "ttl_days must be between 1 and 365")
		}
		ttl = time.Duration(days) * 24 * time.Hour
	}
	url, l, err := IssueLink(c.UserContext(), a.DB, a.Signer, a.BaseURL, cred.ID, d.ID, req.Channel, ttl)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": l.JTI, "url": url, "expires_at": l.ExpiresAt.UTC().Format(time.RFC3339)})
}

// IssueLink signs a magic link for a debtor, records its jti and returns its URL.
func IssueLink(ctx context.Context, db *postgres.DB, signer *access.Signer, baseURL, creditorID, debtorID, channel string, ttl time.Duration) (string, postgres.Link, error) {
	now := db.Now().Truncate(time.Second)
	l := postgres.Link{JTI: uuid.NewString(), CreditorID: creditorID, DebtorID: debtorID, Channel: channel, IssuedAt: now, ExpiresAt: now.Add(ttl)}
	token, err := signer.Issue(access.LinkClaims{DebtorID: debtorID, CreditorID: creditorID, Channel: channel,
		RegisteredClaims: jwt.RegisteredClaims{ID: l.JTI, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(l.ExpiresAt)}})
	if err != nil {
		return "", l, err
	}
	if err := db.CreateLink(ctx, l); err != nil {
		return "", l, err
	}
	return LinkURL(baseURL, token), l, nil
}

// LinkURL is the address a debtor opens; the token travels in the path, and the
// portal redirects it out of the address bar at once.
func LinkURL(baseURL, token string) string { return baseURL + "/l/" + token }

func (a *API) revokeLink(c *fiber.Ctx) error {
	if err := a.DB.RevokeLink(c.UserContext(), creditorOf(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) revokeDebtorLinks(c *fiber.Ctx) error {
	cred := creditorOf(c)
	d, err := a.DB.Debtor(c.UserContext(), cred.ID, c.Params("id"))
	if err != nil {
		return err
	}
	n, err := a.DB.RevokeDebtorLinks(c.UserContext(), cred.ID, d.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"revoked": n})
}

func (a *API) rotateKey(c *fiber.Ctx) error {
	key, err := a.DB.RotateAPIKey(c.UserContext(), creditorOf(c).ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"api_key": key})
}
