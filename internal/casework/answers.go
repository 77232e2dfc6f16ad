package casework

import (
	"context"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// planAnswerKinds are the messages an agent's decision on a plan sends.
var planAnswerKinds = map[string]string{
	"approve": collect.KindPlanApproved,
	"counter": collect.KindPlanCountered,
	"reject":  collect.KindPlanRejected,
}

// answerMessage is the message that brings an agent's answer to the debtor,
// for the answer's own transaction to schedule. It goes on the first
// channel the person accepts that works (their wishes, then what the
// creditor knows), in their language, at the first moment the send window
// allows. It is about the whole file, not one invoice: a paid or paused
// invoice does not cancel it. DeliverDue writes it with a short link to the
// portal, whose overview shows the answer.
func answerMessage(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID, kind string) (postgres.OutboxMessage, error) {
	o := newOutreach(db, now)
	f, err := o.file(ctx, creditorID, debtorID)
	if err != nil {
		return postgres.OutboxMessage{}, err
	}
	m := postgres.OutboxMessage{Step: -1, Template: kind, Message: collect.Message{CreditorID: creditorID, DebtorID: debtorID,
		Kind: kind, Language: messageLanguage(kind, f.language()), State: collect.MessageScheduled}}
	chs := collect.StepChannels(collect.LadderStep{}, f.accepted(), f.unusable)
	if len(chs) == 0 {
		m.Channel, m.State, m.Error, m.NotBefore = collect.ChannelPost, collect.MessageFailed, "no channel the person accepts has an address that works", now
		return m, nil
	}
	m.Channel = chs[0]
	m.NotBefore, err = o.firstAllowed(ctx, f, m)
	return m, err
}
