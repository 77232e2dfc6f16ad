-- +goose Up

-- Creditors: the companies (or agencies) that are owed money.
CREATE TABLE creditors (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name               text NOT NULL CHECK (name <> ''),
    phone              text NOT NULL DEFAULT '',
    phone_hours        text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    iban               text NOT NULL DEFAULT '',
    -- Days assumed for a posted notice to arrive (email and SMS arrive the same day).
    post_delivery_days int  NOT NULL DEFAULT 2 CHECK (post_delivery_days BETWEEN 0 AND 10),
    -- Which second factor debtors of this creditor answer: 'address' or 'birth_date'.
    second_factor      text NOT NULL DEFAULT 'address' CHECK (second_factor IN ('address', 'birth_date')),
    -- A creditor may waive collection costs altogether.
    waive_costs        boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- API keys are stored as SHA-256 hashes; the prefix helps an operator tell keys apart.
CREATE TABLE api_keys (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    prefix      text NOT NULL,
    hash        bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX api_keys_creditor ON api_keys (creditor_id);

CREATE TABLE debtors (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    external_ref text NOT NULL CHECK (external_ref <> ''),
    kind         text NOT NULL DEFAULT 'consumer' CHECK (kind IN ('consumer', 'business')),
    name         text NOT NULL CHECK (name <> ''),
    email        text NOT NULL DEFAULT '',
    phone        text NOT NULL DEFAULT '',
    language     text NOT NULL DEFAULT 'nl',
    street       text NOT NULL DEFAULT '',
    house_number text NOT NULL DEFAULT '',
    postcode     text NOT NULL DEFAULT '',
    city         text NOT NULL DEFAULT '',
    birth_date   date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (creditor_id, external_ref)
);

CREATE SEQUENCE payment_reference_seq START 1000;

CREATE TABLE invoices (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id       uuid NOT NULL REFERENCES creditors (id),
    debtor_id         uuid NOT NULL REFERENCES debtors (id),
    number            text NOT NULL CHECK (number <> ''),
    description       text NOT NULL DEFAULT '',
    issue_date        date NOT NULL,
    due_date          date NOT NULL,
    amount_cents      bigint NOT NULL CHECK (amount_cents > 0),
    currency          text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
    payment_reference text NOT NULL UNIQUE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (creditor_id, number)
);
CREATE INDEX invoices_debtor ON invoices (debtor_id, due_date);

-- A 14-day notice (veertiendagenbrief) covering one or more invoices.
CREATE TABLE notices (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id     uuid NOT NULL REFERENCES creditors (id),
    debtor_id       uuid NOT NULL REFERENCES debtors (id),
    channel         text NOT NULL CHECK (channel IN ('post', 'email', 'sms')),
    sent_on         date NOT NULL,
    received_on     date NOT NULL,
    deadline        date NOT NULL,
    principal_cents bigint NOT NULL,
    costs_cents     bigint NOT NULL,
    waived          boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_debtor ON notices (debtor_id);

CREATE TABLE notice_invoices (
    notice_id  uuid NOT NULL REFERENCES notices (id),
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    PRIMARY KEY (notice_id, invoice_id)
);
CREATE INDEX notice_invoices_invoice ON notice_invoices (invoice_id);

-- The ledger: append-only. Every balance is a sum of entries.
-- amount_cents is signed from the creditor's point of view: positive raises what
-- the debtor owes on that account, negative lowers it. account says which part
-- of the debt moves: principal, costs, interest, or credit (money the debtor has
-- paid over, kept for them; a negative credit balance is money owed back).
CREATE TABLE ledger_entries (
    id           bigserial PRIMARY KEY,
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    debtor_id    uuid NOT NULL REFERENCES debtors (id),
    invoice_id   uuid REFERENCES invoices (id),
    account      text NOT NULL CHECK (account IN ('principal', 'costs', 'interest', 'credit')),
    kind         text NOT NULL CHECK (kind IN ('charge', 'payment', 'credit_note', 'write_off', 'reversal')),
    amount_cents bigint NOT NULL CHECK (amount_cents <> 0),
    booked_on    date NOT NULL,
    -- A unique key makes a booking idempotent: the same fact booked twice collides.
    source_key   text,
    memo         text NOT NULL DEFAULT '',
    payment_id   uuid,
    notice_id    uuid REFERENCES notices (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_key, account, invoice_id)
);
CREATE INDEX ledger_entries_debtor ON ledger_entries (debtor_id, invoice_id);

-- +goose StatementBegin
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- Statutory interest rates as dated data; an operator adds rows with `settle rates add`.
CREATE TABLE interest_rates (
    kind         text NOT NULL CHECK (kind IN ('consumer', 'commercial')),
    valid_from   date NOT NULL,
    basis_points bigint NOT NULL CHECK (basis_points >= 0),
    source       text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (kind, valid_from)
);

-- Days equated with a public holiday by decree (Algemene termijnenwet art. 3 lid 3).
CREATE TABLE equated_holidays (
    day    date PRIMARY KEY,
    source text NOT NULL CHECK (source <> '')
);

-- Audit trail: who did what, when, with the state before and after. Append-only.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    creditor_id uuid,
    debtor_id   uuid,
    subject     text NOT NULL DEFAULT '',
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_debtor ON audit_log (debtor_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- +goose Down
DROP TABLE audit_log, equated_holidays, interest_rates, ledger_entries, notice_invoices, notices, invoices, debtors, api_keys, creditors;
DROP SEQUENCE payment_reference_seq;
DROP FUNCTION append_only();
