package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
)

type debtorRequest struct {
	ExternalRef string          `json:"external_ref"`
	Kind        string          `json:"kind"`
	Name        string          `json:"name"`
	Email       string          `json:"email"`
	Phone       string          `json:"phone"`
	Language    string          `json:"language"`
	Address     collect.Address `json:"address"`
	BirthDate   string          `json:"birth_date"`
}

// Languages the portal speaks or is ready to speak.
var languages = map[string]bool{"nl": true, "en": true, "tr": true, "ar": true}

func (a *API) upsertDebtor(c *fiber.Ctx) error {
	var req debtorRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	d := collect.Debtor{
		CreditorID:  creditorOf(c).ID,
		ExternalRef: strings.TrimSpace(req.ExternalRef),
		Kind:        collect.DebtorKind(req.Kind),
		Name:        strings.TrimSpace(req.Name),
		Email:       strings.TrimSpace(req.Email),
		Phone:       strings.TrimSpace(req.Phone),
		Language:    req.Language,
		Address:     req.Address,
	}
	switch {
	case d.ExternalRef == "":
		return invalid("external_ref", "external_ref is required")
	case d.Name == "":
		return invalid("name", "name is required")
	}
	if d.Kind == "" {
		d.Kind = collect.Consumer
	}
	if d.Kind != collect.Consumer && d.Kind != collect.Business {
		return invalid("kind", "kind must be consumer or business")
	}
	if d.Language == "" {
		d.Language = "nl"
	}
	if !languages[d.Language] {
		return invalid("language", "language must be one of nl, en, tr, ar")
	}
	if d.Email != "" && !strings.Contains(d.Email, "@") {
		return invalid("email", "email is not an email address")
	}
	if req.BirthDate != "" {
		b, err := date(req.BirthDate, "birth_date")
		if err != nil {
			return err
		}
		d.BirthDate = &b
	}
	out, created, err := a.DB.UpsertDebtor(c.UserContext(), d)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{"id": out.ID, "external_ref": out.ExternalRef, "created": created})
}

type invoiceJSON struct {
	ID               string `json:"id"`
	Number           string `json:"number"`
	Description      string `json:"description"`
	IssueDate        string `json:"issue_date"`
	DueDate          string `json:"due_date"`
	Amount           int64  `json:"amount"`
	Currency         string `json:"currency"`
	PaymentReference string `json:"payment_reference"`
	Status           string `json:"status"`
	Principal        int64  `json:"principal"`
	Costs            int64  `json:"costs"`
	Interest         int64  `json:"interest"`
	Total            int64  `json:"total"`
}

func (a *API) getDebtor(c *fiber.Ctx) error {
	cred := creditorOf(c)
	f, st, err := a.DB.Statement(c.UserContext(), cred.ID, c.Params("id"), a.DB.Today())
	if err != nil {
		return err
	}
	d := f.Debtor
	invoices := make([]invoiceJSON, 0, len(st.Lines))
	for _, l := range st.Lines {
		inv := l.Invoice
		invoices = append(invoices, invoiceJSON{
			ID: inv.ID, Number: inv.Number, Description: inv.Description, IssueDate: dateString(inv.IssueDate),
			DueDate: dateString(inv.DueDate), Amount: inv.Amount, Currency: inv.Currency, PaymentReference: inv.PaymentReference,
			Status: l.Status, Principal: l.Principal, Costs: l.Costs, Interest: l.Interest, Total: l.Total(),
		})
	}
	var birth *string
	if d.BirthDate != nil {
		s := dateString(*d.BirthDate)
		birth = &s
	}
	self, err := a.selfService(c, cred.ID, d.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"disputes": self.disputes, "plans": self.plans, "hardship": self.hardship, "contact_wishes": self.wishes,
		"id": d.ID, "external_ref": d.ExternalRef, "kind": d.Kind, "name": d.Name, "email": d.Email, "phone": d.Phone,
		"language": d.Language, "address": d.Address, "birth_date": birth,
		"invoices": invoices,
		"totals": fiber.Map{
			"principal": st.Principal, "costs": st.Costs, "interest": st.Interest, "total": st.Total(), "credit": st.Credit,
		},
		"as_of": dateString(st.AsOf),
	})
}

type selfServiceJSON struct {
	disputes []fiber.Map
	plans    []fiber.Map
	hardship fiber.Map
	wishes   any
}

// selfService gathers what the debtor said in the portal: disputes, plans
// with their schedules, hardship status and contact wishes.
func (a *API) selfService(c *fiber.Ctx, creditorID, debtorID string) (selfServiceJSON, error) {
	ctx := c.UserContext()
	out := selfServiceJSON{disputes: []fiber.Map{}, plans: []fiber.Map{}}
	ds, err := a.DB.Disputes(ctx, creditorID, debtorID)
	if err != nil {
		return out, err
	}
	for _, d := range ds {
		out.disputes = append(out.disputes, fiber.Map{"id": d.ID, "invoice_id": d.InvoiceID, "reason": d.Reason, "text": d.Body,
			"status": d.Status, "answer": d.Answer, "created_at": d.CreatedAt.UTC().Format(time.RFC3339), "files": len(d.Files)})
	}
	ps, err := a.DB.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return out, err
	}
	for _, p := range ps {
		sched := make([]fiber.Map, 0, len(p.Instalments))
		for _, in := range p.Instalments {
			sched = append(sched, fiber.Map{"seq": in.Seq, "due_date": dateString(in.Due), "amount": in.Amount, "paid": in.Paid})
		}
		out.plans = append(out.plans, fiber.Map{"id": p.ID, "status": p.Status, "total": p.Total, "months": p.Months,
			"first_due": dateString(p.FirstDue), "reason": p.Reason, "schedule": sched})
	}
	hs, err := a.DB.Hardships(ctx, creditorID, debtorID)
	if err != nil {
		return out, err
	}
	out.hardship = fiber.Map{"status": "none"}
	if len(hs) > 0 {
		h := hs[0]
		out.hardship = fiber.Map{"status": h.Status, "reason": h.Reason, "breathing_from": dateString(h.BreathingFrom),
			"breathing_until": dateString(h.BreathingUntil), "in_breathing_space": !a.DB.Today().After(h.BreathingUntil) && h.Status != "wont_pay",
			"consent_to_contact": h.Consent}
	}
	w, ok, err := a.DB.ContactWishesOf(ctx, debtorID)
	if err != nil {
		return out, err
	}
	if ok {
		out.wishes = fiber.Map{"channel": w.Channel, "quiet_times": w.QuietTimes, "language": w.Language}
	}
	return out, nil
}
