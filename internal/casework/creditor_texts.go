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
	h, err := phoneHoursIn(ctx, db, cr.ID, lang)
	if h != "" {
		cr.PhoneHours = h
	}
	return cr, err
}

// phoneHoursIn is the creditor's phone hours as written in lang, "" when
// lang is Dutch or the creditor wrote none in it: the caller then keeps
// the Dutch phone_hours. Pages, messages and letters all take it from here.
func phoneHoursIn(ctx context.Context, db *postgres.DB, creditorID, lang string) (string, error) {
	if creditorID == "" || lang == i18n.Default || !i18n.Supported(lang) {
		return "", nil
	}
	texts, err := db.CreditorTexts(ctx, creditorID, lang)
	if err != nil {
		return "", err
	}
	return texts["phone_hours"], nil
}
