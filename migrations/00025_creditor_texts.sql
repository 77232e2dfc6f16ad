-- +goose Up

-- A creditor's own words shown to debtors (for now: when the phone is
-- answered, key 'phone_hours'), per language. creditors.phone_hours stays
-- the Dutch text and the fallback for a language without a row here, so an
-- English page shows English hours once the creditor has written them.
CREATE TABLE creditor_texts (
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    lang        text NOT NULL CHECK (lang ~ '^[a-z]{2}$'),
    key         text NOT NULL CHECK (key IN ('phone_hours')),
    text        text NOT NULL CHECK (text <> '' AND length(text) <= 200),
    PRIMARY KEY (creditor_id, lang, key)
);

-- +goose Down
DROP TABLE creditor_texts;
