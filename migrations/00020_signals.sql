-- +goose Up

-- Early signals: signs in Settle's own data that a debtor may be heading
-- for payment trouble (collect.Signals; docs/behaviour.md lists the rules).
-- A rule raises one signal per debtor, creditor and subject (the invoice,
-- payment, promise, plan or hardship report it is about), however often
-- the job runs. An agent dismisses one with a note.
CREATE TABLE signals (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    debtor_id    uuid NOT NULL REFERENCES debtors (id),
    rule         text NOT NULL CHECK (rule IN ('delay_growing', 'payment_problem', 'broken_promise', 'hardship_ended')),
    reason       text NOT NULL CHECK (reason <> ''),
    subject      text NOT NULL CHECK (subject <> ''),
    since        date NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at   timestamptz NOT NULL,
    dismissed_at timestamptz,
    dismissed_by uuid REFERENCES agents (id),
    UNIQUE (creditor_id, debtor_id, rule, subject)
);
CREATE INDEX signals_open ON signals (creditor_id, since) WHERE status = 'open';

-- A creditor may have a raised signal send the debtor one friendly
-- check-in message (at most one per 30 days); off unless turned on.
ALTER TABLE creditors ADD COLUMN signal_checkin boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE creditors DROP COLUMN signal_checkin;
DROP TABLE signals;
