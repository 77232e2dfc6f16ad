-- +goose Up

-- Which provider serves which method, per creditor. NULL means the server's
-- default (SETTLE_IDEAL_PROVIDER / SETTLE_CARD_PROVIDER). A creditor with its
-- own provider account names the environment variable that holds its key, so
-- no secret is ever stored in the database or shown.
ALTER TABLE creditors
    ADD COLUMN ideal_provider text CHECK (ideal_provider IN ('mollie', 'stripe')),
    ADD COLUMN card_provider  text CHECK (card_provider IN ('mollie', 'stripe')),
    ADD COLUMN mollie_key_env text NOT NULL DEFAULT '',
    ADD COLUMN stripe_key_env text NOT NULL DEFAULT '';

-- Our own record of every payment attempt, created before the debtor goes to the provider.
CREATE TABLE payments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id      uuid NOT NULL REFERENCES creditors (id),
    debtor_id        uuid NOT NULL REFERENCES debtors (id),
    -- The invoice the debtor chose, or NULL for the legal order (oldest first).
    invoice_id       uuid REFERENCES invoices (id),
    amount_cents     bigint NOT NULL CHECK (amount_cents > 0),
    provider         text NOT NULL CHECK (provider IN ('mollie', 'stripe', 'bank')),
    method           text NOT NULL CHECK (method IN ('ideal', 'card', 'transfer')),
    provider_id      text,
    checkout_url     text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'pending', 'paid', 'failed', 'canceled', 'expired', 'refunded', 'charged_back')),
    refunded_cents   bigint NOT NULL DEFAULT 0,
    charged_back_cents bigint NOT NULL DEFAULT 0,
    instalment_id    uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    paid_at          timestamptz,
    UNIQUE (provider, provider_id)
);
CREATE INDEX payments_debtor ON payments (debtor_id, created_at);
CREATE INDEX payments_unsettled ON payments (status, created_at) WHERE status IN ('open', 'pending');

-- Every status change of a payment, kept.
CREATE TABLE payment_status_history (
    id          bigserial PRIMARY KEY,
    payment_id  uuid NOT NULL REFERENCES payments (id),
    from_status text,
    to_status   text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    source      text NOT NULL
);
CREATE INDEX payment_status_history_payment ON payment_status_history (payment_id, id);
CREATE TRIGGER payment_status_history_no_update BEFORE UPDATE OR DELETE ON payment_status_history
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- Provider webhook events, stored once under (provider, event id) before any work.
CREATE TABLE webhook_events (
    id          bigserial PRIMARY KEY,
    provider    text NOT NULL,
    event_id    text NOT NULL,
    event_type  text NOT NULL DEFAULT '',
    payment_id  uuid REFERENCES payments (id),
    payload     jsonb,
    received_at timestamptz NOT NULL DEFAULT now(),
    deliveries  int NOT NULL DEFAULT 1,
    UNIQUE (provider, event_id)
);

-- +goose Down
DROP TABLE webhook_events, payment_status_history, payments;
ALTER TABLE creditors DROP COLUMN ideal_provider, DROP COLUMN card_provider, DROP COLUMN mollie_key_env, DROP COLUMN stripe_key_env;
