-- +goose Up

-- What a provider paid out (a Mollie settlement or a Stripe payout).
CREATE TABLE payouts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider         text NOT NULL CHECK (provider IN ('mollie', 'stripe')),
    provider_id      text NOT NULL,
    -- The text that appears on the bank statement when the money arrives
    -- (a Mollie settlement reference such as 1234567.2404.03, or the Stripe payout id).
    reference        text NOT NULL DEFAULT '',
    amount_cents     bigint NOT NULL,
    currency         text NOT NULL DEFAULT 'EUR',
    -- expected: reported by the provider, not yet seen on the bank statement.
    status           text NOT NULL DEFAULT 'expected' CHECK (status IN ('expected', 'arrived')),
    -- Our matched lines minus refunds, chargebacks and fees, minus the payout amount: 0 when it reconciles.
    difference_cents bigint NOT NULL DEFAULT 0,
    reconciled       boolean NOT NULL DEFAULT false,
    settled_at       timestamptz,
    arrived_at       timestamptz,
    bank_line_id     uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_id)
);
CREATE INDEX payouts_reference ON payouts (reference);

-- Every line that explains a payout. amount_cents is signed from the
-- creditor's side: a payment is positive, a refund, chargeback or fee negative.
-- fee_bips keeps a fee at the precision the provider reported (1/10000 euro).
CREATE TABLE payout_lines (
    id           bigserial PRIMARY KEY,
    payout_id    uuid NOT NULL REFERENCES payouts (id),
    kind         text NOT NULL CHECK (kind IN ('payment', 'refund', 'chargeback', 'fee', 'adjustment', 'other')),
    provider_ref text NOT NULL,
    method       text NOT NULL DEFAULT '',
    amount_cents bigint NOT NULL,
    fee_bips     bigint NOT NULL DEFAULT 0,
    payment_id   uuid REFERENCES payments (id),
    creditor_id  uuid REFERENCES creditors (id),
    -- matched is false for a line that matches nothing of ours: listed, never dropped.
    matched      boolean NOT NULL DEFAULT false,
    UNIQUE (payout_id, kind, provider_ref)
);
CREATE INDEX payout_lines_payment ON payout_lines (payment_id);

-- The creditor's own books, beside the debtors' ledger: bank, provider
-- clearing and fees. Append-only like the ledger.
CREATE TABLE creditor_entries (
    id           bigserial PRIMARY KEY,
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    account      text NOT NULL CHECK (account IN ('bank', 'clearing:mollie', 'clearing:stripe', 'fees', 'unexplained')),
    amount_cents bigint NOT NULL CHECK (amount_cents <> 0),
    booked_on    date NOT NULL,
    source_key   text NOT NULL,
    memo         text NOT NULL DEFAULT '',
    payout_id    uuid REFERENCES payouts (id),
    bank_line_id uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_key, account)
);
CREATE INDEX creditor_entries_creditor ON creditor_entries (creditor_id, booked_on);
CREATE TRIGGER creditor_entries_no_update BEFORE UPDATE OR DELETE ON creditor_entries
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- Imported bank statements (CAMT.053), identified so a second import books nothing.
CREATE TABLE bank_statements (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    account_iban text NOT NULL,
    stmt_id      text NOT NULL,
    sequence     text NOT NULL DEFAULT '',
    version      text NOT NULL DEFAULT '',
    created_at   timestamptz,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    imported_by  text NOT NULL DEFAULT '',
    UNIQUE (account_iban, stmt_id, sequence)
);

-- One line per transaction of a statement entry.
CREATE TABLE bank_lines (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    statement_id  uuid NOT NULL REFERENCES bank_statements (id),
    creditor_id   uuid NOT NULL REFERENCES creditors (id),
    -- The bank's AcctSvcrRef, or a stable hash of the entry, plus the transaction's index.
    entry_key     text NOT NULL UNIQUE,
    amount_cents  bigint NOT NULL,
    currency      text NOT NULL,
    credit        boolean NOT NULL,
    reversal      boolean NOT NULL DEFAULT false,
    booking_date  date NOT NULL,
    reference     text NOT NULL DEFAULT '',
    text          text NOT NULL DEFAULT '',
    cp_name       text NOT NULL DEFAULT '',
    cp_iban       text NOT NULL DEFAULT '',
    -- booked: a payment on an invoice; payout: a provider payout arrived;
    -- suggested: candidates found, a finance user decides; unmatched: nothing
    -- found or rejected; not_handled: not EUR, or a debit we do not book;
    -- reversed: undone by a later reversal entry.
    state         text NOT NULL CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal')),
    reason        text NOT NULL DEFAULT '',
    invoice_id    uuid REFERENCES invoices (id),
    debtor_id     uuid REFERENCES debtors (id),
    payment_id    uuid REFERENCES payments (id),
    payout_id     uuid REFERENCES payouts (id),
    reverses      uuid REFERENCES bank_lines (id),
    decided_by    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bank_lines_statement ON bank_lines (statement_id);
CREATE INDEX bank_lines_open ON bank_lines (creditor_id, state) WHERE state IN ('suggested', 'unmatched');
CREATE INDEX bank_lines_cp_iban ON bank_lines (cp_iban) WHERE cp_iban <> '';

-- Candidates for a line that matched nothing exactly, ranked by evidence.
CREATE TABLE bank_suggestions (
    id          bigserial PRIMARY KEY,
    line_id     uuid NOT NULL REFERENCES bank_lines (id),
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    invoice_id  uuid REFERENCES invoices (id),
    score       int NOT NULL,
    evidence    text NOT NULL
);
CREATE INDEX bank_suggestions_line ON bank_suggestions (line_id, score DESC);

-- Bank transfers are payments too: record the paying IBAN, evidence for later matches.
ALTER TABLE payments ADD COLUMN payer_iban text NOT NULL DEFAULT '';
CREATE INDEX payments_payer_iban ON payments (payer_iban) WHERE payer_iban <> '';

-- +goose Down
ALTER TABLE payments DROP COLUMN payer_iban;
DROP TABLE bank_suggestions, bank_lines, bank_statements, creditor_entries, payout_lines, payouts;
