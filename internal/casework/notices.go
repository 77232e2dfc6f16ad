package casework

import (
	"context"
	"slices"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// NoticeRequest is a creditor's report that a 14-day notice went out.
type NoticeRequest struct {
	DebtorID   string
	InvoiceIDs []string
	SentOn     time.Time
	Channel    string
	// LinkBase is the public address the short link on a posted notice's
	// letter starts with (https://host).
	LinkBase string
}

// RecordedNotice is the notice that runs for the invoices of a request.
type RecordedNotice struct {
	collect.Notice
	// CostsDue is what the notice announces: nothing when costs are waived.
	CostsDue int64
	// Created says the request made a new notice; false is a retry that
	// found the notice already running.
	Created bool
	// LetterProblem says why a new posted notice has no letter (the
	// creditor has no IBAN, the debtor no postal address...); "" when it
	// has one or was not posted.
	LetterProblem string
}

// RecordNotice records a 14-day notice for some of a creditor's debtor's
// invoices, or finds the one already running for them. Another creditor's
// debtor or invoice is not found. A new notice sent by post gets its letter:
// the PDF with a new short link and an EPC QR code, kept with the notice.
func RecordNotice(ctx context.Context, db *postgres.DB, cred collect.Creditor, in NoticeRequest) (RecordedNotice, error) {
	d, err := db.Debtor(ctx, cred.ID, in.DebtorID)
	if err != nil {
		return RecordedNotice{}, err
	}
	if len(in.InvoiceIDs) == 0 {
		return RecordedNotice{}, collect.Errorf(collect.EINVALID, "invoice_ids", "invoice_ids must name at least one invoice")
	}
	if !slices.Contains(collect.NoticeChannels, in.Channel) {
		return RecordedNotice{}, collect.Errorf(collect.EINVALID, "channel", "channel must be post, email or sms")
	}
	if _, err := db.InvoicesByID(ctx, cred.ID, d.ID, in.InvoiceIDs); err != nil {
		return RecordedNotice{}, err
	}
	var render func(postgres.LetterDraft) (postgres.Letter, error)
	var problem string
	switch {
	case in.Channel != string(collect.ChannelPost):
	case in.LinkBase == "":
		problem = "no public address to print the short link with"
	default:
		// The short link is drawn before the transaction and recorded in it,
		// with the notice: a retry that finds the notice running prints
		// nothing and leaves the letter's link alone.
		link, err := newShortLink(ctx, db, in.LinkBase, cred.ID, d.ID, collect.ChannelPost)
		if err != nil {
			return RecordedNotice{}, err
		}
		hours, err := phoneHoursIn(ctx, db, cred.ID, letterLanguage(d.Language))
		if err != nil {
			return RecordedNotice{}, err
		}
		render = drawLetter(link, hours, &problem)
	}
	n, created, err := db.RecordNoticeLetter(ctx, cred, d.ID, in.InvoiceIDs, collect.Notice{Channel: in.Channel, SentOn: in.SentOn}, render)
	if err != nil {
		return RecordedNotice{}, err
	}
	r := RecordedNotice{Notice: n, CostsDue: n.Costs, Created: created, LetterProblem: problem}
	if n.Waived {
		r.CostsDue = 0
	}
	return r, nil
}
