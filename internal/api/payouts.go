package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// maxPayouts is how many payouts GET /payouts returns, newest first.
const maxPayouts = 500

type payoutLineJSON struct {
	Kind        collect.PayoutLineKind  `json:"kind"`
	ProviderRef string                  `json:"provider_ref"`
	Method      string                  `json:"method"`
	Amount      int64                   `json:"amount_cents"`
	FeeBips     int64                   `json:"fee_bips"`
	PaymentID   *string                 `json:"payment_id"`
	Cause       collect.PayoutLineCause `json:"cause"`
}

type payoutJSON struct {
	ID         string               `json:"id"`
	Provider   string               `json:"provider"`
	ProviderID string               `json:"provider_id"`
	Reference  string               `json:"reference"`
	Status     collect.PayoutStatus `json:"status"`
	Amount     int64                `json:"amount_cents"`
	Currency   string               `json:"currency"`
	Reconciled bool                 `json:"reconciled"`
	Difference int64                `json:"difference_cents"`
	Net        int64                `json:"creditor_net_cents"`
	SettledAt  *string              `json:"settled_at"`
	ArrivedAt  *string              `json:"arrived_at"`
	Lines      []payoutLineJSON     `json:"lines"`
}

// listPayouts answers GET /api/v1/payouts: the provider payouts that carry
// money of the calling creditor, each with only that creditor's lines.
func (a *API) listPayouts(c *fiber.Ctx) error {
	ps, err := casework.CreditorPayouts(c.UserContext(), a.DB, creditorOf(c).ID, maxPayouts)
	if err != nil {
		return err
	}
	out := make([]payoutJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, payoutOut(p))
	}
	return c.JSON(fiber.Map{"payouts": out})
}

func payoutOut(p collect.Payout) payoutJSON {
	stamp := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		s := t.UTC().Format(time.RFC3339)
		return &s
	}
	j := payoutJSON{ID: p.ID, Provider: p.Provider, ProviderID: p.ProviderID, Reference: p.Reference, Status: p.Status,
		Amount: p.Amount, Currency: p.Currency, Reconciled: p.Reconciled, Difference: p.Difference,
		SettledAt: stamp(p.SettledAt), ArrivedAt: stamp(p.ArrivedAt), Lines: make([]payoutLineJSON, 0, len(p.Lines))}
	for _, l := range p.Lines {
		lj := payoutLineJSON{Kind: l.Kind, ProviderRef: l.ProviderRef, Method: l.Method, Amount: l.Amount, FeeBips: l.FeeBips, Cause: l.Cause()}
		if l.PaymentID != "" {
			id := l.PaymentID
			lj.PaymentID = &id
		}
		j.Net += l.Amount
		j.Lines = append(j.Lines, lj)
	}
	return j
}
