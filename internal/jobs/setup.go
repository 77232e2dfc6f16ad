package jobs

import (
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

// Setup is the part of a creditor the provider registry needs.
func Setup(c collect.Creditor) pay.CreditorSetup {
	return pay.CreditorSetup{ID: c.ID, IdealProvider: c.IdealProvider, CardProvider: c.CardProvider, MollieKeyEnv: c.MollieKeyEnv, StripeKeyEnv: c.StripeKeyEnv}
}
