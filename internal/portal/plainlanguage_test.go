package portal_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/plainlang"
	"github.com/settle/settle/web"
)

// minReadingEase is the build gate of the writing guide: Flesch-Douma 60.
const minReadingEase = 60

// readableText is what a debtor reads on a page: the main content and the
// footer with the creditor's contact details.
func readableText(t *testing.T, body string) string {
	t.Helper()
	var parts []string
	for _, tag := range []string{"main", "footer"} {
		i := strings.Index(body, "<"+tag)
		j := strings.LastIndex(body, "</"+tag+">")
		if i < 0 || j < i {
			if tag == "main" {
				t.Errorf("page has no <main>:\n%s", body)
			}
			continue
		}
		parts = append(parts, body[i:j+len(tag)+3])
	}
	return plainlang.TextOfHTML(strings.Join(parts, "\n"))
}

// checkReadable scores one text, logs the score and fails below the gate or on jargon.
func checkReadable(t *testing.T, name, text string) {
	t.Helper()
	s := plainlang.FleschDouma(text)
	if s.Words == 0 {
		t.Logf("%-40s no words", name)
		return
	}
	t.Logf("%-40s Flesch-Douma %5.1f  (%d words, %d sentences, %d syllables)", name, s.Value, s.Words, s.Sentences, s.Syllables)
	if s.Value < minReadingEase {
		t.Errorf("%s: Flesch-Douma %.1f, below %d:\n%s", name, s.Value, minReadingEase, text)
	}
	if hits := plainlang.Banned(text); len(hits) > 0 {
		t.Errorf("%s: banned words %v:\n%s", name, hits, text)
	}
}

type page struct {
	name   string
	status int
	body   string
}

// dutchPages are the Dutch pages a test renders, scored together at its end.
type dutchPages struct {
	t     *testing.T
	pages []page
}

// add keeps a page, and checks it is the page it claims to be: its status,
// in Dutch, saying each of says.
func (p *dutchPages) add(name string, want int, r response, says ...string) {
	p.t.Helper()
	apptest.WantContains(p.t, name, text(r), says...)
	if r.Status != want {
		p.t.Errorf("%s: status %d, want %d\n%s", name, r.Status, want, r.Body)
	}
	if !strings.Contains(r.Body, `<html lang="nl"`) {
		p.t.Errorf("%s: not in Dutch", name)
	}
	p.pages = append(p.pages, page{name, r.Status, r.Body})
}

// score checks what the debtor reads on every page kept against the
// writing guide.
func (p *dutchPages) score() {
	p.t.Helper()
	for _, pg := range p.pages {
		checkReadable(p.t, pg.name, readableText(p.t, pg.body))
	}
}

