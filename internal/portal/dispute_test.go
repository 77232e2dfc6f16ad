package portal_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
)

func TestDispute(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, inv, c := selfServiceDebtor(t, e, cr, "K-1", "12")
	other, otherInv, _ := selfServiceDebtor(t, e, cr, "K-2", "14")
	path := "/invoices/" + inv.ID + "/dispute"

	// The invoice page offers "I don't agree"; the form has its fields.
	r := c.Get("/invoices/" + inv.ID)
	apptest.WantContains(t, "invoice", r.Body, `href="`+path+`"`, nl.T("action.dispute"))
	r = c.Get(path)
	apptest.WantStatus(t, "dispute form", r, http.StatusOK)
	apptest.WantContains(t, "dispute form", r.Body, `enctype="multipart/form-data"`, `name="_csrf"`, `type="file"`, `name="evidence"`, "multiple",
		`name="reason" value="paid"`, `name="reason" value="other"`, `maxlength="2000"`, nl.T("dispute.reason.not_received"))

	before := e.statement(cr, d)
	lineBefore, _ := before.Line(inv.ID)
	if lineBefore.OnHold || lineBefore.Interest == 0 {
		t.Fatalf("before the dispute: on hold %v, interest %d; want interest running", lineBefore.OnHold, lineBefore.Interest)
	}

	refused := func(what string, fields map[string]string, want string, files ...upload) {
		t.Helper()
		r := postFiles(c, path, fields, files...)
		apptest.WantStatus(t, what, r, http.StatusUnprocessableEntity)
		apptest.WantContains(t, what, r.Body, want)
		checkNoLeak(t, what, r.Body)
	}
	ok := map[string]string{"reason": "paid", "body": "Ik heb op 1 oktober betaald."}
	refused("HTML named .pdf", ok, nl.T("dispute.error.type", "bon.pdf"), upload{"bon.pdf", htmlFile})
	refused("HTML among good files", ok, nl.T("dispute.error.type", "b.pdf"), upload{"a.pdf", pdfFile}, upload{"b.pdf", htmlFile})
	six := make([]upload, 6)
	for i := range six {
		six[i] = upload{"bon.pdf", pdfFile}
	}
	refused("six files", ok, nl.T("dispute.error.count", 5), six...)
	big := append(append([]byte{}, pdfFile...), bytes.Repeat([]byte{' '}, 10<<20)...)
	refused("a file over 10 MB", ok, nl.T("dispute.error.size", "groot.pdf"), upload{"groot.pdf", big})
	refused("text over 2000", map[string]string{"reason": "other", "body": strings.Repeat("é", 2001)}, nl.T("dispute.error.body", 2000))
	refused("no reason", map[string]string{"body": "hallo"}, nl.T("dispute.error.reason"))
	refused("unknown reason", map[string]string{"reason": "bored"}, nl.T("dispute.error.reason"))
	// A refused form keeps what was typed.
	r = postFiles(c, path, map[string]string{"reason": "amount_wrong", "body": "Het <b>bedrag</b> klopt niet."}, upload{"x.pdf", htmlFile})
	apptest.WantContains(t, "refused form", r.Body, `value="amount_wrong" required checked`, "Het &lt;b&gt;bedrag&lt;/b&gt; klopt niet.", nl.T("dispute.error.again"))
	if ds, _ := e.DB.Disputes(e.Ctx, cr.ID, d.ID); len(ds) != 0 {
		t.Fatalf("refused forms stored %d disputes", len(ds))
	}

	// Another debtor's invoice: 404, for the form and the post.
	apptest.WantStatus(t, "another debtor's form", c.Get("/invoices/"+otherInv.ID+"/dispute"), http.StatusNotFound)
	apptest.WantStatus(t, "another debtor's post", postFiles(c, "/invoices/"+otherInv.ID+"/dispute", ok, upload{"bon.pdf", pdfFile}), http.StatusNotFound)
	if ds, _ := e.DB.Disputes(e.Ctx, cr.ID, other.ID); len(ds) != 0 {
		t.Fatalf("a post on another debtor's invoice stored %d disputes", len(ds))
	}

	// A PDF, a JPEG and a PNG with 2000 characters: accepted, the invoice on hold.
	text := strings.Repeat("ë", 1994) + "\r\nklopt" // 2000 characters once the line break is one
	r = postFiles(c, path, map[string]string{"reason": "paid", "body": text},
		upload{"bon.pdf", pdfFile}, upload{"foto.jpg", jpegFile}, upload{"scan.png", pngFile})
	apptest.WantStatus(t, "dispute with evidence", r, http.StatusOK)
	// Monday 23 November plus five working days.
	apptest.WantContains(t, "dispute sent", r.Body, nl.T("dispute.done.title"), nl.T("dispute.done.hold", inv.Number),
		nl.T("dispute.done.nocosts"), nl.T("dispute.done.answer", "30 november 2026"))
	ds, err := e.DB.Disputes(e.Ctx, cr.ID, d.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("disputes: %v, %d", err, len(ds))
	}
	if ds[0].Reason != "paid" || ds[0].InvoiceID != inv.ID || len(ds[0].Files) != 3 || !strings.Contains(ds[0].Body, "\nklopt") || strings.Contains(ds[0].Body, "\r") {
		t.Errorf("stored dispute = %+v", ds[0])
	}
	types := map[string]string{}
	for _, f := range ds[0].Files {
		types[f.Filename] = f.ContentType
	}
	if types["bon.pdf"] != "application/pdf" || types["foto.jpg"] != "image/jpeg" || types["scan.png"] != "image/png" {
		t.Errorf("evidence types = %v", types)
	}

	// On hold: no new interest or costs while the dispute is open.
	held := e.statement(cr, d)
	line, _ := held.Line(inv.ID)
	if !line.OnHold {
		t.Error("statement: invoice not on hold after the dispute")
	}
	e.Clock.Advance(40 * 24 * time.Hour)
	later := e.statement(cr, d)
	lineLater, _ := later.Line(inv.ID)
	if lineLater.Interest != line.Interest || lineLater.Costs != line.Costs || !lineLater.OnHold {
		t.Errorf("40 days on hold: interest %d -> %d, costs %d -> %d, on hold %v", line.Interest, lineLater.Interest, line.Costs, lineLater.Costs, lineLater.OnHold)
	}

	// The overview says so, and lists the dispute with its state.
	tok, _ := e.link(cr, d, "letter")
	c.SignInDebtor(tok, d)
	r = c.Get("/overview")
	apptest.WantStatus(t, "overview", r, http.StatusOK)
	apptest.WantContains(t, "overview on hold", r.Body, nl.T("overview.onhold"), nl.T("overview.disputes"),
		nl.T("overview.dispute.about", inv.Number, "23 november 2026"), nl.T("dispute.status.open", "30 november 2026"))
	r = c.Get("/invoices/" + inv.ID)
	apptest.WantContains(t, "invoice on hold", r.Body, nl.T("overview.onhold"), nl.T("dispute.open"))
	apptest.WantNotContains(t, "invoice on hold", r.Body, `href="`+path+`"`)

	// An agent rejects it; the debtor reads why, as text.
	if err := e.DB.ResolveDispute(e.Ctx, "6f1c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c41", cr.ID, ds[0].ID, "rejected", "De <b>levering</b> is getekend.", 0); err != nil {
		t.Fatal(err)
	}
	r = c.Get("/overview")
	apptest.WantContains(t, "overview after the answer", r.Body, nl.T("dispute.status.rejected"), "De &lt;b&gt;levering&lt;/b&gt; is getekend.")
	apptest.WantNotContains(t, "overview after the answer", r.Body, "<b>levering")
}

func TestEvidenceTypeByContent(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	_, inv, c := selfServiceDebtor(t, e, cr, "K-1", "12")
	path := "/invoices/" + inv.ID + "/dispute"
	c.Get(path)
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"scan.png.pdf", pngFile, true}, // the content decides, not the name
		{"bon.jpg", pdfFile, true},
		{"page.pdf", []byte("  <html><body>hi</body></html>"), false},
		{"svg.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), false},
		{"empty.pdf", []byte{}, false},
		{"text.pdf", []byte("PDF-1.4 but not quite"), false},
		{"zip.pdf", []byte("PK\x03\x04rest"), false},
	} {
		r := postFiles(c, path, map[string]string{"reason": "other"}, upload{tc.name, tc.data})
		want := http.StatusUnprocessableEntity
		if tc.ok {
			want = http.StatusOK
			c.Get(path)
		}
		if r.Status != want {
			t.Errorf("%s: status %d, want %d", tc.name, r.Status, want)
		}
	}
}
