package casework

import (
	"context"
	"slices"
	"unicode/utf8"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
)

// MaxQuietTimes is the longest text about when not to be contacted.
const MaxQuietTimes = 300

// ContactWishesOf is what a debtor asked about being contacted, with a
// language the portal speaks ("" when the one given is not), and whether
// the debtor asked anything yet.
func ContactWishesOf(ctx context.Context, db *postgres.DB, debtorID string) (collect.ContactWishes, bool, error) {
	w, ok, err := db.ContactWishesOf(ctx, debtorID)
	if !i18n.Supported(w.Language) {
		w.Language = ""
	}
	return w, ok, err
}

// SetContactWishes stores a signed-in debtor's contact wishes; the language
// chosen is also the language of the rest of the session.
func SetContactWishes(ctx context.Context, db *postgres.DB, s postgres.Session, sessionToken string, w collect.ContactWishes) error {
	switch {
	case !slices.Contains(collect.ContactChannels, w.Channel):
		return collect.Errorf(collect.EINVALID, "channel", "choose a channel")
	case utf8.RuneCountInString(w.QuietTimes) > MaxQuietTimes:
		return collect.Errorf(collect.EINVALID, "quiet", "the text is longer than %d characters", MaxQuietTimes)
	case !i18n.Supported(w.Language):
		return collect.Errorf(collect.EINVALID, "lang", "choose a language")
	}
	if err := db.SetContactWishes(ctx, s.CreditorID, s.DebtorID, w); err != nil {
		return err
	}
	return db.SetSessionLanguage(ctx, sessionToken, w.Language)
}
