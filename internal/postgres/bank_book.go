package postgres

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// BookReceiptsTx books many receipts inside tx with exactly the rules of
// ApplyPaymentTx (accruals due on the day first, then art. 6:44 and 6:43 BW,
// the rest as credit; a SourceKey already in the ledger books nothing), but
// set-based: it locks the debtors, loads their facts and writes the ledger
// with a handful of statements per batch instead of a dozen per receipt.
// Receipts of one debtor are applied in the order given, each seeing the
// bookings of the ones before. It reports how many receipts were booked.
//
// It holds the advisory locks of the receipts' debtors until tx ends;
// PostgreSQL keeps those in a shared table of about
// max_locks_per_transaction × max_connections entries (6,400 by default),
// so a caller books a few hundred receipts per transaction (the bank
// import: bookBatch).
func BookReceiptsTx(ctx context.Context, tx pgx.Tx, rs []Receipt) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	var debtors, keys []string
	seenDebtor := map[string]bool{}
	for _, r := range rs {
		if err := r.received().Check(); err != nil {
			return 0, err
		}
		if !seenDebtor[r.DebtorID] {
			seenDebtor[r.DebtorID] = true
			debtors = append(debtors, r.DebtorID)
		}
		keys = append(keys, r.SourceKey)
	}
	sort.Strings(debtors)
	// The same advisory locks as lockDebtor, taken in a stable order.
	if _, err := tx.Exec(ctx, `SELECT count(pg_advisory_xact_lock(hashtextextended('debtor:' || d, 0)))
		FROM (SELECT d FROM unnest($1::text[]) AS d ORDER BY d) AS s`, debtors); err != nil {
		return 0, dbErr(err, "lock debtors")
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT source_key FROM ledger_entries WHERE source_key = ANY($1)`, keys)
	if err != nil {
		return 0, dbErr(err, "check receipts")
	}
	done, err := collectRows(rows, func(r pgx.Row) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, "check receipts")
	if err != nil {
		return 0, err
	}
	booked := map[string]bool{}
	for _, k := range done {
		booked[k] = true
	}
	fs, err := factsMany(ctx, tx, debtors)
	if err != nil {
		return 0, err
	}
	type newEntry struct {
		creditor, debtor, key string
		e                     collect.Entry
	}
	var out []newEntry
	var nextID int64 = 1 << 62 // after every stored id, so in-memory order matches the ledger's
	add := func(f *collect.Facts, r Receipt, e collect.Entry, key string) {
		nextID++
		e.ID = nextID
		f.Entries = append(f.Entries, e)
		out = append(out, newEntry{r.CreditorID, r.DebtorID, key, e})
	}
	n := 0
	for _, r := range rs {
		if booked[r.SourceKey] {
			continue
		}
		booked[r.SourceKey] = true
		f := fs[r.DebtorID]
		if f == nil || f.Debtor.CreditorID != r.CreditorID {
			return n, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
		}
		b, err := collect.Book(*f, r.received())
		if err != nil {
			return n, err
		}
		for _, p := range b.Postings {
			add(f, r, p.Entry, p.SourceKey)
		}
		sortEntries(f.Entries)
		n++
	}
	i := 0
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"ledger_entries"},
		[]string{"creditor_id", "debtor_id", "invoice_id", "account", "kind", "amount_cents", "booked_on", "source_key", "memo", "payment_id", "notice_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(out) {
				return nil, nil
			}
			x := out[i]
			i++
			return []any{x.creditor, x.debtor, nullable(x.e.InvoiceID), string(x.e.Account), string(x.e.Kind), x.e.Amount, x.e.BookedOn,
				nullable(x.key), x.e.Memo, nullable(x.e.PaymentID), nullable(x.e.NoticeID)}, nil
		}))
	if err != nil {
		return 0, dbErr(err, "ledger entries")
	}
	return n, nil
}

// sortEntries keeps the ledger order entries() loads: booking day, then id.
func sortEntries(es []collect.Entry) {
	slices.SortStableFunc(es, func(a, b collect.Entry) int {
		if c := a.BookedOn.Compare(b.BookedOn); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

// factsMany is facts for many debtors at once: one query per table.
func factsMany(ctx context.Context, q querier, debtorIDs []string) (map[string]*collect.Facts, error) {
	out := make(map[string]*collect.Facts, len(debtorIDs))
	rows, err := q.Query(ctx, `SELECT `+debtorCols+` FROM debtors WHERE id = ANY($1::uuid[])`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "debtors")
	}
	ds, err := collectRows(rows, scanDebtor, "debtors")
	if err != nil {
		return nil, err
	}
	var creditorIDs []string
	for _, d := range ds {
		out[d.ID] = &collect.Facts{Debtor: d}
		if !slices.Contains(creditorIDs, d.CreditorID) {
			creditorIDs = append(creditorIDs, d.CreditorID)
		}
	}
	rows, err = q.Query(ctx, `SELECT `+creditorCols+` FROM creditors WHERE id = ANY($1::uuid[])`, creditorIDs)
	if err != nil {
		return nil, dbErr(err, "creditors")
	}
	cs, err := collectRows(rows, scanCreditor, "creditors")
	if err != nil {
		return nil, err
	}
	creditors := map[string]collect.Creditor{}
	for _, c := range cs {
		creditors[c.ID] = c
	}
	rows, err = q.Query(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE debtor_id = ANY($1::uuid[]) ORDER BY due_date, number`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "invoices")
	}
	invs, err := collectRows(rows, scanInvoice, "invoices")
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		if f := out[inv.DebtorID]; f != nil && inv.CreditorID == f.Debtor.CreditorID {
			f.Invoices = append(f.Invoices, inv)
		}
	}
	rows, err = q.Query(ctx, `SELECT debtor_id, creditor_id, id, coalesce(invoice_id::text, ''), account, kind, amount_cents, booked_on, memo,
			coalesce(payment_id::text, ''), coalesce(notice_id::text, '')
		FROM ledger_entries WHERE debtor_id = ANY($1::uuid[]) ORDER BY booked_on, id`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "ledger")
	}
	for rows.Next() {
		var e collect.Entry
		var debtor, creditor, account, kind string
		if err := rows.Scan(&debtor, &creditor, &e.ID, &e.InvoiceID, &account, &kind, &e.Amount, &e.BookedOn, &e.Memo, &e.PaymentID, &e.NoticeID); err != nil {
			rows.Close()
			return nil, dbErr(err, "ledger")
		}
		e.Account, e.Kind, e.BookedOn = collect.Account(account), collect.EntryKind(kind), collect.DateOf(e.BookedOn)
		if f := out[debtor]; f != nil && creditor == f.Debtor.CreditorID {
			f.Entries = append(f.Entries, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "ledger")
	}
	rows, err = q.Query(ctx, `SELECT n.debtor_id, n.creditor_id, n.id, n.channel, n.sent_on, n.received_on, n.deadline, n.principal_cents, n.costs_cents, n.waived,
			array(SELECT invoice_id::text FROM notice_invoices ni WHERE ni.notice_id = n.id ORDER BY invoice_id)
		FROM notices n WHERE n.debtor_id = ANY($1::uuid[]) ORDER BY n.sent_on, n.created_at`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "notices")
	}
	for rows.Next() {
		var n collect.Notice
		var debtor, creditor string
		if err := rows.Scan(&debtor, &creditor, &n.ID, &n.Channel, &n.SentOn, &n.ReceivedOn, &n.Deadline, &n.Principal, &n.Costs, &n.Waived, &n.InvoiceIDs); err != nil {
			rows.Close()
			return nil, dbErr(err, "notices")
		}
		n.SentOn, n.ReceivedOn, n.Deadline = collect.DateOf(n.SentOn), collect.DateOf(n.ReceivedOn), collect.DateOf(n.Deadline)
		if f := out[debtor]; f != nil && creditor == f.Debtor.CreditorID {
			f.Notices = append(f.Notices, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "notices")
	}
	rows, err = q.Query(ctx, `SELECT debtor_id, invoice_id, created_at, resolved_at FROM disputes WHERE debtor_id = ANY($1::uuid[])`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "holds")
	}
	for rows.Next() {
		var debtor, inv string
		var from time.Time
		var to *time.Time
		if err := rows.Scan(&debtor, &inv, &from, &to); err != nil {
			rows.Close()
			return nil, dbErr(err, "holds")
		}
		p := collect.Period{From: collect.DutchDate(from)}
		if to != nil {
			p.To = collect.DutchDate(*to)
		}
		if f := out[debtor]; f != nil {
			if f.Holds == nil {
				f.Holds = map[string][]collect.Period{}
			}
			f.Holds[inv] = append(f.Holds[inv], p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "holds")
	}
	hardship := map[string]bool{}
	rows, err = q.Query(ctx, `SELECT debtor_id, breathing_from, breathing_until, status FROM hardships WHERE debtor_id = ANY($1::uuid[])`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "breathing space")
	}
	for rows.Next() {
		var debtor, status string
		var from, until time.Time
		if err := rows.Scan(&debtor, &from, &until, &status); err != nil {
			rows.Close()
			return nil, dbErr(err, "breathing space")
		}
		if f := out[debtor]; f != nil {
			f.Breathing = append(f.Breathing, collect.Period{From: collect.DateOf(from), To: collect.DateOf(until)})
			if status != "wont_pay" {
				hardship[debtor] = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "breathing space")
	}
	rateTables := map[string]collect.RateTable{}
	for id, f := range out {
		c, ok := creditors[f.Debtor.CreditorID]
		if !ok {
			delete(out, id)
			continue
		}
		f.Creditor = c
		if f.Holds == nil {
			f.Holds = map[string][]collect.Period{}
		}
		f.WaiveCosts = hardship[id] && c.Policy.HardshipWaiveCosts
		kind := RateKind(f.Debtor.Kind)
		rt, ok := rateTables[kind]
		if !ok {
			if rt, err = rates(ctx, q, kind); err != nil {
				return nil, err
			}
			rateTables[kind] = rt
		}
		f.Rates = rt
	}
	return out, nil
}
