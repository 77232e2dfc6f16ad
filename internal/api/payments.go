package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/postgres"
)

// listPayments pages through the creditor's payments changed since a moment,
// oldest change first. The cursor is opaque to clients: the update time and id
// of the last payment on the previous page.
func (a *API) listPayments(c *fiber.Ctx) error {
	page, err := paymentPage(c)
	if err != nil {
		return err
	}
	ps, err := casework.CreditorPayments(c.UserContext(), a.DB, creditorOf(c).ID, page)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(ps))
	for _, p := range ps {
		out = append(out, paymentJSON(p))
	}
	var next *string
	if len(ps) == page.Limit {
		last := ps[len(ps)-1]
		s := base64.RawURLEncoding.EncodeToString([]byte(last.UpdatedAt.UTC().Format(time.RFC3339Nano) + "|" + last.ID))
		next = &s
	}
	return c.JSON(fiber.Map{"payments": out, "next_cursor": next})
}

// paymentPage reads since, limit and cursor.
func paymentPage(c *fiber.Ctx) (casework.PaymentPage, error) {
	page := casework.PaymentPage{Limit: 100}
	if s := c.Query("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d, derr := time.Parse("2006-01-02", s)
			if derr != nil {
				return page, invalid("since", "since must be a date (YYYY-MM-DD) or an RFC 3339 time")
			}
			t = d
		}
		page.Since = t
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return page, invalid("limit", "limit must be between 1 and 500")
		}
		page.Limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		parts := strings.SplitN(string(raw), "|", 2)
		if err != nil || len(parts) != 2 {
			return page, invalid("cursor", "cursor is not one this API gave out")
		}
		if page.AfterTime, err = time.Parse(time.RFC3339Nano, parts[0]); err != nil {
			return page, invalid("cursor", "cursor is not one this API gave out")
		}
		page.AfterID = parts[1]
	}
	return page, nil
}

// paymentJSON is one payment with its allocation.
func paymentJSON(p postgres.PaidPayment) fiber.Map {
	alloc := make([]fiber.Map, 0, len(p.Parts))
	for _, part := range p.Parts {
		alloc = append(alloc, fiber.Map{"invoice_id": nilIfEmpty(part.InvoiceID), "invoice_number": part.InvoiceNumber, "account": part.Account, "amount": part.Amount})
	}
	var paidAt *string
	if p.PaidAt != nil {
		s := p.PaidAt.UTC().Format(time.RFC3339)
		paidAt = &s
	}
	return fiber.Map{
		"id": p.ID, "debtor_id": p.DebtorID, "invoice_id": nilIfEmpty(p.InvoiceID), "amount": p.Amount, "status": p.Status,
		"method": p.Method, "provider": p.Provider, "provider_id": p.ProviderID, "refunded": p.Refunded, "charged_back": p.ChargedBack,
		"created_at": p.CreatedAt.UTC().Format(time.RFC3339), "paid_at": paidAt, "updated_at": p.UpdatedAt.UTC().Format(time.RFC3339Nano),
		"allocation": alloc,
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
