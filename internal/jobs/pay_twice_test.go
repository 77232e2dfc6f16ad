package jobs_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// TestPayTwiceSameInvoice: two payments for the whole of the same invoice,
// both paid at once and reported to two instances: both are booked, the
// second as credit, and the overview tells the debtor.
func TestPayTwiceSameInvoice(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 10000)
	a, b := w.instance(true), w.instance(true)
	w.fake.WebhookDisabled.Store(true)
	p1 := w.mollie(a, 10000, w.invs[0].ID)
	p2 := w.mollie(b, 10000, w.invs[0].ID)
	var wg sync.WaitGroup
	for _, p := range []collect.Payment{p1, p2} {
		wg.Go(func() {
			if err := w.fake.SetStatus(p.ProviderID, "paid"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	deliver(t, []*instance{a, b}, 8, times(5, mollieHook(p1.ProviderID), mollieHook(p2.ProviderID)))
	w.settle()

	w.wantBookedOnce(p1, 10000)
	w.wantBookedOnce(p2, 10000)
	st := w.statement()
	if st.Total() != 0 || st.Credit != 10000 {
		t.Errorf("open %d, credit %d; want 0 and 10000", st.Total(), st.Credit)
	}
	if n := w.Count(`SELECT count(*) FROM ledger_entries WHERE account = 'credit' AND kind = 'payment' AND payment_id IN ($1, $2)`, p1.ID, p2.ID); n != 1 {
		t.Errorf("%d credit entries, want 1", n)
	}

	c := w.signIn(a)
	body := c.get("/overview")
	nl := i18n.For("nl")
	if want := nl.T("overview.credit", nl.Money(10000)); !strings.Contains(body, want) {
		t.Errorf("overview lacks %q:\n%s", want, body)
	}
}

// browser is a debtor's browser against one instance.
type browser struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// signIn opens a fresh magic link on in and answers the second factor.
func (w *world) signIn(in *instance) *browser {
	w.T.Helper()
	ttl, _ := access.DefaultTTL("email")
	link, _, err := casework.IssueLink(w.Ctx, in.db, w.Signer, in.base, w.cr.ID, w.d.ID, "email", ttl)
	if err != nil {
		w.T.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &browser{t: w.T, base: in.base, hc: &http.Client{Jar: jar}}
	c.get(strings.TrimPrefix(link, in.base)) // follows to /verify
	form := url.Values{"postcode": {w.d.Address.Postcode}, "house_number": {w.d.Address.HouseNumber}, "_csrf": {c.csrf}}
	resp, err := c.hc.PostForm(in.base+"/verify", form)
	if err != nil {
		w.T.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/overview" {
		w.T.Fatalf("verify: status %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return c
}

func (c *browser) get(path string) string {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: status %d\n%s", path, resp.StatusCode, raw)
	}
	if m := csrfField.FindSubmatch(raw); m != nil {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return html.UnescapeString(string(raw))
}
