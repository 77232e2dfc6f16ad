package collect

import (
	"fmt"
	"strings"
	"time"

	"github.com/settle/settle/internal/money"
)

// FileEvent is one audit record of a debtor's file with what the console
// knows around it, so DescribeEvent can say it in words an agent reads
// aloud: no ids, no event names, amounts in euros.
type FileEvent struct {
	Action string
	Actor  string // as recorded: agent:<id>, debtor:<id>, provider:<name>, system:<job>, bank, cli
	// AgentEmail is the email of the acting agent (Actor agent:<id>).
	AgentEmail string
	// Debtor is how the file calls the debtor: a first name or a company.
	Debtor        string
	Before, After map[string]any
	// Invoices are the debtor's invoice numbers by invoice id.
	Invoices map[string]string
	// Agents are console users' emails by id (for assignments).
	Agents map[string]string
	// MessageKind is, for a message.* record, what the message was about.
	MessageKind string
}

// CallName is how the console names a debtor in sentences: a consumer by
// the first word of their name, a business by its whole name.
func CallName(d Debtor) string {
	if d.Kind == Business {
		return d.Name
	}
	if f := strings.Fields(d.Name); len(f) > 0 {
		return f[0]
	}
	return "The debtor"
}

// EventWho names who did what a record says, for a person reading the file.
func EventWho(e FileEvent) string {
	kind, id, _ := strings.Cut(e.Actor, ":")
	switch {
	case kind == "agent" && e.AgentEmail != "":
		return e.AgentEmail
	case kind == "agent":
		return "An agent"
	case kind == "debtor":
		return e.Debtor
	case kind == "provider":
		return "Payment provider " + titleWord(id)
	case kind == "bank":
		return "The bank"
	case kind == "cli":
		return "Operator"
	case kind == "visitor":
		// Whoever holds a link: only a right second factor shows it is the debtor.
		return "Someone with the link"
	}
	return "Settle"
}

