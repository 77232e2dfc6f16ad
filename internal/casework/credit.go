package casework

import (
	"context"
	"errors"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// CreditRefundResult is what a credit refund did: the parts that went back
// through a provider and the part left for a bank transfer.
type CreditRefundResult struct {
	Refunds []postgres.CreditRefund
}

// RefundCredit pays a debtor's whole credit at a creditor back, as an agent
// asked: through the providers of the payments it came from, newest first
// (collect.SplitRefund), and what no payment can take is recorded for the
// creditor to transfer by bank. Each part is booked before its provider is
// asked, so the provider's own report of the refund books nothing twice;
// a provider that refuses gets the part booked back (the credit is the
// debtor's again) and the error is returned.
func (ps *Payments) RefundCredit(ctx context.Context, agentID, creditorID, debtorID string) (CreditRefundResult, error) {
	var out CreditRefundResult
	facts, st, err := ps.DB.Statement(ctx, creditorID, debtorID, ps.DB.Today())
	if err != nil {
		return out, err
	}
	if st.Credit <= 0 {
		return out, collect.Errorf(collect.ECONFLICT, "", "this debtor has no credit to pay back")
	}
	if st.Total() > 0 {
		return out, collect.Errorf(collect.ECONFLICT, "", "the credit goes to what is still open first")
	}
	payments, err := ps.DB.RefundablePayments(ctx, creditorID, debtorID)
	if err != nil {
		return out, err
	}
	refundable := make([]collect.Refundable, len(payments))
	byID := map[string]postgres.RefundablePayment{}
	for i, p := range payments {
		refundable[i], byID[p.PaymentID] = p.Refundable, p
	}
	parts, rest := collect.SplitRefund(st.Credit, refundable)
	actor := "agent:" + agentID
	for _, part := range parts {
		p := byID[part.PaymentID]
		r, err := ps.DB.BookCreditRefund(ctx, postgres.CreditRefund{CreditorID: creditorID, DebtorID: debtorID, PaymentID: p.PaymentID,
			Amount: part.Amount, Method: collect.RefundByProvider, Status: collect.RefundRequested, RequestedBy: actor})
		if err != nil {
			return out, err
		}
		refundID, perr := ps.refundAtProvider(ctx, facts.Creditor, p, r)
		if err := ps.DB.FinishCreditRefund(ctx, r, refundID, perr); err != nil {
			return out, errors.Join(perr, err)
		}
		if perr != nil {
			return out, perr
		}
		r.Status, r.ProviderRefundID = collect.RefundSent, refundID
		out.Refunds = append(out.Refunds, r)
	}
	if rest > 0 {
		r, err := ps.DB.BookCreditRefund(ctx, postgres.CreditRefund{CreditorID: creditorID, DebtorID: debtorID,
			Amount: rest, Method: collect.RefundByTransfer, Status: collect.RefundToTransfer, RequestedBy: actor})
		if err != nil {
			return out, err
		}
		out.Refunds = append(out.Refunds, r)
	}
	return out, nil
}

// refundAtProvider asks the payment's provider to pay the part back; the
// refund's own id is the idempotency key, so a retried request refunds once.
func (ps *Payments) refundAtProvider(ctx context.Context, cr collect.Creditor, p postgres.RefundablePayment, r postgres.CreditRefund) (string, error) {
	prov, err := ps.Providers.ByName(pay.SetupOf(cr), p.Provider)
	if err != nil {
		return "", err
	}
	refunder, ok := prov.(pay.Refunder)
	if !ok {
		return "", errors.New(p.Provider + " cannot refund through Settle")
	}
	return refunder.Refund(ctx, p.ProviderID, r.Amount, "credit-refund-"+r.ID)
}
