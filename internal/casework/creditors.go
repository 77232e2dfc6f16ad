package casework

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The use cases of a creditor's integration API. They read the clock from
// the store (db.Now), as the API has no other: the date rules below (a
// birth date up to today, a due date at most maxDueYears ahead) run on the
// clock the tests set.

// EarliestBirth is the first birth date accepted; an earlier one is a typo.
var EarliestBirth = collect.Day(1900, time.January, 1)

// maxDueYears is how far ahead a due date may lie: later is a typo.
const maxDueYears = 10

// AuthenticateCreditor resolves an API key to its creditor; an unknown key
// is unauthorized.
func AuthenticateCreditor(ctx context.Context, db *postgres.DB, key string) (collect.Creditor, error) {
	cred, err := db.CreditorByAPIKey(ctx, key)
	if collect.IsNotFound(err) {
		return cred, collect.Errorf(collect.EUNAUTHORIZED, "", "this API key is not valid")
	}
	return cred, err
}

// RotateAPIKey gives a creditor a new API key, which replaces the old one
// at once; the key is returned once and stored only as a hash.
func RotateAPIKey(ctx context.Context, db *postgres.DB, creditorID string) (string, error) {
	return db.RotateAPIKey(ctx, creditorID)
}

// UpsertDebtor creates a creditor's debtor, or updates the one with the
// same external reference, and says whether it was created. The debtor's
// fields are checked already but for the birth date's window, which needs
// the clock.
func UpsertDebtor(ctx context.Context, db *postgres.DB, d collect.Debtor) (collect.Debtor, bool, error) {
	if d.BirthDate != nil && (d.BirthDate.Before(EarliestBirth) || d.BirthDate.After(db.Today())) {
		return d, false, collect.Errorf(collect.EINVALID, "birth_date", "birth_date must lie between %s and today", EarliestBirth.Format(time.DateOnly))
	}
	return db.UpsertDebtor(ctx, d)
}

// InvoiceOrder is a creditor's new invoice, for a debtor named by id or by
// the creditor's external reference.
type InvoiceOrder struct {
	CreditorID        string
	DebtorID          string
	DebtorExternalRef string
	// Invoice holds the checked number, description, amount and dates.
	Invoice collect.Invoice
}

// CreateInvoice adds an invoice for a creditor's own debtor. It refuses a
// due date more than maxDueYears ahead, an unknown debtor, an invoice whose
// statutory interest the rate table cannot cover, and a number the
// creditor used before.
func CreateInvoice(ctx context.Context, db *postgres.DB, in InvoiceOrder) (collect.Invoice, error) {
	inv := in.Invoice
	if latest := db.Today().AddDate(maxDueYears, 0, 0); inv.DueDate.After(latest) {
		return inv, collect.Errorf(collect.EINVALID, "due_date", "due_date must not be after %s (%d years from today)", latest.Format(time.DateOnly), maxDueYears)
	}
	var d collect.Debtor
	var err error
	switch {
	case in.DebtorID != "":
		d, err = db.Debtor(ctx, in.CreditorID, in.DebtorID)
	case in.DebtorExternalRef != "":
		d, err = db.DebtorByExternalRef(ctx, in.CreditorID, in.DebtorExternalRef)
	default:
		return inv, collect.Errorf(collect.EINVALID, "debtor_id", "debtor_id or debtor_external_ref is required")
	}
	if collect.IsNotFound(err) {
		return inv, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
	}
	if err != nil {
		return inv, err
	}
	if err := checkRatesCover(ctx, db, d.Kind, inv.DueDate); err != nil {
		return inv, err
	}
	inv.CreditorID, inv.DebtorID = in.CreditorID, d.ID
	out, err := db.CreateInvoice(ctx, inv)
	if collect.ErrorCode(err) == collect.ECONFLICT {
		return inv, collect.Errorf(collect.ECONFLICT, "number", "an invoice with this number already exists")
	}
	return out, err
}

