package collect

import (
	"strings"
	"time"
)

// Vroegsignalering: the early-warning signal a creditor of a kind the law
// names gives the municipality about a consumer in arrears (Wet
// gemeentelijke schuldhulpverlening art. 3a, Besluit gemeentelijke
// schuldhulpverlening, Stb. 2020, 240, in force 1 January 2021). The
// thresholds are dated data (signal_thresholds, like interest_rates) so an
// operator can add a row without a release; docs/domain.md lists the
// sources and what they did not give.

// CreditorKind is what a creditor supplies; only the kinds the law names
// give signals.
type CreditorKind string

// The creditor kinds. The four named in the Besluit (woningverhuurders,
// zorgverzekeraars, energie- en drinkwaterbedrijven) and "other".
const (
	KindEnergy          CreditorKind = "energy"
	KindWater           CreditorKind = "water"
	KindHousing         CreditorKind = "housing"
	KindHealthInsurance CreditorKind = "health_insurance"
	KindOther           CreditorKind = "other"
)

// CreditorKinds lists every kind, the signalling ones first.
var CreditorKinds = []CreditorKind{KindEnergy, KindWater, KindHousing, KindHealthInsurance, KindOther}

// ParseCreditorKind reads a kind as stored and typed on the command line.
func ParseCreditorKind(s string) (CreditorKind, error) {
	for _, k := range CreditorKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", Errorf(EINVALID, "kind", "kind must be one of energy, water, housing, health_insurance or other")
}

// Signals reports whether the law names this kind of creditor.
func (k CreditorKind) Signals() bool { return k != KindOther && k != "" }

// MunicipalThreshold is the arrears past which a consumer goes on the signal
// list, for one kind of creditor from one day on.
type MunicipalThreshold struct {
	Kind CreditorKind
	From time.Time
	// MinDaysOverdue is how long the oldest unpaid invoice must be overdue.
	MinDaysOverdue int
	// MinArrears is the least arrears in cents (0: any amount).
	MinArrears int64
	Source     string
}

// MunicipalThresholds is the dated table, any order.
type MunicipalThresholds []MunicipalThreshold

// On is the threshold in force for kind on day: the row of that kind with
// the latest From not after day.
func (t MunicipalThresholds) On(kind CreditorKind, day time.Time) (MunicipalThreshold, bool) {
	var best MunicipalThreshold
	found := false
	for _, r := range t {
		if r.Kind != kind || r.From.After(day) {
			continue
		}
		if !found || r.From.After(best.From) {
			best, found = r, true
		}
	}
	return best, found
}

// MunicipalFacts are what the rule looks at for one consumer at one creditor.
// The effort dates are the first day Settle recorded each effort (nil:
// never): a written reminder (a sent message or a notice), a payment plan
// offered (an agent's offer, counter-offer or approval), and an attempt at
// personal contact (an agent task done, or an agent's own message).
type MunicipalFacts struct {
	Kind      CreditorKind
	Consumer  bool
	Arrears   int64     // overdue, unpaid principal not on hold, in cents
	OldestDue time.Time // due date of the oldest invoice in Arrears
	// PlanRunning is an approved plan that is not broken: the arrears are
	// being paid under an arrangement.
	PlanRunning   bool
	ReminderOn    *time.Time
	PlanOfferedOn *time.Time
	ContactOn     *time.Time
}

// MunicipalVerdict says whether the consumer goes on the list, and if not, why
// not (for the file and the tests).
type MunicipalVerdict struct {
	Raise  bool
	Reason string
}

// Reasons a consumer does not go on the list.
const (
	NoMunicipalKind      = "the creditor is not of a kind the law names"
	NoMunicipalBusiness  = "only consumers are signalled"
	NoMunicipalThreshold = "no threshold is in force for this kind on this day"
	NoMunicipalArrears   = "no arrears"
	NoMunicipalTooRecent = "the arrears are not yet old enough"
	NoMunicipalTooSmall  = "the arrears are below the threshold"
	NoMunicipalPlan      = "a payment plan is running"
	NoMunicipalReminder  = "no written reminder since the arrears began"
	NoMunicipalPlanOffer = "no payment plan offered since the arrears began"
	NoMunicipalContact   = "no attempt at personal contact since the arrears began"
	MunicipalRaised      = "arrears past the threshold after reminder, plan offer and contact attempt"
)

