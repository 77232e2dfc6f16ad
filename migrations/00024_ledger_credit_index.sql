-- +goose Up

-- The rewards job looks every minute for debtors whose credit can pay
-- something open (postgres.CreditDebtors). Credit entries are few: this
-- partial index finds the debtors that ever had one without reading the
-- whole ledger; their balances then come through ledger_entries_debtor.
CREATE INDEX ledger_entries_credit ON ledger_entries (creditor_id, debtor_id) WHERE account = 'credit';

-- +goose Down
DROP INDEX ledger_entries_credit;
