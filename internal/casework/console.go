package casework

import (
	"context"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The agent console's use cases. Every read takes the creditor ids the agent
// may see, or a debtor already loaded through them, so an agent never reads
// another creditor's data.

// WorkQueueLimit bounds the work queue; the oldest requests come first.
const WorkQueueLimit = 500

// TimelineLimit bounds the timeline on a debtor's file.
const TimelineLimit = 300

// MaxNoteLen is the longest note an agent may add, in characters.
const MaxNoteLen = 5000

// FirstDueAfterDays is how far ahead the first due date of a plan an agent
// offers is suggested: the 14 days of a notice.
const FirstDueAfterDays = 14

// QueueEntry is one open request in an agent's work queue and the moment
// an agent answers it by.
type QueueEntry struct {
	postgres.QueueItem
	DueBy   time.Time
	Overdue bool // not answered by DueBy at now
}

// WorkQueue lists the open plan proposals, disputes and hardship reports of
// the agent's creditors, oldest first, each due within its creditor's
// answer time in working days, and the personal follow-ups the collection
// ladder asked for, each due on its own day.
func WorkQueue(ctx context.Context, db *postgres.DB, now time.Time, creditorIDs []string) ([]QueueEntry, error) {
	items, err := db.WorkQueue(ctx, creditorIDs, WorkQueueLimit)
	if err != nil {
		return nil, err
	}
	cal, err := db.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]QueueEntry, 0, len(items))
	for _, it := range items {
		if it.Kind == "task" {
			out = append(out, QueueEntry{QueueItem: it, DueBy: it.DueOn, Overdue: collect.DutchDate(now).After(it.DueOn)})
			continue
		}
		due := collect.AnswerDue(cal, it.CreatedAt, it.AnswerDays)
		out = append(out, QueueEntry{QueueItem: it, DueBy: due, Overdue: now.After(due)})
	}
	return out, nil
}

// AgentDebtor loads a debtor of one of the agent's creditors; any other id
// is not found.
func AgentDebtor(ctx context.Context, db *postgres.DB, creditorIDs []string, debtorID string) (collect.Debtor, error) {
	return db.DebtorOfCreditors(ctx, creditorIDs, debtorID)
}

// CaseFile is everything an agent reads on a debtor's file.
type CaseFile struct {
	Debtor       collect.Debtor
	Creditor     collect.Creditor
	Wishes       collect.ContactWishes
	HasWishes    bool
	Since        time.Time // the first invoice's date: new or long-standing customer
	Statement    collect.Statement
	Invoices     []InvoiceOnFile
	Payments     []collect.Payment
	Plans        []PlanStanding
	DirectDebit  *collect.Mandate // the running plan's automatic collection, or nil
	Promises     []PromiseOnFile  // newest first
	Disputes     []DisputeOnFile
	Hardships    []collect.Hardship
	Signals      []collect.Signal // open early signals, most recent first
	Notes        []postgres.Note
	Timeline     []postgres.TimelineEvent // newest first, at most TimelineLimit
	Messages     []MessageOnFile          // every message and letter, newest first
	Today        time.Time
	FirstDue     time.Time // a sensible first due date for a new plan
	OpenDisputes int
	OpenPlans    int
	// CreditRefunds are the debtor's credit paid back, newest first;
	// Rewards what the debtor was given for paying well.
	CreditRefunds []postgres.CreditRefund
	Rewards       []postgres.RewardGiven
}

// InvoiceOnFile is an invoice's line of the statement with its ledger
// entries and the ladder version it runs on.
type InvoiceOnFile struct {
	collect.Line
	Entries []collect.Entry
	// LadderVersion is the version of the creditor's ladder the invoice
	// started on (0: the default ladder); OnLadder is false before its
	// first step.
	LadderVersion int
	OnLadder      bool
}

// PromiseOnFile is a promise to pay with the number of its invoice ("" for
// a promise to pay everything).
type PromiseOnFile struct {
	collect.Promise
	Invoice string
}

// DisputeOnFile is a dispute with the number of the invoice it disputes.
type DisputeOnFile struct {
	collect.Dispute
	Invoice string
}

