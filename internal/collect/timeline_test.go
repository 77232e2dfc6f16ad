package collect

import (
	"strings"
	"testing"
	"time"
)

func TestDescribeEvent(t *testing.T) {
	inv := map[string]string{"inv-1": "F-2026-7"}
	tests := []struct {
		name string
		e    FileEvent
		want string
	}{
		{"plan proposed", FileEvent{Action: "plan.proposed", Actor: "debtor:d", Debtor: "Jan",
			After: map[string]any{"total": float64(42750), "months": float64(18), "first_due": "2026-12-15"}},
			"Jan proposed a payment plan of 18 months of €23.75 (€427.50 in total), the first part due Tue 15 Dec 2026. It is outside the creditor's rules, so an agent decides."},
		{"uneven plan", FileEvent{Action: "plan.offered", Actor: "agent:a", AgentEmail: "anna@example.nl", Debtor: "Jan",
			After: map[string]any{"total": float64(10000), "months": float64(3)}},
			"anna@example.nl offered a payment plan of 3 months of about €33.33 (€100.00 in total)."},
		{"plan inside the rules", FileEvent{Action: "plan.approved", Actor: "debtor:d", Debtor: "Jan",
			After: map[string]any{"total": float64(30000), "months": float64(3), "frequency": "monthly"}},
			"Jan chose a payment plan of 3 months of €100.00 (€300.00 in total). It fits the creditor's rules, so it was approved at once."},
		{"weekly counter", FileEvent{Action: "plan.counter", Actor: "agent:a", AgentEmail: "anna@example.nl",
			After: map[string]any{"total": float64(2000), "months": float64(4), "frequency": "weekly", "reason": "Vanaf uw loon"}},
			"anna@example.nl made a counter-offer: 4 weeks of €5.00 (€20.00 in total). Message: “Vanaf uw loon”."},
		{"four-weekly plan as the portal records it", FileEvent{Action: "plan.approved", Actor: "debtor:d", Debtor: "Jan",
			After: map[string]any{"total": float64(6000), "months": float64(3), "frequency": string(FourWeekly)}},
			"Jan chose a payment plan of 3 periods of four weeks of €20.00 (€60.00 in total). It fits the creditor's rules, so it was approved at once."},
		{"rejected", FileEvent{Action: "plan.reject", Actor: "agent:a", AgentEmail: "anna@example.nl", After: map[string]any{"reason": ""}},
			"anna@example.nl rejected the payment plan."},
		{"link opened", FileEvent{Action: "link.opened", Actor: "visitor", Debtor: "Jan", After: map[string]any{"channel": "sms"}},
			"The link from the SMS was opened."},
		{"wrong answer", FileEvent{Action: "link.answer_wrong", Actor: "debtor:d", Debtor: "Jan", After: map[string]any{"tries_left": float64(3)}},
			"A wrong answer to the security question was typed at the link (3 tries left)."},
		{"locked", FileEvent{Action: "link.answer_wrong", Actor: "debtor:d", Debtor: "Jan", After: map[string]any{"tries_left": float64(0)}},
			"A wrong answer to the security question was typed at the link. The link is now locked for a while."},
		{"bank", FileEvent{Action: "bank_line.confirmed", Actor: "agent:a", Invoices: inv,
			After: map[string]any{"amount_cents": float64(2375), "invoice_id": "inv-1"}},
			"€23.75 arrived by bank transfer and is booked for invoice F-2026-7."},
		{"paid", FileEvent{Action: "payment.paid", Actor: "provider:mollie", Debtor: "Jan",
			Before: map[string]any{"status": "open", "amount": float64(5000)}, After: map[string]any{"status": "paid", "amount": float64(5000)}},
			"Jan paid €50.00."},
		{"charged back", FileEvent{Action: "payment.paid", Actor: "provider:stripe", Debtor: "Jan",
			Before: map[string]any{"charged_back": float64(0)}, After: map[string]any{"status": "paid", "amount": float64(5000), "charged_back": float64(5000)}},
			"€50.00 of a payment was charged back (taken back through the bank)."},
		{"message sent", FileEvent{Action: "message.sent", Actor: "system:outreach", MessageKind: "plan_reminder",
			After: map[string]any{"channel": "sms", "to": "+31612345678"}},
			"The message “plan reminder” was sent by SMS to +31612345678."},
		{"message bounced", FileEvent{Action: "message.bounced", Actor: "system:outreach",
			After: map[string]any{"channel": "email", "to": "jan@example.nl", "error": "mailbox full", "fallback": "m2"}},
			"A message by email to jan@example.nl did not arrive (mailbox full); it goes by another way instead."},
		{"dispute", FileEvent{Action: "dispute.opened", Actor: "debtor:d", Debtor: "Jan", Invoices: inv,
			After: map[string]any{"invoice_id": "inv-1", "reason": "amount_wrong", "files": float64(1)}},
			"Jan disputed invoice F-2026-7: amount wrong. Jan sent 1 file as evidence."},
		{"hardship", FileEvent{Action: "hardship.reported", Actor: "debtor:d", Debtor: "Jan",
			After: map[string]any{"reason": "income", "breathing_until": "2027-01-04"}},
			"Jan reported money trouble (income). No costs or interest until Mon 4 Jan 2027."},
		{"promise", FileEvent{Action: "promise.made", Actor: "debtor:d", Debtor: "Jan", AgentEmail: "", Invoices: inv,
			After: map[string]any{"amount_cents": float64(12000), "promised_on": "2026-12-10", "invoice_id": "inv-1"}},
			"Jan promised to pay €120.00 on Thu 10 Dec 2026 for invoice F-2026-7."},
		{"missed part", FileEvent{Action: "plan.instalment_missed", Actor: "system:followup", Debtor: "Jan",
			After: map[string]any{"seq": float64(2), "amount_cents": float64(2375), "due_on": "2026-11-30"}},
			"Jan missed part 2 of the payment plan: €23.75, due Mon 30 Nov 2026."},
		{"contact wishes", FileEvent{Action: "contact.wishes", Actor: "debtor:d", Debtor: "Jan",
			After: map[string]any{"channels": []any{"sms", "email"}, "avoid": []any{"weekday_mornings"}, "language": "tr"}},
			"Jan gave contact wishes: first by SMS, then email; not at weekday mornings; language Turkish."},
		{"assigned to self", FileEvent{Action: "queue.assigned", Actor: "agent:a1", AgentEmail: "anna@example.nl", After: map[string]any{"agent_id": "a1"}},
			"anna@example.nl took the request."},
		{"assigned to colleague", FileEvent{Action: "queue.assigned", Actor: "agent:a1", AgentEmail: "anna@example.nl",
			Agents: map[string]string{"a2": "bert@example.nl"}, After: map[string]any{"agent_id": "a2"}},
			"anna@example.nl gave the request to bert@example.nl."},
		{"municipality outcome", FileEvent{Action: "signal.outcome", Actor: "agent:a", AgentEmail: "anna@example.nl",
			After: map[string]any{"outcome": "help_accepted", "note": "Budgetadvies gegeven."}},
			"anna@example.nl recorded what the municipality did: help accepted. Note: “Budgetadvies gegeven.”."},
		{"unknown action", FileEvent{Action: "something.new_thing", Actor: "system"}, "Recorded: something: new thing."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DescribeEvent(tt.e)
			if got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
			if strings.Contains(got, "_") || strings.Contains(got, "inv-1") {
				t.Errorf("%q shows an internal name or id", got)
			}
		})
	}
}

