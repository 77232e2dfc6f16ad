-- +goose Up

-- Short codes printed on letters (https://host/b/7KQ4-M9XD). Only a hash of
-- the code is kept. Each code stands for one magic link (link_jti): opening
-- it leads to that link's second factor, so the lockout, revocation and
-- expiry of the link hold for the code too.
CREATE TABLE short_links (
    code_hash   bytea PRIMARY KEY,
    link_jti    uuid NOT NULL REFERENCES links (jti),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    -- What the code was printed or sent for: a 14-day letter, a plan, a message.
    purpose     text NOT NULL CHECK (purpose IN ('letter', 'plan', 'message')),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX short_links_debtor ON short_links (debtor_id);

-- A notice sent by post keeps the exact PDF that was printed, under the
-- letter number printed on it, and the facts it was drawn from, so the day's
-- batch for the print partner draws the same pages again.
ALTER TABLE notices ADD COLUMN letter_number text UNIQUE;
ALTER TABLE notices ADD COLUMN pdf bytea;
ALTER TABLE notices ADD COLUMN letter jsonb;
CREATE SEQUENCE notice_letter_seq;

-- What a letter says about its sender: the BIC for the EPC QR code (optional
-- there) and the postal address.
ALTER TABLE creditors
    ADD COLUMN bic          text NOT NULL DEFAULT '',
    ADD COLUMN street       text NOT NULL DEFAULT '',
    ADD COLUMN house_number text NOT NULL DEFAULT '',
    ADD COLUMN postcode     text NOT NULL DEFAULT '',
    ADD COLUMN city         text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE creditors DROP COLUMN bic, DROP COLUMN street, DROP COLUMN house_number, DROP COLUMN postcode, DROP COLUMN city;
DROP SEQUENCE notice_letter_seq;
ALTER TABLE notices DROP COLUMN letter, DROP COLUMN pdf, DROP COLUMN letter_number;
DROP TABLE short_links;
