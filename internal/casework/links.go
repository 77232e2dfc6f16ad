package casework

import (
	"context"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
)

// Why a link does not sign in; OpenLink returns them wrapped in a not-found
// or conflict error, so a caller that only maps codes still answers right.
var (
	ErrLinkUnknown = collect.Errorf(collect.ENOTFOUND, "", "link not found")
	ErrLinkRevoked = collect.Errorf(collect.ECONFLICT, "", "link revoked")
	ErrLinkExpired = collect.Errorf(collect.ECONFLICT, "", "link expired")
)

// LinkOrder is a creditor's request for a new link for one of its debtors.
type LinkOrder struct {
	CreditorID string
	DebtorID   string
	Channel    string
	// TTLDays overrides the channel's default lifetime when set.
	TTLDays *int64
}

// CreateLink issues a link for a creditor's own debtor, living as long as
// the channel's default or the days asked (1 to 365).
func CreateLink(ctx context.Context, db *postgres.DB, signer *access.Signer, baseURL string, in LinkOrder) (string, postgres.Link, error) {
	d, err := db.Debtor(ctx, in.CreditorID, in.DebtorID)
	if err != nil {
		return "", postgres.Link{}, err
	}
	ttl, ok := access.DefaultTTL(in.Channel)
	if !ok {
		return "", postgres.Link{}, collect.Errorf(collect.EINVALID, "channel", "channel must be letter, sms or email")
	}
	if in.TTLDays != nil {
		if *in.TTLDays < 1 || *in.TTLDays > 365 {
			return "", postgres.Link{}, collect.Errorf(collect.EINVALID, "ttl_days", "ttl_days must be between 1 and 365")
		}
		ttl = time.Duration(*in.TTLDays) * 24 * time.Hour
	}
	return IssueLink(ctx, db, signer, baseURL, in.CreditorID, d.ID, in.Channel, ttl)
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

// RevokeLink ends one of a creditor's links.
func RevokeLink(ctx context.Context, db *postgres.DB, creditorID, jti string) error {
	return db.RevokeLink(ctx, creditorID, jti)
}

// RevokeDebtorLinks ends all links of a creditor's own debtor and counts them.
func RevokeDebtorLinks(ctx context.Context, db *postgres.DB, creditorID, debtorID string) (int64, error) {
	d, err := db.Debtor(ctx, creditorID, debtorID)
	if err != nil {
		return 0, err
	}
	return db.RevokeDebtorLinks(ctx, creditorID, d.ID)
}

// LinkVisit is what opening a link found: the link, its creditor and
// debtor, and how its second factor stands.
type LinkVisit struct {
	Link     postgres.Link
	Creditor collect.Creditor
	// Language is the debtor's own language when the portal speaks it, else "".
	Language  string
	TriesLeft int
	// LockedUntil is set while wrong answers keep the link locked.
	LockedUntil *time.Time
}

// OpenLink checks a link's token against its database row. A token that is
// not ours is ErrLinkUnknown; a revoked or expired one is ErrLinkRevoked or
// ErrLinkExpired, with the visit's creditor and language known, so the page
// can say whom to ask for a new link.
func OpenLink(ctx context.Context, db *postgres.DB, signer *access.Signer, token string) (LinkVisit, error) {
	claims, err := signer.Verify(token)
	if err != nil && !errors.Is(err, access.ErrTokenExpired) {
		return LinkVisit{}, ErrLinkUnknown
	}
	link, lerr := db.LinkByJTI(ctx, claims.ID)
	if lerr != nil || link.DebtorID != claims.DebtorID || link.CreditorID != claims.CreditorID {
		// A well-signed token we never recorded is treated as unknown.
		return LinkVisit{}, ErrLinkUnknown
	}
	cr, cerr := db.Creditor(ctx, link.CreditorID)
	if cerr != nil {
		return LinkVisit{}, cerr
	}
	v := linkVisit(db, link, cr)
	v.Language = debtorLanguage(ctx, db, link)
	switch {
	case link.RevokedAt != nil:
		return v, ErrLinkRevoked
	case errors.Is(err, access.ErrTokenExpired) || !db.Now().Before(link.ExpiresAt):
		return v, ErrLinkExpired
	}
	// The agent's file shows that the link was used (once per visit).
	return v, db.RecordLinkOpened(ctx, link)
}

// debtorLanguage is the language of a link's debtor when the portal speaks
// it, else "".
func debtorLanguage(ctx context.Context, db *postgres.DB, link postgres.Link) string {
	d, err := db.Debtor(ctx, link.CreditorID, link.DebtorID)
	if err != nil {
		return ""
	}
	return fileLanguage(ctx, db, d)
}

// fileLanguage is the language in a debtor's file: the one the debtor chose
// (contact wishes), else the one the creditor gave; "" when the portal
// speaks neither, so that the browser's language is next.
func fileLanguage(ctx context.Context, db *postgres.DB, d collect.Debtor) string {
	if w, ok, err := db.ContactWishesOf(ctx, d.ID); err == nil && ok && i18n.Supported(w.Language) {
		return w.Language
	}
	if i18n.Supported(d.Language) {
		return d.Language
	}
	return ""
}

// linkVisit is the visit of a link as it stands now.
func linkVisit(db *postgres.DB, link postgres.Link, cr collect.Creditor) LinkVisit {
	v := LinkVisit{Link: link, Creditor: cr, TriesLeft: access.MaxAttempts - link.FailedAttempts}
	if link.LockedUntil != nil && db.Now().Before(*link.LockedUntil) {
		v.LockedUntil = link.LockedUntil
	}
	return v
}

// SignInResult is how an answer to the second factor went: a session token
// on success, else the visit as it stands after the attempt.
type SignInResult struct {
	Visit LinkVisit
	// Wrong says the answer was checked and did not match.
	Wrong bool
	// Session is the new session's token; "" when not signed in.
	Session string
}

// SignIn checks a debtor's answer to the second factor of an opened link.
// Wrong answers are counted per link; the fifth locks the link for a
// quarter of an hour. The session speaks lang (a choice made on this visit
// before signing in) when the portal has it, else the language in the
// debtor's file, else none: then the browser's language is used.
func SignIn(ctx context.Context, db *postgres.DB, v LinkVisit, answer access.Answer, lang string) (SignInResult, error) {
	// Claim the attempt before looking at the answer, so parallel answers
	// cannot get past the lockout.
	link, claimed, err := db.ClaimAttempt(ctx, v.Link.JTI, access.MaxAttempts, access.LockDuration)
	if err != nil {
		return SignInResult{}, err
	}
	res := SignInResult{Visit: linkVisit(db, link, v.Creditor)}
	res.Visit.Language = v.Language
	if !claimed {
		return res, nil
	}
	d, err := db.Debtor(ctx, link.CreditorID, link.DebtorID)
	if err != nil {
		return SignInResult{}, err
	}
	if !access.CheckSecondFactor(v.Creditor.SecondFactor, d, answer) {
		res.Wrong = true
		left := res.Visit.TriesLeft
		if res.Visit.LockedUntil != nil {
			left = 0
		}
		return res, db.RecordWrongAnswer(ctx, link, left)
	}
	if err := db.ResetAttempts(ctx, link.JTI); err != nil {
		return SignInResult{}, err
	}
	if !i18n.Supported(lang) {
		lang = fileLanguage(ctx, db, d)
	}
	res.Session, err = db.CreateSession(ctx, postgres.Session{Kind: "debtor", DebtorID: d.ID, CreditorID: v.Creditor.ID, LinkJTI: link.JTI, Language: lang})
	return res, err
}
