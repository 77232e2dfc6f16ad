package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"
)

// Mailer sends email over SMTP as multipart text and HTML. It opens one
// connection per message, so it is safe for concurrent use and holds
// nothing open between sends.
type Mailer struct {
	cfg    SMTPConfig
	from   string
	domain string
}

// NewMailer returns a Mailer that sends through cfg's server with from as
// the From header ("Settle <noreply@example.com>" or a bare address).
func NewMailer(cfg SMTPConfig, from string) (*Mailer, error) {
	if cfg.Host == "" || cfg.Port == 0 {
		return nil, errors.New("new mailer: no SMTP host and port (use ParseSMTPURL)")
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("new mailer: from address %q: %w", from, err)
	}
	_, domain, _ := strings.Cut(addr.Address, "@")
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	return &Mailer{cfg: cfg, from: from, domain: domain}, nil
}

// Send delivers m to the SMTP server. A recipient the server refuses for
// good, or an address that is not one, is a PermanentFailure; anything
// else that fails is a TemporaryFailure. ProviderID is the Message-ID
// header, without angle brackets.
func (s *Mailer) Send(ctx context.Context, m Message) Result {
	if _, err := netmail.ParseAddress(m.To); err != nil {
		return permanent("", fmt.Errorf("send email: recipient %q is not an email address", m.To))
	}
	if m.Text == "" {
		return temporary("", errors.New("send email: message has no text body"))
	}
	if m.ID != "" && !isDotAtom(m.ID) {
		return temporary("", fmt.Errorf("send email: message id %q is not dot-atom text", m.ID))
	}

	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return temporary("", fmt.Errorf("send email: from: %w", err))
	}
	if err := msg.To(m.To); err != nil {
		return permanent("", fmt.Errorf("send email: to: %w", err))
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID + "@" + s.domain)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}

	client, err := mail.NewClient(s.cfg.Host, s.clientOptions()...)
	if err != nil {
		return temporary("", fmt.Errorf("send email: smtp client: %w", err))
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return classifySMTP(err)
	}
	return Result{Outcome: Sent, ProviderID: strings.Trim(msg.GetMessageID(), "<>")}
}

func (s *Mailer) clientOptions() []mail.Option {
	tlsConfig := &tls.Config{
		ServerName: s.cfg.Host,
		RootCAs:    s.cfg.RootCAs,
		MinVersion: tls.VersionTLS12,
	}
	opts := []mail.Option{
		mail.WithPort(s.cfg.Port),
		mail.WithTimeout(s.cfg.Timeout),
		mail.WithTLSConfig(tlsConfig),
	}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case STARTTLSRequired:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if s.cfg.Username != "" {
		// Auto-discovery picks the strongest mechanism the server offers
		// and, on an unencrypted connection, none that reveals the password.
		opts = append(opts,
			mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.cfg.Username),
			mail.WithPassword(s.cfg.Password))
	}
	return opts
}

// classifySMTP turns a failed send into a Result. Only a 5xx answer about
// the recipient is permanent: a refusal of our sender, our login or our
// relaying is a problem of Settle's settings, and the person's address must
// not be blocked for it.
func classifySMTP(err error) Result {
	var se *mail.SendError
	if !errors.As(err, &se) || se.ErrorCode() == 0 {
		return temporary("", fmt.Errorf("send email: %w", err))
	}
	code := strconv.Itoa(se.ErrorCode())
	esc := se.EnhancedStatusCode()
	if esc != "" {
		code += " " + esc
	}
	if se.ErrorCode() >= 500 && se.ErrorCode() < 600 && recipientRefused(se.Reason, esc) {
		return permanent(code, fmt.Errorf("send email: recipient refused: %w", err))
	}
	return temporary(code, fmt.Errorf("send email: %w", err))
}

// recipientRefused tells whether a permanent SMTP error is about the
// recipient's address (RFC 3463: 5.1.x addressing, 5.2.1 mailbox disabled),
// rather than about us or our message.
func recipientRefused(reason mail.SendErrReason, esc string) bool {
	switch reason {
	case mail.ErrSMTPRcptTo:
		// Policy (5.7.x, such as "relaying denied") and system (5.3.x)
		// refusals at RCPT are about us, not the address.
		return !strings.HasPrefix(esc, "5.7.") && !strings.HasPrefix(esc, "5.3.")
	case mail.ErrSMTPData, mail.ErrSMTPDataClose:
		// Some servers accept every RCPT and refuse the address only after
		// the data; 5.1.7 and 5.1.8 are about our sender address.
		return (strings.HasPrefix(esc, "5.1.") && esc != "5.1.7" && esc != "5.1.8") || esc == "5.2.1"
	}
	return false
}

// isDotAtom tells whether s may stand as the left part of a Message-ID
// (RFC 5322 dot-atom-text).
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r):
		default:
			return false
		}
	}
	return true
}
