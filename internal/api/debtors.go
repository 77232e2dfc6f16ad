package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
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
	d, err := checkDebtor(req)
	if err != nil {
		return err
	}
	d.CreditorID = creditorOf(c).ID
	out, created, err := casework.UpsertDebtor(c.UserContext(), a.DB, d)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{"id": out.ID, "external_ref": out.ExternalRef, "created": created})
}

// checkDebtor validates a debtor request: every text field is one line of
// limited length (the decoder already refused control characters). The
// birth date's window needs the clock: casework.UpsertDebtor checks it.
func checkDebtor(req debtorRequest) (collect.Debtor, error) {
	d := collect.Debtor{Kind: collect.DebtorKind(req.Kind), Language: req.Language}
	for _, f := range []struct {
		field    string
		in       string
		dst      *string
		max      int
		required bool
	}{
		{"external_ref", req.ExternalRef, &d.ExternalRef, 100, true},
		{"name", req.Name, &d.Name, 200, true},
		{"email", req.Email, &d.Email, 254, false},
		{"phone", req.Phone, &d.Phone, 32, false},
		{"address.street", req.Address.Street, &d.Address.Street, 200, false},
		{"address.house_number", req.Address.HouseNumber, &d.Address.HouseNumber, 20, false},
		{"address.postcode", req.Address.Postcode, &d.Address.Postcode, 16, false},
		{"address.city", req.Address.City, &d.Address.City, 100, false},
	} {
		v, err := text(f.field, f.in, f.max, f.required)
		if err != nil {
			return d, err
		}
		*f.dst = v
	}
	if d.Kind == "" {
		d.Kind = collect.Consumer
	}
	if d.Kind != collect.Consumer && d.Kind != collect.Business {
		return d, invalid("kind", "kind must be consumer or business")
	}
	if d.Language == "" {
		d.Language = "nl"
	}
	if !languages[d.Language] {
		return d, invalid("language", "language must be one of nl, en, tr, ar")
	}
	if d.Email != "" && !strings.Contains(d.Email, "@") {
		return d, invalid("email", "email is not an email address")
	}
	if req.BirthDate != "" {
		b, err := date(req.BirthDate, "birth_date")
		if err != nil {
			return d, err
		}
		d.BirthDate = &b
	}
	return d, nil
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
	// No as_of is today; a date must be today or later (casework.OwedOn).
	var asOf time.Time
	if s := c.Query(collect.AsOfField); s != "" {
		var err error
		if asOf, err = date(s, collect.AsOfField); err != nil {
			return err
		}
	}
	r, err := casework.DebtorView(c.UserContext(), a.DB, creditorOf(c).ID, c.Params("id"), asOf)
	if err != nil {
		return err
	}
	d, st := r.Debtor, r.Statement
	var birth *string
	if d.BirthDate != nil {
		s := dateString(*d.BirthDate)
		birth = &s
	}
	return c.JSON(fiber.Map{
		"disputes": disputesJSON(r.Disputes), "plans": plansJSON(r.Plans), "hardship": hardshipJSON(r), "contact_wishes": wishesJSON(r),
		"id": d.ID, "external_ref": d.ExternalRef, "kind": d.Kind, "name": d.Name, "email": d.Email, "phone": d.Phone,
		"language": d.Language, "address": d.Address, "birth_date": birth,
		"invoices": invoicesJSON(st), "messages": messagesJSON(r.Messages),
		"totals": fiber.Map{
			"principal": st.Principal, "costs": st.Costs, "interest": st.Interest, "total": st.Total(), "credit": st.Credit,
		},
		"as_of": dateString(st.AsOf),
	})
}

// invoicesJSON lists a statement's invoices with what is open on each.
func invoicesJSON(st collect.Statement) []invoiceJSON {
	invoices := make([]invoiceJSON, 0, len(st.Lines))
	for _, l := range st.Lines {
		inv := l.Invoice
		invoices = append(invoices, invoiceJSON{
			ID: inv.ID, Number: inv.Number, Description: inv.Description, IssueDate: dateString(inv.IssueDate),
			DueDate: dateString(inv.DueDate), Amount: inv.Amount, Currency: inv.Currency, PaymentReference: inv.PaymentReference,
			Status: l.Status, Principal: l.Principal, Costs: l.Costs, Interest: l.Interest, Total: l.Total(),
		})
	}
	return invoices
}

