package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// TestEachActionOneAuditRow runs every action once on a fresh debtor and
// checks that it wrote exactly one audit record, which the timeline shows.
func TestEachActionOneAuditRow(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	today := e.DB.Today()

	type setup struct {
		d    collect.Debtor
		path string
	}
	n := 0
	fresh := func() (collect.Debtor, collect.Invoice) {
		n++
		d := e.debtor(cr, fmt.Sprintf("D-%d", n), fmt.Sprintf("Debtor %d", n))
		inv := e.invoice(cr, d, fmt.Sprintf("F-%d", n), today.AddDate(0, 0, -60), 50000)
		return d, inv
	}
	cases := []struct {
		name   string
		action string // the audit action
		done   string
		setup  func() setup
		form   url.Values
	}{
		{"approve plan", "plan.approve", "plan.approve", func() setup {
			d, _ := fresh()
			p := e.proposal(cr, d, 90000, 18)
			return setup{d, "/plans/" + p.ID}
		}, url.Values{"decision": {"approve"}}},
		{"reject plan", "plan.reject", "plan.reject", func() setup {
			d, _ := fresh()
			p := e.proposal(cr, d, 90000, 18)
			return setup{d, "/plans/" + p.ID}
		}, url.Values{"decision": {"reject"}, "reason": {"18 months is too long for this amount."}}},
		{"counter plan", "plan.counter", "plan.counter", func() setup {
			d, _ := fresh()
			p := e.proposal(cr, d, 90000, 18)
			return setup{d, "/plans/" + p.ID}
		}, url.Values{"decision": {"counter"}, "total": {"900,00"}, "months": {"12"}, "first_due": {today.AddDate(0, 0, 10).Format("2006-01-02")}}},
		{"offer plan", "plan.offered", "plan.offer", func() setup {
			d, _ := fresh()
			return setup{d, "/plans"}
		}, url.Values{"total": {"500,00"}, "months": {"5"}, "first_due": {today.AddDate(0, 0, 14).Format("2006-01-02")}, "reason": {"After your call."}}},
		{"uphold dispute", "dispute.upheld", "dispute.upheld", func() setup {
			d, inv := fresh()
			x := e.dispute(cr, d, inv, "paid already")
			return setup{d, "/disputes/" + x.ID}
		}, url.Values{"outcome": {"upheld"}}},
		{"reject dispute", "dispute.rejected", "dispute.rejected", func() setup {
			d, inv := fresh()
			x := e.dispute(cr, d, inv, "paid already")
			return setup{d, "/disputes/" + x.ID}
		}, url.Values{"outcome": {"rejected"}, "answer": {"We did not receive your payment."}}},
		{"correct dispute", "dispute.corrected", "dispute.corrected", func() setup {
			d, inv := fresh()
			x := e.dispute(cr, d, inv, "too much")
			return setup{d, "/disputes/" + x.ID}
		}, url.Values{"outcome": {"corrected"}, "amount": {"80,00"}, "answer": {"You are right about the amount."}}},
		{"extend breathing space", "hardship.extend", "hardship.extend", func() setup {
			d, _ := fresh()
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"extend"}, "days": {"14"}}},
		{"followed up", "hardship.followed_up", "hardship.followed_up", func() setup {
			d, _ := fresh()
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"followed_up"}}},
		{"won't pay", "hardship.wont_pay", "hardship.wont_pay", func() setup {
			d, _ := fresh()
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"wont_pay"}}},
		{"waive costs", "hardship.waive_costs", "hardship.waive_costs", func() setup {
			d, inv := fresh()
			// A notice whose term passed long ago: costs are open.
			if _, err := e.DB.CreateNotice(e.Ctx, cr.Creditor, d.ID, []string{inv.ID}, collect.Notice{Channel: "email", SentOn: today.AddDate(0, 0, -40)}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.DB.ApplyPayment(e.Ctx, postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: 100, On: today, SourceKey: "test:" + d.ID}); err != nil {
				t.Fatal(err)
			}
			h := e.hardship(cr, d)
			return setup{d, "/hardships/" + h.ID}
		}, url.Values{"action": {"waive_costs"}}},
		{"note", "note.added", "note", func() setup {
			d, _ := fresh()
			return setup{d, "/notes"}
		}, url.Values{"body": {"Called the debtor; <b>agreed</b> to wait."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.T = t
			s := tc.setup()
			before := e.auditCount(s.d.ID)
			c.Get("/console/debtors/" + s.d.ID)
			r := c.Post("/console/debtors/"+s.d.ID+s.path, tc.form)
			apptest.WantStatus(t, tc.name, r, http.StatusSeeOther)
			if loc, want := r.Header.Get("Location"), "/console/debtors/"+s.d.ID+"?done="+tc.done; loc != want {
				t.Fatalf("%s: redirect to %q, want %q", tc.name, loc, want)
			}
			if got := e.auditCount(s.d.ID); got != before+1 {
				t.Errorf("%s: %d audit rows written, want exactly 1", tc.name, got-before)
			}
			if got := e.lastAction(s.d.ID); got != tc.action {
				t.Errorf("%s: last audit action %q, want %q", tc.name, got, tc.action)
			}
			page := c.Get(r.Header.Get("Location"))
			apptest.WantStatus(t, tc.name+": file", page, http.StatusOK)
			tl := page.Body[strings.Index(page.Body, `id="timeline"`):]
			// The timeline says it in words, without the record's name.
			apptest.WantContains(t, tc.name+": timeline", tl, `<td class="who">agent@example.nl</td>`, timelineWords[tc.action])
			apptest.WantNotContains(t, tc.name+": timeline", tl, tc.action)
			apptest.WantContains(t, tc.name+": confirmation", page.Body, `<div class="ok" role="status">`)
		})
	}
	c.T = t
}

