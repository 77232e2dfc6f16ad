package api

import (
	"encoding/json"
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

// MaxInvoiceCents is the largest invoice: EUR 10.000.000,00, a limit at the
// edge so that nothing the API accepts can break a statement later (issue
// F.7). Far above any consumer or trade debt collected here, far below
// where sums of many invoices could overflow int64. The due date's window
// is casework.CreateInvoice's.
const MaxInvoiceCents int64 = 1_000_000_000

// earliestIssue is the first issue date accepted; older claims are time-barred
// (art. 3:307 BW: five years) long before and the rate table starts in 2002.
var earliestIssue = collect.Day(2000, time.January, 1)

func (a *API) createInvoice(c *fiber.Ctx) error {
	var req invoiceRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	in, err := checkInvoice(req)
	if err != nil {
		return err
	}
	inv, err := casework.CreateInvoice(c.UserContext(), a.DB,
		casework.InvoiceOrder{CreditorID: creditorOf(c).ID, DebtorID: req.DebtorID, DebtorExternalRef: req.DebtorExternalRef, Invoice: in})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": inv.ID, "debtor_id": inv.DebtorID, "payment_reference": inv.PaymentReference})
}

// checkInvoice validates everything in an invoice request that needs
// neither a lookup nor the clock: text, amount and the dates' order.
func checkInvoice(req invoiceRequest) (collect.Invoice, error) {
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
	return in, nil
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
		casework.NoticeRequest{DebtorID: c.Params("id"), InvoiceIDs: req.InvoiceIDs, SentOn: sent, Channel: req.Channel, LinkBase: a.BaseURL})
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
