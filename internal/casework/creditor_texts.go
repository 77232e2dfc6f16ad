package casework

import (
	"context"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
)

// CreditorIn returns cr with its own texts (the phone hours) in lang where
// the creditor wrote them, else as they are: in Dutch, the fallback. An
// English page then no longer shows Dutch opening hours.
func CreditorIn(ctx context.Context, db *postgres.DB, cr collect.Creditor, lang string) (collect.Creditor, error) {
	if cr.ID == "" || lang == i18n.Default || !i18n.Supported(lang) {
		return cr, nil
	}
	texts, err := db.CreditorTexts(ctx, cr.ID, lang)
	if err != nil {
		return cr, err
	}
	if h := texts["phone_hours"]; h != "" {
		cr.PhoneHours = h
	}
	return cr, nil
}
