package casework

import (
	"context"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// shortLink is a short code ready to be recorded: its printed address, and
// the rows that make it work.
type shortLink struct {
	URL   string
	Short postgres.ShortLink
	Link  postgres.Link
}

// linkChannels maps the channel a message goes by to the channel of the
// magic link behind its short code, and what the code is printed for.
var linkChannels = map[collect.Channel]struct{ link, purpose string }{
	collect.ChannelPost:     {"letter", "letter"},
	collect.ChannelEmail:    {"email", "message"},
	collect.ChannelSMS:      {"sms", "message"},
	collect.ChannelWhatsApp: {"sms", "message"},
}

// newShortLink draws a short code for a debtor and the link it opens. It
// lives as long as the channel's links do, and for a debtor with a plan at
// least until the plan's last instalment plus 30 days (collect.LinkExpiry).
func newShortLink(ctx context.Context, db *postgres.DB, baseURL, creditorID, debtorID string, ch collect.Channel) (shortLink, error) {
	kind, ok := linkChannels[ch]
	if !ok {
		return shortLink{}, collect.Errorf(collect.EINVALID, "channel", "no short link for channel %q", ch)
	}
	ttl, _ := access.DefaultTTL(kind.link)
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return shortLink{}, err
	}
	code, err := access.NewShortCode()
	if err != nil {
		return shortLink{}, err
	}
	canonical, err := access.ParseShortCode(code)
	if err != nil {
		return shortLink{}, err
	}
	now := db.Now().Truncate(time.Second)
	expires := collect.LinkExpiry(now, ttl, plans)
	l := postgres.Link{JTI: uuid.NewString(), CreditorID: creditorID, DebtorID: debtorID, Channel: kind.link, IssuedAt: now, ExpiresAt: expires}
	s := postgres.ShortLink{CodeHash: access.ShortCodeHash(canonical), LinkJTI: l.JTI, CreditorID: creditorID, DebtorID: debtorID,
		Purpose: kind.purpose, ExpiresAt: expires, CreatedAt: now}
	return shortLink{URL: ShortLinkURL(baseURL, code), Short: s, Link: l}, nil
}

// IssueShortLink gives one of a creditor's debtors a short link for a
// message sent by ch (a printed reminder or answer too), and returns its
// address (https://host/b/XXXX-XXXX). Opening it leads to the second
// factor. It leaves the debtor's letter links working: only a new 14-day
// letter (RecordNotice) ends those, so a letter's link lasts as long as
// collect.LinkExpiry says.
func IssueShortLink(ctx context.Context, db *postgres.DB, baseURL, creditorID, debtorID string, ch collect.Channel) (string, error) {
	d, err := db.Debtor(ctx, creditorID, debtorID)
	if err != nil {
		return "", err
	}
	s, err := newShortLink(ctx, db, baseURL, creditorID, d.ID, ch)
	if err != nil {
		return "", err
	}
	s.Short.Purpose = "message"
	if err := db.CreateShortLink(ctx, s.Short, s.Link); err != nil {
		return "", err
	}
	return s.URL, nil
}

// ShortLinkURL is the address printed for a short code.
func ShortLinkURL(baseURL, code string) string { return baseURL + access.ShortPath + code }

// OpenShortLink opens a short code as a person typed it. It answers as
// OpenLink does for the magic link behind the code (ErrLinkUnknown for a
// code that is not ours, ErrLinkExpired or ErrLinkRevoked with the
// creditor known) and on success returns a token for that link, which
// the portal keeps for the second factor as it keeps a letter's token.
func OpenShortLink(ctx context.Context, db *postgres.DB, signer *access.Signer, typed string) (string, LinkVisit, error) {
	canonical, err := access.ParseShortCode(typed)
	if err != nil {
		return "", LinkVisit{}, ErrLinkUnknown
	}
	s, err := db.ShortLinkByHash(ctx, access.ShortCodeHash(canonical))
	if collect.IsNotFound(err) {
		return "", LinkVisit{}, ErrLinkUnknown
	}
	if err != nil {
		return "", LinkVisit{}, err
	}
	link, err := db.LinkByJTI(ctx, s.LinkJTI)
	if err != nil {
		return "", LinkVisit{}, err
	}
	if !db.Now().Before(s.ExpiresAt) || !db.Now().Before(link.ExpiresAt) {
		// A token for a link past its end would not verify; answer with the
		// creditor known, so the page says whom to ask for a new one.
		cr, cerr := db.Creditor(ctx, s.CreditorID)
		if cerr != nil {
			return "", LinkVisit{}, cerr
		}
		v := linkVisit(db, link, cr)
		v.Language = debtorLanguage(ctx, db, link)
		return "", v, ErrLinkExpired
	}
	token, err := signer.Issue(access.LinkClaims{DebtorID: link.DebtorID, CreditorID: link.CreditorID, Channel: link.Channel,
		RegisteredClaims: jwt.RegisteredClaims{ID: link.JTI, IssuedAt: jwt.NewNumericDate(link.IssuedAt),
			NotBefore: jwt.NewNumericDate(link.IssuedAt), ExpiresAt: jwt.NewNumericDate(link.ExpiresAt)}})
	if err != nil {
		return "", LinkVisit{}, err
	}
	v, err := OpenLink(ctx, db, signer, token)
	if errors.Is(err, ErrLinkUnknown) {
		return "", v, err
	}
	return token, v, err
}