func TestEventWho(t *testing.T) {
	tests := []struct {
		e    FileEvent
		want string
	}{
		{FileEvent{Actor: "agent:x", AgentEmail: "anna@example.nl"}, "anna@example.nl"},
		{FileEvent{Actor: "debtor:d", Debtor: "Jan"}, "Jan"},
		{FileEvent{Actor: "provider:mollie"}, "Payment provider Mollie"},
		{FileEvent{Actor: "system:outreach"}, "Settle"},
		{FileEvent{Actor: "bank"}, "The bank"},
		{FileEvent{Actor: "visitor"}, "Someone with the link"},
	}
	for _, tt := range tests {
		if got := EventWho(tt.e); got != tt.want {
			t.Errorf("EventWho(%q) = %q, want %q", tt.e.Actor, got, tt.want)
		}
	}
}

func TestCallName(t *testing.T) {
	if got := CallName(Debtor{Name: "Jan de Vries"}); got != "Jan" {
		t.Errorf("consumer: %q", got)
	}
	if got := CallName(Debtor{Name: "Bakkerij Jansen BV", Kind: Business}); got != "Bakkerij Jansen BV" {
		t.Errorf("business: %q", got)
	}
}

func TestCallScriptFor(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	base := CallFacts{Name: "Jan", Creditor: "Zonnestroom", Open: 12000, Overdue: 8000, Today: today}
	with := func(f func(*CallFacts)) CallFacts { c := base; f(&c); return c }
	tests := []struct {
		name      string
		f         CallFacts
		situation string
		says      string
	}{
		{"hardship before everything", with(func(c *CallFacts) {
			c.Hardship, c.OpenDispute, c.BrokenPromise, c.BreathingUntil = true, true, true, today.AddDate(0, 0, 10)
		}), CallHardship, "Until 13 December 2026 no costs or interest are added."},
		{"breathing space over", with(func(c *CallFacts) { c.Hardship, c.BreathingUntil = true, today.AddDate(0, 0, -1) }), CallHardship, "not to press you."},
		{"dispute", with(func(c *CallFacts) { c.OpenDispute, c.DisputedInvoice, c.MissedPart = true, "F-1", true }), CallDispute, "invoice F-1 is not right"},
		{"broken promise", with(func(c *CallFacts) { c.BrokenPromise = true }), CallMissed, "the payment you promised"},
		{"missed plan part", with(func(c *CallFacts) { c.MissedPart, c.PlanRunning = true, true }), CallMissed, "a part of your payment plan"},
		{"arrears", base, CallArrears, "You have €120.00 open with Zonnestroom, of which €80.00 is past its due date."},
		{"nothing open", CallFacts{Name: "Jan", Creditor: "Zonnestroom", Today: today}, CallNothing, "Everything is paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := CallScriptFor(tt.f)
			if s.Situation != tt.situation {
				t.Errorf("situation %q, want %q", s.Situation, tt.situation)
			}
			if !strings.Contains(s.Opening, tt.says) && !strings.Contains(strings.Join(s.Agree, " "), tt.says) {
				t.Errorf("script lacks %q: %+v", tt.says, s)
			}
			if !strings.HasPrefix(s.Opening, "Good morning/afternoon, am I speaking with Jan?") || len(s.Questions) == 0 || len(s.Agree) == 0 {
				t.Errorf("incomplete script: %+v", s)
			}
			if tt.situation == CallHardship && strings.Contains(s.Opening, "€") {
				t.Errorf("the hardship opening names an amount: %q", s.Opening)
			}
		})
	}
}

