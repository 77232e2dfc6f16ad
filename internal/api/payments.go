package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// listPayments pages through the creditor's payments changed since a moment,
// oldest change first. The cursor is opaque to clients: the update time and id
// of the last payment on the previous page.
func (a *API) listPayments(c *fiber.Ctx) error {
	cred := creditorOf(c)
	since := time.Time{}
	if s := c.Query("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d, derr := time.Parse("2006-01-02", s)
			if derr != nil {
				return invalid("since", "since must be a date (YYYY-MM-DD) or an RFC 3339 time")
			}
			t = d
		}
		since = t
	}
	limit := 100
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return invalid("limit", "limit must be between 1 and 500")
		}
		limit = n
	}
	var afterTime time.Time
	var afterID string
	if cur := c.Query("cursor"); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		parts := strings.SplitN(string(raw), "|", 2)
		if err != nil || len(parts) != 2 {
			return invalid("cursor", "cursor is not one this API gave out")
		}
		if afterTime, err = time.Parse(time.RFC3339Nano, parts[0]); err != nil {
			return invalid("cursor", "cursor is not one this API gave out")
		}
		afterID = parts[1]
	}
	ps, err := a.DB.CreditorPayments(c.UserContext(), cred.ID, since, afterTime, afterID, limit)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(ps))
	for _, p := range ps {
		alloc := make([]fiber.Map, 0, len(p.Parts))
		for _, part := range p.Parts {
			alloc = append(alloc, fiber.Map{"invoice_id": nilIfEmpty(part.InvoiceID), "invoice_number": part.InvoiceNumber, "account": part.Account, "amount": part.Amount})
		}
		var paidAt *string
		if p.PaidAt != nil {
			s := p.PaidAt.UTC().Format(time.RFC3339)
			paidAt = &s
		}
		out = append(out, fiber.Map{
			"id": p.ID, "debtor_id": p.DebtorID, "invoice_id": nilIfEmpty(p.InvoiceID), "amount": p.Amount, "status": p.Status,
			"method": p.Method, "provider": p.Provider, "provider_id": p.ProviderID, "refunded": p.Refunded, "charged_back": p.ChargedBack,
			"created_at": p.CreatedAt.UTC().Format(time.RFC3339), "paid_at": paidAt, "updated_at": p.UpdatedAt.UTC().Format(time.RFC3339Nano),
			"allocation": alloc,
		})
	}
	var next *string
	if len(ps) == limit {
		last := ps[len(ps)-1]
		s := base64.RawURLEncoding.EncodeToString([]byte(last.UpdatedAt.UTC().Format(time.RFC3339Nano) + "|" + last.ID))
		next = &s
	}
	return c.JSON(fiber.Map{"payments": out, "next_cursor": next})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