// DescribeEvent says what an audit record of a debtor's file means, in one
// or two short English sentences.
func DescribeEvent(e FileEvent) string {
	a, b := e.After, e.Before
	who, name := EventWho(e), e.Debtor
	switch e.Action {
	case "plan.proposed":
		return fmt.Sprintf("%s proposed a payment plan of %s. It is outside the creditor's rules, so an agent decides.", name, planTerms(a))
	case "plan.approved":
		if strings.HasPrefix(e.Actor, "agent:") {
			return who + " approved the payment plan."
		}
		return fmt.Sprintf("%s chose a payment plan of %s. It fits the creditor's rules, so it was approved at once.", name, planTerms(a))
	case "plan.approve":
		return who + " approved the payment plan."
	case "plan.reject":
		return who + " rejected the payment plan" + quoted(": ", a["reason"]) + "."
	case "plan.counter":
		return fmt.Sprintf("%s made a counter-offer: %s%s.", who, planTerms(a), quoted(". Message: ", a["reason"]))
	case "plan.offered":
		return fmt.Sprintf("%s offered a payment plan of %s%s.", who, planTerms(a), quoted(". Message: ", a["reason"]))
	case "plan.counter_approved":
		return name + " accepted the counter-offer."
	case "plan.counter_declined":
		return name + " declined the counter-offer."
	case "plan.completed":
		s := "The payment plan is paid in full."
		if c := cents(a, "costs_waived"); c > 0 {
			s += " " + euros(c) + " collection costs were waived as a reward."
		}
		return s
	case "plan.instalment_missed":
		return fmt.Sprintf("%s missed part %d of the payment plan: %s, due %s.", name, int(number(a, "seq")), euros(cents(a, "amount_cents")), day(a["due_on"]))
	case "plan.broken":
		return fmt.Sprintf("The payment plan has ended: %s missed %d parts.", name, int(number(a, "missed")))
	case "plan.instalment_moved":
		return fmt.Sprintf("%s moved a part of the payment plan from %s to %s.", name, day(b["due_on"]), day(a["due_on"]))
	case "promise.made":
		return fmt.Sprintf("%s promised to pay %s on %s%s.", who, euros(cents(a, "amount_cents")), day(a["promised_on"]), e.forInvoice(a))
	case "promise.kept":
		return fmt.Sprintf("%s kept the promise to pay %s on %s.", name, euros(cents(a, "amount_cents")), day(a["promised_on"]))
	case "promise.broken":
		return fmt.Sprintf("%s did not keep the promise to pay %s on %s.", name, euros(cents(a, "amount_cents")), day(a["promised_on"]))
	case "dispute.opened":
		s := fmt.Sprintf("%s disputed invoice %s: %s.", name, e.invoice(a["invoice_id"]), words(a["reason"]))
		if n := int(number(a, "files")); n > 0 {
			s += fmt.Sprintf(" %s sent %s as evidence.", name, count(n, "file", "files"))
		}
		return s
	case "dispute.upheld":
		return who + " upheld the dispute: what was open on the invoice is credited" + quoted(". Answer: ", a["answer"]) + "."
	case "dispute.rejected":
		return who + " rejected the dispute: collection goes on" + quoted(". Answer: ", a["answer"]) + "."
	case "dispute.corrected":
		return fmt.Sprintf("%s corrected the invoice amount to %s%s.", who, euros(cents(a, "correct_to")), quoted(". Answer: ", a["answer"]))
	case "hardship.reported":
		return fmt.Sprintf("%s reported money trouble (%s). No costs or interest until %s.", name, words(a["reason"]), day(a["breathing_until"]))
	case "hardship.extend":
		return fmt.Sprintf("%s extended the breathing space to %s.", who, day(a["breathing_until"]))
	case "hardship.followed_up":
		return who + " followed up the report of money trouble."
	case "hardship.wont_pay":
		return who + ` recorded that the debtor can pay but will not ("won't pay"): the hardship treatment has ended.`
	case "hardship.waive_costs":
		return fmt.Sprintf("%s waived %s collection costs.", who, euros(cents(a, "waived")))
	case "note.added":
		return who + " added a note" + quoted(": ", a["body"]) + "."
	case "contact.wishes":
		return fmt.Sprintf("%s gave contact wishes: %s.", name, wishes(a))
	case "notice.sent":
		return fmt.Sprintf("The 14-day notice was sent by %s: %s plus %s costs, to pay by %s.", channel(a["channel"]), euros(cents(a, "principal")), euros(cents(a, "costs")), day(a["deadline"]))
	case "ladder.step":
		return "The collection ladder took its next step (" + words(stepName(a["step"])) + ")."
	case "ladder.paused":
		return "The collection ladder is paused (a plan, dispute, promise or money trouble)."
	case "ladder.resumed":
		return "The collection ladder goes on again."
	case "bank_line.confirmed":
		if c := cents(a, "amount_cents"); c > 0 {
			return fmt.Sprintf("%s arrived by bank transfer and is booked%s.", euros(c), e.forInvoice(a))
		}
		return "A bank transfer is booked" + e.forInvoice(a) + "."
	case "bank_line.reversed":
		return "A booked bank transfer was reversed by the bank."
	case "credit.applied":
		return euros(cents(a, "amount_cents")) + " of credit paid what was open."
	case "credit.refund_recorded":
		return fmt.Sprintf("%s credit is to go back to %s by bank transfer from the creditor.", euros(cents(a, "amount_cents")), name)
	case "reward.applied":
		return "A reward was given for paying well."
	case "signal.raised":
		if fmt.Sprint(a["rule"]) == "vroegsignalering" {
			return fmt.Sprintf("Reported for the municipality's early help (vroegsignalering): %s in arrears.", euros(cents(a, "arrears_cents")))
		}
		return "Early signal: " + words(a["reason"]) + "."
	case "signal.dismissed":
		return who + " dismissed the early signal" + quoted(": ", a["note"]) + "."
	case "signal.outcome":
		return who + " recorded what the municipality did: " + words(a["outcome"]) + quoted(". Note: ", a["note"]) + "."
	case "task.done":
		return who + " made the personal follow-up and marked it done."
	case "queue.assigned":
		to := fmt.Sprint(a["agent_id"])
		switch {
		case to == "" || a["agent_id"] == nil:
			return who + " took the request off the list of whoever had it."
		case "agent:"+to == e.Actor:
			return who + " took the request."
		case e.Agents[to] != "":
			return who + " gave the request to " + e.Agents[to] + "."
		}
		return who + " gave the request to a colleague."
	case "webhook.replayed":
		return who + " sent an event about this debtor to the creditor's system again."
	case "link.opened":
		return fmt.Sprintf("The link from the %s was opened.", channel(a["channel"]))
	case "link.answer_wrong":
		left := int(number(a, "tries_left"))
		if left <= 0 {
			return "A wrong answer to the security question was typed at the link. The link is now locked for a while."
		}
		return fmt.Sprintf("A wrong answer to the security question was typed at the link (%s left).", count(left, "try", "tries"))
	}
	switch {
	case strings.HasPrefix(e.Action, "payment."):
		return payment(e, name)
	case strings.HasPrefix(e.Action, "message."):
		return message(e)
	case strings.HasPrefix(e.Action, "credit.refund_"):
		return fmt.Sprintf("The refund of %s credit is %s.", euros(cents(a, "amount_cents")), words(strings.TrimPrefix(e.Action, "credit.refund_")))
	}
	return "Recorded: " + words(strings.ReplaceAll(e.Action, ".", ": ")) + "."
}

