package molliefake

import (
	"html/template"
	"net/http"
	"slices"
)

// checkoutTmpl imitates Mollie's test-mode payment screen: one button per
// outcome. Plain forms, no JavaScript, so it works in any test browser.
var checkoutTmpl = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mollie test payment {{.ID}}</title></head>
<body>
<h1>Test payment</h1>
<p id="description">{{.Description}}</p>
<p id="amount">{{.Currency}} {{.Value}}</p>
<p id="status">Status: {{.Status}}</p>
{{if .Open}}
<form method="post" action="{{.ID}}"><!-- relative, so the fake works under any path prefix -->
{{if .ChooseMethod}}<label>Method <select name="method"><option value="ideal">iDEAL</option><option value="creditcard">Credit card</option></select></label>{{end}}
{{range .Outcomes}}<button type="submit" name="status" value="{{.}}">{{.}}</button>
{{end}}</form>
{{else}}
<p>This payment can no longer be paid. <a href="{{.RedirectURL}}">Back to the shop</a></p>
{{end}}
</body></html>
`))

// outcomes are the final statuses Mollie's test screen offers.
var outcomes = []string{"paid", "failed", "canceled", "expired"}

func (f *Fake) checkoutPage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	p, ok := f.payments[r.PathValue("id")]
	var data map[string]any
	if ok {
		data = map[string]any{
			"ID": p.ID, "Description": p.Description, "Currency": p.Currency,
			"Value": formatCents(p.AmountCents), "Status": p.Status, "Open": p.Status == "open",
			"ChooseMethod": p.Method == "", "Outcomes": outcomes, "RedirectURL": p.RedirectURL,
		}
	}
	f.mu.Unlock()
	if !ok {
		http.Error(w, "payment not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = checkoutTmpl.Execute(w, data)
}

// checkoutSubmit applies the chosen outcome, sends the webhook in the
// background (as Mollie does, independent of the browser) and sends the
// browser back to the shop's redirectUrl with 303 so it GETs that page.
func (f *Fake) checkoutSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	status := r.PostForm.Get("status")
	if !slices.Contains(outcomes, status) {
		http.Error(w, "unknown outcome", http.StatusBadRequest)
		return
	}
	method := r.PostForm.Get("method")
	if method != "" && !slices.Contains(methods, method) {
		http.Error(w, "unknown method", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	p, ok := f.payments[r.PathValue("id")]
	if !ok {
		f.mu.Unlock()
		http.Error(w, "payment not found", http.StatusNotFound)
		return
	}
	if p.Status != "open" {
		// A second click or the back button: nothing changes, the debtor
		// just goes back to the shop, which asks its own server.
		redirect := p.RedirectURL
		f.mu.Unlock()
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return
	}
	if p.Method == "" && method != "" {
		p.Method = method
	}
	f.setStatusLocked(p, status)
	d := f.newDeliveryLocked(p)
	redirect := p.RedirectURL
	f.wg.Add(1)
	f.mu.Unlock()
	go f.deliver(d)
	http.Redirect(w, r, redirect, http.StatusSeeOther)
}
