package casework_test

import (
	"slices"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

func hitIDs(hits []postgres.DebtorHit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// FindDebtors matches every detail on its normalised form and only among
// the creditors asked for.
func TestFindDebtors(t *testing.T) {
	t.Parallel()
	e := apptest.NewStore(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	a := e.Creditor(collect.Creditor{Name: "Zonnestroom"})
	b := e.Creditor(collect.Creditor{Name: "Groothandel"})
	addr := collect.Address{Street: "Lindenlaan", HouseNumber: "1", Postcode: "1234 AB", City: "Utrecht"}
	jan := e.Debtor(collect.Debtor{CreditorID: a.ID, ExternalRef: "A-1", Name: "Jan de Vries", Email: "jan@example.nl", Phone: "06-12345678", Address: addr})
	anna := e.Debtor(collect.Debtor{CreditorID: a.ID, ExternalRef: "A-2", Name: "Anna Jansen", Email: "anna@example.nl", Phone: "0201234567",
		Address: collect.Address{Postcode: "1234 CD"}})
	bJan := e.Debtor(collect.Debtor{CreditorID: b.ID, ExternalRef: "B-1", Name: "Jan Bakker", Email: "jan@example.nl", Phone: "+31 6 12345678", Address: addr})
	inv := e.Invoice(collect.Invoice{CreditorID: a.ID, DebtorID: anna.ID, Number: "ZS-100", IssueDate: e.DB.Today(), DueDate: e.DB.Today().AddDate(0, 0, 14), Amount: 5000})
	bInv := e.Invoice(collect.Invoice{CreditorID: b.ID, DebtorID: bJan.ID, Number: "ZS-100", IssueDate: e.DB.Today(), DueDate: e.DB.Today().AddDate(0, 0, 14), Amount: 5000})

	tests := []struct {
		q    string
		want []string // ordered by name
	}{
		{"jan", []string{anna.ID, jan.ID}}, // "Anna Jansen" holds "jan" too
		{"de vries", []string{jan.ID}},
		{"1234", []string{anna.ID, jan.ID}},
		{"1234ab", []string{jan.ID}},
		{"JAN@example.nl", []string{jan.ID}},
		{"+31 6 1234 5678", []string{jan.ID}},
		{"zs-100", []string{anna.ID}},
		{inv.PaymentReference, []string{anna.ID}},
		{bInv.PaymentReference, nil},
		{"A-2", []string{anna.ID}},
		{"Bakker", nil},
		{"B-1", nil},
	}
	for _, tt := range tests {
		_, hits, err := casework.FindDebtors(e.Ctx, e.DB, []string{a.ID}, tt.q)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		if got := hitIDs(hits); !slices.Equal(got, tt.want) {
			t.Errorf("search %q: %v, want %v", tt.q, got, tt.want)
		}
	}
	// Both creditors (an admin): the other Jan is found too, and says by what.
	_, hits, err := casework.FindDebtors(e.Ctx, e.DB, []string{a.ID, b.ID}, "0612345678")
	if err != nil || len(hits) != 2 || hits[0].ID != bJan.ID || !slices.Equal(hits[0].Matched, []string{"phone"}) || hits[0].CreditorName != "Groothandel" {
		t.Errorf("both creditors: %+v, %v", hits, err)
	}
	_, hits, _ = casework.FindDebtors(e.Ctx, e.DB, []string{a.ID}, "ZS-100")
	if len(hits) != 1 || !slices.Equal(hits[0].Matched, []string{"invoice ZS-100"}) {
		t.Errorf("invoice match: %+v", hits)
	}
	if _, hits, err := casework.FindDebtors(e.Ctx, e.DB, nil, "jan"); err != nil || len(hits) != 0 {
		t.Errorf("no creditors: %v, %v", hits, err)
	}
	if _, _, err := casework.FindDebtors(e.Ctx, e.DB, []string{a.ID}, " j "); collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("one letter: %v", err)
	}
}

// A request is given to an agent of its creditor only; the filters keep
// what each asks for.
func TestAssignAndFilterQueue(t *testing.T) {
	t.Parallel()
	e := apptest.NewStore(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	a := e.Creditor(collect.Creditor{Name: "Zonnestroom"})
	b := e.Creditor(collect.Creditor{Name: "Groothandel"})
	me := e.Agent("me@example.nl", "agent", a.ID)
	colleague := e.Agent("colleague@example.nl", "agent", a.ID)
	outsider := e.Agent("outsider@example.nl", "agent", b.ID)
	d := e.Debtor(collect.Debtor{CreditorID: a.ID, ExternalRef: "A-1", Name: "Jan de Vries"})
	h, err := e.DB.ReportHardship(e.Ctx, collect.Hardship{CreditorID: a.ID, DebtorID: d.ID, Reason: "income", Consent: true}, 30)
	if err != nil {
		t.Fatal(err)
	}
	bd := e.Debtor(collect.Debtor{CreditorID: b.ID, ExternalRef: "B-1", Name: "Piet"})
	bh, err := e.DB.ReportHardship(e.Ctx, collect.Hardship{CreditorID: b.ID, DebtorID: bd.ID, Reason: "income", Consent: true}, 30)
	if err != nil {
		t.Fatal(err)
	}
	mine := []string{a.ID}
	if err := casework.AssignRequest(e.Ctx, e.DB, me, mine, "hardship", bh.ID, me.ID); !collect.IsNotFound(err) {
		t.Errorf("another creditor's request: %v, want not found", err)
	}
	if err := casework.AssignRequest(e.Ctx, e.DB, me, mine, "hardship", h.ID, outsider.ID); collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("to an outsider: %v, want invalid", err)
	}
	if err := casework.AssignRequest(e.Ctx, e.DB, me, mine, "hardship", h.ID, colleague.ID); err != nil {
		t.Fatal(err)
	}
	now := e.DB.Now()
	all, err := casework.FilteredQueue(e.Ctx, e.DB, now, mine, me.ID, casework.QueueFilter{})
	if err != nil || len(all) != 1 || all[0].AssignedID != colleague.ID || all[0].AssignedEmail != "colleague@example.nl" {
		t.Fatalf("queue %+v, %v", all, err)
	}
	for _, tt := range []struct {
		f    casework.QueueFilter
		want int
	}{
		{casework.QueueFilter{Agent: "mine"}, 0},
		{casework.QueueFilter{Agent: colleague.ID}, 1},
		{casework.QueueFilter{Agent: "none"}, 0},
		{casework.QueueFilter{Kind: "plan"}, 0},
		{casework.QueueFilter{Kind: "hardship", CreditorID: a.ID}, 1},
		{casework.QueueFilter{DueBy: collect.DutchDate(now)}, 0},
		{casework.QueueFilter{DueBy: collect.DutchDate(all[0].DueBy)}, 1},
	} {
		got, err := casework.FilteredQueue(e.Ctx, e.DB, now, mine, me.ID, tt.f)
		if err != nil || len(got) != tt.want {
			t.Errorf("filter %+v: %d entries, %v; want %d", tt.f, len(got), err, tt.want)
		}
	}
	if _, err := casework.FilteredQueue(e.Ctx, e.DB, now, mine, me.ID, casework.QueueFilter{CreditorID: b.ID}); collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("another creditor as filter: %v", err)
	}
	if err := casework.AssignRequest(e.Ctx, e.DB, me, mine, "hardship", h.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := casework.FilteredQueue(e.Ctx, e.DB, now, mine, me.ID, casework.QueueFilter{Agent: "none"}); len(got) != 1 {
		t.Errorf("after unassigning: %+v", got)
	}
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action = 'queue.assigned' AND debtor_id = $1`, d.ID); n != 2 {
		t.Errorf("%d assignment records, want 2", n)
	}
}

// Opening a link and a wrong second-factor answer are on the debtor's
// file: the opening once per visit, each wrong answer with the tries left.
func TestLinkUseOnTheFile(t *testing.T) {
	t.Parallel()
	e := apptest.NewStore(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	cr := e.Creditor(collect.Creditor{Name: "Zonnestroom"})
	d := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "A-1", Name: "Jan de Vries",
		Address: collect.Address{Street: "Lindenlaan", HouseNumber: "1", Postcode: "1234 AB", City: "Utrecht"}})
	tok, _ := e.Link(cr.ID, d.ID, "sms")
	v, err := casework.OpenLink(e.Ctx, e.DB, e.Signer, tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := casework.OpenLink(e.Ctx, e.DB, e.Signer, tok); err != nil {
		t.Fatal(err)
	}
	res, err := casework.SignIn(e.Ctx, e.DB, v, access.Answer{Postcode: "9999 ZZ", HouseNumber: "1"}, "")
	if err != nil || !res.Wrong {
		t.Fatalf("wrong answer: %+v, %v", res, err)
	}
	tl, err := e.DB.Timeline(e.Ctx, cr.ID, d.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range tl {
		actions = append(actions, ev.Action)
	}
	if !slices.Equal(actions, []string{"link.answer_wrong", "link.opened"}) {
		t.Fatalf("timeline %v, want one opening and one wrong answer", actions)
	}
	if got := collect.DescribeEvent(collect.FileEvent{Action: tl[0].Action, Actor: tl[0].Actor, After: tl[0].After}); got != "A wrong answer to the security question was typed at the link (4 tries left)." {
		t.Errorf("wrong answer says %q", got)
	}
	if got := collect.DescribeEvent(collect.FileEvent{Action: tl[1].Action, Actor: tl[1].Actor, After: tl[1].After}); got != "The link from the SMS was opened." {
		t.Errorf("opening says %q", got)
	}
}
