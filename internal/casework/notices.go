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
}

// RecordedNotice is the notice that runs for the invoices of a request.
type RecordedNotice struct {
	collect.Notice
	// CostsDue is what the notice announces: nothing when costs are waived.
	CostsDue int64
	// Created says the request made a new notice; false is a retry that
	// found the notice already running.
	Created bool
}

// RecordNotice records a 14-day notice for some of a creditor's debtor's
// invoices, or finds the one already running for them. Another creditor's
// debtor or invoice is not found.
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
	n, created, err := db.RecordNotice(ctx, cred, d.ID, in.InvoiceIDs, collect.Notice{Channel: in.Channel, SentOn: in.SentOn})
	if err != nil {
		return RecordedNotice{}, err
	}
	r := RecordedNotice{Notice: n, CostsDue: n.Costs, Created: created}
	if n.Waived {
		r.CostsDue = 0
	}
	return r, nil
}
