package jobs

import (
	"testing"
	"time"
)

// TestDailyAt: the municipality list runs at 06:00 Dutch time, summer and
// winter, the same day when that is still ahead and the next day otherwise.
func TestDailyAt(t *testing.T) {
	s := dailyAt{hour: 6}
	tests := []struct{ now, want string }{
		{"2026-12-02T04:59:00Z", "2026-12-02T05:00:00Z"}, // winter: 06:00 CET is 05:00 UTC
		{"2026-12-02T05:00:00Z", "2026-12-03T05:00:00Z"},
		{"2026-07-01T03:00:00Z", "2026-07-01T04:00:00Z"}, // summer: 06:00 CEST is 04:00 UTC
		{"2026-07-01T22:30:00Z", "2026-07-02T04:00:00Z"}, // already the 2nd in Amsterdam
	}
	for _, tt := range tests {
		now, _ := time.Parse(time.RFC3339, tt.now)
		want, _ := time.Parse(time.RFC3339, tt.want)
		if got := s.Next(now); !got.Equal(want) {
			t.Errorf("Next(%s) = %s, want %s", tt.now, got.UTC().Format(time.RFC3339), tt.want)
		}
	}
}
