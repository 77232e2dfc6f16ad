package demo

import (
	"context"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The demo's early signal: Zonnestroom sends check-ins, and one debtor paid
// her last three bills later each time (2, 9 and 16 days after the due
// date), so the first early-signals run puts her on the console's Early
// signals list ("Paid later and later") and schedules one friendly
// check-in, which Mailpit shows at the first allowed moment.
const signalSituation = "paid later and later: an early signal"

var signalDebtors = []debtorSpec{
	{situation: signalSituation, debtor: collect.Debtor{ExternalRef: "ZE-1051", Name: "Fenna Bos", Email: "fenna.bos@example.nl", Language: "nl",
		Address: collect.Address{Street: "Populierenlaan", HouseNumber: "14", Postcode: "3811 AA", City: "Amersfoort"}},
		invoices: []invoiceSpec{{"2026-0851", "Energie augustus", 9400, -95, 0}, {"2026-0951", "Energie september", 9900, -65, 0},
			{"2026-1051", "Energie oktober", 10300, -35, 0}, {"2026-1151", "Energie november", 10800, -5, 0}}},
}

// signalDelays are the days after the due date on which the signal debtor
// paid her first three invoices.
var signalDelays = []int{2, 9, 16}

// seedSignalHistory pays the signal debtor's first invoices later and later
// and turns the creditor's check-ins on; for other debtors it does nothing.
func seedSignalHistory(ctx context.Context, db *postgres.DB, cred collect.Creditor, debtorID string, s debtorSpec, invoiceIDs []string, today time.Time) error {
	if s.situation != signalSituation {
		return nil
	}
	for i, late := range signalDelays {
		// She pays all that is open on the bill that day, interest included,
		// so the bill counts as paid in full.
		on := today.AddDate(0, 0, s.invoices[i].dueIn+late)
		_, st, err := db.Statement(ctx, cred.ID, debtorID, on)
		if err != nil {
			return err
		}
		var open int64
		for _, l := range st.Lines {
			if l.Invoice.ID == invoiceIDs[i] {
				open = l.Total()
			}
		}
		if _, _, err := db.ApplyPayment(ctx, postgres.Receipt{CreditorID: cred.ID, DebtorID: debtorID, Amount: open,
			InvoiceID: invoiceIDs[i], On: on, SourceKey: "demo:late:" + invoiceIDs[i], Memo: "bank transfer"}); err != nil {
			return err
		}
	}
	return db.SetSignalCheckin(ctx, "demo", cred.ID, true)
}