// checkRatesCover refuses an invoice whose statutory interest would start
// before the first row of the debtor's rate table: its statement could not
// be computed, and interest is never guessed (issue H.4).
func checkRatesCover(ctx context.Context, db *postgres.DB, kind collect.DebtorKind, due time.Time) error {
	rates, err := db.InterestRates(ctx, kind)
	if err != nil {
		return err
	}
	start := collect.InterestStart(kind, due)
	if _, err := rates.At(start); errors.Is(err, collect.ErrNoRate) {
		first := "no date at all"
		if len(rates) > 0 {
			first = rates[0].From.Format(time.DateOnly)
		}
		return collect.Errorf(collect.EINVALID, "due_date", "statutory interest on this invoice would start on %s, but the interest table starts on %s: "+
			"due_date must be on or after the day before", start.Format(time.DateOnly), first)
	} else if err != nil {
		return err
	}
	return nil
}

// DebtorRecord is what a creditor's API sees of one debtor: the statement
// today, or on the day asked for, and what the debtor said in the portal.
type DebtorRecord struct {
	Debtor    collect.Debtor
	Statement collect.Statement
	Disputes  []collect.Dispute
	// Plans carry their schedules.
	Plans []collect.Plan
	// Hardship is the latest hardship report, nil when there is none.
	Hardship *collect.Hardship
	// InBreathingSpace says the latest report's breathing space runs today
	// (a debtor who will not pay has none).
	InBreathingSpace bool
	Wishes           collect.ContactWishes
	// HasWishes says the debtor gave contact wishes at all.
	HasWishes bool
	// Messages are every message and letter to the debtor, newest first.
	Messages []MessageOnFile
}

// DebtorView gathers a creditor's debtor as the API shows it; another
// creditor's debtor is not found. The statement is today's, or with a
// non-zero asOf what will be owed on that day (OwedOn, which refuses a past
// day); everything else is as it stands today.
func DebtorView(ctx context.Context, db *postgres.DB, creditorID, debtorID string, asOf time.Time) (DebtorRecord, error) {
	today := db.Today()
	if asOf.IsZero() {
		asOf = today
	}
	f, st, err := owedOn(ctx, db, creditorID, debtorID, asOf)
	if err != nil {
		return DebtorRecord{}, err
	}
	r := DebtorRecord{Debtor: f.Debtor, Statement: st}
	if r.Disputes, err = db.Disputes(ctx, creditorID, f.Debtor.ID); err != nil {
		return r, err
	}
	if r.Plans, err = db.Plans(ctx, creditorID, f.Debtor.ID); err != nil {
		return r, err
	}
	hs, err := db.Hardships(ctx, creditorID, f.Debtor.ID)
	if err != nil {
		return r, err
	}
	if len(hs) > 0 {
		r.Hardship = &hs[0]
		r.InBreathingSpace = !today.After(hs[0].BreathingUntil) && hs[0].Status != collect.HardshipWontPay
	}
	if r.Wishes, r.HasWishes, err = db.ContactWishesOf(ctx, f.Debtor.ID); err != nil {
		return r, err
	}
	r.Messages, err = FileMessages(ctx, db, creditorID, f.Debtor.ID)
	return r, err
}

// PaymentPage is one page of a creditor's payments, in the order they last
// changed: those changed since Since, after the payment (AfterTime,
// AfterID) that ended the previous page, at most Limit.
type PaymentPage struct {
	Since     time.Time
	AfterTime time.Time
	AfterID   string
	Limit     int
}

// CreditorPayments is one page of a creditor's payments with their allocation.
func CreditorPayments(ctx context.Context, db *postgres.DB, creditorID string, page PaymentPage) ([]postgres.PaidPayment, error) {
	return db.CreditorPayments(ctx, creditorID, page.Since, page.AfterTime, page.AfterID, page.Limit)
}

// ConsoleCreditors loads the creditors of ids, the ones a console user
// works for, sorted by name for the creditor pickers of finance and ladders.
func ConsoleCreditors(ctx context.Context, db *postgres.DB, ids []string) ([]collect.Creditor, error) {
	out := make([]collect.Creditor, 0, len(ids))
	for _, id := range ids {
		cr, err := db.Creditor(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, cr)
	}
	slices.SortFunc(out, func(a, b collect.Creditor) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
