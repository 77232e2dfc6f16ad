-- +goose Up

-- How far `settle demo` has moved its clock ahead of real time. One row at
-- most; kept so a restarted demo does not jump back in time. `settle serve`
-- never reads or writes it.
CREATE TABLE demo_clock (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    offset_ms bigint NOT NULL CHECK (offset_ms >= 0),
    moved_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE demo_clock;
