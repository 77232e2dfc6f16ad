package app

import (
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// FakeWebhooksPath is where `settle demo` receives its own creditors'
// webhooks, so that a newcomer sees signed events arrive: POST checks the
// signature, GET lists what came.
const FakeWebhooksPath = "/fake-webhooks"

// FakeWebhooks is the demo's webhook receiver. It checks each delivery's
// Settle-Signature against the secrets it trusts, as a creditor's receiver
// must, and keeps the last deliveries in memory.
type FakeWebhooks struct {
	now     func() time.Time
	mu      sync.Mutex
	secrets []string
	got     []FakeWebhook
}

// FakeWebhook is one delivery the demo receiver got.
type FakeWebhook struct {
	At        time.Time
	Event     collect.EventBody
	Signature string // the header as sent
	Valid     bool   // the signature matched a trusted secret
}

// fakeWebhooksKept is how many deliveries the receiver lists.
const fakeWebhooksKept = 200

func newFakeWebhooks(now func() time.Time) *FakeWebhooks { return &FakeWebhooks{now: now} }

// Trust adds a secret the receiver accepts signatures of.
func (f *FakeWebhooks) Trust(secret string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets = append(f.secrets, secret)
}

// Received lists the deliveries, newest first.
func (f *FakeWebhooks) Received() []FakeWebhook {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FakeWebhook, 0, len(f.got))
	for i := len(f.got) - 1; i >= 0; i-- {
		out = append(out, f.got[i])
	}
	return out
}

// ServeHTTP answers POST (a delivery: 204 when signed by a trusted secret,
// 401 when not) and GET (the list).
func (f *FakeWebhooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = fakeWebhooksPage.Execute(w, f.Received())
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST an event or GET the list", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	d := FakeWebhook{At: f.now(), Signature: r.Header.Get(collect.SignatureHeader)}
	_ = json.Unmarshal(body, &d.Event)
	f.mu.Lock()
	for _, s := range f.secrets {
		if collect.VerifyWebhook(s, d.Signature, body, d.At, 5*time.Minute) == nil {
			d.Valid = true
		}
	}
	f.got = append(f.got, d)
	if len(f.got) > fakeWebhooksKept {
		f.got = f.got[len(f.got)-fakeWebhooksKept:]
	}
	f.mu.Unlock()
	if !d.Valid {
		http.Error(w, "the signature does not match", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

var fakeWebhooksPage = template.Must(template.New("fake").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo webhook receiver</title>
<link rel="stylesheet" href="/static/settle.css"></head><body><main>
<h1>Demo webhook receiver</h1>
<p>The demo creditors' webhook endpoint points here. Each event Settle sends is checked against the creditor's secret. Newest first; reload to see more.</p>
{{if .}}<table><thead><tr><th scope="col">Received</th><th scope="col">Event</th><th scope="col">Signature</th><th scope="col">Data</th></tr></thead><tbody>
{{range .}}<tr><td>{{.At.Format "2006-01-02 15:04:05"}}</td><td>{{.Event.Type}}<br><small>{{.Event.ID}}</small></td>
<td>{{if .Valid}}valid{{else}}refused (401){{end}}</td><td><code>{{printf "%s" .Event.Data}}</code></td></tr>{{end}}
</tbody></table>{{else}}<p>Nothing yet. Pay an invoice, propose a plan or move the demo clock, and events arrive within seconds.</p>{{end}}
</main></body></html>`))

// mountFakeWebhooks serves the receiver inside the app, on the store's clock.
func mountFakeWebhooks(db *postgres.DB) (*FakeWebhooks, func(*fiber.App)) {
	f := newFakeWebhooks(func() time.Time { return db.Now() })
	h := adaptor.HTTPHandler(f)
	return f, func(app *fiber.App) {
		app.All(FakeWebhooksPath, h)
		app.All(FakeWebhooksPath+"/*", h)
	}
}

// PointDemoWebhooks registers the receiver as the webhook endpoint of the
// demo creditors, with a new secret it trusts (each start: the receiver
// keeps its secrets in memory only).
func (a *App) PointDemoWebhooks(ctx context.Context, db *postgres.DB, baseURL string, creditorIDs []string) error {
	if a.FakeWebhooks == nil {
		return nil
	}
	for _, id := range creditorIDs {
		ep, err := casework.SetWebhookEndpoint(ctx, db, "demo", id, baseURL+FakeWebhooksPath+"/"+id, true)
		if err != nil {
			return err
		}
		a.FakeWebhooks.Trust(ep.Secret)
	}
	return nil
}
