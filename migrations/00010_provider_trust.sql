-- +goose Up

-- Every re-fetch of a payment from its provider draws a number before it
-- asks. A fetch's answer may lower a refund or chargeback total (a refund
-- that failed, a dispute won), so only an answer newer than the one applied
-- last may do so: two syncs racing across processes must not let the older
-- answer undo the newer.
CREATE SEQUENCE provider_fetch_seq;
ALTER TABLE payments ADD COLUMN fetch_seq bigint NOT NULL DEFAULT 0;

-- Provider events Settle refused: correctly delivered, but claiming a
-- payment of another provider, another provider id, or another currency.
-- Nothing was booked for them; finance sees them on the finance page.
CREATE TABLE refused_provider_events (
    id            bigserial PRIMARY KEY,
    creditor_id   uuid NOT NULL REFERENCES creditors (id),
    payment_id    uuid NOT NULL REFERENCES payments (id),
    provider      text NOT NULL,
    event_id      text NOT NULL,
    event_type    text NOT NULL DEFAULT '',
    reason        text NOT NULL CHECK (reason <> ''),
    deliveries    int NOT NULL DEFAULT 1,
    first_at      timestamptz NOT NULL,
    last_at       timestamptz NOT NULL,
    UNIQUE (provider, event_id, payment_id)
);
CREATE INDEX refused_provider_events_creditor ON refused_provider_events (creditor_id, last_at DESC);

-- +goose Down
DROP TABLE refused_provider_events;
ALTER TABLE payments DROP COLUMN fetch_seq;
DROP SEQUENCE provider_fetch_seq;
