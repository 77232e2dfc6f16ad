package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/casework"
)

// The debtor's file lists every message and letter in a table a screen
// reader can follow, and the ladder editor passes axe too; an admin reads
// both in Chromium.
func TestBrowserMessagesAndLadder(t *testing.T) {
	site := browsertest.Start(t)
	ctx := browsertest.Browser(t)
	d := site.Debtor(t, "partly paid")
	if _, err := casework.PlanOutreach(context.Background(), site.DB, site.DB.Now(), site.URL); err != nil {
		t.Fatal(err)
	}
	consoleSignIn(t, ctx, site, "admin", false)
	if code := browsertest.Open(t, ctx, site.URL+"/console/debtors/"+d.ID); code != 200 {
		t.Fatalf("open the debtor's file: status %d", code)
	}
	rows := browsertest.Text(t, ctx, "table.messages tbody")
	if !strings.Contains(rows, "reminder") || !strings.ContainsAny(rows, "0123456789") {
		t.Errorf("messages table %q, want the planned reminder with its moment", rows)
	}
	if got := browsertest.Text(t, ctx, "p.ladder"); !strings.Contains(got, "Collection ladder: version 0 (the default ladder).") {
		t.Errorf("invoices %q, want the ladder version", got)
	}
	browsertest.Screenshot(t, ctx, "file-messages")
	browsertest.Axe(t, ctx, "console debtor file with messages")

	if code := browsertest.Open(t, ctx, site.URL+"/console/ladders/"+d.CreditorID); code != 200 {
		t.Fatalf("open the ladder editor: status %d", code)
	}
	if got := browsertest.Text(t, ctx, "h1"); !strings.HasPrefix(got, "Collection ladder of ") {
		t.Errorf("ladder h1 = %q", got)
	}
	browsertest.Screenshot(t, ctx, "ladder")
	browsertest.Axe(t, ctx, "console ladder editor")
}
