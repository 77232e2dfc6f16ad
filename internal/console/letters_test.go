package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// A posted notice's letter is on the debtor's file for the creditor's
// agents and no one else's, and finance downloads the day's batch as one
// PDF and its manifest.
func TestLetterDownloads(t *testing.T) {
	t.Parallel()
	e, cr, a := newSignedIn(t)
	other := e.creditor("Groothandel Van Dijk")
	d := e.debtor(cr, "K-1", "Jan de Vries")
	inv := e.Invoice(collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: "2026-1101",
		IssueDate: collect.Day(2026, 10, 1), DueDate: collect.Day(2026, 10, 31), Amount: 24550})
	n, err := casework.RecordNotice(e.Ctx, e.DB, cr.Creditor, casework.NoticeRequest{DebtorID: d.ID, InvoiceIDs: []string{inv.ID},
		SentOn: collect.Day(2026, 11, 23), Channel: "post", LinkBase: e.Cfg.BaseURL})
	if err != nil || n.LetterProblem != "" {
		t.Fatalf("RecordNotice: %+v, %v", n, err)
	}
	e.Agent("other@example.nl", "agent", other.ID)
	e.Agent("finance@example.nl", "finance", cr.ID)

	file := "/console/debtors/" + d.ID
	r := a.Get(file)
	apptest.WantContains(t, "file", r.Body, `href="`+file+`/letters"`)
	r = a.Get(file + "/letters")
	apptest.WantStatus(t, "letters", r, http.StatusOK)
	apptest.WantContains(t, "letters", r.Body, `href="`+file+`/letters/`+n.ID+`"`)
	r = a.Get(file + "/letters/" + n.ID)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("letter: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if a.Get("/console/finance/letters.pdf").Status != http.StatusNotFound {
		t.Error("an agent without the finance role got the day's batch")
	}

	o := e.Client()
	o.SignInAgent("other@example.nl")
	for _, path := range []string{file + "/letters", file + "/letters/" + n.ID} {
		apptest.WantStatus(t, "another creditor's agent at "+path, o.Get(path), http.StatusNotFound)
	}

	f := e.Client()
	f.SignInAgent("finance@example.nl")
	r = f.Get("/console/finance")
	apptest.WantContains(t, "finance", r.Body, `action="/console/finance/letters.pdf"`)
	r = f.Get("/console/finance/letters.pdf?creditor=" + cr.ID + "&date=2026-11-23")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("batch: %d %.40q", r.Status, r.Body)
	}
	r = f.Get("/console/finance/letters.csv?creditor=" + cr.ID + "&date=2026-11-23")
	apptest.WantStatus(t, "manifest", r, http.StatusOK)
	apptest.WantContains(t, "manifest", r.Body, "letter,debtor,postcode,pages", "Jan de Vries")
	apptest.WantStatus(t, "a day without letters", f.Get("/console/finance/letters.pdf?creditor="+cr.ID+"&date=2026-11-24"), http.StatusNotFound)
	apptest.WantStatus(t, "another creditor's batch", f.Get("/console/finance/letters.pdf?creditor="+other.ID+"&date=2026-11-23"), http.StatusNotFound)
}
