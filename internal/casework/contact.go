package casework

import (
	"context"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
)

// ContactWishesOf is how a signed-in debtor is reached, for the contact
// form: the wishes given, completed with the phone number and address the
// creditor gave; ok says whether the debtor gave wishes yet. The language
// is "" when the one given is not one the portal speaks.
func ContactWishesOf(ctx context.Context, db *postgres.DB, s postgres.Session) (collect.ContactWishes, bool, error) {
	d, err := db.Debtor(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return collect.ContactWishes{}, false, err
	}
	w, ok, err := db.ContactWishesOf(ctx, s.DebtorID)
	if err != nil {
		return w, false, err
	}
	w = collect.ContactOf(d, w, ok)
	if !i18n.Supported(w.Language) {
		w.Language = ""
	}
	return w, ok, nil
}

// SetContactWishes checks and stores a signed-in debtor's contact wishes
// (channels in order, phone in E.164, email, times that do not suit); the
// language chosen is also the language of the rest of the session.
func SetContactWishes(ctx context.Context, db *postgres.DB, now time.Time, s postgres.Session, sessionToken string, w collect.ContactWishes) (collect.ContactWishes, error) {
	w, err := collect.CheckContactWishes(w)
	if err != nil {
		return w, err
	}
	if !i18n.Supported(w.Language) {
		return w, collect.Errorf(collect.EINVALID, "lang", "choose a language")
	}
	if err := db.SetContactWishes(ctx, s.CreditorID, s.DebtorID, w, now); err != nil {
		return w, err
	}
	return w, db.SetSessionLanguage(ctx, sessionToken, w.Language)
}
