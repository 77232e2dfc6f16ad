package casework

import (
	"context"

	"github.com/settle/settle/internal/postgres"
)

// FinishTask marks a personal follow-up of one of the agent's creditors
// done, with its audit record; it leaves the work queue. Another
// creditor's follow-up is not found; one done before is a conflict.
func FinishTask(ctx context.Context, db *postgres.DB, agentID string, creditorIDs []string, taskID string) error {
	return db.FinishAgentTask(ctx, agentID, creditorIDs, taskID)
}
