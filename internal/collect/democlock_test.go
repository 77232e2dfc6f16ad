package collect

import (
	"testing"
	"time"
)

func TestDemoClockTarget(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		advance time.Duration
		to      time.Time
		want    time.Time
		code    string
		field   string
	}{
		{name: "advance", advance: 26 * time.Hour, want: now.Add(26 * time.Hour)},
		{name: "to later", to: now.Add(19 * 24 * time.Hour), want: now.Add(19 * 24 * time.Hour)},
		{name: "to now", to: now, want: now},
		{name: "to earlier", to: now.Add(-time.Second), code: ECONFLICT, field: "to"},
		{name: "negative advance", advance: -time.Hour, code: EINVALID, field: "advance"},
		{name: "neither", code: EINVALID, field: "advance"},
		{name: "both", advance: time.Hour, to: now.Add(2 * time.Hour), code: EINVALID, field: "to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DemoClockTarget(now, tt.advance, tt.to)
			if tt.code == "" {
				if err != nil || !got.Equal(tt.want) {
					t.Fatalf("got %v, %v; want %v", got, err, tt.want)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Code != tt.code || e.Field != tt.field {
				t.Fatalf("got %v, %v; want a %s error on %q", got, err, tt.code, tt.field)
			}
		})
	}
}
