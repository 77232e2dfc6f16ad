-- +goose Up

-- Finding a person from the console (casework.FindDebtors): every lookup is
-- scoped to the agent's creditors and matches on a normalised form of what
-- agents type, so each gets an index on exactly that form. pg_trgm ships
-- with PostgreSQL (Debian's postgresql package includes contrib) and is a
-- trusted extension since PostgreSQL 13, so the database owner may create
-- it; it lets "part of a name" use an index instead of reading every debtor.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX debtors_name_trgm ON debtors USING gin (lower(name) gin_trgm_ops);
-- Postcodes are typed with or without the space, and often only the digits.
CREATE INDEX debtors_postcode_search ON debtors (upper(replace(postcode, ' ', '')) text_pattern_ops) WHERE postcode <> '';
CREATE INDEX debtors_email_search ON debtors (lower(email)) WHERE email <> '';
-- Phone numbers are compared on their last nine digits, so 06 12 34 56 78,
-- 0612345678 and +31 6 12345678 are the same number.
CREATE INDEX debtors_phone_search ON debtors (right(regexp_replace(phone, '[^0-9]', '', 'g'), 9)) WHERE phone <> '';
-- Invoice numbers are typed in any case; payment_reference is unique already.
CREATE INDEX invoices_number_search ON invoices (upper(number));

-- Who works on an open request in the work queue. One agent per request;
-- assigning again replaces the agent. The row outlives the request (the
-- queue only lists open ones), which keeps who last had it.
CREATE TABLE queue_assignments (
    kind        text NOT NULL CHECK (kind IN ('plan', 'dispute', 'hardship', 'task')),
    item_id     uuid NOT NULL,
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    agent_id    uuid NOT NULL REFERENCES agents (id),
    assigned_by uuid NOT NULL REFERENCES agents (id),
    assigned_at timestamptz NOT NULL,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX queue_assignments_agent ON queue_assignments (agent_id);

-- +goose Down
DROP TABLE queue_assignments;
DROP INDEX invoices_number_search, debtors_phone_search, debtors_email_search, debtors_postcode_search, debtors_name_trgm;
DROP EXTENSION IF EXISTS pg_trgm;
