package molliefake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// stateMutex guards the fake's state. When the fake is persisted, Unlock
// first writes the state to disk if it changed, so every path that changes
// state (API calls, the checkout page, test helpers, and any added later) is
// saved before another goroutine can see the change, without each of them
// having to remember to save.
type stateMutex struct {
	sync.Mutex
	save func() // set by Persist; runs with the lock held
}

// Unlock saves the state (when persisted) and releases the lock.
func (m *stateMutex) Unlock() {
	if m.save != nil {
		m.save()
	}
	m.Mutex.Unlock()
}

// Persist keeps the fake's payments, refunds, chargebacks, settlements and
// idempotency keys in the JSON file at path, so `settle demo` killed with
// kill -9 finds them again on the next run, as a real provider would. It
// loads the file when it exists, then rewrites it atomically (temporary
// file, fsync, rename) after every change. Webhook deliveries are not kept:
// one lost in the crash is found by Settle's periodic re-fetch, as a lost
// Mollie webhook would be.
func (f *Fake) Persist(path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mu.save != nil {
		return errors.New("molliefake: state is already persisted")
	}
	last, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		last = nil
	case err != nil:
		return fmt.Errorf("molliefake: read state: %w", err)
	default:
		var s diskState
		if err := json.Unmarshal(last, &s); err != nil {
			return fmt.Errorf("molliefake: state file %s: %w", path, err)
		}
		f.restoreLocked(s)
	}
	f.mu.save = func() {
		b, err := json.MarshalIndent(f.snapshotLocked(), "", "\t")
		if err == nil && bytes.Equal(b, last) {
			return
		}
		if err == nil {
			err = writeAtomic(path, b)
		}
		if err != nil {
			// The fake has no caller to return this to; the demo goes on
			// in memory, and the log says why a restart may forget.
			slog.Error("molliefake: keep state", "path", path, "err", err)
			return
		}
		last = b
	}
	return nil
}

// writeAtomic replaces path with b so a crash leaves the old or the new
// file, never a torn one.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// diskState is the fake's state in the file. It mirrors the unexported
// types field by field; TestPersistKeepsEveryField fails when a field is
// added there and not here.
type diskState struct {
	Payments    []diskPayment       `json:"payments"` // in creation order
	Refunds     []diskRefund        `json:"refunds"`
	Chargebacks []diskChargeback    `json:"chargebacks"`
	Settlements []diskSettlement    `json:"settlements"`
	Idem        map[string]diskIdem `json:"idempotency"`
	RefSeq      map[string]int      `json:"settlement_sequence"`
	Customers   []Customer          `json:"customers"`
	Mandates    []Mandate           `json:"mandates"` // in creation order
}

