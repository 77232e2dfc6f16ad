package casework

import (
	"context"
	"slices"
	"time"

	"github.com/settle/settle/internal/postgres"
)

// The finance figures. Every read takes one creditor id that the caller has
// checked against the console user's creditors (ConsoleCreditors).

// RefusedEventsShown is how many refused provider events the figures list.
const RefusedEventsShown = 20

// channels are the payment methods the figures always show, in this order.
var channels = []string{"ideal", "card", "transfer"}

// FinanceFigures are a creditor's money over a period: received by channel
// and per day, provider fees, the open balance at its start and end, and the
// provider events refused for the creditor's payments.
type FinanceFigures struct {
	Channels      []postgres.MethodTotal
	ReceivedTotal int64
	ReturnedTotal int64
	Days          []postgres.DayTotal
	Fees          []postgres.PayoutFee
	FeesTotal     int64
	OpenStart     int64
	OpenEnd       int64
	Refused       []postgres.RefusedEvent
}

// Figures loads creditorID's finance figures for the days from to to.
func Figures(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) (FinanceFigures, error) {
	var f FinanceFigures
	var err error
	if f.Channels, err = receivedByChannel(ctx, db, creditorID, from, to); err != nil {
		return f, err
	}
	for _, ch := range f.Channels {
		f.ReceivedTotal += ch.Received
		f.ReturnedTotal += ch.Returned
	}
	if f.Days, err = db.ReceivedPerDay(ctx, creditorID, from, to); err != nil {
		return f, err
	}
	if f.Fees, err = db.FeesBooked(ctx, creditorID, from, to); err != nil {
		return f, err
	}
	for _, fee := range f.Fees {
		f.FeesTotal += fee.Amount
	}
	if f.OpenStart, f.OpenEnd, err = db.OpenBalances(ctx, creditorID, from, to); err != nil {
		return f, err
	}
	f.Refused, err = db.RefusedEvents(ctx, creditorID, RefusedEventsShown)
	return f, err
}

// receivedByChannel is the money of each payment method in the period:
// always the three channels, in this order, and any other after them.
func receivedByChannel(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) ([]postgres.MethodTotal, error) {
	got, err := db.ReceivedByMethod(ctx, creditorID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]postgres.MethodTotal, 0, len(channels)+len(got))
	for _, m := range channels {
		out = append(out, postgres.MethodTotal{Method: m})
	}
	for _, g := range got {
		if i := slices.IndexFunc(out, func(t postgres.MethodTotal) bool { return t.Method == g.Method }); i >= 0 {
			out[i] = g
		} else {
			out = append(out, g)
		}
	}
	return out, nil
}
