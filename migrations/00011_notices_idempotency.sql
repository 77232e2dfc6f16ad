-- +goose Up

-- Answers to creditor API POSTs sent with an Idempotency-Key, kept 24 hours so
-- a retry gets the first answer again instead of doing the work twice. Keys
-- are per creditor. request_hash is a SHA-256 of method, path and body: the
-- same key with another request is refused.
CREATE TABLE idempotency_keys (
    creditor_id  uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (key <> ''),
    request_hash bytea NOT NULL,
    status       int NOT NULL,
    content_type text NOT NULL DEFAULT '',
    body         bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (creditor_id, key)
);
-- Expired keys are deleted per creditor when a new one is stored.
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (creditor_id, created_at);

-- +goose Down
DROP TABLE idempotency_keys;
