package molliefake

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// Settlement amounts inside periods have four decimals, so the fake computes
// them in ten-thousandths of a unit ("bips" here): 1 cent = 100 bips.
const bipsPerCent = 100

// Fee is what the fake charges per transaction of one method: a fixed part
// in ten-thousandths of a euro plus a percentage in hundredths of a percent.
type Fee struct {
	FixedBips  int64 // e.g. 2900 for € 0,29
	PercentBPS int64 // basis points: 180 for 1.8 %
}

// fees are close to Mollie's published Dutch rates; exact values do not
// matter, only that costs are non-trivial four-decimal amounts.
var fees = map[string]Fee{
	"ideal":        {FixedBips: 2900},
	"creditcard":   {FixedBips: 2500, PercentBPS: 180},
	"bancontact":   {FixedBips: 3900},
	"banktransfer": {FixedBips: 2500},
	"refund":       {FixedBips: 2500},
}

var defaultFee = Fee{FixedBips: 2900}

// vatPercent is the Dutch VAT Mollie adds to its fees.
const vatPercent = 21

var methodNames = map[string]string{
	"ideal": "iDEAL", "creditcard": "Credit card", "bancontact": "Bancontact",
	"banktransfer": "Bank transfer", "paypal": "PayPal",
}

func methodName(m string) string {
	if n, ok := methodNames[m]; ok {
		return n
	}
	return m
}

type settlement struct {
	id, reference string
	currency      string
	cents         int64
	createdAt     time.Time
	settledAt     time.Time
	// periods: year → month → period
	periods       map[string]map[string]*period
	paymentIDs    []string
	refundIDs     []string
	chargebackIDs []string
}

type period struct {
	revenue []*line
	costs   []*line
}

type line struct {
	description, method string
	count               int
	netBips             int64
	vatBips             *int64
	grossBips           int64
	fixedBips           int64
	percent             string
	hasRate             bool
}

// ErrNothingToSettle is returned by AddSettlement when there are no paid
// payments, refunds or chargebacks left to settle.
var ErrNothingToSettle = errors.New("molliefake: nothing to settle")

// AddSettlement builds a paid-out settlement from every paid payment,
// refund and chargeback not yet settled, like Mollie's periodic payout. It
// returns the settlement id (stl_...). The settlement's reference has
// Mollie's form "<organization number>.<yymm>.<sequence>", e.g.
// "1234567.2611.01"; periods group revenue and costs per calendar month
// (UTC) and method with four-decimal amounts; the amount is revenue minus
// costs, rounded to cents.
//
// Unlike Mollie, which never settles test-mode payments, the fake settles
// payments of both modes so reconciliation can be exercised with test keys.
func (f *Fake) AddSettlement(settledAt time.Time) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if settledAt.IsZero() {
		settledAt = now
	}
	s := &settlement{
		id: newID("stl_"), currency: "EUR", createdAt: now, settledAt: settledAt.UTC(),
		periods: map[string]map[string]*period{},
	}
	type key struct{ year, month, kind, method string }
	lines := map[key]*line{}
	add := func(t time.Time, kind, method string, gross int64) *line {
		t = t.UTC()
		k := key{t.Format("2006"), t.Format("01"), kind, method}
		l, ok := lines[k]
		if !ok {
			l = &line{method: method}
			lines[k] = l
			months, ok := s.periods[k.year]
			if !ok {
				months = map[string]*period{}
				s.periods[k.year] = months
			}
			p, ok := months[k.month]
			if !ok {
				p = &period{}
				months[k.month] = p
			}
			if kind == "revenue" {
				p.revenue = append(p.revenue, l)
			} else {
				p.costs = append(p.costs, l)
			}
		}
		l.count++
		l.grossBips += gross
		return l
	}
	var revenue, costs int64
	cost := func(t time.Time, method, desc string, amountBips int64) {
		fee, ok := fees[method]
		if !ok {
			fee = defaultFee
		}
		net := fee.FixedBips + amountBips*fee.PercentBPS/10000
		l := add(t, "costs", method, 0)
		l.description = desc
		l.hasRate = true
		l.fixedBips = fee.FixedBips
		if fee.PercentBPS != 0 {
			l.percent = fmt.Sprintf("%d.%02d", fee.PercentBPS/100, fee.PercentBPS%100)
		}
		l.netBips += net
		vat := (l.netBips*vatPercent + 50) / 100
		l.vatBips = &vat
		l.grossBips = l.netBips + vat
	}

	for _, id := range f.order {
		p := f.payments[id]
		if p.Status != "paid" || p.SettlementID != "" || p.PaidAt == nil {
			continue
		}
		bips := p.AmountCents * bipsPerCent
		l := add(*p.PaidAt, "revenue", p.Method, bips)
		l.description = methodName(p.Method)
		cost(*p.PaidAt, p.Method, methodName(p.Method), bips)
		p.SettlementID = s.id
		s.paymentIDs = append(s.paymentIDs, p.ID)
		revenue += bips
	}
	for _, id := range f.order {
		p := f.payments[id]
		for _, rid := range p.refundIDs {
			r := f.refunds[rid]
			if r.settlementID != "" || r.status == "failed" || r.status == "canceled" {
				continue
			}
			bips := -r.cents * bipsPerCent
			l := add(r.createdAt, "revenue", "refund", bips)
			l.description = "Refunds " + methodName(p.Method)
			cost(r.createdAt, "refund", "Refunds "+methodName(p.Method), 0)
			r.settlementID = s.id
			// A refund deducted in a settlement has been carried out: the
			// spec's settlement refunds are always "refunded".
			r.status = "refunded"
			s.refundIDs = append(s.refundIDs, r.id)
			revenue += bips
		}
		for _, cid := range p.chargeIDs {
			c := f.chargebacks[cid]
			if c.settlementID != "" {
				continue
			}
			bips := -c.cents * bipsPerCent
			l := add(c.createdAt, "revenue", "chargeback", bips)
			l.description = "Chargebacks " + methodName(p.Method)
			c.settlementID = s.id
			s.chargebackIDs = append(s.chargebackIDs, c.id)
			revenue += bips
		}
	}
	if len(lines) == 0 {
		return "", ErrNothingToSettle
	}
	for _, l := range lines {
		if l.hasRate {
			costs += l.grossBips
		} else {
			l.netBips = l.grossBips // revenue carries no VAT
		}
	}
	s.cents = roundBipsToCents(revenue - costs)
	yymm := s.settledAt.Format("0601")
	f.refSeq[yymm]++
	s.reference = fmt.Sprintf("1234567.%s.%02d", yymm, f.refSeq[yymm])
	f.settlements = append(f.settlements, s)
	return s.id, nil
}

