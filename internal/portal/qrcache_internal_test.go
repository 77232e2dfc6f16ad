package portal

import (
	"fmt"
	"html/template"
	"strings"
	"testing"
)

// TestQRCacheBounded: a payload's code is drawn once and then served from
// the cache, a different payload gets its own code, and the cache never
// holds more than qrCacheMax codes.
func TestQRCacheBounded(t *testing.T) {
	c := &qrCache{m: map[string]template.URL{}}
	a := c.get("BCD\n002\n1\nSCT\n\nZonnestroom\nNL91ABNA0417164300\nEUR10.00\n\nRF18539007547034")
	if !strings.HasPrefix(string(a), "data:image/png;base64,") {
		t.Fatalf("code %.40q, want a PNG data address", a)
	}
	// A planted entry is what a second get returns: it is not drawn again.
	c.m["planted"] = "data:image/png;base64,AAAA"
	if got := c.get("planted"); got != "data:image/png;base64,AAAA" {
		t.Fatalf("get of a cached payload drew it again: %.40q", got)
	}
	if b := c.get("BCD\n002\n1\nSCT\n\nZonnestroom\nNL91ABNA0417164300\nEUR10.01\n\nRF18539007547034"); b == a || b == "" {
		t.Fatal("another amount got the same code, or none")
	}
	for i := range qrCacheMax + 5 {
		c.get(fmt.Sprintf("payload %d", i))
		if len(c.m) > qrCacheMax {
			t.Fatalf("%d codes cached after %d gets, want at most %d", len(c.m), i+1, qrCacheMax)
		}
	}
}
