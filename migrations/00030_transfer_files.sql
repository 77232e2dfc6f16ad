-- +goose Up

-- Credit paid back by bank transfer goes into a SEPA credit transfer file
-- (pain.001) that finance uploads in the creditor's online banking. A
-- refund in a file is in_file: it is in no second file. iban is the
-- account it was sent to (the payer's IBAN of the debtor's latest bank
-- payment when the file was made).
ALTER TABLE credit_refunds DROP CONSTRAINT credit_refunds_status_check;
ALTER TABLE credit_refunds ADD CONSTRAINT credit_refunds_status_check
    CHECK (status IN ('requested', 'sent', 'failed', 'to_transfer', 'in_file'));
CREATE TABLE transfer_files (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    message_id  text NOT NULL UNIQUE CHECK (length(message_id) BETWEEN 1 AND 35),
    transfers   int NOT NULL CHECK (transfers > 0),
    total_cents bigint NOT NULL CHECK (total_cents > 0),
    xml         bytea NOT NULL,
    created_by  text NOT NULL CHECK (created_by <> ''),
    created_at  timestamptz NOT NULL
);
CREATE INDEX transfer_files_creditor ON transfer_files (creditor_id, created_at);
ALTER TABLE credit_refunds
    ADD COLUMN iban text NOT NULL DEFAULT '',
    ADD COLUMN transfer_file_id uuid REFERENCES transfer_files (id);
CREATE INDEX credit_refunds_to_transfer ON credit_refunds (creditor_id, created_at) WHERE status = 'to_transfer';

-- +goose Down
DROP INDEX credit_refunds_to_transfer;
ALTER TABLE credit_refunds DROP COLUMN transfer_file_id, DROP COLUMN iban;
DROP TABLE transfer_files;
UPDATE credit_refunds SET status = 'to_transfer' WHERE status = 'in_file';
ALTER TABLE credit_refunds DROP CONSTRAINT credit_refunds_status_check;
ALTER TABLE credit_refunds ADD CONSTRAINT credit_refunds_status_check
    CHECK (status IN ('requested', 'sent', 'failed', 'to_transfer'));
