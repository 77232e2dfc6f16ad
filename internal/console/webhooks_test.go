package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
)

// The Webhooks page shows a finance user the creditor's endpoint and its
// events; "Send again" replays one (CSRF, audited) and the receiver gets
// it. Agents do not see the page; another creditor's event is not found.
func TestWebhooksPage(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	e.Agent("finance@example.nl", "finance", cr.ID)
	other := e.creditor("Groothandel")
	var posts atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rcv.Close)
	if _, err := casework.SetWebhookEndpoint(e.Ctx, e.DB, "api", cr.ID, rcv.URL+"/hooks", true); err != nil {
		t.Fatal(err)
	}
	d := e.debtor(cr, "W-1", "Wim Wouters")
	e.hardship(cr, d)
	events, err := casework.EventsFeed(e.Ctx, e.DB, cr.ID, "", "")
	if err != nil || len(events.Events) != 1 {
		t.Fatalf("events %+v, %v: want the hardship report", events, err)
	}
	ev := events.Events[0]
	replay := "/console/webhooks/" + ev.ID + "/replay"

	c := e.signedIn("finance@example.nl")
	r := c.Get("/console/webhooks")
	apptest.WantStatus(t, "page", r, http.StatusOK)
	apptest.WantContains(t, "page", r.Body, `href="/console/webhooks">Webhooks</a>`, rcv.URL+"/hooks", "hardship.reported", "Waiting", `action="`+replay+`"`)
	apptest.WantNotContains(t, "page", r.Body, "whsec_")

	apptest.WantStatus(t, "an agent", e.signedIn("agent@example.nl").Get("/console/webhooks"), http.StatusNotFound)
	form := url.Values{"creditor": {cr.ID}}
	apptest.WantStatus(t, "without the CSRF token", c.PostAsIs(replay, form), http.StatusForbidden)
	apptest.WantStatus(t, "another creditor", c.Post(replay, url.Values{"creditor": {other.ID}}), http.StatusNotFound)
	r = c.Post(replay, form)
	apptest.WantStatus(t, "replay", r, http.StatusSeeOther)
	if posts.Load() != 1 {
		t.Errorf("the receiver got %d posts, want the replay", posts.Load())
	}
	if a := e.lastAction(d.ID); a != "webhook.replayed" {
		t.Errorf("last audit action %q, want webhook.replayed", a)
	}
	r = c.Get(r.Header.Get("Location"))
	apptest.WantContains(t, "after the replay", r.Body, "the receiver accepted it", "Delivered", "HTTP 204")
}