// roundBipsToCents rounds half away from zero.
func roundBipsToCents(b int64) int64 {
	if b < 0 {
		return -((-b + bipsPerCent/2) / bipsPerCent)
	}
	return (b + bipsPerCent/2) / bipsPerCent
}

// formatBips formats ten-thousandths as a four-decimal value ("86.1000").
func formatBips(b int64) string { return formatDecimal(b, 4) }

func bipsAmount(currency string, b int64) map[string]string {
	return map[string]string{"currency": currency, "value": formatBips(b)}
}

func (f *Fake) settlementJSONLocked(s *settlement, r *http.Request) map[string]any {
	api := apiBase(r)
	self := api + "/v2/settlements/" + s.id
	periods := map[string]any{}
	for year, months := range s.periods {
		ms := map[string]any{}
		for month, p := range months {
			ms[month] = map[string]any{
				"revenue": linesJSON(s.currency, p.revenue),
				"costs":   linesJSON(s.currency, p.costs),
			}
		}
		periods[year] = ms
	}
	return map[string]any{
		"resource":  "settlement",
		"id":        s.id,
		"reference": s.reference,
		"status":    "paidout",
		"createdAt": ts(s.createdAt),
		"settledAt": ts(s.settledAt),
		"amount":    amount(s.currency, s.cents),
		"balanceId": "bal_FakeBalance1",
		"periods":   periods,
		"_links": map[string]any{
			"self":          link(self, "application/hal+json"),
			"payments":      link(self+"/payments", "application/hal+json"),
			"refunds":       link(self+"/refunds", "application/hal+json"),
			"chargebacks":   link(self+"/chargebacks", "application/hal+json"),
			"captures":      link(self+"/captures", "application/hal+json"),
			"documentation": link("https://docs.mollie.com/reference/get-settlement", "text/html"),
		},
	}
}

func linesJSON(currency string, ls []*line) []map[string]any {
	// Stable order makes responses comparable between calls.
	sorted := append([]*line(nil), ls...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].description < sorted[j].description })
	out := make([]map[string]any, 0, len(sorted))
	for _, l := range sorted {
		m := map[string]any{
			"description": l.description,
			"method":      l.method,
			"count":       l.count,
			"amountNet":   bipsAmount(currency, l.netBips),
			"amountVat":   nil,
			"amountGross": bipsAmount(currency, l.grossBips),
		}
		if l.vatBips != nil {
			m["amountVat"] = bipsAmount(currency, *l.vatBips)
		}
		if l.hasRate {
			var pct any
			if l.percent != "" {
				pct = l.percent
			}
			m["rate"] = map[string]any{"fixed": bipsAmount(currency, l.fixedBips), "percentage": pct}
		}
		out = append(out, m)
	}
	return out
}

func (f *Fake) findSettlementLocked(w http.ResponseWriter, id string) (*settlement, bool) {
	for _, s := range f.settlements {
		if s.id == id {
			return s, true
		}
	}
	writeError(w, http.StatusNotFound, "Not Found", "No settlement exists with token "+id+".", "")
	return nil, false
}

func (f *Fake) listSettlements(w http.ResponseWriter, r *http.Request, _ string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	items := make([]item, 0, len(f.settlements))
	for _, s := range f.settlements {
		items = append(items, item{s.id, f.settlementJSONLocked(s, r)})
	}
	writeList(w, r, "settlements", items)
}

func (f *Fake) getSettlement(w http.ResponseWriter, r *http.Request, _ string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.findSettlementLocked(w, r.PathValue("id"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, f.settlementJSONLocked(s, r))
}
