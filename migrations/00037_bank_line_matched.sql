-- +goose Up

-- matched: a line whose reference names an invoice, stored by a bank
-- import's first stage and not booked yet. Its payment is created, paid,
-- in the same transaction as its ledger entries (the import's second
-- stage), so that no reader sees a paid payment, or a booked line, whose
-- money is not in the ledger. A line is matched for seconds, or until
-- housekeeping completes an import that was cut off.
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'matched', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal', 'held', 'pending', 'rejected'));

-- Lines an import cut off before this migration stored as booked, with a
-- paid payment, but did not book, become matched: completing the import
-- books them. They keep their payments (history is append-only), which the
-- second stage then uses instead of making one.
UPDATE bank_lines b SET state = 'matched' FROM bank_statements s
WHERE s.id = b.statement_id AND s.completed_at IS NULL AND b.state = 'booked' AND b.decided_by = ''
    AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.source_key = 'bank:' || b.id::text);

-- +goose Down
-- Matched lines go back to what the old first stage stored: booked, with
-- a paid payment, for the old second stage to book.
CREATE TEMP TABLE matched_lines ON COMMIT DROP AS
    SELECT id, creditor_id, debtor_id, invoice_id, amount_cents, entry_key, cp_iban, created_at, gen_random_uuid() AS payment_id
    FROM bank_lines WHERE state = 'matched' AND payment_id IS NULL;
INSERT INTO payments (id, creditor_id, debtor_id, invoice_id, amount_cents, provider, method, provider_id, status, payer_iban, created_at, updated_at, paid_at)
    SELECT payment_id, creditor_id, debtor_id, invoice_id, amount_cents, 'bank', 'transfer', entry_key, 'paid', cp_iban, created_at, created_at, created_at
    FROM matched_lines;
INSERT INTO payment_status_history (payment_id, creditor_id, from_status, to_status, source, at)
    SELECT payment_id, creditor_id, NULL, 'paid', 'bank statement', created_at FROM matched_lines;
UPDATE bank_lines b SET payment_id = m.payment_id FROM matched_lines m WHERE b.id = m.id;
UPDATE bank_lines SET state = 'booked' WHERE state = 'matched';
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal', 'held', 'pending', 'rejected'));
