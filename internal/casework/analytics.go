package casework

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The creditor analytics: one creditor's figures over a period, the same
// for the console dashboard, its CSV and GET /api/v1/analytics. What each
// figure counts is in docs/analytics.md.

// MaxAnalyticsDays bounds the period of the analytics.
const MaxAnalyticsDays = 366

// Rate is a share: Part of Whole, with Percent rounded to one decimal (0
// when Whole is 0: nothing to measure).
type Rate struct {
	Part, Whole int
	Percent     float64
}

func rate(part, whole int) Rate {
	r := Rate{Part: part, Whole: whole}
	if whole > 0 {
		// Rounded half up on tenths of a percent, in integers.
		r.Percent = float64((part*2000/whole+1)/2) / 10
	}
	return r
}

// analyticsChannels and analyticsMethods are always listed, in this order,
// so that a period without a channel still shows it at zero.
var (
	analyticsChannels = []string{"email", "sms", "whatsapp", "post"}
	analyticsMethods  = []string{"ideal", "card", "transfer"}
	disputeOutcomes   = []string{string(collect.DisputeOpen), string(collect.DisputeUpheld), string(collect.DisputeCorrected), string(collect.DisputeRejected)}
	hardshipReasons   = []string{"income", "illness", "family", "counselling", "other"}
)

// MessageFigure is the messages of one channel: sent, opened and the rate.
type MessageFigure struct {
	Channel string
	Sent    int
	Opened  Rate
}

// MethodFigure is the money of one payment method.
type MethodFigure struct {
	Method   string
	Payments int
	Amount   int64
	Returned int64
}

// AnalyticsFigures are a creditor's figures over the days From to To.
type AnalyticsFigures struct {
	From, To       time.Time
	SelfService    Rate // resolved cases without an agent, of all resolved
	PromisesKept   Rate
	PlansKept      Rate
	DaysToPay      postgres.DaysToPay
	ByChannel      []postgres.AmountCount // "email", "sms", "whatsapp", "post", then "none"
	ByMethod       []MethodFigure
	CollectedTotal int64
	Disputes       []postgres.KeyCount // by outcome
	DisputesTotal  int
	Hardships      []postgres.KeyCount // by reason
	HardshipsTotal int
	Messages       []MessageFigure
}

// CheckAnalyticsPeriod refuses a period that ends before it starts or
// spans more than MaxAnalyticsDays; the error names the field.
func CheckAnalyticsPeriod(from, to time.Time) error {
	if to.Before(from) {
		return collect.Errorf(collect.EINVALID, "to", "to must not be before from")
	}
	if to.Sub(from) >= MaxAnalyticsDays*24*time.Hour {
		return collect.Errorf(collect.EINVALID, "to", "the period is at most %d days", MaxAnalyticsDays)
	}
	return nil
}

// Analytics computes creditorID's figures for the Dutch days from to to
// (both included). The caller has checked that the creditor is the
// caller's own (API key) or one of the console user's.
func Analytics(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) (AnalyticsFigures, error) {
	f := AnalyticsFigures{From: from, To: to}
	if err := CheckAnalyticsPeriod(from, to); err != nil {
		return f, err
	}
	a, err := db.CreditorAnalytics(ctx, creditorID, from, to)
	if err != nil {
		return f, err
	}
	f.SelfService = rate(a.ResolvedSelf, a.Resolved)
	f.PromisesKept = rate(a.PromisesKept, a.PromisesDecided)
	f.PlansKept = rate(a.PlansCompleted, a.PlansEnded)
	f.DaysToPay = a.DaysToPay
	f.ByChannel = fixedOrder(analyticsChannels, a.ByChannel, func(x postgres.AmountCount) string { return x.Key },
		func(k string) postgres.AmountCount { return postgres.AmountCount{Key: k} })
	for _, m := range fixedOrder(analyticsMethods, a.ByMethod, func(x postgres.MethodTotal) string { return x.Method },
		func(k string) postgres.MethodTotal { return postgres.MethodTotal{Method: k} }) {
		f.ByMethod = append(f.ByMethod, MethodFigure{Method: m.Method, Payments: m.Count, Amount: m.Received, Returned: m.Returned})
		f.CollectedTotal += m.Received
	}
	f.Disputes = fixedOrder(disputeOutcomes, a.Disputes, func(x postgres.KeyCount) string { return x.Key },
		func(k string) postgres.KeyCount { return postgres.KeyCount{Key: k} })
	for _, d := range f.Disputes {
		f.DisputesTotal += d.Count
	}
	f.Hardships = fixedOrder(hardshipReasons, a.Hardships, func(x postgres.KeyCount) string { return x.Key },
		func(k string) postgres.KeyCount { return postgres.KeyCount{Key: k} })
	for _, h := range f.Hardships {
		f.HardshipsTotal += h.Count
	}
	for _, m := range fixedOrder(analyticsChannels, a.Messages, func(x postgres.MessageCount) string { return x.Channel },
		func(k string) postgres.MessageCount { return postgres.MessageCount{Channel: k} }) {
		f.Messages = append(f.Messages, MessageFigure{Channel: m.Channel, Sent: m.Sent, Opened: rate(m.Opened, m.Sent)})
	}
	return f, nil
}

