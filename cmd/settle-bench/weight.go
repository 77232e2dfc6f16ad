package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
)

// Goal 4 of issue P: the overview and its stylesheet at most 20 KB
// compressed, and no JavaScript.
const weightCeiling = 20 * 1024

var scriptTag = regexp.MustCompile(`(?i)<script\b`)

// pageWeight fetches the overview with a session's cookie and the
// stylesheets it links, and says what they weigh gzipped (level 6, what a
// proxy in front would send).
func pageWeight(ctx context.Context, base, cookie string) (goal, error) {
	get := func(path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Cookie", cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
		}
		return io.ReadAll(res.Body)
	}
	page, err := get("/overview")
	if err != nil {
		return goal{}, err
	}
	raw, packed := len(page), gzipped(page)
	for _, m := range regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindAllSubmatch(page, -1) {
		css, err := get(string(m[1]))
		if err != nil {
			return goal{}, err
		}
		raw, packed = raw+len(css), packed+gzipped(css)
	}
	scripts := len(scriptTag.FindAll(page, -1))
	return goal{"4 page weight: overview and its CSS gzipped, no JavaScript",
		fmt.Sprintf("%.1f KB (%.1f KB raw), %d script tags", float64(packed)/1024, float64(raw)/1024, scripts),
		"<= 20 KB, 0 scripts", packed <= weightCeiling && scripts == 0}, nil
}

func gzipped(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, 6)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Len()
}
