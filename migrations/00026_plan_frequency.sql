-- +goose Up

-- A plan is paid weekly, every four weeks or monthly (collect.Frequency),
-- so that its parts can follow wages and benefits. Every plan so far was
-- monthly. plans.months stays the number of instalments: months for a
-- monthly plan, weeks or four-week periods for the others.
ALTER TABLE plans ADD COLUMN frequency text NOT NULL DEFAULT 'monthly'
    CHECK (frequency IN ('weekly', 'fourweekly', 'monthly'));

-- +goose Down
ALTER TABLE plans DROP COLUMN frequency;
