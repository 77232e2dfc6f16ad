package api

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

type invoiceRequest struct {
	DebtorID          string          `json:"debtor_id"`
	DebtorExternalRef string          `json:"debtor_external_ref"`
	Number            string          `json:"number"`
	Description       string          `json:"description"`
	IssueDate         string          `json:"issue_date"`
	DueDate           string          `json:"due_date"`
	Amount            json.RawMessage `json:"amount"`
	Currency          string          `json:"currency"`
}

// Limits on an invoice at the edge, so that nothing the API accepts can
// break a statement later (issue F.7).
const (
	// MaxInvoiceCents is the largest invoice: EUR 10.000.000,00. Far above
	// any consumer or trade debt collected here, far below where sums of
	// many invoices could overflow int64.
	MaxInvoiceCents int64 = 1_000_000_000
	// maxDueYears is how far ahead a due date may lie: later is a typo.
	maxDueYears = 10
)

// earliestIssue is the first issue date accepted; older claims are time-barred
// (art. 3:307 BW: five years) long before and the rate table starts in 2002.
var earliestIssue = collect.Day(2000, time.January, 1)

func (a *API) createInvoice(c *fiber.Ctx) error {
	var req invoiceRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	cred := creditorOf(c)
	ctx := c.UserContext()
	in, err := a.checkInvoice(req)
	if err != nil {
		return err
	}
	var d collect.Debtor
	switch {
	case req.DebtorID != "":
		d, err = a.DB.Debtor(ctx, cred.ID, req.DebtorID)
	case req.DebtorExternalRef != "":
		d, err = a.DB.DebtorByExternalRef(ctx, cred.ID, req.DebtorExternalRef)
	default:
		return invalid("debtor_id", "debtor_id or debtor_external_ref is required")
	}
	if collect.IsNotFound(err) {
		return notFound("debtor not found")
	}
	if err != nil {
		return err
	}
	if err := a.checkRatesCover(ctx, d.Kind, in.DueDate); err != nil {
		return err
	}
	in.CreditorID, in.DebtorID = cred.ID, d.ID
	inv, err := a.DB.CreateInvoice(ctx, in)
	if collect.ErrorCode(err) == collect.ECONFLICT {
		return &Problem{Status: fiber.StatusConflict, Code: "conflict", Field: "number", Message: "an invoice with this number already exists"}
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": inv.ID, "debtor_id": d.ID, "payment_reference": inv.PaymentReference})
}

// checkInvoice validates everything in an invoice request that needs no
// lookup: text, amount and the dates' window.
func (a *API) checkInvoice(req invoiceRequest) (collect.Invoice, error) {
	var in collect.Invoice
	var err error
	if _, err = text("debtor_id", req.DebtorID, 100, false); err != nil {
		return in, err
	}
	if _, err = text("debtor_external_ref", req.DebtorExternalRef, 100, false); err != nil {
		return in, err
	}
	if in.Number, err = text("number", req.Number, 64, true); err != nil {
		return in, err
	}
	// A description may run over several lines, so only its length is limited.
	in.Description = strings.TrimSpace(req.Description)
	if n := utf8.RuneCountInString(in.Description); n > 1000 {
		return in, invalid("description", "description is %d characters long; at most 1000 are allowed", n)
	}
	if in.Amount, err = cents(req.Amount, "amount"); err != nil {
		return in, err
	}
	if in.Amount <= 0 {
		return in, invalid("amount", "amount must be more than 0 cents")
	}
	if in.Amount > MaxInvoiceCents {
		return in, invalid("amount", "amount must be at most %d cents (EUR 10.000.000,00) per invoice", MaxInvoiceCents)
	}
	in.Currency = req.Currency
	if in.Currency == "" {
		in.Currency = money.EUR
	}
	if _, err := money.New(in.Amount, in.Currency); err != nil {
		return in, invalid("currency", "currency %q is not supported: only EUR", in.Currency)
	}
	if in.IssueDate, err = date(req.IssueDate, "issue_date"); err != nil {
		return in, err
	}
	if in.IssueDate.Before(earliestIssue) {
		return in, invalid("issue_date", "issue_date must not be before %s", dateString(earliestIssue))
	}
	if in.DueDate, err = date(req.DueDate, "due_date"); err != nil {
		return in, err
	}
	if in.DueDate.Before(in.IssueDate) {
		return in, invalid("due_date", "due_date is before issue_date")
	}
	if latest := a.DB.Today().AddDate(maxDueYears, 0, 0); in.DueDate.After(latest) {
		return in, invalid("due_date", "due_date must not be after %s (%d years from today)", dateString(latest), maxDueYears)
	}
	return in, nil
}

// checkRatesCover refuses an invoice whose statutory interest would start
// before the first row of the debtor's rate table: its statement could not
// be computed, and interest is never guessed (issue H.4).
func (a *API) checkRatesCover(ctx context.Context, kind collect.DebtorKind, due time.Time) error {
	rates, err := a.DB.InterestRates(ctx, kind)
	if err != nil {
		return err
	}
	start := collect.InterestStart(kind, due)
	if _, err := rates.At(start); errors.Is(err, collect.ErrNoRate) {
		first := "no date at all"
		if len(rates) > 0 {
			first = dateString(rates[0].From)
		}
		return invalid("due_date", "statutory interest on this invoice would start on %s, but the interest table starts on %s: "+
			"due_date must be on or after the day before", dateString(start), first)
	} else if err != nil {
		return err
	}
	return nil
}

type noticeRequest struct {
	InvoiceIDs []string `json:"invoice_ids"`
	SentOn     string   `json:"sent_on"`
	Channel    string   `json:"channel"`
}

// createNotice records a 14-day notice; the same notice posted again (a
// retry) answers 200 with the notice that runs.
func (a *API) createNotice(c *fiber.Ctx) error {
	var req noticeRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	sent, err := date(req.SentOn, "sent_on")
	if err != nil {
		return err
	}
	n, err := casework.RecordNotice(c.UserContext(), a.DB, creditorOf(c),
		casework.NoticeRequest{DebtorID: c.Params("id"), InvoiceIDs: req.InvoiceIDs, SentOn: sent, Channel: req.Channel})
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if n.Created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{
		"id": n.ID, "deadline": dateString(n.Deadline), "costs": n.CostsDue, "costs_due_from": dateString(n.Deadline.AddDate(0, 0, 1)),
		"received_on": dateString(n.ReceivedOn), "principal": n.Principal, "waived": n.Waived,
	})
}
