-- +goose Up

-- A bank import now commits in stages (lines, then bookings in parallel per
-- debtor, then suggestions, payouts, reversals, events and the audit
-- record), so that a large file is booked by several connections at once.
-- completed_at is set by the last stage: a statement without it was cut
-- off halfway, and importing the file again completes it instead of
-- skipping it as a duplicate.
ALTER TABLE bank_statements ADD COLUMN completed_at timestamptz;
UPDATE bank_statements SET completed_at = imported_at;

-- bank_lines_statement_seq (statement_id, seq) answers every lookup by
-- statement; this one only cost a second index insert per imported line.
DROP INDEX bank_lines_statement;

-- +goose Down
CREATE INDEX bank_lines_statement ON bank_lines (statement_id);
ALTER TABLE bank_statements DROP COLUMN completed_at;