// DebtorFile loads the whole file of debtor d, a debtor of the agent's
// (AgentDebtor), on the day of now.
func DebtorFile(ctx context.Context, db *postgres.DB, now time.Time, d collect.Debtor) (CaseFile, error) {
	// The same day as the store's Today, which the statement uses everywhere.
	today := collect.DutchDate(now)
	facts, st, err := db.Statement(ctx, d.CreditorID, d.ID, today)
	if err != nil {
		return CaseFile{}, err
	}
	f := CaseFile{Debtor: d, Creditor: facts.Creditor, Statement: st, Today: today, FirstDue: today.AddDate(0, 0, FirstDueAfterDays)}
	if f.Wishes, f.HasWishes, err = db.ContactWishesOf(ctx, d.ID); err != nil {
		return f, err
	}
	ladders, err := db.InvoiceLadderVersions(ctx, d.CreditorID, d.ID)
	if err != nil {
		return f, err
	}
	numbers := map[string]string{}
	for _, l := range st.Lines {
		v := InvoiceOnFile{Line: l}
		v.LadderVersion, v.OnLadder = ladders[l.Invoice.ID]
		for _, e := range facts.Entries {
			if e.InvoiceID == l.Invoice.ID {
				v.Entries = append(v.Entries, e)
			}
		}
		f.Invoices = append(f.Invoices, v)
		numbers[l.Invoice.ID] = l.Invoice.Number
		if f.Since.IsZero() || l.Invoice.IssueDate.Before(f.Since) {
			f.Since = l.Invoice.IssueDate
		}
	}
	if f.Payments, err = db.Payments(ctx, d.CreditorID, d.ID); err != nil {
		return f, err
	}
	if f.Plans, f.OpenPlans, err = PlansOnFile(ctx, db, now, d.CreditorID, d.ID); err != nil {
		return f, err
	}
	if m, ok, err := DirectDebitOf(ctx, db, d.CreditorID, d.ID); err != nil {
		return f, err
	} else if ok {
		f.DirectDebit = &m
	}
	promises, err := db.Promises(ctx, d.CreditorID, d.ID)
	if err != nil {
		return f, err
	}
	for _, p := range promises {
		f.Promises = append(f.Promises, PromiseOnFile{Promise: p, Invoice: numbers[p.InvoiceID]})
	}
	disputes, err := db.Disputes(ctx, d.CreditorID, d.ID)
	if err != nil {
		return f, err
	}
	for _, x := range disputes {
		f.Disputes = append(f.Disputes, DisputeOnFile{Dispute: x, Invoice: numbers[x.InvoiceID]})
		if x.Status == collect.DisputeOpen {
			f.OpenDisputes++
		}
	}
	if f.Hardships, err = db.Hardships(ctx, d.CreditorID, d.ID); err != nil {
		return f, err
	}
	if f.Notes, err = db.Notes(ctx, d.CreditorID, d.ID); err != nil {
		return f, err
	}
	if f.Signals, err = db.OpenSignals(ctx, []string{d.CreditorID}, d.ID); err != nil {
		return f, err
	}
	if f.Messages, err = FileMessages(ctx, db, d.CreditorID, d.ID); err != nil {
		return f, err
	}
	if f.CreditRefunds, err = db.CreditRefunds(ctx, d.CreditorID, d.ID); err != nil {
		return f, err
	}
	if f.Rewards, err = db.RewardsGiven(ctx, d.CreditorID, d.ID); err != nil {
		return f, err
	}
	f.Timeline, err = db.Timeline(ctx, d.CreditorID, d.ID, TimelineLimit)
	return f, err
}

// EvidenceFile loads one evidence file of a dispute of the agent's
// creditors; any other id is not found.
func EvidenceFile(ctx context.Context, db *postgres.DB, creditorIDs []string, fileID string) (collect.DisputeFile, error) {
	return db.DisputeFileOf(ctx, creditorIDs, fileID)
}

// AddNote adds an agent's note to debtor d's file, with its audit record.
// The body is trimmed; an empty one, or one over MaxNoteLen characters, is
// refused.
func AddNote(ctx context.Context, db *postgres.DB, agentID string, d collect.Debtor, body string) (postgres.Note, error) {
	body = strings.TrimSpace(body)
	switch {
	case len([]rune(body)) > MaxNoteLen:
		return postgres.Note{}, collect.Errorf(collect.EINVALID, "body", "the text is longer than %d characters", MaxNoteLen)
	case body == "":
		return postgres.Note{}, collect.Errorf(collect.EINVALID, "body", "write the note first")
	}
	return db.AddNote(ctx, agentID, d.CreditorID, d.ID, body)
}
