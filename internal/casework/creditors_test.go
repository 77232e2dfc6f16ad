package casework_test

import (
	"errors"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// creditorBundle is one test's database, on Monday 23 November 2026, with
// a creditor, its API key and one consumer debtor.
type creditorBundle struct {
	caseDB
	debtor collect.Debtor
}

func setupCreditor(t *testing.T) *creditorBundle {
	t.Helper()
	b := &creditorBundle{caseDB: newCaseDB(t, apptest.Start, collect.Creditor{Name: "Energie Noord B.V."})}
	var err error
	if b.debtor, _, err = casework.UpsertDebtor(b.ctx, b.db, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: "K-1", Kind: collect.Consumer, Name: "Debtor K-1", Language: "nl"}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *creditorBundle) invoice(number string, due time.Time) casework.InvoiceOrder {
	return casework.InvoiceOrder{CreditorID: b.cr.ID, DebtorExternalRef: b.debtor.ExternalRef, Invoice: collect.Invoice{
		Number: number, IssueDate: collect.Day(2026, 11, 2), DueDate: due, Amount: 10000, Currency: "EUR"}}
}

func wantError(t *testing.T, err error, code, field string) {
	t.Helper()
	var e *collect.Error
	if !errors.As(err, &e) || e.Code != code || e.Field != field {
		t.Fatalf("err = %v, want %s on %q", err, code, field)
	}
}

func TestAuthenticateAndRotate(t *testing.T) {
	b := setupCreditor(t)
	cr, err := casework.AuthenticateCreditor(b.ctx, b.db, b.key)
	if err != nil || cr.ID != b.cr.ID {
		t.Fatalf("AuthenticateCreditor = %v, %v", cr.ID, err)
	}
	key, err := casework.RotateAPIKey(b.ctx, b.db, b.cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = casework.AuthenticateCreditor(b.ctx, b.db, b.key)
	wantError(t, err, collect.EUNAUTHORIZED, "")
	if cr, err := casework.AuthenticateCreditor(b.ctx, b.db, key); err != nil || cr.ID != b.cr.ID {
		t.Fatalf("AuthenticateCreditor with the new key = %v, %v", cr.ID, err)
	}
}

func TestUpsertDebtorBirthDateWindow(t *testing.T) {
	b := setupCreditor(t)
	for _, birth := range []time.Time{collect.Day(1899, 12, 31), collect.Day(2026, 11, 24)} {
		d := b.debtor
		d.BirthDate = &birth
		_, _, err := casework.UpsertDebtor(b.ctx, b.db, d)
		wantError(t, err, collect.EINVALID, "birth_date")
	}
	today := collect.Day(2026, 11, 23)
	d := b.debtor
	d.BirthDate = &today
	if _, created, err := casework.UpsertDebtor(b.ctx, b.db, d); err != nil || created {
		t.Fatalf("UpsertDebtor born today = created %v, %v; want an update", created, err)
	}
}

func TestCreateInvoice(t *testing.T) {
	b := setupCreditor(t)
	inv, err := casework.CreateInvoice(b.ctx, b.db, b.invoice("F-1", collect.Day(2026, 12, 2)))
	if err != nil || inv.DebtorID != b.debtor.ID || inv.PaymentReference == "" {
		t.Fatalf("CreateInvoice = %+v, %v", inv, err)
	}
	_, err = casework.CreateInvoice(b.ctx, b.db, b.invoice("F-1", collect.Day(2026, 12, 2)))
	wantError(t, err, collect.ECONFLICT, "number")
	_, err = casework.CreateInvoice(b.ctx, b.db, b.invoice("F-2", collect.Day(2036, 11, 24)))
	wantError(t, err, collect.EINVALID, "due_date")
	_, err = casework.CreateInvoice(b.ctx, b.db, b.invoice("F-3", collect.Day(2001, 1, 1)))
	wantError(t, err, collect.EINVALID, "due_date")
	o := b.invoice("F-4", collect.Day(2026, 12, 2))
	o.DebtorExternalRef = ""
	_, err = casework.CreateInvoice(b.ctx, b.db, o)
	wantError(t, err, collect.EINVALID, "debtor_id")
	o.DebtorExternalRef = "K-unknown"
	_, err = casework.CreateInvoice(b.ctx, b.db, o)
	wantError(t, err, collect.ENOTFOUND, "")
}

func TestDebtorView(t *testing.T) {
	b := setupCreditor(t)
	if _, err := casework.CreateInvoice(b.ctx, b.db, b.invoice("F-1", collect.Day(2026, 12, 2))); err != nil {
		t.Fatal(err)
	}
	r, err := casework.DebtorView(b.ctx, b.db, b.cr.ID, b.debtor.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Debtor.ID != b.debtor.ID || len(r.Statement.Lines) != 1 || r.Hardship != nil || r.HasWishes {
		t.Fatalf("DebtorView = %+v", r)
	}
	if _, err := casework.ReportHardship(b.ctx, b.db, b.cr, collect.Hardship{DebtorID: b.debtor.ID, Reason: "income"}); err != nil {
		t.Fatal(err)
	}
	if r, err = casework.DebtorView(b.ctx, b.db, b.cr.ID, b.debtor.ID, time.Time{}); err != nil || r.Hardship == nil || !r.InBreathingSpace {
		t.Fatalf("DebtorView after hardship = %+v, %v", r, err)
	}
	other, _, err := b.db.CreateCreditor(b.ctx, collect.Creditor{Name: "Ander B.V."})
	if err != nil {
		t.Fatal(err)
	}
	_, err = casework.DebtorView(b.ctx, b.db, other.ID, b.debtor.ID, time.Time{})
	wantError(t, err, collect.ENOTFOUND, "")
}

func TestIdempotencyClaim(t *testing.T) {
	b := setupCreditor(t)
	keys := casework.NewIdempotency(b.db)
	k, err := keys.Claim(b.ctx, b.cr.ID, "key-1", []byte("request"))
	if err != nil || k.Stored != nil {
		t.Fatalf("first Claim = %+v, %v", k, err)
	}
	if err := k.Save(b.ctx, postgres.StoredAnswer{Status: 201, Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	k.Release(b.ctx)
	k, err = keys.Claim(b.ctx, b.cr.ID, "key-1", []byte("request"))
	if err != nil || k.Stored == nil || k.Stored.Status != 201 {
		t.Fatalf("retry's Claim = %+v, %v", k, err)
	}
	k.Release(b.ctx)
	if _, err := keys.Claim(b.ctx, b.cr.ID, "key-1", []byte("another request")); !errors.Is(err, casework.ErrIdempotencyKeyReused) {
		t.Fatalf("Claim for another request = %v, want ErrIdempotencyKeyReused", err)
	}
}