// What the debtor said in the portal, as getDebtor shows it: disputes,
// plans with their schedules, hardship status and contact wishes.

func disputesJSON(ds []collect.Dispute) []fiber.Map {
	out := []fiber.Map{}
	for _, d := range ds {
		out = append(out, fiber.Map{"id": d.ID, "invoice_id": d.InvoiceID, "reason": d.Reason, "text": d.Body,
			"status": d.Status, "answer": d.Answer, "created_at": d.CreatedAt.UTC().Format(time.RFC3339), "files": len(d.Files)})
	}
	return out
}

func plansJSON(ps []collect.Plan) []fiber.Map {
	out := []fiber.Map{}
	for _, p := range ps {
		sched := make([]fiber.Map, 0, len(p.Instalments))
		for _, in := range p.Instalments {
			sched = append(sched, fiber.Map{"seq": in.Seq, "due_date": dateString(in.Due), "amount": in.Amount, "paid": in.Paid})
		}
		out = append(out, fiber.Map{"id": p.ID, "status": p.Status, "total": p.Total, "months": p.Months, "frequency": p.Frequency,
			"first_due": dateString(p.FirstDue), "reason": p.Reason, "schedule": sched})
	}
	return out
}

func hardshipJSON(r casework.DebtorRecord) fiber.Map {
	h := r.Hardship
	if h == nil {
		return fiber.Map{"status": "none"}
	}
	return fiber.Map{"status": h.Status, "reason": h.Reason, "breathing_from": dateString(h.BreathingFrom),
		"breathing_until": dateString(h.BreathingUntil), "in_breathing_space": r.InBreathingSpace,
		"consent_to_contact": h.Consent}
}

// wishesJSON is nil (JSON null) when the debtor gave no contact wishes.
func wishesJSON(r casework.DebtorRecord) any {
	if !r.HasWishes {
		return nil
	}
	w := r.Wishes
	avoid := make([]fiber.Map, len(w.Avoid))
	for i, a := range w.Avoid {
		days := make([]string, len(a.Days))
		for j, d := range a.Days {
			days[j] = strings.ToLower(d.String())
		}
		avoid[i] = fiber.Map{"days": days, "from": clockTime(a.From), "to": clockTime(a.To)}
	}
	channels := w.Channels
	if channels == nil {
		channels = []collect.Channel{}
	}
	return fiber.Map{"channel": w.Channel, "channels": channels, "phone": w.Phone, "email": w.Email, "avoid": avoid,
		"quiet_times": w.QuietTimes, "quiet_needs_review": w.QuietNeedsReview, "language": w.Language}
}

// clockTime writes minutes after midnight as HH:MM.
func clockTime(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// messagesJSON lists every message and letter, newest first: when it was
// planned and for when, when it was sent, its channel and state, and for a
// posted 14-day letter where its PDF is.
func messagesJSON(ms []casework.MessageOnFile) []fiber.Map {
	out := make([]fiber.Map, 0, len(ms))
	for _, m := range ms {
		var sent, letter, invoice, notice *string
		if m.SentAt != nil {
			s := m.SentAt.UTC().Format(time.RFC3339)
			sent = &s
		}
		if m.HasLetter {
			u := "/api/v1/notices/" + m.NoticeID + "/letter.pdf"
			letter = &u
		}
		if m.InvoiceID != "" {
			invoice = &m.InvoiceID
		}
		if m.NoticeID != "" {
			notice = &m.NoticeID
		}
		out = append(out, fiber.Map{"id": m.ID, "kind": m.Kind, "channel": m.Channel, "state": m.State, "language": m.Language,
			"invoice_id": invoice, "notice_id": notice, "ladder_version": m.LadderVersion,
			"planned_at": m.CreatedAt.UTC().Format(time.RFC3339), "not_before": m.NotBefore.UTC().Format(time.RFC3339),
			"sent_at": sent, "error": m.Error, "letter_url": letter})
	}
	return out
}
