package casework

import (
	"context"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// ErrNoDebtorSession is a request without a session cookie: not found, as an
// expired or unknown session is.
var ErrNoDebtorSession = collect.Errorf(collect.ENOTFOUND, "", "no session")

// DebtorSession is the live debtor session of a cookie's token and the
// creditor whose portal it signs in to; every page reads the debtor from it.
func DebtorSession(ctx context.Context, db *postgres.DB, token string) (postgres.Session, collect.Creditor, error) {
	if token == "" {
		return postgres.Session{}, collect.Creditor{}, ErrNoDebtorSession
	}
	s, err := db.SessionByToken(ctx, "debtor", token)
	if err != nil {
		return s, collect.Creditor{}, err
	}
	cr, err := db.Creditor(ctx, s.CreditorID)
	return s, cr, err
}

// SignOut ends a debtor's session and says which language the debtor chose
// in it ("" when none or when the session had already ended), so the
// goodbye is in that language.
func SignOut(ctx context.Context, db *postgres.DB, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	var lang string
	if s, err := db.SessionByToken(ctx, "debtor", token); err == nil {
		lang = s.Language
	}
	return lang, db.DeleteSession(ctx, token)
}

// SetSessionLanguage remembers the language a debtor chose for the rest of
// the session; without a session (token "") there is nothing to remember.
func SetSessionLanguage(ctx context.Context, db *postgres.DB, token, lang string) error {
	if token == "" {
		return nil
	}
	return db.SetSessionLanguage(ctx, token, lang)
}

// RateCounters are the counters of a rate limit, kept in the store so that
// every server process counts the same requests.
func RateCounters(db *postgres.DB, prefix string) *postgres.KV { return postgres.NewKV(db, prefix) }
