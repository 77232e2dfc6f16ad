-- +goose Up

-- Per-creditor policies for self-service. Defaults are sensible for most creditors.
ALTER TABLE creditors
    ADD COLUMN plan_max_months      int    NOT NULL DEFAULT 12 CHECK (plan_max_months BETWEEN 1 AND 60),
    ADD COLUMN plan_min_instalment  bigint NOT NULL DEFAULT 2500 CHECK (plan_min_instalment > 0),
    ADD COLUMN plan_max_total       bigint NOT NULL DEFAULT 500000 CHECK (plan_max_total > 0),
    ADD COLUMN plan_waive_costs     boolean NOT NULL DEFAULT false,
    ADD COLUMN plan_auto_approve    boolean NOT NULL DEFAULT true,
    ADD COLUMN breathing_days       int    NOT NULL DEFAULT 30 CHECK (breathing_days BETWEEN 1 AND 365),
    ADD COLUMN hardship_waive_costs boolean NOT NULL DEFAULT true,
    ADD COLUMN answer_days          int    NOT NULL DEFAULT 5 CHECK (answer_days BETWEEN 1 AND 30),
    ADD COLUMN help_phone           text   NOT NULL DEFAULT '0800 8115',
    ADD COLUMN help_site            text   NOT NULL DEFAULT 'https://www.geldfit.nl';

CREATE TABLE disputes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    invoice_id  uuid NOT NULL REFERENCES invoices (id),
    reason      text NOT NULL CHECK (reason IN ('paid', 'not_received', 'amount_wrong', 'unknown', 'other')),
    body        text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected', 'corrected')),
    answer      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolved_by uuid
);
CREATE INDEX disputes_debtor ON disputes (debtor_id);
CREATE INDEX disputes_open ON disputes (created_at) WHERE status = 'open';

-- Evidence: kept in PostgreSQL, served back only as a download.
CREATE TABLE dispute_files (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dispute_id   uuid NOT NULL REFERENCES disputes (id),
    filename     text NOT NULL,
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         int  NOT NULL CHECK (size > 0 AND size <= 10485760),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dispute_files_dispute ON dispute_files (dispute_id);

CREATE TABLE plans (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    status      text NOT NULL CHECK (status IN ('proposed', 'approved', 'countered', 'rejected', 'declined', 'broken', 'completed', 'replaced')),
    total_cents bigint NOT NULL CHECK (total_cents > 0),
    months      int NOT NULL CHECK (months > 0),
    first_due   date NOT NULL,
    reason      text NOT NULL DEFAULT '',
    counter_of  uuid REFERENCES plans (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    decided_at  timestamptz,
    decided_by  uuid
);
CREATE INDEX plans_debtor ON plans (debtor_id, created_at);
CREATE INDEX plans_proposed ON plans (created_at) WHERE status = 'proposed';

CREATE TABLE plan_instalments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    plan_id      uuid NOT NULL REFERENCES plans (id),
    seq          int NOT NULL,
    due_date     date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    UNIQUE (plan_id, seq)
);

CREATE TABLE hardships (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id      uuid NOT NULL REFERENCES creditors (id),
    debtor_id        uuid NOT NULL REFERENCES debtors (id),
    reason           text NOT NULL CHECK (reason IN ('income', 'illness', 'family', 'counselling', 'other')),
    income_cents     bigint CHECK (income_cents >= 0),
    fixed_costs_cents bigint CHECK (fixed_costs_cents >= 0),
    consent          boolean NOT NULL DEFAULT false,
    counsellor       text NOT NULL DEFAULT '' CHECK (length(counsellor) <= 500),
    breathing_from   date NOT NULL,
    breathing_until  date NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'followed_up', 'wont_pay')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz
);
CREATE INDEX hardships_debtor ON hardships (debtor_id);
CREATE INDEX hardships_open ON hardships (created_at) WHERE status = 'open';

CREATE TABLE contact_wishes (
    debtor_id   uuid PRIMARY KEY REFERENCES debtors (id),
    channel     text NOT NULL CHECK (channel IN ('post', 'email', 'sms', 'whatsapp')),
    quiet_times text NOT NULL DEFAULT '' CHECK (length(quiet_times) <= 300),
    language    text NOT NULL DEFAULT 'nl',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('agent', 'finance', 'admin')),
    failed_logins int NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_creditors (
    agent_id    uuid NOT NULL REFERENCES agents (id),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    PRIMARY KEY (agent_id, creditor_id)
);

CREATE TABLE notes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    agent_id    uuid NOT NULL REFERENCES agents (id),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_debtor ON notes (debtor_id);

-- +goose Down
DROP TABLE notes, agent_creditors, agents, contact_wishes, hardships, plan_instalments, plans, dispute_files, disputes;
ALTER TABLE creditors DROP COLUMN plan_max_months, DROP COLUMN plan_min_instalment, DROP COLUMN plan_max_total,
    DROP COLUMN plan_waive_costs, DROP COLUMN plan_auto_approve, DROP COLUMN breathing_days, DROP COLUMN hardship_waive_costs,
    DROP COLUMN answer_days, DROP COLUMN help_phone, DROP COLUMN help_site;