func TestPlanDecisionsChangeStatus(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	today := e.DB.Today()

	status := func(d collect.Debtor) map[string]collect.Plan {
		ps, err := e.DB.Plans(e.Ctx, cr.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]collect.Plan{}
		for _, p := range ps {
			out[p.ID] = p
		}
		return out
	}

	d := e.debtor(cr, "A", "Approve Me")
	p := e.proposal(cr, d, 90000, 18)
	c.Get("/console/debtors/" + d.ID)
	c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"approve"}})
	if got := status(d)[p.ID].Status; got != "approved" {
		t.Errorf("approved plan: status %q", got)
	}
	// Answered once: a second answer is refused and changes nothing.
	c.Get("/console/debtors/" + d.ID)
	r := c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"reject"}, "reason": {"no"}})
	apptest.WantStatus(t, "second answer", r, http.StatusConflict)
	apptest.WantContains(t, "second answer", r.Body, "already answered")

	d = e.debtor(cr, "R", "Reject Me")
	p = e.proposal(cr, d, 90000, 18)
	c.Get("/console/debtors/" + d.ID)
	r = c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"reject"}})
	apptest.WantStatus(t, "reject without a reason", r, http.StatusUnprocessableEntity)
	c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"reject"}, "reason": {"Too long."}})
	if got := status(d)[p.ID]; got.Status != "rejected" || got.Reason != "Too long." {
		t.Errorf("rejected plan: status %q, reason %q", got.Status, got.Reason)
	}

	d = e.debtor(cr, "C", "Counter Me")
	p = e.proposal(cr, d, 90000, 18)
	page := c.Get("/console/debtors/" + d.ID)
	// The counter form starts from the proposal's total.
	apptest.WantContains(t, "counter form", page.Body, `name="total" inputmode="decimal" required value="900,00"`)
	first := today.AddDate(0, 0, 10)
	r = c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, url.Values{"decision": {"counter"}, "total": {"900,00"}, "months": {"12"},
		"first_due": {first.Format("2006-01-02")}, "reason": {"12 months is our maximum."}})
	apptest.WantStatus(t, "counter", r, http.StatusSeeOther)
	plans := status(d)
	if got := plans[p.ID].Status; got != "replaced" {
		t.Errorf("countered proposal: status %q, want replaced", got)
	}
	var counter collect.Plan
	for _, q := range plans {
		if q.CounterOf == p.ID {
			counter = q
		}
	}
	if counter.Status != "countered" || counter.Total != 90000 || counter.Months != 12 || !counter.FirstDue.Equal(first) || len(counter.Instalments) != 12 {
		t.Errorf("counter-offer: %+v", counter)
	}
	// Terms out of bounds are refused.
	d = e.debtor(cr, "B", "Bad Terms")
	p = e.proposal(cr, d, 90000, 18)
	c.Get("/console/debtors/" + d.ID)
	for _, form := range []url.Values{
		{"decision": {"counter"}, "total": {"abc"}, "months": {"12"}, "first_due": {first.Format("2006-01-02")}},
		{"decision": {"counter"}, "total": {"900,00"}, "months": {"0"}, "first_due": {first.Format("2006-01-02")}},
		{"decision": {"counter"}, "total": {"900,00"}, "months": {"12"}, "first_due": {today.AddDate(0, 0, -1).Format("2006-01-02")}},
		{"decision": {"maybe"}},
	} {
		apptest.WantStatus(t, fmt.Sprint(form), c.Post("/console/debtors/"+d.ID+"/plans/"+p.ID, form), http.StatusUnprocessableEntity)
	}
	if got := status(d)[p.ID].Status; got != "proposed" {
		t.Errorf("after refused terms: status %q, want proposed", got)
	}
}

