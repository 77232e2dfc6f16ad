-- +goose Up

-- SEPA direct debit for plan instalments (Mollie recurring payments).
ALTER TABLE payments DROP CONSTRAINT payments_method_check;
ALTER TABLE payments ADD CONSTRAINT payments_method_check CHECK (method IN ('ideal', 'card', 'transfer', 'directdebit'));

-- The debtor's choice to have a plan's instalments collected: the
-- provider's customer, the iDEAL first payment that gives the mandate, and
-- the mandate once the provider made it. status is the provider's mandate
-- status (pending, valid, invalid) or revoked when the debtor stopped it.
CREATE TABLE plan_mandates (
    plan_id          uuid PRIMARY KEY REFERENCES plans (id),
    creditor_id      uuid NOT NULL REFERENCES creditors (id),
    debtor_id        uuid NOT NULL REFERENCES debtors (id),
    provider         text NOT NULL CHECK (provider = 'mollie'),
    customer_id      text NOT NULL,
    first_payment_id uuid NOT NULL REFERENCES payments (id),
    mandate_id       text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'valid', 'invalid', 'revoked')),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX plan_mandates_debtor ON plan_mandates (debtor_id, creditor_id);
CREATE UNIQUE INDEX plan_mandates_first_payment ON plan_mandates (first_payment_id);

-- One collection per instalment and due date: the key that makes the
-- collection job charge once however often it runs or crashes. An
-- instalment moved to a new date may be collected again on that date.
CREATE TABLE direct_debits (
    instalment_id uuid NOT NULL REFERENCES plan_instalments (id),
    due_date      date NOT NULL,
    plan_id       uuid NOT NULL REFERENCES plans (id),
    payment_id    uuid NOT NULL UNIQUE REFERENCES payments (id),
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (instalment_id, due_date)
);

-- +goose Down
DROP TABLE direct_debits;
DROP TABLE plan_mandates;
ALTER TABLE payments DROP CONSTRAINT payments_method_check;
ALTER TABLE payments ADD CONSTRAINT payments_method_check CHECK (method IN ('ideal', 'card', 'transfer')) NOT VALID;
