package casework_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
)

// reversalEntry is a CAMT.053 entry reversing the transfer with end-to-end
// id e2e, of amount (in euros, "80.00").
func reversalEntry(e2e, amount string) string {
	return fmt.Sprintf(`<Ntry><Amt Ccy="EUR">%[2]s</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2024-04-01</Dt></BookgDt>
        <NtryDtls><TxDtls><Refs><EndToEndId>%[1]s</EndToEndId></Refs><Amt Ccy="EUR">%[2]s</Amt>
          <RmtInf><Ustrd>Storno</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`, e2e, amount)
}

// An import's reversals wait for a debtor's lock without holding another
// debtor's: each is a transaction of its own. Here another transaction (a
// booking batch of another import, which takes its debtors' locks in
// sorted order) holds the first debtor's lock and then wants the second's,
// while the import reverses a payment of the second debtor and then one of
// the first. Had the import kept the second debtor's lock while waiting
// for the first's, PostgreSQL would abort one of the two as a deadlock.
func TestImportReversalsHoldOneDebtorLockAtATime(t *testing.T) {
	t.Parallel()
	f := importedBankFixture(t)
	ctx := context.Background()
	type rev struct{ debtor, e2e, amount string }
	first, second := rev{f.debtors["Ayşe Yılmaz"].ID, "E2E-B2", "30.00"}, rev{f.debtors["Kees Bakker"].ID, "E2E-C1", "80.00"}
	if first.debtor > second.debtor {
		first, second = second, first
	}
	// The file reverses the second debtor's payment first.
	xml := strings.Replace(f.file(t, "bank_v08.xml"), "<!-- the bank reverses", reversalEntry(second.e2e, second.amount)+
		reversalEntry(first.e2e, first.amount)+"<!-- and not", 1)
	start := strings.Index(xml, "<!-- and not")
	end := strings.Index(xml, "</Stmt>")
	xml = xml[:start] + xml[end:]

	pool := f.db.PoolForTests()
	other, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx) //nolint:errcheck
	lock := `SELECT pg_advisory_xact_lock(hashtextextended('debtor:' || $1, 0))`
	if _, err := other.Exec(ctx, lock, first.debtor); err != nil {
		t.Fatal(err)
	}
	type result struct {
		res casework.ImportResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := casework.ImportCAMT(ctx, f.db, strings.NewReader(xml), casework.ImportOptions{ImportedBy: "test"})
		done <- result{res, err}
	}()
	// Wait until the import waits for the first debtor's lock: it has
	// reversed the second debtor's payment.
	for waiting, deadline := 0, time.Now().Add(time.Minute); waiting == 0; {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 0 && time.Now().After(deadline) {
			t.Fatal("the import never waited for the first debtor's lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := other.Exec(ctx, lock, second.debtor); err != nil {
		t.Fatalf("the other transaction, taking the second debtor's lock: %v", err)
	}
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("import: %v", r.err)
	}
	if r.res.Reversals != 2 {
		t.Errorf("import: %s, want 2 reversals", r.res.Summary())
	}
	for _, name := range []string{"Kees Bakker", "Ayşe Yılmaz"} {
		if n := f.count(t, "payments WHERE status = 'charged_back' AND debtor_id = '"+f.debtors[name].ID+"'"); n != 1 {
			t.Errorf("%s: %d payments charged back, want 1", name, n)
		}
	}
}
