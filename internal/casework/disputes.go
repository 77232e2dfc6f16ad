package casework

import (
	"context"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

// MaxDisputeText is the longest explanation a debtor may give, in characters.
const MaxDisputeText = 2000

// CheckDispute applies the rules of a dispute's text: a known reason and an
// explanation of at most MaxDisputeText characters. OpenDispute applies them
// too; a form checks them first to report them before its files.
func CheckDispute(reason, body string) error {
	switch {
	case !slices.Contains(collect.DisputeReasons, reason):
		return collect.Errorf(collect.EINVALID, "reason", "choose a reason")
	case utf8.RuneCountInString(body) > MaxDisputeText:
		return collect.Errorf(collect.EINVALID, "body", "the explanation is longer than %d characters", MaxDisputeText)
	}
	return nil
}

// OpenedDispute is a dispute as stored, with the date its answer is due.
type OpenedDispute struct {
	collect.Dispute
	AnswerBy time.Time
}

// OpenDispute stores a debtor's dispute of one invoice of cr with its
// evidence; from then on the invoice is on hold, and an agent answers
// within cr's answer time.
func OpenDispute(ctx context.Context, db *postgres.DB, cr collect.Creditor, d collect.Dispute) (OpenedDispute, error) {
	if err := CheckDispute(d.Reason, d.Body); err != nil {
		return OpenedDispute{}, err
	}
	d.CreditorID = cr.ID
	d, err := db.CreateDispute(ctx, d)
	if err != nil {
		return OpenedDispute{}, err
	}
	by, err := answerDate(ctx, db, cr, collect.DutchDate(d.CreatedAt))
	return OpenedDispute{Dispute: d, AnswerBy: by}, err
}

// DisputeAnswer is an agent's answer to a dispute.
type DisputeAnswer struct {
	AgentID    string
	CreditorID string
	DebtorID   string
	DisputeID  string
	Outcome    collect.DisputeStatus
	// Answer is what the debtor reads; a rejection needs one.
	Answer string
	// CorrectTo is the corrected invoice amount as typed, for a correction.
	CorrectTo string
}

// ResolveDispute upholds, rejects or corrects a dispute of the agent's
// debtor, and in the same transaction schedules the message that brings
// the answer to the debtor; a dispute of another debtor is not found.
func ResolveDispute(ctx context.Context, db *postgres.DB, in DisputeAnswer) error {
	var correctTo int64
	switch in.Outcome {
	case collect.DisputeUpheld:
	case collect.DisputeRejected:
		if in.Answer == "" {
			return collect.Errorf(collect.EINVALID, "answer", "write the answer the debtor will read: why the invoice stands")
		}
	case collect.DisputeCorrected:
		var err error
		if correctTo, err = money.ParseInput(in.CorrectTo); err != nil {
			return collect.Errorf(collect.EINVALID, "amount", "type the corrected amount in euros, for example 80,00")
		}
	default:
		return collect.Errorf(collect.EINVALID, "outcome", "choose uphold, reject or correct")
	}
	disputes, err := db.Disputes(ctx, in.CreditorID, in.DebtorID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(disputes, func(d collect.Dispute) bool { return d.ID == in.DisputeID }) {
		return collect.Errorf(collect.ENOTFOUND, "", "dispute not found")
	}
	tell, err := answerMessage(ctx, db, db.Now(), in.CreditorID, in.DebtorID, collect.KindDisputeAnswered)
	if err != nil {
		return err
	}
	return db.ResolveDispute(ctx, in.AgentID, in.CreditorID, in.DisputeID, in.Outcome, in.Answer, correctTo, tell)
}