// TestPlainLanguagePages renders every Dutch debtor-facing page through the
// app and scores what the debtor reads.
func TestPlainLanguagePages(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	pages := &dutchPages{t: t}
	add := pages.add
	day := collect.Day
	seq := 0
	debtor := func() collect.Debtor {
		seq++
		ref := "K-" + string(rune('A'+seq))
		return e.debtor(cr, ref, debtorName, "7311 KL", "12")
	}
	// The second factor: the question, a wrong answer, the lock.
	d := debtor()
	e.invoice(cr, d, "F-1", "Stroom november", day(2026, 11, 10), day(2026, 12, 10), 8950)
	tok, _ := e.link(cr, d, "letter")
	c := e.Client()
	add("second factor", http.StatusOK, c.OpenLink(tok))
	add("second factor, wrong answer", http.StatusUnprocessableEntity, c.Answer("1234 AB", "1"))
	for range 3 {
		c.Answer("1234 AB", "1")
	}
	add("second factor, locked", http.StatusTooManyRequests, c.Answer("1234 AB", "1"))
	e.Clock.Advance(15 * time.Minute)

	// The overview in each of its states.
	c = e.signIn(cr, d)
	add("overview: not yet due", http.StatusOK, c.Get("/overview"))

	d = debtor()
	inv := e.invoice(cr, d, "F-2", "Stroom oktober", day(2026, 10, 1), day(2026, 10, 15), 12500)
	e.notice(cr, d, "email", day(2026, 11, 16), inv)
	c = e.signIn(cr, d)
	add("overview: inside the notice term", http.StatusOK, c.Get("/overview"))
	add("invoice: inside the notice term", http.StatusOK, c.Get("/invoices/"+inv.ID))

	d = debtor()
	inv = e.invoice(cr, d, "F-3", "Stroom september", day(2026, 9, 1), day(2026, 9, 15), 10000)
	inv2 := e.invoice(cr, d, "F-4", "Gas september", day(2026, 9, 1), day(2026, 9, 15), 4500)
	e.notice(cr, d, "post", day(2026, 10, 1), inv, inv2)
	e.pay(cr, d, 2000, day(2026, 11, 2), "partial-1")
	c = e.signIn(cr, d)
	add("overview: costs added", http.StatusOK, c.Get("/overview"))
	add("invoice: costs and interest", http.StatusOK, c.Get("/invoices/"+inv.ID))
	add("invoice: paid in part", http.StatusOK, c.Get("/invoices/"+inv2.ID))

	d = debtor()
	inv = e.invoice(cr, d, "F-5", "Water oktober", day(2026, 10, 1), day(2026, 11, 1), 6000)
	c = e.signIn(cr, d)
	add("overview: late, no letter yet", http.StatusOK, c.Get("/overview"))
	add("invoice: late", http.StatusOK, c.Get("/invoices/"+inv.ID))

	d = debtor()
	inv = e.invoice(cr, d, "F-6", "Stroom november", day(2026, 11, 10), day(2026, 12, 10), 8950)
	e.pay(cr, d, 8950, day(2026, 11, 20), "paid-1")
	c = e.signIn(cr, d)
	add("overview: nothing open", http.StatusOK, c.Get("/overview"))
	add("invoice: paid", http.StatusOK, c.Get("/invoices/"+inv.ID))

	d = debtor()
	e.invoice(cr, d, "F-7", "Stroom november", day(2026, 11, 10), day(2026, 12, 10), 5000)
	e.pay(cr, d, 8000, day(2026, 11, 20), "over-1")
	c = e.signIn(cr, d)
	r := c.Get("/overview")
	apptest.WantContains(t, "overview with credit", r.Body, nl.T("overview.credit", nl.Money(3000)))
	add("overview: with credit", http.StatusOK, r)

	// Error pages.
	add("error: not found", http.StatusNotFound, c.Get("/invoices/3f0c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c40"))
	add("error: form expired (CSRF)", http.StatusForbidden, c.Do(http.MethodPost, "/language", url.Values{"lang": {"en"}}))
	c.Get("/overview") // the page above has no CSRF token to give
	add("signed out", http.StatusOK, c.Post("/signout", nil))
	add("error: invalid link", http.StatusNotFound, e.Client().Get("/l/not-a-link"))
	rtok, rl := e.link(cr, d, "sms")
	if err := e.DB.RevokeLink(e.Ctx, cr.ID, rl.JTI); err != nil {
		t.Fatal(err)
	}
	add("error: revoked link", http.StatusGone, e.Client().Get("/l/"+rtok))
	c = e.signIn(cr, d)
	e.Clock.Advance(31 * time.Minute)
	add("error: session expired", http.StatusUnauthorized, c.Get("/overview"))
	e.Clock.Advance(61 * 24 * time.Hour)
	add("error: expired link", http.StatusGone, e.Client().Get("/l/"+tok))

	// A creditor that asks for the birth date.
	bcr := e.creditor("Zorg Verzekeraar B.V.", "088 123 45 67")
	if _, err := e.DB.PoolForTests().Exec(e.Ctx, `UPDATE creditors SET second_factor = 'birth_date' WHERE id = $1`, bcr.ID); err != nil {
		t.Fatal(err)
	}
	bd := e.debtor(bcr, "Z-1", debtorName, "7311 KL", "12")
	btok, _ := e.link(bcr, bd, "sms")
	add("second factor: birth date", http.StatusOK, e.Client().OpenLink(btok))

	pages.score()
}

