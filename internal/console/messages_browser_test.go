package console_test

import (
	"strings"
	"testing"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/casework"
)

// The debtor's file lists every message and letter in a table a screen
// reader can follow, and the ladder editor passes axe too; an admin reads
// both in Chromium.
func TestBrowserMessagesAndLadder(t *testing.T) {
	site, ctx := consoleJourney(t, "admin")
	d := site.Debtor(t, "partly paid")
	if _, err := casework.PlanOutreach(t.Context(), site.DB, site.DB.Now(), site.URL); err != nil {
		t.Fatal(err)
	}
	browsertest.Visit(t, ctx, site.URL+"/console/debtors/"+d.ID, "open the debtor's file")
	rows := browsertest.Text(t, ctx, "table.messages tbody")
	if !strings.Contains(rows, "reminder") || !strings.ContainsAny(rows, "0123456789") {
		t.Errorf("messages table %q, want the planned reminder with its moment", rows)
	}
	if got := browsertest.Text(t, ctx, "p.ladder"); !strings.Contains(got, "Collection ladder: version 0 (the default ladder).") {
		t.Errorf("invoices %q, want the ladder version", got)
	}
	browsertest.Screenshot(t, ctx, "file-messages")
	browsertest.Axe(t, ctx, "console debtor file with messages")

	browsertest.Visit(t, ctx, site.URL+"/console/ladders/"+d.CreditorID, "open the ladder editor")
	if got := browsertest.Text(t, ctx, "h1"); !strings.HasPrefix(got, "Collection ladder of ") {
		t.Errorf("ladder h1 = %q", got)
	}
	browsertest.Screenshot(t, ctx, "ladder")
	browsertest.Axe(t, ctx, "console ladder editor")
}
