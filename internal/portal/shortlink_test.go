package portal_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// The short link printed on a letter leads, over a real socket, to the
// second factor of the letter's link, typed as a path or in the form at /b,
// in any case and without the dash; answering it signs the debtor in. An
// unknown code shows the form again with what to do; an expired one says
// whom to call for a new link.
func TestShortLinkLeadsToTheSecondFactor(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{Serve: true})
	cr := e.Creditor(collect.Creditor{Name: "Zonnestroom Energie"})
	d := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-1", Name: "Jan de Vries"})
	link, err := casework.IssueShortLink(e.Ctx, e.DB, e.Cfg.BaseURL, cr.ID, d.ID, collect.ChannelPost)
	if err != nil {
		t.Fatal(err)
	}
	code, ok := strings.CutPrefix(link, e.Cfg.BaseURL+"/b/")
	if !ok || len(code) != 9 {
		t.Fatalf("short link %q", link)
	}

	for _, path := range []string{"/b/" + code, "/b?code=" + strings.ToLower(strings.ReplaceAll(code, "-", ""))} {
		c := e.Client()
		r := c.Get(path)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/verify" {
			t.Fatalf("GET %s: %d to %q\n%s", path, r.Status, r.Header.Get("Location"), r.Body)
		}
		r = c.Get("/verify")
		apptest.WantStatus(t, "second factor after "+path, r, http.StatusOK)
		apptest.WantContains(t, "second factor", r.Body, `name="postcode"`, "Zonnestroom Energie")
		r = c.Answer(d.Address.Postcode, d.Address.HouseNumber)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/overview" {
			t.Fatalf("answer after %s: %d to %q\n%s", path, r.Status, r.Header.Get("Location"), r.Body)
		}
	}

	c := e.Client()
	r := c.Get("/b")
	apptest.WantStatus(t, "the form", r, http.StatusOK)
	apptest.WantContains(t, "the form", r.Body, `action="/b"`, `name="code"`)
	for _, typed := range []string{"/b/7KQ4-M9XD", "/b?code=nonsense"} {
		r = c.Get(typed)
		apptest.WantStatus(t, "unknown code "+typed, r, http.StatusNotFound)
		apptest.WantContains(t, "unknown code", r.Body, "Deze code werkt niet.", `name="code"`)
	}

	e.Clock.Add(61 * 24 * time.Hour)
	r = e.Client().Get("/b/" + code)
	apptest.WantStatus(t, "expired code", r, http.StatusGone)
	apptest.WantContains(t, "expired code", r.Body, "Deze link werkt niet meer.", cr.Phone)
}
