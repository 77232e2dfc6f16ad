package casework

import (
	"context"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// MessageOnFile is one message or letter in a debtor's file: what it was,
// when it was planned for and sent, on which channel, how it stands and
// why it failed.
type MessageOnFile struct {
	collect.Message
	// HasLetter says the message is a posted 14-day letter whose PDF its
	// notice keeps.
	HasLetter bool
}

// FileMessages lists every message and letter of a creditor's debtor,
// newest first, for the console's file and the API.
func FileMessages(ctx context.Context, db *postgres.DB, creditorID, debtorID string) ([]MessageOnFile, error) {
	ms, err := db.Messages(ctx, creditorID, debtorID)
	if err != nil {
		return nil, err
	}
	letters, err := db.NoticeLetters(ctx, creditorID, debtorID)
	if err != nil {
		return nil, err
	}
	printed := map[string]bool{}
	for _, l := range letters {
		printed[l.NoticeID] = true
	}
	out := make([]MessageOnFile, 0, len(ms))
	for _, m := range ms {
		out = append(out, MessageOnFile{Message: m.Message, HasLetter: m.Channel == collect.ChannelPost && printed[m.NoticeID]})
	}
	return out, nil
}
