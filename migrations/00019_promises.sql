-- +goose Up

-- A debtor's promise to pay: "I will pay on <date>" for one invoice
-- (invoice_id) or for everything (invoice_id NULL). Collection steps pause
-- until promised_on; the day after, an unpaid promise is broken and
-- followed up. A promise whose date is moved ends as 'moved' (or stays
-- 'broken' when it was moved after the day passed) and the new one names it
-- in moved_from, which is how "move the date once" is kept.
CREATE TABLE promises (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    debtor_id    uuid NOT NULL REFERENCES debtors (id),
    invoice_id   uuid REFERENCES invoices (id),
    promised_on  date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    status       text NOT NULL CHECK (status IN ('open', 'kept', 'broken', 'moved')),
    moved_from   uuid REFERENCES promises (id),
    -- 'debtor' or the agent's id: a debtor promises once per invoice, an agent may add more.
    made_by      text NOT NULL DEFAULT 'debtor' CHECK (made_by <> ''),
    created_at   timestamptz NOT NULL,
    decided_at   timestamptz
);
CREATE INDEX promises_debtor ON promises (debtor_id, created_at);
CREATE INDEX promises_open ON promises (promised_on) WHERE status = 'open';

-- An instalment's date moved once by the debtor after it was missed keeps
-- its first date here.
ALTER TABLE plan_instalments ADD COLUMN moved_from date;

-- The creditor's policy: how far ahead a promise may go, and how many missed
-- instalments break a plan (the debtor is told before the last one).
ALTER TABLE creditors
    ADD COLUMN promise_max_days  int NOT NULL DEFAULT 14 CHECK (promise_max_days BETWEEN 1 AND 60),
    ADD COLUMN plan_missed_limit int NOT NULL DEFAULT 2 CHECK (plan_missed_limit BETWEEN 1 AND 6);

-- +goose Down
ALTER TABLE creditors DROP COLUMN promise_max_days, DROP COLUMN plan_missed_limit;
ALTER TABLE plan_instalments DROP COLUMN moved_from;
DROP TABLE promises;
