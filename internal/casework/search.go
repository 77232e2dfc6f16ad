package casework

import (
	"context"
	"slices"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// SearchLimit bounds the people one console search shows.
const SearchLimit = 50

// FindDebtors finds the debtors of the agent's creditors by name, postcode,
// invoice number, RF reference, phone, email or the creditor's own
// reference. A query too short or too long is invalid on the field q.
func FindDebtors(ctx context.Context, db *postgres.DB, creditorIDs []string, query string) (collect.SearchTerms, []postgres.DebtorHit, error) {
	t, err := collect.ParseSearch(query)
	if err != nil {
		return t, nil, err
	}
	hits, err := db.SearchDebtors(ctx, creditorIDs, t, SearchLimit)
	return t, hits, err
}

// QueueFilter narrows the work queue. Empty fields do not filter.
type QueueFilter struct {
	CreditorID string
	Kind       string    // plan, dispute, hardship or task
	DueBy      time.Time // only what is due on or before this (Dutch) day
	Agent      string    // "mine", "none" (nobody's) or an agent's id
}

// FilteredQueue is the work queue of the agent's creditors narrowed by f;
// agentID is the signed-in agent, whom "mine" means.
func FilteredQueue(ctx context.Context, db *postgres.DB, now time.Time, creditorIDs []string, agentID string, f QueueFilter) ([]QueueEntry, error) {
	if f.CreditorID != "" {
		if !slices.Contains(creditorIDs, f.CreditorID) {
			return nil, collect.Errorf(collect.EINVALID, "creditor", "choose one of your creditors")
		}
		creditorIDs = []string{f.CreditorID}
	}
	entries, err := WorkQueue(ctx, db, now, creditorIDs)
	if err != nil {
		return nil, err
	}
	return FilterQueue(entries, f, agentID), nil
}

// FilterQueue keeps the entries that pass every filter of f.
func FilterQueue(entries []QueueEntry, f QueueFilter, agentID string) []QueueEntry {
	out := make([]QueueEntry, 0, len(entries))
	for _, e := range entries {
		switch {
		case f.CreditorID != "" && e.CreditorID != f.CreditorID,
			f.Kind != "" && e.Kind != f.Kind,
			!f.DueBy.IsZero() && collect.DutchDate(e.DueBy).After(f.DueBy),
			f.Agent == "mine" && e.AssignedID != agentID,
			f.Agent == "none" && e.AssignedID != "",
			f.Agent != "" && f.Agent != "mine" && f.Agent != "none" && e.AssignedID != f.Agent:
			continue
		}
		out = append(out, e)
	}
	return out
}

// Assignees are the console users a request of the agent's creditors may
// be given to.
func Assignees(ctx context.Context, db *postgres.DB, creditorIDs []string) ([]postgres.AssigneeOption, error) {
	return db.Assignees(ctx, creditorIDs)
}

// AssignRequest gives an open request of the agent's creditors to the
// agent to (an id, or "" to take it off anyone), recorded on the file.
func AssignRequest(ctx context.Context, db *postgres.DB, by postgres.Agent, creditorIDs []string, kind, itemID, to string) error {
	return db.AssignQueueItem(ctx, creditorIDs, postgres.Assignment{Kind: kind, ItemID: itemID, AgentID: to, By: by.ID})
}
