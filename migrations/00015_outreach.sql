-- +goose Up

-- A creditor's collection ladder as versioned data. A change adds a row
-- with the next version; the current ladder is the highest version, and an
-- invoice keeps the version it started on (ladder_progress). A creditor
-- without a row runs the default ladder (collect.DefaultLadder, version 0).
CREATE TABLE ladders (
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    version      int  NOT NULL CHECK (version > 0),
    steps        jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array'),
    max_per_week int  NOT NULL CHECK (max_per_week BETWEEN 1 AND 14),
    created_at   timestamptz NOT NULL,
    created_by   text NOT NULL CHECK (created_by <> ''),
    PRIMARY KEY (creditor_id, version)
);

-- Where each invoice stands on its ladder: the version that applies, the
-- steps done, and the days later steps move (pauses, late runs). paused_since
-- is set while a dispute, breathing space, kept plan or promise holds it.
CREATE TABLE ladder_progress (
    invoice_id     uuid PRIMARY KEY REFERENCES invoices (id),
    creditor_id    uuid NOT NULL REFERENCES creditors (id),
    debtor_id      uuid NOT NULL REFERENCES debtors (id),
    ladder_version int  NOT NULL CHECK (ladder_version >= 0),
    done           int  NOT NULL DEFAULT 0 CHECK (done >= 0),
    shift_days     int  NOT NULL DEFAULT 0 CHECK (shift_days >= 0),
    paused_since   date,
    updated_at     timestamptz NOT NULL
);

-- Every message and letter to a debtor. step_key makes a ladder step
-- happen once per invoice however often or wherever the planner runs:
-- "<invoice>:<version>:<step>:<part>". Text is filled in when the message
-- goes, so it carries a link issued at that moment.
CREATE TABLE messages (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id    uuid NOT NULL REFERENCES creditors (id),
    debtor_id      uuid NOT NULL REFERENCES debtors (id),
    invoice_id     uuid REFERENCES invoices (id),
    notice_id      uuid REFERENCES notices (id),
    step_key       text UNIQUE,
    -- The index of the ladder step it came from; NULL for other messages.
    step           int,
    kind           text NOT NULL CHECK (kind <> ''),
    template       text NOT NULL DEFAULT '',
    channel        text NOT NULL CHECK (channel IN ('post', 'email', 'sms', 'whatsapp')),
    -- The channels tried so far, in order; a failed email falls back to the
    -- next channel the person accepts that is not in this list.
    tried          text[] NOT NULL DEFAULT '{}',
    language       text NOT NULL DEFAULT 'nl',
    to_address     text NOT NULL DEFAULT '',
    subject        text NOT NULL DEFAULT '',
    body_text      text NOT NULL DEFAULT '',
    body_html      text NOT NULL DEFAULT '',
    state          text NOT NULL CHECK (state IN ('scheduled', 'sent', 'delivered', 'bounced', 'failed', 'cancelled')),
    not_before     timestamptz NOT NULL,
    -- A sender claims a message until claimed_until, so a second instance
    -- does not send it too while the first talks to the provider.
    claimed_until  timestamptz,
    attempts       int NOT NULL DEFAULT 0,
    provider_id    text NOT NULL DEFAULT '',
    sent_at        timestamptz,
    error          text NOT NULL DEFAULT '',
    ladder_version int NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL
);
CREATE INDEX messages_due ON messages (not_before) WHERE state = 'scheduled';
CREATE INDEX messages_debtor ON messages (debtor_id, created_at);

-- Addresses and numbers that bounced: not used again for this debtor until
-- the debtor gives another one.
CREATE TABLE blocked_addresses (
    debtor_id  uuid NOT NULL REFERENCES debtors (id),
    channel    text NOT NULL CHECK (channel IN ('email', 'sms')),
    address    text NOT NULL CHECK (address <> ''),
    reason     text NOT NULL DEFAULT '',
    message_id uuid REFERENCES messages (id),
    blocked_at timestamptz NOT NULL,
    PRIMARY KEY (debtor_id, channel, address)
);

-- Personal follow-ups a ladder asks of an agent (the day-35 step). The work
-- queue lists the open ones; step_key makes each happen once.
CREATE TABLE agent_tasks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id uuid NOT NULL REFERENCES creditors (id),
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    invoice_id  uuid REFERENCES invoices (id),
    kind        text NOT NULL CHECK (kind <> ''),
    step_key    text UNIQUE,
    due_on      date NOT NULL,
    created_at  timestamptz NOT NULL,
    done_at     timestamptz,
    done_by     uuid REFERENCES agents (id)
);
CREATE INDEX agent_tasks_open ON agent_tasks (creditor_id, due_on) WHERE done_at IS NULL;

-- +goose Down
DROP TABLE agent_tasks, blocked_addresses, messages, ladder_progress, ladders;
