-- +goose Up

-- pending: an entry the bank has not booked yet (Sts PDNG). The money has
-- not arrived, so nothing is booked; finance sees the line, and the entry
-- is booked when a later statement brings it as booked.
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal', 'held', 'pending'));

-- +goose Down
UPDATE bank_lines SET state = 'not_handled' WHERE state = 'pending';
ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_state_check;
ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_state_check
    CHECK (state IN ('booked', 'payout', 'suggested', 'unmatched', 'not_handled', 'reversed', 'reversal', 'held'));
