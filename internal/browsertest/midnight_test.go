package browsertest

import (
	"testing"
	"time"
)

// TestAwayFromMidnight: a journey's clock never starts while the Amsterdam
// and UTC dates differ (or just before they start to), and is untouched at
// any other time.
func TestAwayFromMidnight(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, ams) }
	utc := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, time.UTC) }
	for _, c := range []struct{ now, want time.Time }{
		{at(2, 12, 0), at(2, 12, 0)},
		{at(2, 23, 44), at(2, 23, 44)},
		{at(2, 23, 45), utc(3, 0, 15)},
		{at(3, 0, 5), utc(3, 0, 15)},
		{at(3, 0, 59), utc(3, 0, 15)},
		{at(3, 1, 0), at(3, 1, 0)},
		{at(3, 1, 16), at(3, 1, 16)},
	} {
		if got := awayFromMidnight(c.now); !got.Equal(c.want) {
			t.Errorf("awayFromMidnight(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}
