package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestWebhookEndpoint: register, read (never the secret), rotate, the
// address checked with a clear error, another creditor's endpoint unseen,
// delete.
func TestWebhookEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const path = "/api/v1/webhook-endpoint"
	b.call(t, "GET", path, b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "")
	for _, bad := range []obj{{"url": "http://example.com/hooks"}, {"url": ""}, {"url": "http://localhost:8080/x"}, {"url": "https://u:p@example.com/"}} {
		b.call(t, "PUT", path, b.A.Key, bad).wantError(t, http.StatusUnprocessableEntity, "invalid", "url")
	}
	m := b.call(t, "PUT", path, b.A.Key, obj{"url": "https://hooks.example.com/settle"}).want(t, http.StatusOK)
	conforms(t, "WebhookEndpoint", m)
	first := str(t, m["secret"])
	if !strings.HasPrefix(first, "whsec_") || m["url"] != "https://hooks.example.com/settle" {
		t.Fatalf("PUT answered %v, want the url and a whsec_ secret", m)
	}
	got := b.call(t, "GET", path, b.A.Key, nil).want(t, http.StatusOK)
	if _, shown := got["secret"]; shown || got["url"] != "https://hooks.example.com/settle" {
		t.Errorf("GET answered %v: the url, never the secret", got)
	}
	rotated := str(t, b.call(t, "POST", path+"/rotate", b.A.Key, nil).want(t, http.StatusOK)["secret"])
	again := str(t, b.call(t, "PUT", path, b.A.Key, obj{"url": "https://hooks.example.com/v2"}).want(t, http.StatusOK)["secret"])
	if rotated == first || again == rotated || again == first {
		t.Errorf("secrets %s, %s, %s: rotating and PUT again each give a new one", first, rotated, again)
	}
	b.call(t, "GET", path, b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "")
	b.call(t, "POST", path+"/rotate", b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "")
	b.call(t, "DELETE", path, b.A.Key, nil).want(t, http.StatusNoContent)
	b.call(t, "GET", path, b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "")
}

// TestEventsFeed: a notice sent through the API is a notice.sent event in
// the creditor's feed, paged by cursor; the other creditor sees nothing.
func TestEventsFeed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.debtor(t, b.A.Key, consumer("A-1", "Jan Jansen"))
	var notices []string
	for _, n := range []string{"F-1", "F-2"} {
		inv := b.invoice(t, b.A.Key, d, n, "2026-10-01", "2026-10-31", 10000)
		notices = append(notices, str(t, b.notice(t, b.A.Key, d, "email", "2026-11-23", inv)["id"]))
	}
	page := b.call(t, "GET", "/api/v1/events?limit=1", b.A.Key, nil).want(t, http.StatusOK)
	conforms(t, "EventPage", page)
	events := page["events"].([]any)
	if len(events) != 1 {
		t.Fatalf("first page %v, want one event", page)
	}
	e := events[0].(map[string]any)
	data := e["data"].(map[string]any)
	if e["type"] != "notice.sent" || data["notice_id"] != notices[0] || data["debtor_id"] != d || num(t, data["principal"]) != 10000 {
		t.Errorf("first event %v, want notice.sent of the first notice with its principal", e)
	}
	cursor := str(t, page["next_cursor"])
	next := b.call(t, "GET", "/api/v1/events?limit=1&after="+cursor, b.A.Key, nil).want(t, http.StatusOK)
	if evs := next["events"].([]any); len(evs) != 1 || evs[0].(map[string]any)["data"].(map[string]any)["notice_id"] != notices[1] {
		t.Fatalf("second page %v, want the second notice", next)
	}
	last := str(t, next["next_cursor"])
	end := b.call(t, "GET", "/api/v1/events?after="+last, b.A.Key, nil).want(t, http.StatusOK)
	if len(end["events"].([]any)) != 0 || end["next_cursor"] != last {
		t.Errorf("after the last event: %v, want no events and the same cursor", end)
	}
	if other := b.call(t, "GET", "/api/v1/events", b.B.Key, nil).want(t, http.StatusOK); len(other["events"].([]any)) != 0 {
		t.Errorf("creditor B sees %v, want none of A's events", other)
	}
	b.call(t, "GET", "/api/v1/events?limit=5000", b.A.Key, nil).wantError(t, http.StatusUnprocessableEntity, "invalid", "limit")
	b.call(t, "GET", "/api/v1/events?after=abc", b.A.Key, nil).wantError(t, http.StatusUnprocessableEntity, "invalid", "after")
}