func payment(e FileEvent, name string) string {
	a, b := e.After, e.Before
	if a["credit_refund_id"] != nil {
		return fmt.Sprintf("%s credit went back to %s through the payment provider.", euros(cents(a, "amount_cents")), name)
	}
	amount := euros(cents(a, "amount"))
	switch {
	case number(a, "charged_back") > number(b, "charged_back"):
		return fmt.Sprintf("%s of a payment was charged back (taken back through the bank).", euros(cents(a, "charged_back")-cents(b, "charged_back")))
	case number(a, "refunded") > number(b, "refunded"):
		return fmt.Sprintf("%s of a payment was refunded.", euros(cents(a, "refunded")-cents(b, "refunded")))
	}
	switch PaymentStatus(fmt.Sprint(a["status"])) {
	case PaymentPaid:
		return fmt.Sprintf("%s paid %s.", name, amount)
	case PaymentFailed:
		return fmt.Sprintf("A payment of %s failed.", amount)
	case PaymentCanceled:
		return fmt.Sprintf("%s stopped a payment of %s.", name, amount)
	case PaymentExpired:
		return fmt.Sprintf("A payment of %s was not finished in time.", amount)
	case PaymentOpen, PaymentPending:
		return fmt.Sprintf("%s started a payment of %s.", name, amount)
	}
	return fmt.Sprintf("A payment of %s is now %s.", amount, words(a["status"]))
}

func message(e FileEvent) string {
	a := e.After
	what := "A message"
	if e.MessageKind != "" {
		what = "The message " + quote(words(e.MessageKind))
	}
	to := ""
	if s := fmt.Sprint(a["to"]); a["to"] != nil && s != "" {
		to = " to " + s
	}
	switch MessageState(strings.TrimPrefix(e.Action, "message.")) {
	case MessageSent:
		return fmt.Sprintf("%s was sent by %s%s.", what, channel(a["channel"]), to)
	case MessageDelivered:
		return fmt.Sprintf("%s by %s%s was delivered.", what, channel(a["channel"]), to)
	case MessageBounced, MessageFailed:
		s := fmt.Sprintf("%s by %s%s did not arrive", what, channel(a["channel"]), to)
		if r := fmt.Sprint(a["error"]); a["error"] != nil && r != "" {
			s += " (" + r + ")"
		}
		if a["fallback"] != nil {
			s += "; it goes by another way instead"
		}
		return s + "."
	case MessageCancelled:
		return fmt.Sprintf("%s by %s was not sent: it was no longer needed.", what, channel(a["channel"]))
	}
	return fmt.Sprintf("%s by %s is now %s.", what, channel(a["channel"]), words(strings.TrimPrefix(e.Action, "message.")))
}

