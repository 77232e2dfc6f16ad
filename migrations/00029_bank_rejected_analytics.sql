-- +goose Up

-- rejected: finance looked at a line and decided it is no debtor's payment
-- (the reason says why). It no longer waits for a decision and is not
-- offered for matching; the finance page shows and filters it.
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal', 'held', 'pending', 'rejected'));
CREATE INDEX bank_lines_state ON bank_lines (creditor_id, state, booking_date);
-- Lines rejected before this state existed were left unmatched with the
-- deciding user's name: they are rejected.
UPDATE bank_lines SET state = 'rejected' WHERE state = 'unmatched' AND decided_by <> '';

-- Every sign-in to the portal through a link, kept for the figures
-- ("messages opened per channel"): sessions are deleted when they expire,
-- so they cannot tell later that a link was opened. channel is the link's.
CREATE TABLE link_opens (
    id          bigserial PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    link_jti    uuid NOT NULL REFERENCES links (jti),
    channel     text NOT NULL CHECK (channel IN ('letter', 'sms', 'email')),
    at          timestamptz NOT NULL
);
CREATE INDEX link_opens_debtor ON link_opens (debtor_id, channel, at);

-- The creditor analytics read each figure for one creditor and a period,
-- set-based; these keep every one of them to an index range.
CREATE INDEX ledger_entries_creditor_kind ON ledger_entries (creditor_id, kind, booked_on);
CREATE INDEX messages_creditor_sent ON messages (creditor_id, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX promises_creditor_decided ON promises (creditor_id, decided_at) WHERE status IN ('kept', 'broken');
CREATE INDEX plans_creditor_decided ON plans (creditor_id, decided_at) WHERE status IN ('completed', 'broken');
CREATE INDEX disputes_creditor_created ON disputes (creditor_id, created_at);
CREATE INDEX hardships_creditor_created ON hardships (creditor_id, created_at);

-- +goose Down
DROP INDEX hardships_creditor_created, disputes_creditor_created, plans_creditor_decided, promises_creditor_decided,
    messages_creditor_sent, ledger_entries_creditor_kind, bank_lines_state;
DROP TABLE link_opens;
UPDATE bank_lines SET state = 'unmatched' WHERE state = 'rejected';
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal', 'held', 'pending'));
