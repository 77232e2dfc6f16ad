package casework_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v79"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/pay/stripemock"
)

// stripeFixtures answers /v1/payouts, /v1/balance_transactions?payout= and
// /v1/payment_intents/{id} like Stripe, from objects built with stripe-go's
// own types, in pages of two so that pagination is exercised.
type stripeFixtures struct {
	t       *testing.T
	payouts []*stripego.Payout
	txns    map[string][]map[string]any // payout id → balance transactions as JSON objects
	intents map[string]*stripego.PaymentIntent
	// intentCalls counts PaymentIntent fetches (unexpanded intents).
	intentCalls atomic.Int64
}

// asJSON turns a stripe-go object into its JSON object, with fields
// replaced by set (e.g. an unexpanded reference as a plain id string).
func asJSON(t *testing.T, v any, set map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for k, x := range set {
		m[k] = x
	}
	return m
}

// txn builds a balance transaction of payout po with source src (a JSON
// object, an id string or nil).
func (f *stripeFixtures) txn(po, id string, typ stripego.BalanceTransactionType, amount, fee int64, src any) {
	bt := &stripego.BalanceTransaction{ID: id, Object: "balance_transaction", Type: typ, Amount: amount, Fee: fee, Net: amount - fee,
		Currency: stripego.CurrencyEUR, Created: now.Unix(), AvailableOn: now.Unix(), Status: stripego.BalanceTransactionStatusAvailable}
	f.txns[po] = append(f.txns[po], asJSON(f.t, bt, map[string]any{"source": src}))
}

func page[T any](items []T, id func(T) string, r *http.Request) ([]T, bool) {
	start := 0
	if after := r.URL.Query().Get("starting_after"); after != "" {
		start = slices.IndexFunc(items, func(x T) bool { return id(x) == after }) + 1
	}
	limit := 2
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n < limit {
		limit = n
	}
	end := min(start+limit, len(items))
	return items[start:end], end < len(items)
}

