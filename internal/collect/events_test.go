package collect

import (
	"strings"
	"testing"
	"time"
)

func TestEventOf(t *testing.T) {
	paid := map[string]any{"status": "paid", "amount": int64(5000), "refunded": int64(0), "charged_back": int64(0)}
	open := map[string]any{"status": "open", "amount": int64(5000), "refunded": int64(0), "charged_back": int64(0)}
	// Read back from JSON, amounts are float64.
	partRefunded := map[string]any{"status": "paid", "amount": 5000.0, "refunded": 1000.0, "charged_back": 0.0}
	chargedBack := map[string]any{"status": "charged_back", "amount": int64(5000), "refunded": int64(0), "charged_back": int64(5000)}
	tests := []struct {
		name          string
		action        string
		before, after map[string]any
		want          EventType
	}{
		{"a payment that becomes paid is booked", "payment.paid", open, paid, EventPaymentBooked},
		{"a paid payment partly refunded stays paid: refunded, not booked again", "payment.paid", paid, partRefunded, EventPaymentRefunded},
		{"refunded in full", "payment.refunded", paid, map[string]any{"status": "refunded", "refunded": int64(5000)}, EventPaymentRefunded},
		{"charged back", "payment.charged_back", paid, chargedBack, EventPaymentChargedBack},
		{"a failed payment is no event", "payment.failed", open, map[string]any{"status": "failed"}, ""},
		{"a payment that became pending is no event", "payment.pending", open, map[string]any{"status": "pending"}, ""},
		{"a proposal waiting for an agent", "plan.proposed", nil, nil, EventPlanProposed},
		{"a proposal inside the policy, approved at once", "plan.approved", nil, nil, EventPlanApproved},
		{"an agent approves", "plan.approve", nil, nil, EventPlanApproved},
		{"an agent counters", "plan.counter", nil, nil, EventPlanCountered},
		{"an agent offers a plan", "plan.offered", nil, nil, EventPlanCountered},
		{"the debtor accepts a counter-offer", "plan.counter_approved", nil, nil, EventPlanApproved},
		{"the debtor declines a counter-offer", "plan.counter_declined", nil, nil, ""},
		{"an agent rejects: not in the list", "plan.reject", nil, nil, ""},
		{"plan broken", "plan.broken", nil, nil, EventPlanBroken},
		{"plan completed", "plan.completed", nil, nil, EventPlanCompleted},
		{"promise made", "promise.made", nil, nil, EventPromiseMade},
		{"promise broken", "promise.broken", nil, nil, EventPromiseBroken},
		{"promise kept is no event in the list", "promise.kept", nil, nil, ""},
		{"dispute opened", "dispute.opened", nil, nil, EventDisputeOpened},
		{"dispute upheld", "dispute.upheld", nil, nil, EventDisputeResolved},
		{"dispute rejected", "dispute.rejected", nil, nil, EventDisputeResolved},
		{"dispute corrected", "dispute.corrected", nil, nil, EventDisputeResolved},
		{"the audit never says dispute.resolved itself, but an action named so is not doubled", "dispute.resolved", nil, nil, ""},
		{"hardship reported", "hardship.reported", nil, nil, EventHardshipReported},
		{"an agent's follow-up of a hardship report", "hardship.followed_up", nil, nil, ""},
		{"notice sent", "notice.sent", nil, nil, EventNoticeSent},
		{"message sent", "message.sent", nil, nil, EventMessageSent},
		{"a message that failed", "message.failed", nil, nil, ""},
		{"signal raised", "signal.raised", nil, nil, EventSignalRaised},
		{"a bank line finance booked to a debtor", "bank_line.confirmed", nil, nil, EventPaymentBooked},
		{"a rejected bank line", "bank_line.rejected", nil, nil, ""},
		{"a note", "note.added", nil, nil, ""},
		{"a ladder step", "ladder.step", nil, nil, ""},
	}
	for _, tt := range tests {
		got, ok := EventOf(tt.action, tt.before, tt.after)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("%s: EventOf(%q) = %q, %v; want %q", tt.name, tt.action, got, ok, tt.want)
		}
	}
}

func TestEventData(t *testing.T) {
	got := EventData("message:m1", "d1", map[string]any{"state": "sent", "channel": "email", "to": "jan@example.nl", "error": "", "fallback": "m2"})
	want := map[string]any{"state": "sent", "channel": "email", "message_id": "m1", "debtor_id": "d1"}
	if len(got) != len(want) {
		t.Fatalf("message data = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("message data[%s] = %v, want %v", k, got[k], v)
		}
	}
	h := EventData("hardship:h1", "d1", map[string]any{"reason": "ik ben mijn baan kwijt", "breathing_until": "2027-01-15", "consent": true})
	if _, ok := h["reason"]; ok || h["breathing_until"] != "2027-01-15" || h["hardship_id"] != "h1" {
		t.Errorf("hardship data = %v: the debtor's words stay out, dates and ids go", h)
	}
	if d := EventData("", "", nil); len(d) != 0 {
		t.Errorf("no subject, no debtor, no after: data = %v, want empty", d)
	}
}

