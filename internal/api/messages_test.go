package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// The debtor's messages and letters in GET /api/v1/debtors/{id}, in the
// documented shape (every call here is checked against openapi.json): the
// reminder on the debtor's channel and the 14-day letter by post, each
// with its ladder version, state and moments, the letter with the path of
// its PDF, which opens.
func TestDebtorMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	_, key, err := b.db.CreateCreditor(ctx, collect.Creditor{Name: "Zonnestroom Energie", Phone: "020 123 45 67",
		Email: "klant@zonnestroom.example", IBAN: "NL91ABNA0417164300",
		Address: collect.Address{Street: "Keizersgracht", HouseNumber: "100", Postcode: "1015 AA", City: "Amsterdam"}})
	if err != nil {
		t.Fatal(err)
	}
	debtor := b.debtor(t, key, consumer("K-1", "Jan de Vries"))
	b.invoice(t, key, debtor, "2026-1101", "2026-10-20", "2026-11-10", 24550)
	if m := b.call(t, "GET", "/api/v1/debtors/"+debtor, key, nil).want(t, http.StatusOK); len(m["messages"].([]any)) != 0 {
		t.Fatalf("messages before any outreach: %v", m["messages"])
	}
	// The reminder of day 7 runs late today, so the letter of day 14 comes
	// a week later (no burst); email is off, so the reminder fails visibly.
	senders := casework.Senders{BaseURL: baseURL}
	for _, at := range []time.Time{now, now.AddDate(0, 0, 8)} {
		if _, err := casework.PlanOutreach(ctx, b.db, at, "https://settle.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := casework.DeliverDue(ctx, b.db, senders, at); err != nil {
			t.Fatal(err)
		}
	}
	m := b.call(t, "GET", "/api/v1/debtors/"+debtor, key, nil).want(t, http.StatusOK)
	var letter, reminder map[string]any
	for _, x := range m["messages"].([]any) {
		o := x.(map[string]any)
		switch {
		case o["kind"] == "notice" && o["channel"] == "post":
			letter = o
		case o["kind"] == "reminder_after" && o["channel"] == "email":
			reminder = o
		}
	}
	if letter == nil || reminder == nil {
		t.Fatalf("messages %v, want a reminder by email and a 14-day letter by post", m["messages"])
	}
	if letter["state"] != "sent" || letter["sent_at"] == nil || letter["notice_id"] == nil || str(t, letter["planned_at"]) != "2026-12-01T11:00:00Z" {
		t.Errorf("letter %v, want sent, with its notice, planned on 1 December", letter)
	}
	if reminder["state"] != "failed" || reminder["error"] == "" || reminder["letter_url"] != nil || reminder["sent_at"] != nil ||
		str(t, reminder["invoice_id"]) == "" {
		t.Errorf("reminder %v, want a failed email with its reason", reminder)
	}
	for _, o := range []map[string]any{letter, reminder} {
		if v := o["ladder_version"]; v == nil || v.(interface{ String() string }).String() != "0" {
			t.Errorf("message %v: ladder version %v, want 0 (the default ladder)", o["id"], v)
		}
	}
	// A letter whose PDF the notice keeps gives its path, which opens;
	// one without a PDF gives none.
	pdf := b.call(t, "GET", "/api/v1/notices/"+str(t, letter["notice_id"])+"/letter.pdf", key, nil)
	switch url := letter["letter_url"]; {
	case pdf.Status == http.StatusOK && url != "/api/v1/notices/"+str(t, letter["notice_id"])+"/letter.pdf":
		t.Errorf("the letter's PDF opens, but letter_url is %v", url)
	case pdf.Status == http.StatusNotFound && url != nil:
		t.Errorf("the notice keeps no PDF, but letter_url is %v", url)
	}
}
