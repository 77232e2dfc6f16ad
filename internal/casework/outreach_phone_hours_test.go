package casework_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/letters"
)

// Messages and the 14-day letter give the creditor's phone hours in the
// debtor's language where the creditor wrote them (creditor_texts), as the
// portal does, and the Dutch hours where it did not. The letter is printed
// in English or Dutch, so its hours follow that language.
func TestPhoneHoursInTheDebtorsLanguage(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	for lang, h := range map[string]string{"en": "weekdays 9 to 5", "tr": "hafta içi 9-17"} {
		if err := b.db.SetCreditorText(b.ctx, b.cr.ID, lang, "phone_hours", h); err != nil {
			t.Fatal(err)
		}
	}
	post := collect.ContactWishes{Channels: []collect.Channel{collect.ChannelPost}}
	en, _ := b.debtor(t, "EN", "en", post)
	tr, _ := b.debtor(t, "TR", "tr", post)
	pl, _ := b.debtor(t, "PL", "pl", post) // no Polish hours written: the Dutch ones
	b.run(t, time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC), 6*time.Hour, nil)

	for _, tc := range []struct {
		d             collect.Debtor
		hours, letter string
	}{
		{en, "weekdays 9 to 5", "weekdays 9 to 5"},
		{tr, "hafta içi 9-17", "ma-vr 9-17"},
		{pl, "ma-vr 9-17", "ma-vr 9-17"},
	} {
		var kinds []string
		for _, m := range b.messages(t, tc.d.ID) {
			kinds = append(kinds, m.Kind)
			if m.State != collect.MessageSent || !strings.Contains(m.Text, "("+tc.hours+")") {
				t.Errorf("%s: %s %s (%s) does not give the hours %q:\n%s", tc.d.ExternalRef, m.Kind, m.Channel, m.State, tc.hours, m.Text)
			}
			if m.NoticeID == "" {
				continue
			}
			l, err := casework.NoticeLetter(b.ctx, b.db, b.cr.ID, m.NoticeID)
			if err != nil {
				t.Fatal(err)
			}
			var facts letters.Notice
			if err := json.Unmarshal(l.Facts, &facts); err != nil || facts.Creditor.PhoneHours != tc.letter {
				t.Errorf("%s: the 14-day letter gives the hours %q (%v), want %q", tc.d.ExternalRef, facts.Creditor.PhoneHours, err, tc.letter)
			}
		}
		if !strings.Contains(strings.Join(kinds, " "), "notice") {
			t.Errorf("%s: messages %v, want the 14-day letter among them", tc.d.ExternalRef, kinds)
		}
	}
}
