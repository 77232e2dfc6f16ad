package collect

import (
	"slices"
	"testing"
	"time"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"06-1234 5678", "+31612345678"},
		{"0031 6 12345678", "+31612345678"},
		{"+31 (0)6 1234 5678", ""}, // the (0) makes 12 digits: not a Dutch number
		{"+31 6 12345678", "+31612345678"},
		{"+90 532 123 45 67", "+905321234567"},
		{"020-1234567", "+31201234567"},
		{"12345678", ""},
		{"06-1234", ""},
		{"+0 612345678", ""},
		{"06 1234 567a", ""},
		{"+31612345678901234", ""},
		{"", ""},
	} {
		got, err := NormalizePhone(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Jan.Jansen@Example.NL", "Jan.Jansen@example.nl"},
		{" a@b.nl ", "a@b.nl"},
		{"a@b", ""},
		{"a@.nl", ""},
		{"@b.nl", ""},
		{"Jan <a@b.nl>", ""},
		{"a b@c.nl", ""},
		{"a@[127.0.0.1]", ""},
		{"a@b.nl.", ""},
		{"", ""},
	} {
		got, err := NormalizeEmail(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCheckContactWishes(t *testing.T) {
	work := TimeRange{Days: Weekdays, From: 8 * 60, To: 17 * 60}
	for _, tc := range []struct {
		name  string
		in    ContactWishes
		field string // "" when valid
	}{
		{"email first", ContactWishes{Channels: []Channel{ChannelEmail, ChannelPost}, Email: "a@b.nl", Avoid: []TimeRange{work}}, ""},
		{"sms with phone", ContactWishes{Channels: []Channel{ChannelSMS}, Phone: "0612345678"}, ""},
		{"no channel", ContactWishes{}, "channel"},
		{"twice", ContactWishes{Channels: []Channel{ChannelPost, ChannelPost}}, "channel"},
		{"unknown", ContactWishes{Channels: []Channel{"pigeon"}}, "channel"},
		{"sms without phone", ContactWishes{Channels: []Channel{ChannelWhatsApp}}, "phone"},
		{"email without address", ContactWishes{Channels: []Channel{ChannelPost, ChannelEmail}}, "email"},
		{"bad phone", ContactWishes{Channels: []Channel{ChannelPost}, Phone: "12"}, "phone"},
		{"bad email", ContactWishes{Channels: []Channel{ChannelPost}, Email: "nope"}, "email"},
		{"range backwards", ContactWishes{Channels: []Channel{ChannelPost}, Avoid: []TimeRange{{Days: Weekdays, From: 600, To: 500}}}, "avoid"},
		{"range no days", ContactWishes{Channels: []Channel{ChannelPost}, Avoid: []TimeRange{{From: 0, To: 60}}}, "avoid"},
		{"range past midnight", ContactWishes{Channels: []Channel{ChannelPost}, Avoid: []TimeRange{{Days: Weekdays, From: 0, To: 24*60 + 1}}}, "avoid"},
	} {
		got, err := CheckContactWishes(tc.in)
		var field string
		if e, ok := err.(*Error); ok {
			field = e.Field
		} else if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if field != tc.field {
			t.Errorf("%s: field %q, want %q (%v)", tc.name, field, tc.field, err)
		}
		if tc.field == "" && got.Channel != string(tc.in.Channels[0]) {
			t.Errorf("%s: first choice %q", tc.name, got.Channel)
		}
	}
	w, _ := CheckContactWishes(ContactWishes{Channels: []Channel{ChannelSMS}, Phone: "06 12 34 56 78"})
	if w.Phone != "+31612345678" {
		t.Errorf("phone kept as %q, want E.164", w.Phone)
	}
}

func TestTimeRangeCovers(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	work := TimeRange{Days: Weekdays, From: 8 * 60, To: 17 * 60}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 12, 2, 8, 0, 0, 0, ams), true},   // Wednesday, start
		{time.Date(2026, 12, 2, 16, 59, 0, 0, ams), true}, // just before the end
		{time.Date(2026, 12, 2, 17, 0, 0, 0, ams), false}, // the end is open
		{time.Date(2026, 12, 2, 7, 59, 0, 0, ams), false}, // before
		{time.Date(2026, 12, 5, 10, 0, 0, 0, ams), false}, // Saturday
	} {
		if got := work.Covers(tc.at); got != tc.want {
			t.Errorf("Covers(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestContactOf(t *testing.T) {
	d := Debtor{Email: "jan@example.nl", Phone: "06 1234 5678", Language: "nl"}
	w := ContactOf(d, ContactWishes{}, false)
	if want := []Channel{ChannelEmail, ChannelSMS, ChannelPost}; !slices.Equal(w.Channels, want) || w.Phone != "+31612345678" || w.Language != "nl" {
		t.Errorf("no wishes: %+v", w)
	}
	if w := ContactOf(Debtor{}, ContactWishes{}, false); !slices.Equal(w.Channels, []Channel{ChannelPost}) {
		t.Errorf("nothing known: %v, want post only", w.Channels)
	}
	given := ContactWishes{Channels: []Channel{ChannelWhatsApp}, Phone: "+31687654321", Language: "en"}
	w = ContactOf(d, given, true)
	if !slices.Equal(w.Channels, given.Channels) || w.Phone != "+31687654321" || w.Email != "jan@example.nl" || w.Language != "en" {
		t.Errorf("wishes given: %+v", w)
	}
}

func TestTimeRangeString(t *testing.T) {
	for _, tc := range []struct {
		r    TimeRange
		want string
	}{
		{TimeRange{Days: Weekdays, From: 480, To: 1020}, "weekdays 08:00-17:00"},
		{TimeRange{Days: EveryDay, From: 1080, To: 1260}, "every day 18:00-21:00"},
		{TimeRange{Days: []time.Weekday{time.Tuesday, time.Saturday}, From: 0, To: 1440}, "Tue, Sat 00:00-24:00"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
}
