-- +goose Up

-- A creditor's reward for paying well, per occasion: a plan kept in full
-- ('plan_kept') or an invoice paid in full on or before its due date
-- ('paid_early'). kind says what the debtor gets: the collection costs
-- waived, a fixed amount credited (amount_cents), or a thank-you message only.
-- No row means no reward.
CREATE TABLE creditor_rewards (
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    occasion     text NOT NULL CHECK (occasion IN ('plan_kept', 'paid_early')),
    kind         text NOT NULL CHECK (kind IN ('waive_costs', 'credit', 'thanks')),
    amount_cents bigint NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    CHECK ((kind = 'credit') = (amount_cents > 0)),
    PRIMARY KEY (creditor_id, occasion)
);

-- A reward given: once per plan or invoice (subject), whatever replays.
CREATE TABLE rewards (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    debtor_id    uuid NOT NULL REFERENCES debtors (id),
    subject      text NOT NULL UNIQUE, -- plan:<id> or invoice:<id>
    occasion     text NOT NULL CHECK (occasion IN ('plan_kept', 'paid_early')),
    kind         text NOT NULL CHECK (kind IN ('waive_costs', 'credit', 'thanks')),
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    applied_at   timestamptz NOT NULL
);
CREATE INDEX rewards_debtor ON rewards (debtor_id, applied_at);

-- A debtor's credit paid back: through the provider the money came from
-- (provider_refund_id set), or to be paid by bank transfer by the creditor.
CREATE TABLE credit_refunds (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id        uuid NOT NULL REFERENCES creditors (id),
    debtor_id          uuid NOT NULL REFERENCES debtors (id),
    payment_id         uuid REFERENCES payments (id),
    amount_cents       bigint NOT NULL CHECK (amount_cents > 0),
    method             text NOT NULL CHECK (method IN ('provider', 'bank_transfer')),
    status             text NOT NULL CHECK (status IN ('requested', 'sent', 'failed', 'to_transfer')),
    provider_refund_id text NOT NULL DEFAULT '',
    reason             text NOT NULL DEFAULT '',
    requested_by       text NOT NULL CHECK (requested_by <> ''),
    created_at         timestamptz NOT NULL,
    decided_at         timestamptz
);
CREATE INDEX credit_refunds_debtor ON credit_refunds (debtor_id, created_at);

-- +goose Down
DROP TABLE credit_refunds;
DROP TABLE rewards;
DROP TABLE creditor_rewards;
