-- +goose Up

-- Account numbers a creditor's bank names its account by in CAMT.053
-- (Acct/Id/Othr/Id) instead of an IBAN. They are the bank's own numbers and
-- not unique across banks, so two creditors may register the same one; an
-- import that could be either's is refused unless the caller is one of them.
CREATE TABLE creditor_accounts (
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    account     text NOT NULL CHECK (account <> '' AND account = upper(replace(account, ' ', ''))),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (creditor_id, account)
);
CREATE INDEX creditor_accounts_account ON creditor_accounts (account);

-- bank_statements.account_iban holds the IBAN, or the registered account
-- number for a statement that names no IBAN.
COMMENT ON COLUMN bank_statements.account_iban IS 'Stmt/Acct/Id/IBAN, or Acct/Id/Othr/Id when there is no IBAN';
-- Why the statement's entries do not add up to its balances (opening plus
-- credits minus debits is the closing balance); empty when they do or when
-- there is nothing to check.
ALTER TABLE bank_statements ADD COLUMN balance_problem text NOT NULL DEFAULT '';

-- held: a line of an entry whose transactions do not add up to the entry
-- (the reason says how); nothing of the entry is booked, finance decides.
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal', 'held'));

-- +goose Down
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
UPDATE bank_lines SET state = 'unmatched' WHERE state = 'held';
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal'));
ALTER TABLE bank_statements DROP COLUMN balance_problem;
COMMENT ON COLUMN bank_statements.account_iban IS NULL;
DROP TABLE creditor_accounts;
