package api

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

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

func (a *API) createInvoice(c *fiber.Ctx) error {
	var req invoiceRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	cred := creditorOf(c)
	ctx := c.UserContext()
	amount, err := cents(req.Amount, "amount")
	if err != nil {
		return err
	}
	if amount <= 0 {
		return invalid("amount", "amount must be more than 0 cents")
	}
	if req.Currency == "" {
		req.Currency = money.EUR
	}
	if _, err := money.New(amount, req.Currency); err != nil {
		return invalid("currency", "currency %q is not supported: only EUR", req.Currency)
	}
	if strings.TrimSpace(req.Number) == "" {
		return invalid("number", "number is required")
	}
	issue, err := date(req.IssueDate, "issue_date")
	if err != nil {
		return err
	}
	due, err := date(req.DueDate, "due_date")
	if err != nil {
		return err
	}
	if due.Before(issue) {
		return invalid("due_date", "due_date is before issue_date")
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
	inv, err := a.DB.CreateInvoice(ctx, collect.Invoice{
		CreditorID: cred.ID, DebtorID: d.ID, Number: strings.TrimSpace(req.Number), Description: req.Description,
		IssueDate: issue, DueDate: due, Amount: amount, Currency: req.Currency,
	})
	if collect.ErrorCode(err) == collect.ECONFLICT {
		return &Problem{Status: fiber.StatusConflict, Code: "conflict", Field: "number", Message: "an invoice with this number already exists"}
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": inv.ID, "debtor_id": d.ID, "payment_reference": inv.PaymentReference})
}

type noticeRequest struct {
	InvoiceIDs []string `json:"invoice_ids"`
	SentOn     string   `json:"sent_on"`
	Channel    string   `json:"channel"`
}

func (a *API) createNotice(c *fiber.Ctx) error {
	var req noticeRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	cred := creditorOf(c)
	ctx := c.UserContext()
	d, err := a.DB.Debtor(ctx, cred.ID, c.Params("id"))
	if err != nil {
		return err
	}
	if len(req.InvoiceIDs) == 0 {
		return invalid("invoice_ids", "invoice_ids must name at least one invoice")
	}
	sent, err := date(req.SentOn, "sent_on")
	if err != nil {
		return err
	}
	if req.Channel != "post" && req.Channel != "email" && req.Channel != "sms" {
		return invalid("channel", "channel must be post, email or sms")
	}
	if _, err := a.DB.InvoicesByID(ctx, cred.ID, d.ID, req.InvoiceIDs); err != nil {
		return err
	}
	n, created, err := a.DB.RecordNotice(ctx, cred, d.ID, req.InvoiceIDs, collect.Notice{Channel: req.Channel, SentOn: sent})
	if err != nil {
		return err
	}
	costs := n.Costs
	if n.Waived {
		costs = 0
	}
	// The same notice posted again (a retry) answers the notice that runs.
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{
		"id": n.ID, "deadline": dateString(n.Deadline), "costs": costs, "costs_due_from": dateString(n.Deadline.AddDate(0, 0, 1)),
		"received_on": dateString(n.ReceivedOn), "principal": n.Principal, "waived": n.Waived,
	})
}