type diskPayment struct {
	Payment
	ProfileID    string     `json:"profile_id"`
	AuthorizedAt *time.Time `json:"authorized_at"`
	CanceledAt   *time.Time `json:"canceled_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	ExpiredAt    *time.Time `json:"expired_at"`
	FailedAt     *time.Time `json:"failed_at"`
	RefundIDs    []string   `json:"refund_ids"`
	ChargeIDs    []string   `json:"chargeback_ids"`
}

type diskRefund struct {
	ID           string    `json:"id"`
	Mode         string    `json:"mode"`
	PaymentID    string    `json:"payment_id"`
	Cents        int64     `json:"cents"`
	Currency     string    `json:"currency"`
	Description  string    `json:"description"`
	Status       string    `json:"status"`
	SettlementID string    `json:"settlement_id"`
	CreatedAt    time.Time `json:"created_at"`
}

type diskChargeback struct {
	ID           string     `json:"id"`
	PaymentID    string     `json:"payment_id"`
	Cents        int64      `json:"cents"`
	Currency     string     `json:"currency"`
	SettlementID string     `json:"settlement_id"`
	CreatedAt    time.Time  `json:"created_at"`
	ReversedAt   *time.Time `json:"reversed_at,omitempty"`
}

type diskSettlement struct {
	ID            string                           `json:"id"`
	Reference     string                           `json:"reference"`
	Currency      string                           `json:"currency"`
	Cents         int64                            `json:"cents"`
	CreatedAt     time.Time                        `json:"created_at"`
	SettledAt     time.Time                        `json:"settled_at"`
	Periods       map[string]map[string]diskPeriod `json:"periods"`
	PaymentIDs    []string                         `json:"payment_ids"`
	RefundIDs     []string                         `json:"refund_ids"`
	ChargebackIDs []string                         `json:"chargeback_ids"`
}

type diskPeriod struct {
	Revenue []diskLine `json:"revenue"`
	Costs   []diskLine `json:"costs"`
}

type diskLine struct {
	Description string `json:"description"`
	Method      string `json:"method"`
	Count       int    `json:"count"`
	NetBips     int64  `json:"net_bips"`
	VATBips     *int64 `json:"vat_bips"`
	GrossBips   int64  `json:"gross_bips"`
	FixedBips   int64  `json:"fixed_bips"`
	Percent     string `json:"percent"`
	HasRate     bool   `json:"has_rate"`
}

type diskIdem struct {
	Body      string `json:"body_sha256"`
	PaymentID string `json:"payment_id"`
}

// snapshotLocked copies the state into its file form. Refunds and
// chargebacks follow their payments' order so unchanged state gives the
// same bytes and is not rewritten.
func (f *Fake) snapshotLocked() diskState {
	s := diskState{Idem: map[string]diskIdem{}, RefSeq: f.refSeq}
	for _, id := range f.order {
		p := f.payments[id]
		s.Payments = append(s.Payments, diskPayment{
			Payment: p.Payment, ProfileID: p.profileID, AuthorizedAt: p.authorizedAt, CanceledAt: p.canceledAt,
			ExpiresAt: p.expiresAt, ExpiredAt: p.expiredAt, FailedAt: p.failedAt, RefundIDs: p.refundIDs, ChargeIDs: p.chargeIDs,
		})
		for _, rid := range p.refundIDs {
			r := f.refunds[rid]
			s.Refunds = append(s.Refunds, diskRefund{
				ID: r.id, Mode: r.mode, PaymentID: r.paymentID, Cents: r.cents, Currency: r.currency,
				Description: r.description, Status: r.status, SettlementID: r.settlementID, CreatedAt: r.createdAt,
			})
		}
		for _, cid := range p.chargeIDs {
			c := f.chargebacks[cid]
			s.Chargebacks = append(s.Chargebacks, diskChargeback{
				ID: c.id, PaymentID: c.paymentID, Cents: c.cents, Currency: c.currency,
				SettlementID: c.settlementID, CreatedAt: c.createdAt, ReversedAt: c.reversedAt,
			})
		}
	}
	for _, st := range f.settlements {
		d := diskSettlement{
			ID: st.id, Reference: st.reference, Currency: st.currency, Cents: st.cents,
			CreatedAt: st.createdAt, SettledAt: st.settledAt, Periods: map[string]map[string]diskPeriod{},
			PaymentIDs: st.paymentIDs, RefundIDs: st.refundIDs, ChargebackIDs: st.chargebackIDs,
		}
		for year, months := range st.periods {
			d.Periods[year] = map[string]diskPeriod{}
			for month, p := range months {
				d.Periods[year][month] = diskPeriod{Revenue: diskLines(p.revenue), Costs: diskLines(p.costs)}
			}
		}
		s.Settlements = append(s.Settlements, d)
	}
	for k, e := range f.idem {
		s.Idem[k] = diskIdem{Body: e.body, PaymentID: e.paymentID}
	}
	for _, c := range f.customers {
		s.Customers = append(s.Customers, *c)
	}
	// Map order is random: sorted, unchanged state gives the same bytes.
	slices.SortFunc(s.Customers, func(a, b Customer) int { return strings.Compare(a.ID, b.ID) })
	for _, id := range f.mandateIDs {
		s.Mandates = append(s.Mandates, *f.mandates[id])
	}
	return s
}

func diskLines(ls []*line) []diskLine {
	out := make([]diskLine, len(ls))
	for i, l := range ls {
		out[i] = diskLine{
			Description: l.description, Method: l.method, Count: l.count, NetBips: l.netBips, VATBips: l.vatBips,
			GrossBips: l.grossBips, FixedBips: l.fixedBips, Percent: l.percent, HasRate: l.hasRate,
		}
	}
	return out
}

// restoreLocked replaces the state with the file's.
func (f *Fake) restoreLocked(s diskState) {
	f.payments, f.order = map[string]*payment{}, nil
	for _, d := range s.Payments {
		f.payments[d.ID] = &payment{
			Payment: d.Payment, profileID: d.ProfileID, authorizedAt: d.AuthorizedAt, canceledAt: d.CanceledAt,
			expiresAt: d.ExpiresAt, expiredAt: d.ExpiredAt, failedAt: d.FailedAt, refundIDs: d.RefundIDs, chargeIDs: d.ChargeIDs,
		}
		if string(d.Metadata) == "null" {
			// No metadata is nil in memory, as createPayment leaves it.
			f.payments[d.ID].Metadata = nil
		}
		f.order = append(f.order, d.ID)
	}
	f.refunds = map[string]*refund{}
	for _, d := range s.Refunds {
		f.refunds[d.ID] = &refund{
			id: d.ID, mode: d.Mode, paymentID: d.PaymentID, cents: d.Cents, currency: d.Currency,
			description: d.Description, status: d.Status, settlementID: d.SettlementID, createdAt: d.CreatedAt,
		}
	}
	f.chargebacks = map[string]*chargeback{}
	for _, d := range s.Chargebacks {
		f.chargebacks[d.ID] = &chargeback{
			id: d.ID, paymentID: d.PaymentID, cents: d.Cents, currency: d.Currency,
			settlementID: d.SettlementID, createdAt: d.CreatedAt, reversedAt: d.ReversedAt,
		}
	}
	f.settlements = nil
	for _, d := range s.Settlements {
		st := &settlement{
			id: d.ID, reference: d.Reference, currency: d.Currency, cents: d.Cents,
			createdAt: d.CreatedAt, settledAt: d.SettledAt, periods: map[string]map[string]*period{},
			paymentIDs: d.PaymentIDs, refundIDs: d.RefundIDs, chargebackIDs: d.ChargebackIDs,
		}
		for year, months := range d.Periods {
			st.periods[year] = map[string]*period{}
			for month, p := range months {
				st.periods[year][month] = &period{revenue: memLines(p.Revenue), costs: memLines(p.Costs)}
			}
		}
		f.settlements = append(f.settlements, st)
	}
	f.idem = map[string]idemEntry{}
	for k, e := range s.Idem {
		f.idem[k] = idemEntry{body: e.Body, paymentID: e.PaymentID}
	}
	f.refSeq = map[string]int{}
	for k, v := range s.RefSeq {
		f.refSeq[k] = v
	}
	f.customers, f.mandates, f.mandateIDs = map[string]*Customer{}, map[string]*Mandate{}, nil
	for _, c := range s.Customers {
		f.customers[c.ID] = &c
	}
	for _, m := range s.Mandates {
		f.mandates[m.ID] = &m
		f.mandateIDs = append(f.mandateIDs, m.ID)
	}
}

func memLines(ls []diskLine) []*line {
	out := make([]*line, len(ls))
	for i, d := range ls {
		out[i] = &line{
			description: d.Description, method: d.Method, count: d.Count, netBips: d.NetBips, vatBips: d.VATBips,
			grossBips: d.GrossBips, fixedBips: d.FixedBips, percent: d.Percent, hasRate: d.HasRate,
		}
	}
	return out
}
