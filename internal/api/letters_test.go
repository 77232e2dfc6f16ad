package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// A notice recorded by post through the API keeps its letter, which the
// creditor downloads as the PDF that was printed: read back, it states the
// amount and last day to pay, and its QR codes hold the short link and an
// EPC payload with the same amount and the invoice's reference. Another
// creditor, or a notice sent by email, gets 404.
func TestNoticeLetterPDF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, key, err := b.db.CreateCreditor(context.Background(), collect.Creditor{Name: "Zonnestroom Energie", Phone: "020 123 45 67",
		PhoneHours: "op werkdagen van 9:00 tot 17:00", Email: "klant@zonnestroom.example", IBAN: "NL91ABNA0417164300",
		Address: collect.Address{Street: "Keizersgracht", HouseNumber: "100", Postcode: "1015 AA", City: "Amsterdam"}})
	if err != nil {
		t.Fatal(err)
	}
	debtor := b.debtor(t, key, consumer("K-1", "Jan de Vries"))
	inv := b.invoice(t, key, debtor, "2026-1101", "2026-10-20", "2026-11-20", 24550)
	n := b.notice(t, key, debtor, "post", "2026-11-23", inv)
	path := "/api/v1/notices/" + str(t, n["id"]) + "/letter.pdf"

	r := b.call(t, "GET", path, key, nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") {
		t.Fatalf("GET %s: %d %s %.20q", path, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if cd := r.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="letter-2026-1123-\d{6}\.pdf"$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	text, link, epc := apptest.ReadLetter(t, r.Body)
	if str(t, n["deadline"]) != "2026-12-09" {
		t.Fatalf("deadline %v", n["deadline"])
	}
	// Open on the letter's date: 245,50 and 0,08 statutory interest (4% over
	// the 3 days since the due date). The letter asks what it comes to on the
	// deadline: 19 days, 245,50 x 0,04 x 19/365 = 0,5112 -> 0,51, so 246,01.
	for _, w := range []string{"Betaal € 246,01 uiterlijk op woensdag 9 december 2026.", "€ 40,00 extra kosten", "Jan de Vries", "2026-1101"} {
		if !strings.Contains(text, w) {
			t.Errorf("letter text lacks %q\n%s", w, text)
		}
	}
	if !regexp.MustCompile(`^`+regexp.QuoteMeta(baseURL)+`/b/[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$`).MatchString(link) || len(link) > 40 {
		t.Errorf("short link %q", link)
	}
	f := strings.Split(epc, "\n")
	if len(f) < 10 || f[0] != "BCD" || f[1] != "002" || f[3] != "SCT" || f[6] != "NL91ABNA0417164300" || f[7] != "EUR246.01" || !collect.ValidRF(f[9]) {
		t.Errorf("EPC payload %q", f)
	}
	if !strings.Contains(text, f[9]) {
		t.Errorf("the letter does not print the EPC code's reference %s", f[9])
	}

	b.call(t, "GET", path, b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
	b.call(t, "GET", "/api/v1/notices/not-a-uuid/letter.pdf", key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
	mail := b.invoice(t, key, debtor, "2026-1102", "2026-10-20", "2026-11-20", 1000)
	m := b.notice(t, key, debtor, "email", "2026-11-23", mail)
	b.call(t, "GET", "/api/v1/notices/"+str(t, m["id"])+"/letter.pdf", key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
}