// TestPlainLanguageCatalog scores the Dutch messages, joined per key prefix
// (verify, overview, next, invoice, error, ...), and checks every text for jargon.
func TestPlainLanguageCatalog(t *testing.T) {
	t.Parallel()
	nlCat := i18n.Catalog("nl")
	groups := map[string][]string{}
	keys := make([]string, 0, len(nlCat))
	for k := range nlCat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		prefix, _, ok := strings.Cut(k, ".")
		if !ok {
			prefix = "(single words)"
		}
		if prefix == "letter" {
			// The letter's field labels ("Datum: %s"), not sentences; the
			// letter's own text is scored in internal/letters.
			continue
		}
		groups[prefix] = append(groups[prefix], sentence(nlCat[k]))
		if hits := plainlang.Banned(nlCat[k]); len(hits) > 0 {
			t.Errorf("nl %q: banned words %v in %q", k, hits, nlCat[k])
		}
	}
	prefixes := make([]string, 0, len(groups))
	for p := range groups {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		checkReadable(t, "messages "+p, strings.Join(groups[p], " "))
	}
}

var fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z]`)

// sentence turns a message into a sentence of its own: its format verbs are
// left out (they are names, amounts and dates), and a label gets a full stop.
func sentence(msg string) string {
	s := strings.TrimSpace(fmtVerb.ReplaceAllString(msg, ""))
	if s != "" && !strings.ContainsAny(s[len(s)-1:], ".!?:") {
		s += "."
	}
	return s
}

// TestNoJargonInTemplates: no banned word anywhere in the templates, in text,
// attributes or comments.
func TestNoJargonInTemplates(t *testing.T) {
	t.Parallel()
	n := 0
	err := fs.WalkDir(web.Templates, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(web.Templates, path)
		if err != nil {
			return err
		}
		n++
		src := string(raw)
		for _, text := range []string{src, plainlang.TextOfHTML(src)} {
			if hits := plainlang.Banned(text); len(hits) > 0 {
				t.Errorf("%s: banned words %v", path, hits)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no templates found")
	}
}

// TestPlainLanguageSelfService scores every Dutch self-service page: "I don't
// agree", paying in parts, "I can't pay now", contact wishes, and the overview
// and invoice pages in each state these leave behind.
func TestPlainLanguageSelfService(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	agent := agentID
	pages := &dutchPages{t: t}
	add := pages.add

	// I don't agree.
	d, inv, c := selfServiceDebtor(t, e, cr, "K-1", "11")
	disputePath := "/invoices/" + inv.ID + "/dispute"
	add("dispute: form", http.StatusOK, c.Get(disputePath))
	add("dispute: wrong file", http.StatusUnprocessableEntity, postFiles(c, disputePath, map[string]string{"reason": "paid"}, upload{"bon.pdf", htmlFile}))
	add("dispute: too many files", http.StatusUnprocessableEntity, postFiles(c, disputePath, map[string]string{"reason": "paid"},
		upload{"1.pdf", pdfFile}, upload{"2.pdf", pdfFile}, upload{"3.pdf", pdfFile}, upload{"4.pdf", pdfFile}, upload{"5.pdf", pdfFile}, upload{"6.pdf", pdfFile}))
	add("dispute: sent, on hold", http.StatusOK, postFiles(c, disputePath, map[string]string{"reason": "paid", "body": "Ik heb al betaald."}, upload{"bon.pdf", pdfFile}))
	add("invoice: on hold, dispute open", http.StatusOK, c.Get("/invoices/"+inv.ID))
	add("overview: on hold, dispute open", http.StatusOK, c.Get("/overview"))
	ds, err := e.DB.Disputes(e.Ctx, cr.ID, d.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("disputes: %v %d", err, len(ds))
	}
	if err := e.DB.ResolveDispute(e.Ctx, agent, cr.ID, ds[0].ID, "rejected", "We hebben uw betaling niet gevonden. Stuur ons een bewijs.", 0); err != nil {
		t.Fatal(err)
	}
	add("overview: dispute answered", http.StatusOK, c.Get("/overview"))

	// Paying in parts.
	d, c = planDebtor(t, e, cr, "K-2", 60001)
	add("plan: form", http.StatusOK, c.Get("/plan"))
	add("plan: wrong date", http.StatusUnprocessableEntity, c.Post("/plan/preview", url.Values{"by": {"months"}, "months": {"6"}, "first": {"2020-01-01"}}))
	inside := url.Values{"by": {"months"}, "months": {"6"}, "first": {"2026-11-30"}}
	outside := url.Values{"by": {"months"}, "months": {"24"}, "first": {"2026-11-30"}}
	add("plan: preview, inside the rules", http.StatusOK, c.Post("/plan/preview", inside))
	add("plan: preview, to an employee", http.StatusOK, c.Post("/plan/preview", outside))
	add("plan: proposed", http.StatusOK, c.Post("/plan", outside))
	add("overview: plan proposed", http.StatusOK, c.Get("/overview"))
	counter := e.counter(cr, d, "Tien maanden past beter bij het bedrag.")
	add("overview: counter-offer", http.StatusOK, c.Get("/overview"))
	add("plan: counter-offer declined", http.StatusOK, c.Post("/plans/"+counter.ID+"/answer", url.Values{"answer": {"decline"}}))
	add("plan: answered twice", http.StatusConflict, c.Post("/plans/"+counter.ID+"/answer", url.Values{"answer": {"accept"}}))
	e.Clock.Advance(time.Minute)
	c.Post("/plan", outside)
	e.Clock.Advance(time.Minute)
	if _, err := e.DB.DecidePlan(e.Ctx, agent, cr.ID, plansOf(t, e, d)[0].ID, "reject", "Bel ons, dan zoeken we samen een plan.", nil); err != nil {
		t.Fatal(err)
	}
	add("overview: plan refused", http.StatusOK, c.Get("/overview"))
	e.Clock.Advance(time.Minute)
	add("plan: approved", http.StatusOK, c.Post("/plan", inside))
	r := c.Get("/overview")
	add("overview: paying in parts", http.StatusOK, r)
	first := plansOf(t, e, d)[0].Instalments[0]
	add("pay: one part of the plan", http.StatusOK, c.Get("/pay/method?what=amount&amount=100,00&instalment="+first.ID))

	// I can't pay now.
	d, _, c = selfServiceDebtor(t, e, cr, "K-3", "13")
	add("hardship: step 1", http.StatusOK, c.Get("/hardship"))
	add("hardship: step 1, no reason", http.StatusUnprocessableEntity, c.Post("/hardship", url.Values{"step": {"1"}}))
	add("hardship: step 2", http.StatusOK, c.Post("/hardship", url.Values{"step": {"1"}, "reason": {"family"}}))
	add("hardship: step 2, wrong amount", http.StatusUnprocessableEntity, c.Post("/hardship", url.Values{"step": {"2"}, "reason": {"family"}, "income": {"veel"}}))
	add("hardship: step 3", http.StatusOK, c.Post("/hardship", url.Values{"step": {"2"}, "reason": {"family"}, "income": {"1400"}}))
	add("hardship: breathing space", http.StatusOK, c.Post("/hardship", url.Values{"step": {"3"}, "reason": {"family"}, "income": {"1400"}, "consent": {"yes"}}))
	add("help", http.StatusOK, c.Get("/help"))
	add("overview: breathing space", http.StatusOK, c.Get("/overview"))

	// Contact wishes.
	add("contact: form", http.StatusOK, c.Get("/contact"))
	add("contact: no channel", http.StatusUnprocessableEntity, c.Post("/contact", url.Values{"lang": {"nl"}}))
	add("contact: wrong phone", http.StatusUnprocessableEntity, c.Post("/contact", url.Values{"ch1": {"sms"}, "phone": {"06"}, "lang": {"nl"}}))
	add("contact: saved", http.StatusOK, c.Post("/contact", url.Values{"ch1": {"sms"}, "phone": {"0612345678"}, "avoid_work": {"on"}, "lang": {"nl"}}))

	pages.score()
}

// TestPlainLanguagePay scores every Dutch pay page: what to pay (and a wrong
// amount), how to pay, iDEAL unavailable, and the return page when the
// payment is still open, paid (part and all) and failed.
func TestPlainLanguagePay(t *testing.T) {
	t.Parallel()
	// The Mollie fake, or a Mollie that answers 503 with its error body.
	fake := molliefake.New("")
	fake.WebhookDisabled.Store(true)
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.Header().Set("Content-Type", "application/hal+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":503,"title":"Service Unavailable","detail":"Mollie is down"}`))
			return
		}
		fake.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	fake.SetBaseURL(srv.URL)
	f := newPayFixture(t, srv.URL, unusedURL(t))
	c := f.c
	pages := &dutchPages{t: t}
	add := pages.add
	// start pays by iDEAL and returns our payment record.
	start := func(form url.Values) collect.Payment {
		t.Helper()
		known := map[string]bool{}
		for _, p := range f.payments(f.d.ID) {
			known[p.ID] = true
		}
		form.Set("method", "ideal")
		if r := c.Post("/pay", form); r.Status != http.StatusSeeOther {
			t.Fatalf("start iDEAL: status %d\n%s", r.Status, r.Body)
		}
		for _, p := range f.payments(f.d.ID) {
			if !known[p.ID] {
				return p
			}
		}
		t.Fatal("start iDEAL: no new payment record")
		return collect.Payment{}
	}

	add("pay: choose", http.StatusOK, c.Get("/pay"), nl.T("pay.title"), nl.T("pay.all", "€ 350,00"))
	add("pay: choose, amount too small", http.StatusUnprocessableEntity, c.Get("/pay/method?what=amount&amount="+url.QueryEscape("4,99")), nl.T("pay.error.min", "€ 5,00"))
	add("pay: method", http.StatusOK, c.Get("/pay/method?what=all"), nl.T("pay.method.title"), nl.T("pay.ideal.words"), nl.T("pay.card.words"))
	down.Store(true)
	add("pay: method, iDEAL unavailable", http.StatusServiceUnavailable, c.Post("/pay", url.Values{"what": {"all"}, "method": {"ideal"}}),
		nl.T("pay.unavailable.title"), nl.T("pay.unavailable.ideal"))
	down.Store(false)

	c.Get("/pay/method?what=invoice&invoice=" + f.invs[0].ID)
	p := start(url.Values{"what": {"invoice"}, "invoice": {f.invs[0].ID}})
	add("pay: return, still open", http.StatusOK, c.Get("/pay/return/"+p.ID), nl.T("pay.result.pending"), nl.T("pay.pending.text"))
	if err := fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	add("pay: return, paid, more to pay", http.StatusOK, c.Get("/pay/return/"+p.ID), nl.T("pay.result.paid"), nl.T("pay.paid.left", "€ 250,00"))

	p = start(url.Values{"what": {"all"}})
	if err := fake.SetStatus(p.ProviderID, "failed"); err != nil {
		t.Fatal(err)
	}
	add("pay: return, failed", http.StatusOK, c.Get("/pay/return/"+p.ID), nl.T("pay.result.failed"), nl.T("pay.failed.retry"))

	c.Get("/pay/method?what=all")
	p = start(url.Values{"what": {"all"}})
	if err := fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	add("pay: return, paid, all paid", http.StatusOK, c.Get("/pay/return/"+p.ID), nl.T("pay.result.paid"), nl.T("pay.paid.done"))

	pages.score()
}