func TestCustomer(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		since    time.Time
		invoices int
		want     string
	}{
		{today.AddDate(0, -2, 0), 1, "new customer"},
		{today.AddDate(-1, 0, 0), 1, "regular customer"},
		{today.AddDate(-1, 0, 1), 2, "new customer"},
		{today.AddDate(0, -1, 0), 3, "regular customer"},
		{time.Time{}, 0, "new customer"},
	}
	for _, tt := range tests {
		if got := Customer(tt.since, today, tt.invoices); got != tt.want {
			t.Errorf("Customer(%s, %d) = %q, want %q", tt.since.Format(time.DateOnly), tt.invoices, got, tt.want)
		}
	}
}

func TestMarkInvoice(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	due := today.AddDate(0, 0, -10)
	line := func(open int64, disputed bool) Line {
		return Line{Invoice: Invoice{Number: "F-1", DueDate: due}, Principal: open, Disputed: disputed}
	}
	tests := []struct {
		name   string
		l      Line
		paidOn time.Time
		mark   string
		words  string
	}{
		{"paid on the due date", line(0, false), due, "on_time", "paid on time"},
		{"paid 3 days late", line(0, false), due.AddDate(0, 0, 3), "late", "paid 3 days late"},
		{"credited without payment", line(0, false), time.Time{}, "on_time", "paid on time"},
		{"overdue", line(500, false), time.Time{}, "overdue", "open, 10 days past due"},
		{"not due", Line{Invoice: Invoice{Number: "F-1", DueDate: today.AddDate(0, 0, 5)}, Principal: 500}, time.Time{}, "open", "open, not yet due"},
		{"disputed", line(500, true), time.Time{}, "disputed", "disputed"},
	}
	for _, tt := range tests {
		m := MarkInvoice(tt.l, tt.paidOn, today)
		if m.Mark != tt.mark || m.Words != tt.words || m.Number != "F-1" {
			t.Errorf("%s: %+v, want %s / %s", tt.name, m, tt.mark, tt.words)
		}
	}
}
