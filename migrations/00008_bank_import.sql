-- +goose Up

-- The position of a bank line in its file, so a statement's lines are listed
-- in the bank's order and can be paged through.
ALTER TABLE bank_lines ADD COLUMN seq bigint NOT NULL DEFAULT 0;
-- The payer's end-to-end id (Refs/EndToEndId): the best evidence that a
-- reversal undoes a given earlier line.
ALTER TABLE bank_lines ADD COLUMN end_to_end_id text NOT NULL DEFAULT '';
CREATE INDEX bank_lines_statement_seq ON bank_lines (statement_id, seq);
-- Finding the original of a reversal: same creditor and amount.
CREATE INDEX bank_lines_reversal ON bank_lines (creditor_id, amount_cents) WHERE credit AND NOT reversal;
-- Bank lines that booked a payment are found back by it.
CREATE INDEX bank_lines_payment ON bank_lines (payment_id) WHERE payment_id IS NOT NULL;

-- +goose Down
DROP INDEX bank_lines_payment, bank_lines_reversal, bank_lines_statement_seq;
ALTER TABLE bank_lines DROP COLUMN seq, DROP COLUMN end_to_end_id;
