package notify

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TLSMode says how the mailer protects its connection to the SMTP server.
type TLSMode int

const (
	// STARTTLSOpportunistic (smtp://) upgrades with STARTTLS when the server
	// offers it and goes on in plain text when it does not; the password is
	// then never sent, as only challenge-based logins are tried unencrypted.
	STARTTLSOpportunistic TLSMode = iota
	// STARTTLSRequired (smtp://...?starttls=required) refuses a server that
	// does not offer STARTTLS.
	STARTTLSRequired
	// ImplicitTLS (smtps://) speaks TLS from the first byte.
	ImplicitTLS
)

// String names the mode as the URL spells it.
func (m TLSMode) String() string {
	switch m {
	case STARTTLSOpportunistic:
		return "starttls=opportunistic"
	case STARTTLSRequired:
		return "starttls=required"
	case ImplicitTLS:
		return "implicit tls"
	}
	return "unknown tls mode"
}

// Default ports when the URL names none: submission for smtp://, submissions
// for smtps:// (RFC 8314).
const (
	DefaultSMTPPort  = 587
	DefaultSMTPSPort = 465
)

// DefaultSMTPTimeout bounds connecting and each SMTP exchange.
const DefaultSMTPTimeout = 15 * time.Second

// SMTPConfig is where and how the mailer reaches its SMTP server, read from
// SETTLE_SMTP_URL by ParseSMTPURL.
type SMTPConfig struct {
	// Host is the server's host name or IPv4 address.
	Host string
	// Port is the server's TCP port.
	Port int
	// Username logs in when set; empty sends without logging in.
	Username string
	// Password goes with Username. String and errors never show it.
	Password string
	// TLS is how the connection is protected.
	TLS TLSMode
	// Timeout bounds connecting and each SMTP exchange.
	Timeout time.Duration
	// RootCAs verifies the server's certificate; nil uses the system's
	// roots. Code sets it (tests, a private CA), the URL cannot.
	RootCAs *x509.CertPool
}

// String shows the settings as a URL with the password left out, for logs
// and startup messages.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: c.Host + ":" + strconv.Itoa(c.Port)}
	if c.TLS == ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.User(c.Username)
		if c.Password != "" {
			u.User = url.UserPassword(c.Username, "xxxxx")
		}
	}
	q := url.Values{}
	if c.TLS == STARTTLSRequired {
		q.Set("starttls", "required")
	}
	if c.Timeout != DefaultSMTPTimeout {
		q.Set("timeout", c.Timeout.String())
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ParseSMTPURL reads an SMTP URL such as smtp://user:pass@host:587 or
// smtps://user:pass@host:465. Query options: starttls=required (or the
// default, opportunistic) for smtp://, and timeout=30s. User name and
// password are percent-decoded, so an address as user name is written
// user%40example.com. Errors never repeat the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	if strings.TrimSpace(raw) == "" {
		return SMTPConfig{}, errors.New("smtp url: empty (expected smtp://user:pass@host:587)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only
		// its reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return SMTPConfig{}, fmt.Errorf("smtp url: %v (expected smtp://user:pass@host:587)", err)
	}
	c := SMTPConfig{Timeout: DefaultSMTPTimeout}
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = STARTTLSOpportunistic, DefaultSMTPPort
	case "smtps":
		c.TLS, c.Port = ImplicitTLS, DefaultSMTPSPort
	case "":
		return SMTPConfig{}, errors.New("smtp url: no scheme (expected smtp:// or smtps://)")
	default:
		return SMTPConfig{}, fmt.Errorf("smtp url: scheme %q is not smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" {
		return SMTPConfig{}, errors.New("smtp url: no host (expected smtp://user:pass@host:587)")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, errors.New("smtp url: no host (expected smtp://user:pass@host:587)")
	}
	if strings.Contains(c.Host, ":") {
		// The mail library joins host and port as "host:port", which an
		// IPv6 literal does not survive.
		return SMTPConfig{}, fmt.Errorf("smtp url: IPv6 address %s is not supported, use a host name", c.Host)
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return SMTPConfig{}, fmt.Errorf("smtp url: port %q is not a number from 1 to 65535", p)
		}
		c.Port = port
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return SMTPConfig{}, errors.New("smtp url: a password without a user name")
		}
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, fmt.Errorf("smtp url: unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return SMTPConfig{}, errors.New("smtp url: unexpected #fragment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("smtp url: query: %v", err)
	}
	for key, values := range q {
		if len(values) != 1 {
			return SMTPConfig{}, fmt.Errorf("smtp url: option %s given %d times", key, len(values))
		}
		v := values[0]
		switch key {
		case "starttls":
			if c.TLS == ImplicitTLS {
				return SMTPConfig{}, errors.New("smtp url: starttls does not apply to smtps://, which is TLS from the start")
			}
			switch v {
			case "required":
				c.TLS = STARTTLSRequired
			case "opportunistic":
				c.TLS = STARTTLSOpportunistic
			default:
				return SMTPConfig{}, fmt.Errorf("smtp url: starttls=%q is not required or opportunistic", v)
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return SMTPConfig{}, fmt.Errorf("smtp url: timeout=%q is not a positive duration such as 30s", v)
			}
			c.Timeout = d
		default:
			return SMTPConfig{}, fmt.Errorf("smtp url: unknown option %q (known: starttls, timeout)", key)
		}
	}
	return c, nil
}
