package apptest

import (
	"strings"

	"github.com/pquerna/otp/totp"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Creditor is a seeded creditor with its API key.
type Creditor struct {
	collect.Creditor
	Key string
}

// Creditor creates c; the contact fields it leaves empty get the values
// every creditor of the tests has, since the pages show them.
func (e *Env) Creditor(c collect.Creditor) Creditor {
	e.T.Helper()
	c.Phone = or(c.Phone, "020 123 45 67")
	c.PhoneHours = or(c.PhoneHours, "op werkdagen van 9 tot 17 uur")
	c.Email = or(c.Email, "klantenservice@example.nl")
	c.IBAN = or(c.IBAN, "NL91ABNA0417164300")
	cr, key, err := e.DB.CreateCreditor(e.Ctx, c)
	if err != nil {
		e.T.Fatal(err)
	}
	return Creditor{cr, key}
}

// Debtor creates d, a Dutch-speaking consumer in Zwolle unless it says
// otherwise.
func (e *Env) Debtor(d collect.Debtor) collect.Debtor {
	e.T.Helper()
	d.Kind = or(d.Kind, collect.Consumer)
	d.Email = or(d.Email, "jan@example.nl")
	d.Language = or(d.Language, "nl")
	d.Address.Street = or(d.Address.Street, "Dorpsstraat")
	d.Address.HouseNumber = or(d.Address.HouseNumber, "1")
	d.Address.Postcode = or(d.Address.Postcode, "1234 AB")
	d.Address.City = or(d.Address.City, "Zwolle")
	got, _, err := e.DB.UpsertDebtor(e.Ctx, d)
	if err != nil {
		e.T.Fatal(err)
	}
	return got
}

// Invoice creates inv, in euros unless it says otherwise.
func (e *Env) Invoice(inv collect.Invoice) collect.Invoice {
	e.T.Helper()
	inv.Currency = or(inv.Currency, "EUR")
	got, err := e.DB.CreateInvoice(e.Ctx, inv)
	if err != nil {
		e.T.Fatal(err)
	}
	return got
}

// Notice records a notice of n's channel and date on invs.
func (e *Env) Notice(cr collect.Creditor, d collect.Debtor, n collect.Notice, invs ...collect.Invoice) collect.Notice {
	e.T.Helper()
	ids := make([]string, len(invs))
	for i, inv := range invs {
		ids[i] = inv.ID
	}
	got, err := e.DB.CreateNotice(e.Ctx, cr, d.ID, ids, n)
	if err != nil {
		e.T.Fatal(err)
	}
	return got
}

// Pay books a receipt of cents on d's account, as a matched bank line does.
func (e *Env) Pay(r postgres.Receipt) {
	e.T.Helper()
	if _, _, err := e.DB.ApplyPayment(e.Ctx, r); err != nil {
		e.T.Fatal(err)
	}
}

// Link issues a magic link of channel's default lifetime and returns its
// token (the path after /l/) and its row.
func (e *Env) Link(creditorID, debtorID, channel string) (string, postgres.Link) {
	e.T.Helper()
	ttl, _ := access.DefaultTTL(channel)
	u, l, err := casework.IssueLink(e.Ctx, e.DB, e.Signer, e.Cfg.BaseURL, creditorID, debtorID, channel, ttl)
	if err != nil {
		e.T.Fatal(err)
	}
	tok := strings.TrimPrefix(u, e.Cfg.BaseURL+"/l/")
	if tok == u || tok == "" {
		e.T.Fatalf("link URL %q does not start with %s/l/", u, e.Cfg.BaseURL)
	}
	return tok, l
}

// Statement is the debtor's statement today.
func (e *Env) Statement(creditorID, debtorID string) collect.Statement {
	e.T.Helper()
	_, st, err := e.DB.Statement(e.Ctx, creditorID, debtorID, e.DB.Today())
	if err != nil {
		e.T.Fatal(err)
	}
	return st
}

// Agent creates a console user with Password.
func (e *Env) Agent(email, role string, creditors ...string) postgres.Agent {
	e.T.Helper()
	hash, err := access.HashPassword(Password)
	if err != nil {
		e.T.Fatal(err)
	}
	a, err := e.DB.CreateAgent(e.Ctx, email, role, hash, creditors)
	if err != nil {
		e.T.Fatal(err)
	}
	return a
}

// Code is the current TOTP code of a console user's secret (or of the one
// being enrolled), made by the library at the test's clock.
func (e *Env) Code(email string) string {
	e.T.Helper()
	a, err := e.DB.AgentByEmail(e.Ctx, email)
	if err != nil {
		e.T.Fatal(err)
	}
	secret := or(a.TOTPSecret, a.TOTPPending)
	code, err := totp.GenerateCode(secret, e.Clock.Now())
	if err != nil {
		e.T.Fatalf("code for %s: %v", email, err)
	}
	return code
}

// Count runs a query that returns one number.
func (e *Env) Count(sql string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, sql, args...).Scan(&n); err != nil {
		e.T.Fatal(err)
	}
	return n
}

// or is v, or def when v is empty.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
