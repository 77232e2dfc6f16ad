package collect

import (
	"errors"
	"testing"
	"time"
)

func TestCheckOwedOn(t *testing.T) {
	today := Day(2026, time.November, 23)
	tests := []struct {
		name string
		day  time.Time
		ok   bool
	}{
		{"today", today, true},
		{"tomorrow", Day(2026, time.November, 24), true},
		{"yesterday is refused", Day(2026, time.November, 22), false},
		{"five years ahead to the day", Day(2031, time.November, 23), true},
		{"a day past five years is refused", Day(2031, time.November, 24), false},
		{"a time late today still counts as today", today.Add(23 * time.Hour), true},
	}
	for _, tt := range tests {
		err := CheckOwedOn(today, tt.day)
		if (err == nil) != tt.ok {
			t.Errorf("%s: CheckOwedOn(%s) = %v, want ok=%v", tt.name, tt.day.Format(time.DateOnly), err, tt.ok)
			continue
		}
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Code != EINVALID || e.Field != AsOfField) {
			t.Errorf("%s: error %v does not name %s as invalid", tt.name, err, AsOfField)
		}
	}
}
