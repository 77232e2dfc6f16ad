-- +goose Up

-- What happened to a creditor's debtors, for the creditor: born from an
-- audit record in the same transaction (postgres.Audit), POSTed to the
-- creditor's webhook endpoint and listed by GET /api/v1/events. seq is the
-- feed's cursor. Events of one creditor are inserted under an advisory lock
-- held to commit, so seq order is commit order and a cursor never skips an
-- event that commits late.
CREATE TABLE events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigserial NOT NULL UNIQUE,
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    debtor_id   uuid REFERENCES debtors (id),
    type        text NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL
);
CREATE INDEX events_creditor_seq ON events (creditor_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- A creditor's one webhook endpoint. The secret signs each delivery, so it
-- is kept as is (like a provider's API key); the API shows it only when it
-- is made. Events after from_seq are delivered; scan_from is how far every
-- event has been delivered or given up, so the dispatcher does not read
-- the whole history again.
CREATE TABLE webhook_endpoints (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id uuid NOT NULL UNIQUE REFERENCES creditors (id),
    url         text NOT NULL,
    secret      text NOT NULL,
    from_seq    bigint NOT NULL,
    scan_from   bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- One event's delivery to one endpoint: every attempt counts, the last
-- answer is kept, delivered_at is set once in the transaction after a 2xx.
-- gave_up_at: the retries ran out (more than 24 hours); a replay from the
-- console can still deliver it.
CREATE TABLE webhook_deliveries (
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id),
    attempts        int NOT NULL DEFAULT 0,
    last_status     int NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    last_attempt_at timestamptz,
    delivered_at    timestamptz,
    gave_up_at      timestamptz,
    PRIMARY KEY (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (endpoint_id, last_attempt_at DESC);

-- +goose Down
DROP TABLE webhook_deliveries, webhook_endpoints, events;