func TestWebhookSignature(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"e1","type":"payment.booked"}`)
	sig := SignWebhook("whsec_1", at, body)
	// HMAC-SHA256 with key whsec_1 of "1796288400."+body, computed with openssl:
	// printf '1796288400.{"id":"e1","type":"payment.booked"}' | openssl dgst -sha256 -hmac whsec_1
	if want := "t=1796288400,v1=c827d30f81817a845ef9df46f6ebfb4752d18084725b97ce15796f89abf51c13"; sig != want {
		t.Fatalf("signature = %q, want %q", sig, want)
	}
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"as signed", "whsec_1", sig, body, at, true},
		{"four minutes later", "whsec_1", sig, body, at.Add(4 * time.Minute), true},
		{"six minutes later: too old", "whsec_1", sig, body, at.Add(6 * time.Minute), false},
		{"another secret", "whsec_2", sig, body, at, false},
		{"another body", "whsec_1", sig, []byte(`{"id":"e2"}`), at, false},
		{"no timestamp", "whsec_1", strings.SplitN(sig, ",", 2)[1], body, at, false},
		{"a second, old v1 beside the right one (rotation)", "whsec_1", sig[:strings.Index(sig, ",")] + ",v1=00," + sig[strings.Index(sig, ",")+1:], body, at, true},
		{"empty", "whsec_1", "", body, at, false},
	}
	for _, tt := range tests {
		err := VerifyWebhook(tt.secret, tt.header, tt.body, tt.now, 5*time.Minute)
		if (err == nil) != tt.ok {
			t.Errorf("%s: VerifyWebhook = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestCheckWebhookURL(t *testing.T) {
	tests := []struct {
		raw   string
		local bool
		ok    bool
	}{
		{"https://example.com/hooks", false, true},
		{"  https://example.com:8443/hooks?x=1  ", false, true},
		{"http://example.com/hooks", false, false},
		{"http://localhost:8080/fake-webhooks/", false, false},
		{"http://localhost:8080/fake-webhooks/", true, true},
		{"http://127.0.0.1:9/x", true, true},
		{"http://[::1]:9/x", true, true},
		{"http://example.com/x", true, false},
		{"http://localhost.example.com/x", true, false},
		{"ftp://example.com/x", false, false},
		{"https://user:pw@example.com/x", false, false},
		{"https://example.com/x#frag", false, false},
		{"/relative/path", false, false},
		{"https://", false, false},
		{"", false, false},
		{"https://example.com/" + strings.Repeat("a", 2000), false, false},
	}
	for _, tt := range tests {
		_, err := CheckWebhookURL(tt.raw, tt.local)
		if (err == nil) != tt.ok {
			t.Errorf("CheckWebhookURL(%q, local %v) = %v, want ok %v", tt.raw, tt.local, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "url") {
			t.Errorf("CheckWebhookURL(%q): error %q does not name the field url", tt.raw, err)
		}
	}
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second}, {9, 2560 * time.Second},
		{10, time.Hour}, {33, time.Hour},
	}
	for _, tt := range tests {
		if got := WebhookRetryDelay(tt.attempt); got != tt.want {
			t.Errorf("WebhookRetryDelay(%d) = %s, want %s", tt.attempt, got, tt.want)
		}
	}
	// 10 s doubling to 2,560 s over the first 9 waits (5,110 s), then an
	// hour each: 34 tries wait 9 + 24 times, 5,110 s + 24 h.
	if got, want := WebhookRetrySpan(WebhookMaxAttempts), 5110*time.Second+24*time.Hour; got != want {
		t.Errorf("WebhookRetrySpan(%d) = %s, want %s", WebhookMaxAttempts, got, want)
	}
	if WebhookRetrySpan(WebhookMaxAttempts-1) < 24*time.Hour {
		t.Errorf("one try fewer spans %s: the last retry may not be what reaches 24 hours", WebhookRetrySpan(WebhookMaxAttempts-1))
	}
}

func TestEventsPage(t *testing.T) {
	tests := []struct {
		after, limit string
		cursor       int64
		n            int
		field        string
	}{
		{"", "", 0, 100, ""},
		{"42", "1000", 42, 1000, ""},
		{"0", "1", 0, 1, ""},
		{"abc", "", 0, 0, "after"},
		{"-1", "", 0, 0, "after"},
		{"", "0", 0, 0, "limit"},
		{"", "1001", 0, 0, "limit"},
		{"", "ten", 0, 0, "limit"},
	}
	for _, tt := range tests {
		c, n, err := EventsPage(tt.after, tt.limit)
		if tt.field != "" {
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("EventsPage(%q, %q) error = %v, want one naming %s", tt.after, tt.limit, err, tt.field)
			}
			continue
		}
		if err != nil || c != tt.cursor || n != tt.n {
			t.Errorf("EventsPage(%q, %q) = %d, %d, %v; want %d, %d", tt.after, tt.limit, c, n, err, tt.cursor, tt.n)
		}
	}
}