func (f *stripeFixtures) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer sk_test_") {
		http.Error(w, `{"error":{"type":"invalid_request_error","message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	list := func(url string, data any, more bool) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": url, "has_more": more, "data": data})
	}
	switch {
	case r.URL.Path == "/v1/payouts":
		data, more := page(f.payouts, func(p *stripego.Payout) string { return p.ID }, r)
		list("/v1/payouts", data, more)
	case r.URL.Path == "/v1/balance_transactions":
		q := r.URL.Query()
		if q.Get("expand[0]") != "data.source" && !slices.Contains(q["expand[]"], "data.source") {
			f.t.Errorf("balance transactions asked without expanding data.source: %s", r.URL.RawQuery)
		}
		all := f.txns[q.Get("payout")]
		data, more := page(all, func(m map[string]any) string { return m["id"].(string) }, r)
		list("/v1/balance_transactions", data, more)
	case strings.HasPrefix(r.URL.Path, "/v1/payment_intents/"):
		f.intentCalls.Add(1)
		pi, ok := f.intents[strings.TrimPrefix(r.URL.Path, "/v1/payment_intents/")]
		if !ok {
			http.Error(w, `{"error":{"type":"invalid_request_error","message":"No such payment_intent"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(pi)
	default:
		f.t.Errorf("unexpected Stripe call %s %s", r.Method, r.URL)
		http.Error(w, `{"error":{"type":"invalid_request_error","message":"unknown"}}`, http.StatusNotFound)
	}
}

func (e *env) stripePaid(i int, cents int64, session string) collect.Payment {
	e.t.Helper()
	p, err := e.db.CreatePayment(e.ctx, collect.Payment{CreditorID: e.cr[i].ID, DebtorID: e.d[i].ID, Amount: cents, Provider: "stripe", Method: "card"})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.PoolForTests().Exec(e.ctx, `UPDATE payments SET provider_id = $2 WHERE id = $1`, p.ID, session); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestStripePayouts: payouts and their balance transactions (charges,
// a refund, a dispute, an unknown charge, an adjustment, the payout
// itself) are matched through the metadata of the charge or its
// PaymentIntent, fees booked per creditor, and the difference is exactly
// the unmatched lines.
func TestStripePayouts(t *testing.T) {
	e := newEnv(t)
	a1 := e.stripePaid(0, 5000, "cs_a1")
	b1 := e.stripePaid(1, 3000, "cs_b1")
	a2 := e.stripePaid(0, 4000, "cs_a2")
	a3 := e.stripePaid(0, 2000, "cs_a3")

	f := &stripeFixtures{t: t, txns: map[string][]map[string]any{}, intents: map[string]*stripego.PaymentIntent{
		"pi_b1": {ID: "pi_b1", Object: "payment_intent", Metadata: map[string]string{stripe.MetadataKey: b1.ID}},
		"pi_a2": {ID: "pi_a2", Object: "payment_intent", Metadata: map[string]string{stripe.MetadataKey: a2.ID}},
	}}
	arrival := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).Unix()
	// po_1: 4860 + 2888 − 1000 − 5500 + 747 + 250 = 2245
	f.payouts = []*stripego.Payout{
		{ID: "po_1", Object: "payout", Amount: 2245, Currency: stripego.CurrencyEUR, Status: stripego.PayoutStatusPaid, ArrivalDate: arrival, Created: arrival},
		{ID: "po_2", Object: "payout", Amount: 1946, Currency: stripego.CurrencyEUR, Status: stripego.PayoutStatusInTransit, ArrivalDate: arrival, Created: arrival},
		{ID: "po_3", Object: "payout", Amount: 999, Currency: stripego.CurrencyEUR, Status: stripego.PayoutStatusFailed, Created: arrival},
	}
	card := &stripego.ChargePaymentMethodDetails{Type: "card"}
	ideal := &stripego.ChargePaymentMethodDetails{Type: "ideal"}
	f.txn("po_1", "txn_1", stripego.BalanceTransactionTypeCharge, 5000, 140, asJSON(t, &stripego.Charge{ID: "ch_1", Object: "charge",
		Amount: 5000, Currency: stripego.CurrencyEUR, Metadata: map[string]string{stripe.MetadataKey: a1.ID}, PaymentMethodDetails: ideal},
		map[string]any{"payment_intent": "pi_a1"}))
	f.txn("po_1", "txn_2", stripego.BalanceTransactionTypeCharge, 3000, 112, asJSON(t, &stripego.Charge{ID: "ch_2", Object: "charge",
		Amount: 3000, Currency: stripego.CurrencyEUR, Metadata: map[string]string{}, PaymentMethodDetails: card},
		map[string]any{"payment_intent": "pi_b1"}))
	f.txn("po_1", "txn_3", stripego.BalanceTransactionTypeRefund, -1000, 0, asJSON(t, &stripego.Refund{ID: "re_1", Object: "refund",
		Amount: 1000, Currency: stripego.CurrencyEUR}, map[string]any{"payment_intent": "pi_b1", "charge": "ch_2"}))
	f.txn("po_1", "txn_4", stripego.BalanceTransactionTypeAdjustment, -4000, 1500, asJSON(t, &stripego.Dispute{ID: "dp_1", Object: "dispute",
		Amount: 4000, Currency: stripego.CurrencyEUR}, map[string]any{"payment_intent": "pi_a2", "charge": "ch_9"}))
	f.txn("po_1", "txn_5", stripego.BalanceTransactionTypeCharge, 777, 30, asJSON(t, &stripego.Charge{ID: "ch_5", Object: "charge",
		Amount: 777, Currency: stripego.CurrencyEUR, Metadata: map[string]string{}}, map[string]any{"payment_intent": nil}))
	f.txn("po_1", "txn_6", stripego.BalanceTransactionTypeAdjustment, 250, 0, nil)
	f.txn("po_1", "txn_7", stripego.BalanceTransactionTypePayout, -2245, 0, "po_1")
	f.txn("po_2", "txn_8", stripego.BalanceTransactionTypeCharge, 2000, 54, asJSON(t, &stripego.Charge{ID: "ch_8", Object: "charge",
		Amount: 2000, Currency: stripego.CurrencyEUR, Metadata: map[string]string{stripe.MetadataKey: a3.ID}, PaymentMethodDetails: card},
		map[string]any{"payment_intent": "pi_a3"}))
	f.txn("po_2", "txn_9", stripego.BalanceTransactionTypePayout, -1946, 0, "po_2")

	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	deps := casework.Payouts{DB: e.db, Stripe: stripe.NewPayouts(srv.URL, "sk_test_settle")}
	rep, err := deps.Sync(e.ctx)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if len(rep.Payouts) != 2 || rep.Skipped != 1 {
		t.Fatalf("report %+v, want po_1 and po_2 synced and the failed po_3 skipped", rep)
	}
	if got := f.intentCalls.Load(); got != 2 {
		t.Errorf("fetched %d PaymentIntents, want 2 (pi_b1 once, pi_a2)", got)
	}

	p1, err := e.db.PayoutByReference(e.ctx, "po_1")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Provider != "stripe" || p1.Amount != 2245 || p1.SettledAt == nil || p1.SettledAt.Unix() != arrival {
		t.Errorf("po_1 = %+v", p1)
	}
	type want struct {
		kind, ref string
		amount    int64
		ours      string
	}
	wants := []want{
		{"payment", "txn_1", 5000, a1.ID}, {"fee", "txn_1", -140, a1.ID},
		{"payment", "txn_2", 3000, b1.ID}, {"fee", "txn_2", -112, b1.ID},
		{"refund", "txn_3", -1000, b1.ID},
		{"chargeback", "txn_4", -4000, a2.ID}, {"fee", "txn_4", -1500, a2.ID},
		{"payment", "txn_5", 777, ""}, {"fee", "txn_5", -30, ""},
		{"adjustment", "txn_6", 250, ""},
	}
	if len(p1.Lines) != len(wants) {
		t.Fatalf("po_1 has %d lines, want %d: %+v", len(p1.Lines), len(wants), p1.Lines)
	}
	for i, w := range wants {
		l := p1.Lines[i]
		if string(l.Kind) != w.kind || l.ProviderRef != w.ref || l.Amount != w.amount || l.PaymentID != w.ours || l.Matched != (w.ours != "") {
			t.Errorf("line %d = %+v, want %+v", i, l, w)
		}
		if l.Kind == "fee" && l.FeeBips != l.Amount*100 {
			t.Errorf("fee line %s: %d bips for %d cents", l.ProviderRef, l.FeeBips, l.Amount)
		}
	}
	if p1.Lines[0].Method != "ideal" || p1.Lines[2].Method != "card" {
		t.Errorf("methods %q, %q", p1.Lines[0].Method, p1.Lines[2].Method)
	}
	// The unknown charge (net 747) and the adjustment (250) are the difference.
	if p1.Reconciled || p1.Difference != -(747+250) {
		t.Errorf("po_1 difference %d (reconciled %v), want -997", p1.Difference, p1.Reconciled)
	}
	var causes []string
	for _, r := range rep.Payouts {
		if r.ProviderID == "po_1" {
			for _, c := range r.Causes {
				causes = append(causes, string(c.Kind)+" "+c.ProviderRef+" "+string(c.Why))
			}
		}
	}
	if strings.Join(causes, ", ") != "payment txn_5 unmatched, fee txn_5 unmatched, adjustment txn_6 unmatched" {
		t.Errorf("causes %q", causes)
	}
	p2, err := e.db.PayoutByReference(e.ctx, "po_2")
	if err != nil || !p2.Reconciled || p2.Difference != 0 || len(p2.Lines) != 2 {
		t.Errorf("po_2 = %+v, %v", p2, err)
	}
	books := e.entries()
	if a, b := books[e.cr[0].ID+" fees"], books[e.cr[1].ID+" fees"]; a != 140+1500+54 || b != 112 ||
		books[e.cr[0].ID+" clearing:stripe"] != -a || books[e.cr[1].ID+" clearing:stripe"] != -b {
		t.Errorf("books %v", books)
	}

	// Idempotent: a full resync changes no row and books nothing.
	before := e.dump()
	deps.Resync = true
	rep, err = deps.Sync(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Payouts {
		if r.Created || r.Changed || r.FeesBooked != 0 {
			t.Errorf("resync %+v", r)
		}
	}
	if after := e.dump(); after != before {
		t.Errorf("resync changed rows:\nbefore %s\nafter  %s", before, after)
	}
}

// TestStripeMockSync runs the whole sync against stripe-mock's fixtures
// (the client's requests are checked in package stripe): it runs without
// error, and the fixtures, in USD, are reported, not booked.
func TestStripeMockSync(t *testing.T) {
	e := newEnv(t)
	api := stripe.NewPayouts(stripemock.Start(t), "sk_test_stripemock")
	rep, err := casework.Payouts{DB: e.db, Stripe: api}.Sync(e.ctx)
	t.Logf("sync against stripe-mock: %+v, %v", rep, err)
}