// planTerms says a plan's terms: "18 months of €23.75 (€427.50 in total)".
func planTerms(a map[string]any) string {
	total, n := cents(a, "total"), int(number(a, "months"))
	if n <= 0 {
		return euros(total)
	}
	unit, units := "month", "months"
	switch Frequency(fmt.Sprint(a["frequency"])) {
	case Weekly:
		unit, units = "week", "weeks"
	case FourWeekly:
		unit, units = "four weeks", "periods of four weeks"
	}
	part := total / int64(n)
	about := ""
	if total%int64(n) != 0 {
		about, part = "about ", (total+int64(n)/2)/int64(n)
	}
	s := fmt.Sprintf("%s of %s%s (%s in total)", count(n, unit, units), about, euros(part), euros(total))
	if d := day(a["first_due"]); d != "" {
		s += ", the first part due " + d
	}
	return s
}

func (e FileEvent) invoice(id any) string {
	if n := e.Invoices[fmt.Sprint(id)]; n != "" {
		return n
	}
	return "(an invoice)"
}

func (e FileEvent) forInvoice(a map[string]any) string {
	if id, ok := a["invoice_id"].(string); ok && id != "" {
		return " for invoice " + e.invoice(id)
	}
	return ""
}

func wishes(a map[string]any) string {
	var parts []string
	if ch, ok := a["channels"].([]any); ok && len(ch) > 0 {
		var cs []string
		for _, c := range ch {
			cs = append(cs, channel(c))
		}
		parts = append(parts, "first by "+strings.Join(cs, ", then "))
	}
	if av, ok := a["avoid"].([]any); ok && len(av) > 0 {
		var xs []string
		for _, x := range av {
			xs = append(xs, words(x))
		}
		parts = append(parts, "not at "+strings.Join(xs, ", "))
	}
	if l := fmt.Sprint(a["language"]); a["language"] != nil && l != "" {
		parts = append(parts, "language "+LanguageName(l))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// LanguageName is a language code in English words, for agents.
func LanguageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}

var languageNames = map[string]string{"nl": "Dutch", "en": "English", "tr": "Turkish", "ar": "Arabic", "pl": "Polish", "uk": "Ukrainian",
	"de": "German", "fr": "French"}

func channel(v any) string {
	switch s := fmt.Sprint(v); s {
	case "sms":
		return "SMS"
	case "email":
		return "email"
	case "post", "letter":
		return "post"
	case "whatsapp":
		return "WhatsApp"
	case "phone":
		return "phone"
	case "<nil>", "":
		return "a message"
	default:
		return s
	}
}

func stepName(v any) any {
	s := fmt.Sprint(v)
	if i := strings.LastIndex(s, ":"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func cents(m map[string]any, key string) int64 { return int64(number(m, key)) }

func euros(c int64) string { return money.FormatCents(c, "en") }

// day writes a date of an audit record (YYYY-MM-DD) as "Mon 14 Dec 2026".
func day(v any) string {
	s, _ := v.(string)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("Mon 2 Jan 2006")
}

func words(v any) string {
	if v == nil {
		return ""
	}
	return strings.ReplaceAll(fmt.Sprint(v), "_", " ")
}

func quoted(lead string, v any) string {
	s, _ := v.(string)
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if r := []rune(s); len(r) > 160 {
		s = string(r[:157]) + "..."
	}
	return lead + quote(s)
}

func quote(s string) string { return "“" + s + "”" }

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