// DecideMunicipalSignal applies the rule on today: a consumer of a creditor of a
// kind the law names, whose oldest arrears are at least the threshold's days
// overdue and whose arrears reach its amount, after the creditor's own
// efforts (each made on or after the day the arrears began), and with no
// plan running.
func DecideMunicipalSignal(f MunicipalFacts, t MunicipalThresholds, today time.Time) MunicipalVerdict {
	no := func(reason string) MunicipalVerdict { return MunicipalVerdict{Reason: reason} }
	if !f.Kind.Signals() {
		return no(NoMunicipalKind)
	}
	if !f.Consumer {
		return no(NoMunicipalBusiness)
	}
	th, ok := t.On(f.Kind, today)
	if !ok {
		return no(NoMunicipalThreshold)
	}
	if f.Arrears <= 0 || f.OldestDue.IsZero() {
		return no(NoMunicipalArrears)
	}
	if daysBetween(DateOf(f.OldestDue), DateOf(today)) < th.MinDaysOverdue {
		return no(NoMunicipalTooRecent)
	}
	if f.Arrears < th.MinArrears {
		return no(NoMunicipalTooSmall)
	}
	if f.PlanRunning {
		return no(NoMunicipalPlan)
	}
	since := func(d *time.Time) bool { return d != nil && !d.Before(f.OldestDue) && !d.After(today) }
	switch {
	case !since(f.ReminderOn):
		return no(NoMunicipalReminder)
	case !since(f.PlanOfferedOn):
		return no(NoMunicipalPlanOffer)
	case !since(f.ContactOn):
		return no(NoMunicipalContact)
	}
	return MunicipalVerdict{Raise: true, Reason: MunicipalRaised}
}

// MunicipalOutcome is what the municipality reported back about a signal.
type MunicipalOutcome string

// The outcomes a console user records. The empty outcome is "not yet heard".
const (
	OutcomeNone          MunicipalOutcome = ""
	OutcomeHelpAccepted  MunicipalOutcome = "help_accepted"
	OutcomeHelpDeclined  MunicipalOutcome = "help_declined"
	OutcomeNoContact     MunicipalOutcome = "no_contact"
	OutcomeAlreadyHelped MunicipalOutcome = "already_helped"
)

// MunicipalOutcomes are the outcomes that can be recorded, in the form's order.
var MunicipalOutcomes = []MunicipalOutcome{OutcomeHelpAccepted, OutcomeHelpDeclined, OutcomeNoContact, OutcomeAlreadyHelped}

// ParseMunicipalOutcome reads an outcome from a form.
func ParseMunicipalOutcome(s string) (MunicipalOutcome, error) {
	for _, o := range MunicipalOutcomes {
		if string(o) == s {
			return o, nil
		}
	}
	return "", Errorf(EINVALID, "outcome", "outcome must be one of help_accepted, help_declined, no_contact or already_helped")
}

// MunicipalitySignal is one consumer on a creditor's signal list, with only
// the data the law lets the creditor pass on: contact details, the customer
// number and the amount of the arrears.
type MunicipalitySignal struct {
	ID         string
	CreditorID string
	DebtorID   string
	Kind       CreditorKind
	RaisedOn   time.Time
	// Municipality is the CBS code and name from the postcode; both empty
	// when the postcode is not in the table (the creditor looks it up).
	MunicipalityCode string
	MunicipalityName string
	CustomerNumber   string
	Name             string
	Address          Address
	Email            string
	Phone            string
	Arrears          int64
	OldestDue        time.Time // kept for the rule and the file, not passed on
	Outcome          MunicipalOutcome
	OutcomeNote      string
	OutcomeOn        *time.Time
}

// Postcode6 normalises a Dutch postcode to "1234AB" (upper case, no space);
// ok is false when it is not one.
func Postcode6(s string) (string, bool) {
	p := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(p) != 6 || p[0] == '0' {
		return "", false
	}
	for i, r := range p {
		if i < 4 && (r < '0' || r > '9') || i >= 4 && (r < 'A' || r > 'Z') {
			return "", false
		}
	}
	return p, true
}

// PostcodeRange reads one end of a range in the municipality table: a full
// postcode, or four digits standing for all its letters (from "1234AA",
// to "1234ZZ").
func PostcodeRange(from, to string) (string, string, bool) {
	widen := func(s, letters string) (string, bool) {
		s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
		if len(s) == 4 {
			s += letters
		}
		return Postcode6(s)
	}
	f, ok1 := widen(from, "AA")
	t, ok2 := widen(to, "ZZ")
	return f, t, ok1 && ok2 && f <= t
}

// Arrears is the unpaid principal of the statement's invoices past their
// due date on today, and the oldest of those due dates. Costs and interest
// are left out (the law passes on the arrears themselves), and so are
// invoices on hold (a dispute, breathing space): they are not arrears the
// consumer is asked to pay now.
func Arrears(st Statement, today time.Time) (int64, time.Time) {
	var sum int64
	var oldest time.Time
	for _, l := range st.Lines {
		if l.Principal <= 0 || l.OnHold || !l.Invoice.DueDate.Before(DateOf(today)) {
			continue
		}
		sum += l.Principal
		if oldest.IsZero() || l.Invoice.DueDate.Before(oldest) {
			oldest = l.Invoice.DueDate
		}
	}
	return sum, oldest
}