// fixedOrder lists one item per key of order (zero when got has none),
// then got's items under other keys, in got's order.
func fixedOrder[T any](order []string, got []T, key func(T) string, zero func(string) T) []T {
	out := make([]T, 0, len(order)+len(got))
	for _, k := range order {
		i := slices.IndexFunc(got, func(x T) bool { return key(x) == k })
		if i >= 0 {
			out = append(out, got[i])
		} else {
			out = append(out, zero(k))
		}
	}
	for _, x := range got {
		if !slices.Contains(order, key(x)) {
			out = append(out, x)
		}
	}
	return out
}

// AnalyticsCSVHeader is the first line of the analytics CSV.
var AnalyticsCSVHeader = []string{"figure", "item", "count", "of", "percent", "amount"}

// WriteCSV writes the figures as CSV for a Dutch spreadsheet, like the
// finance exports: UTF-8 with a byte order mark, semicolons, CRLF, amounts
// in euro and percentages with a decimal comma. One line per figure and
// item; a column that does not apply is empty.
func (f AnalyticsFigures) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	rows := [][]string{AnalyticsCSVHeader}
	rateRow := func(figure, item string, r Rate) []string {
		return []string{figure, item, strconv.Itoa(r.Part), strconv.Itoa(r.Whole), decimalComma(int64(r.Percent*10+0.5), 1), ""}
	}
	rows = append(rows, rateRow("self_service", "resolved without an agent", f.SelfService),
		rateRow("promises_kept", "kept of kept or broken", f.PromisesKept), rateRow("plans_kept", "completed of ended", f.PlansKept),
		[]string{"days_to_first_payment", "debtors", strconv.Itoa(f.DaysToPay.Debtors), "", "", ""},
		[]string{"days_to_first_payment", "median", strconv.Itoa(f.DaysToPay.Median), "", "", ""},
		[]string{"days_to_first_payment", "average", decimalComma(int64(f.DaysToPay.Average*10+0.5), 1), "", "", ""})
	for _, c := range f.ByChannel {
		rows = append(rows, []string{"collected_by_channel", c.Key, strconv.Itoa(c.Payments), "", "", decimalComma(c.Amount, 2)})
	}
	for _, m := range f.ByMethod {
		rows = append(rows, []string{"collected_by_method", m.Method, strconv.Itoa(m.Payments), "", "", decimalComma(m.Amount, 2)},
			[]string{"returned_by_method", m.Method, "", "", "", decimalComma(m.Returned, 2)})
	}
	rows = append(rows, []string{"collected", "total", "", "", "", decimalComma(f.CollectedTotal, 2)})
	for _, d := range f.Disputes {
		rows = append(rows, []string{"disputes", d.Key, strconv.Itoa(d.Count), strconv.Itoa(f.DisputesTotal), "", ""})
	}
	for _, h := range f.Hardships {
		rows = append(rows, []string{"hardship_reports", h.Key, strconv.Itoa(h.Count), strconv.Itoa(f.HardshipsTotal), "", ""})
	}
	for _, m := range f.Messages {
		rows = append(rows, []string{"messages_sent", m.Channel, strconv.Itoa(m.Sent), "", "", ""}, rateRow("messages_opened", m.Channel, m.Opened))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write analytics csv: %w", err)
	}
	return nil
}

// decimalComma writes v (in units of 10^-places) with a decimal comma:
// decimalComma(123456, 2) is "1234,56".
func decimalComma(v int64, places int) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	div := int64(1)
	for range places {
		div *= 10
	}
	return fmt.Sprintf("%s%d,%0*d", sign, v/div, places, v%div)
}
