package casework

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/letters"
	"github.com/settle/settle/internal/postgres"
)

// drawLetter returns the renderer of a new posted notice's letter: the
// facts from the draft the store hands over inside its transaction, with
// the short link prepared beforehand. A letter that cannot be drawn from
// the creditor's or debtor's details (no IBAN, no postal address...) leaves
// the notice without a PDF and says why in *problem, since the notice is
// the creditor's record of a letter it may also have sent itself.
// phoneHours, read before the transaction too, is the creditor's phone
// hours in the letter's language; "" keeps the Dutch ones.
func drawLetter(link shortLink, phoneHours string, problem *string) func(postgres.LetterDraft) (postgres.Letter, error) {
	return func(d postgres.LetterDraft) (postgres.Letter, error) {
		n, err := letterFacts(d, link.URL)
		if phoneHours != "" {
			n.Creditor.PhoneHours = phoneHours
		}
		var pdf []byte
		if err == nil {
			pdf, err = letters.Render(n)
		}
		if collect.ErrorCode(err) == collect.EINVALID {
			*problem = err.Error()
			return postgres.Letter{}, nil
		}
		if err != nil {
			return postgres.Letter{}, err
		}
		facts, err := json.Marshal(n)
		if err != nil {
			return postgres.Letter{}, fmt.Errorf("letter facts: %w", err)
		}
		return postgres.Letter{Number: d.Number, PDF: pdf, Facts: facts, Short: &link.Short, Link: &link.Link}, nil
	}
}

// letterFacts words a notice as the facts its letter states: what is open
// per invoice on the letter's date, what to pay by the last day (interest
// up to then included), the costs the notice announces, what it all comes
// to after the last day to pay, the short link and the RF
// reference of the oldest open invoice for a bank transfer.
func letterFacts(d postgres.LetterDraft, link string) (letters.Notice, error) {
	n, f := d.Notice, d.Facts
	st, err := collect.BuildStatement(f, n.SentOn)
	if err != nil {
		return letters.Notice{}, err
	}
	cr := f.Creditor
	out := letters.Notice{
		Number: d.Number, Lang: letterLanguage(f.Debtor.Language), Date: n.SentOn, Deadline: n.Deadline, ShortLink: link,
		Creditor: letters.Creditor{Name: cr.Name, Address: cr.Address, Phone: cr.Phone, PhoneHours: cr.PhoneHours,
			Email: cr.Email, IBAN: cr.IBAN, BIC: cr.BIC},
		Debtor:    letters.Debtor{Name: f.Debtor.Name, Address: f.Debtor.Address},
		HelpPhone: cr.Policy.HelpPhone, HelpSite: cr.Policy.HelpSite,
	}
	if !n.Waived {
		out.Costs = n.Costs
	}
	if out.AfterDeadline, err = owedAfterDeadline(f, n); err != nil {
		return letters.Notice{}, err
	}
	if out.PayBy, err = owedOnDeadline(f, n); err != nil {
		return letters.Notice{}, err
	}
	for _, l := range st.Open() {
		if !slices.Contains(n.InvoiceIDs, l.Invoice.ID) {
			continue
		}
		out.Invoices = append(out.Invoices, letters.Invoice{Number: l.Invoice.Number, Open: l.Total()})
		out.Open += l.Total()
		if out.Reference == "" {
			out.Reference = l.Invoice.PaymentReference
		}
	}
	return out, nil
}

// letterLanguage is the language a letter to a debtor speaking lang is
// printed in: English or Dutch, the languages the letter's fonts and words
// exist in.
func letterLanguage(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "nl"
}

// NoticeLetter is the PDF of one of a creditor's posted notices, exactly as
// it was printed. Another creditor's notice, or one without a letter, is
// not found.
func NoticeLetter(ctx context.Context, db *postgres.DB, creditorID, noticeID string) (postgres.Letter, error) {
	return db.NoticeLetter(ctx, creditorID, noticeID)
}

// DebtorLetters lists the letters of a creditor's own debtor, oldest first.
func DebtorLetters(ctx context.Context, db *postgres.DB, creditorID, debtorID string) ([]postgres.Letter, error) {
	d, err := db.Debtor(ctx, creditorID, debtorID)
	if err != nil {
		return nil, err
	}
	return db.NoticeLetters(ctx, creditorID, d.ID)
}

// ErrNoLetters means no letter was posted on the day asked for.
var ErrNoLetters = collect.Errorf(collect.ENOTFOUND, "", "no letters on this day")

// DayBatch writes the letters posted on day for a print-and-mail partner:
// PDFs of at most perPDF letters each (newPDF opens part 1, 2, ...) and one
// CSV manifest over all of them, in letter number order. Each part is drawn
// and written before the next is read, so memory stays flat however large
// the day. creditorID "" takes every creditor's letters. It counts the letters.
func DayBatch(ctx context.Context, db *postgres.DB, creditorID string, day time.Time, perPDF int, newPDF func(part int) (io.WriteCloser, error), manifest io.Writer) (int, error) {
	perPDF = max(perPDF, 1)
	count, after := 0, ""
	for part := 1; ; part++ {
		chunk, err := db.LettersSentOn(ctx, creditorID, day, after, perPDF)
		if err != nil {
			return count, err
		}
		if len(chunk) == 0 {
			break
		}
		ns := make([]letters.Notice, len(chunk))
		for i, l := range chunk {
			if err := json.Unmarshal(l.Facts, &ns[i]); err != nil {
				return count, fmt.Errorf("letter %s facts: %w", l.Number, err)
			}
		}
		if err := batchPart(ns, day, part, newPDF, manifest); err != nil {
			return count, err
		}
		count += len(chunk)
		after = chunk[len(chunk)-1].Number
	}
	if count == 0 {
		return 0, ErrNoLetters
	}
	return count, nil
}

// batchPart draws one part of a day's batch and adds its rows to the
// manifest; the manifest has one header, the first part's.
func batchPart(ns []letters.Notice, day time.Time, part int, newPDF func(part int) (io.WriteCloser, error), manifest io.Writer) error {
	w, err := newPDF(part)
	if err != nil {
		return err
	}
	var rows bytes.Buffer
	err = letters.Batch(ns, day, w, &rows)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if part > 1 {
		if _, err := rows.ReadBytes('\n'); err != nil {
			return fmt.Errorf("manifest header: %w", err)
		}
	}
	if _, err := rows.WriteTo(manifest); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}
