package casework

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// MaxCounsellor is the longest text about a debt counsellor or administrator.
const MaxCounsellor = 500

// CheckHardship applies the rules of a hardship report: a known reason and
// a short enough counsellor. The portal's steps check it as they go.
func CheckHardship(h collect.Hardship) error {
	switch {
	case !slices.Contains(collect.HardshipReasons, h.Reason):
		return collect.Errorf(collect.EINVALID, "reason", "choose a reason")
	case utf8.RuneCountInString(h.Counsellor) > MaxCounsellor:
		return collect.Errorf(collect.EINVALID, "counsellor", "the text is longer than %d characters", MaxCounsellor)
	}
	return nil
}

// ReportHardship records that a debtor cannot pay now and starts the
// creditor's breathing space at once.
func ReportHardship(ctx context.Context, db *postgres.DB, cr collect.Creditor, h collect.Hardship) (collect.Hardship, error) {
	if err := CheckHardship(h); err != nil {
		return h, err
	}
	h.CreditorID = cr.ID
	return db.ReportHardship(ctx, h, cr.Policy.BreathingDays)
}

// Agent follow-ups of a hardship report, besides the statuses it can be
// given (collect.HardshipFollowedUp, collect.HardshipWontPay).
const (
	HardshipExtend     = "extend"      // a longer breathing space
	HardshipWaiveCosts = "waive_costs" // write off the open collection costs
)

// HardshipFollowUp is an agent's action on a hardship report.
type HardshipFollowUp struct {
	AgentID    string
	CreditorID string
	DebtorID   string
	HardshipID string
	Action     string
	// Days is how many days to extend by, as typed.
	Days string
}

// FollowUpHardship applies an agent's follow-up to a hardship report of the
// agent's debtor: extend the breathing space, mark it followed up, record
// "won't pay" (which ends the hardship treatment), or waive the open costs.
func FollowUpHardship(ctx context.Context, db *postgres.DB, in HardshipFollowUp) error {
	hs, err := db.Hardships(ctx, in.CreditorID, in.DebtorID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(hs, func(h collect.Hardship) bool { return h.ID == in.HardshipID }) {
		return collect.Errorf(collect.ENOTFOUND, "", "hardship report not found")
	}
	switch in.Action {
	case HardshipExtend:
		days, err := strconv.Atoi(strings.TrimSpace(in.Days))
		if err != nil {
			return collect.Errorf(collect.EINVALID, "days", "extend by a number of days, 1 to 180")
		}
		return db.UpdateHardship(ctx, in.AgentID, in.CreditorID, in.HardshipID, in.Action, days)
	case string(collect.HardshipFollowedUp), string(collect.HardshipWontPay):
		return db.UpdateHardship(ctx, in.AgentID, in.CreditorID, in.HardshipID, in.Action, 0)
	case HardshipWaiveCosts:
		_, err := db.WaiveCosts(ctx, in.AgentID, in.CreditorID, in.HardshipID)
		return err
	}
	return collect.Errorf(collect.EINVALID, "action", "choose an action")
}