func TestWaiveCostsWritesOffOpenCosts(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	today := e.DB.Today()
	d := e.debtor(cr, "W", "Waive Me")
	inv := e.invoice(cr, d, "F-W", today.AddDate(0, 0, -60), 50000)
	if _, err := e.DB.CreateNotice(e.Ctx, cr.Creditor, d.ID, []string{inv.ID}, collect.Notice{Channel: "email", SentOn: today.AddDate(0, 0, -40)}); err != nil {
		t.Fatal(err)
	}
	_, st, err := e.DB.Statement(e.Ctx, cr.ID, d.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if st.Costs <= 0 {
		t.Fatalf("costs before the hardship report: %d, want some", st.Costs)
	}
	// Book them, then report hardship: the costs stay open until waived.
	if _, _, err := e.DB.ApplyPayment(e.Ctx, postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: 100, On: today, SourceKey: "test:1", InvoiceID: inv.ID}); err != nil {
		t.Fatal(err)
	}
	h := e.hardship(cr, d)
	c := e.signedIn("agent@example.nl")
	page := c.Get("/console/debtors/" + d.ID)
	apptest.WantContains(t, "file", page.Body, "Waive the open costs")
	apptest.WantStatus(t, "waive", c.Post("/console/debtors/"+d.ID+"/hardships/"+h.ID, url.Values{"action": {"waive_costs"}}), http.StatusSeeOther)
	_, st, err = e.DB.Statement(e.Ctx, cr.ID, d.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if st.Costs != 0 {
		t.Errorf("costs after waiving: %d, want 0", st.Costs)
	}
	var n int
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT count(*) FROM ledger_entries WHERE source_key = $1 AND kind = 'write_off' AND account = 'costs'`, "waive:"+h.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("write-off entries: %d, want 1", n)
	}
	// Once per hardship report: a second waiver is refused, nothing written.
	before := e.auditCount(d.ID)
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "waive again", c.Post("/console/debtors/"+d.ID+"/hardships/"+h.ID, url.Values{"action": {"waive_costs"}}), http.StatusConflict)
	if got := e.auditCount(d.ID); got != before {
		t.Errorf("refused waiver wrote %d audit rows", got-before)
	}
}

func TestDisputeOutcomesBookCredits(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	today := e.DB.Today()
	line := func(d collect.Debtor, inv collect.Invoice) collect.Line {
		_, st, err := e.DB.Statement(e.Ctx, cr.ID, d.ID, e.DB.Today())
		if err != nil {
			t.Fatal(err)
		}
		l, _ := st.Line(inv.ID)
		return l
	}

	d := e.debtor(cr, "U", "Upheld")
	inv := e.invoice(cr, d, "F-U", today.AddDate(0, 0, -60), 10000)
	x := e.dispute(cr, d, inv, "paid")
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "uphold", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"upheld"}}), http.StatusSeeOther)
	if l := line(d, inv); l.Total() != 0 {
		t.Errorf("after upholding: invoice total %d, want 0", l.Total())
	}
	page := c.Get("/console/debtors/" + d.ID)
	apptest.WantContains(t, "upheld file", page.Body, "credit note", "dispute upheld")

	d = e.debtor(cr, "C", "Corrected")
	inv = e.invoice(cr, d, "F-C", today.AddDate(0, 0, 5), 10000)
	x = e.dispute(cr, d, inv, "too much")
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "correct to too much", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"corrected"}, "amount": {"120,00"}}), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "correct with a bad amount", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"corrected"}, "amount": {"tachtig"}}), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "correct", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"corrected"}, "amount": {"80,00"}}), http.StatusSeeOther)
	if l := line(d, inv); l.Principal != 8000 {
		t.Errorf("after correcting to 80,00: principal %d, want 8000", l.Principal)
	}

	d = e.debtor(cr, "R", "Rejected")
	inv = e.invoice(cr, d, "F-R", today.AddDate(0, 0, -60), 10000)
	x = e.dispute(cr, d, inv, "no")
	c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "reject without an answer", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"rejected"}}), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "reject", c.Post("/console/debtors/"+d.ID+"/disputes/"+x.ID, url.Values{"outcome": {"rejected"}, "answer": {"The meter reading is right."}}), http.StatusSeeOther)
	ds, err := e.DB.Disputes(e.Ctx, cr.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Status != "rejected" || ds[0].Answer != "The meter reading is right." {
		t.Errorf("rejected dispute: %q, %q", ds[0].Status, ds[0].Answer)
	}
	if l := line(d, inv); l.Principal != 10000 {
		t.Errorf("after rejecting: principal %d, want 10000", l.Principal)
	}
}

// timelineWords is what the file's timeline says after each action.
var timelineWords = map[string]string{
	"plan.approve":         "agent@example.nl approved the payment plan.",
	"plan.reject":          "agent@example.nl rejected the payment plan: “18 months is too long for this amount.”.",
	"plan.counter":         "agent@example.nl made a counter-offer: 12 months of €75.00 (€900.00 in total)",
	"plan.offered":         "agent@example.nl offered a payment plan of 5 months of €100.00 (€500.00 in total)",
	"dispute.upheld":       "agent@example.nl upheld the dispute: what was open on the invoice is credited.",
	"dispute.rejected":     "agent@example.nl rejected the dispute: collection goes on. Answer: “We did not receive your payment.”.",
	"dispute.corrected":    "agent@example.nl corrected the invoice amount to €80.00.",
	"hardship.extend":      "agent@example.nl extended the breathing space to",
	"hardship.followed_up": "agent@example.nl followed up the report of money trouble.",
	"hardship.wont_pay":    "can pay but will not",
	"hardship.waive_costs": "agent@example.nl waived",
	"note.added":           "agent@example.nl added a note: “Called the debtor; &lt;b&gt;agreed&lt;/b&gt; to wait.”.",
}
