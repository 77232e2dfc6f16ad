package collect

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
)

// MaxAvoidRanges is the most "not at these times" ranges a debtor keeps; a
// handful covers a working week and evenings, more is a form being abused.
const MaxAvoidRanges = 8

// Weekdays are Monday to Friday, the days of an office week.
var Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// EveryDay is every day of the week.
var EveryDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

// Covers reports whether the local time t falls in the range.
func (r TimeRange) Covers(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	return slices.Contains(r.Days, t.Weekday()) && m >= r.From && m < r.To
}

// NormalizePhone turns a phone number as people write it into E.164:
// "06-1234 5678" and "0031 6 12345678" become "+31612345678". A number that
// starts with 0 but not 00 is Dutch. It fails on anything that is not 8 to
// 15 digits after the country code's plus.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsDigit(r) && r < unicode.MaxASCII:
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", Errorf(EINVALID, "phone", "a phone number has only digits, spaces and dashes")
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case strings.HasPrefix(n, "0"):
		n = "+31" + n[1:]
	case !strings.HasPrefix(n, "+"):
		return "", Errorf(EINVALID, "phone", "start the number with 0 or with + and the country code")
	}
	digits := n[1:]
	if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return "", Errorf(EINVALID, "phone", "this is not a whole phone number")
	}
	if strings.HasPrefix(n, "+31") && len(digits) != 11 {
		return "", Errorf(EINVALID, "phone", "a Dutch number has 10 digits, starting with 0")
	}
	return n, nil
}

// NormalizeEmail checks that s has the shape of a real address (one @, a
// local part, a domain with a dot, no display name) and lower-cases the
// domain.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return "", Errorf(EINVALID, "email", "this is not an email address")
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsAny(domain, "[]") {
		return "", Errorf(EINVALID, "email", "this is not an email address")
	}
	return local + "@" + strings.ToLower(domain), nil
}

// CheckContactWishes validates and normalises wishes as the debtor gave
// them: at least one channel, none twice; a phone number for SMS or
// WhatsApp, an email address for email; ranges within a day. The legacy
// Channel field becomes the first choice.
func CheckContactWishes(w ContactWishes) (ContactWishes, error) {
	if len(w.Channels) == 0 {
		return w, Errorf(EINVALID, "channel", "choose at least one channel")
	}
	for i, c := range w.Channels {
		if !slices.Contains(Channels, c) || slices.Contains(w.Channels[:i], c) {
			return w, Errorf(EINVALID, "channel", "choose each channel once")
		}
	}
	w.Channel = string(w.Channels[0])
	var err error
	if w.Phone != "" {
		if w.Phone, err = NormalizePhone(w.Phone); err != nil {
			return w, err
		}
	}
	if w.Email != "" {
		if w.Email, err = NormalizeEmail(w.Email); err != nil {
			return w, err
		}
	}
	if w.Phone == "" && (slices.Contains(w.Channels, ChannelSMS) || slices.Contains(w.Channels, ChannelWhatsApp)) {
		return w, Errorf(EINVALID, "phone", "give a mobile number for text messages")
	}
	if w.Email == "" && slices.Contains(w.Channels, ChannelEmail) {
		return w, Errorf(EINVALID, "email", "give an email address for email")
	}
	if len(w.Avoid) > MaxAvoidRanges {
		return w, Errorf(EINVALID, "avoid", "give at most %d times", MaxAvoidRanges)
	}
	for _, r := range w.Avoid {
		if len(r.Days) == 0 || r.From < 0 || r.To > 24*60 || r.From >= r.To {
			return w, Errorf(EINVALID, "avoid", "a time must end after it starts, on at least one day")
		}
	}
	return w, nil
}

// ContactOf is how to reach a debtor: the wishes they gave (given false
// when they gave none), completed with what the creditor told us. Without
// wishes Settle writes by email, then SMS, when it has the address or
// number, and always by post last: a letter reaches everyone with an
// address. A phone number or address the debtor gave wins over the
// creditor's.
func ContactOf(d Debtor, w ContactWishes, given bool) ContactWishes {
	if w.Phone == "" {
		w.Phone, _ = NormalizePhone(d.Phone)
	}
	if w.Email == "" {
		w.Email, _ = NormalizeEmail(d.Email)
	}
	if w.Language == "" {
		w.Language = d.Language
	}
	if !given || len(w.Channels) == 0 {
		w.Channels = nil
		if w.Email != "" {
			w.Channels = append(w.Channels, ChannelEmail)
		}
		if w.Phone != "" {
			w.Channels = append(w.Channels, ChannelSMS)
		}
		w.Channels = append(w.Channels, ChannelPost)
		w.Channel = string(w.Channels[0])
	}
	return w
}

// String writes the range for agents, in English: "weekdays 08:00-17:00",
// "every day 18:00-21:00", "Sat 00:00-24:00".
func (r TimeRange) String() string {
	var days string
	switch {
	case slices.Equal(r.Days, Weekdays):
		days = "weekdays"
	case slices.Equal(r.Days, EveryDay):
		days = "every day"
	default:
		names := make([]string, len(r.Days))
		for i, d := range r.Days {
			names[i] = d.String()[:3]
		}
		days = strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", days, r.From/60, r.From%60, r.To/60, r.To%60)
}
