-- +goose Up

-- Vroegsignalering (Wet gemeentelijke schuldhulpverlening art. 3a and the
-- Besluit gemeentelijke schuldhulpverlening, Stb. 2020, 240, in force
-- 1 January 2021). docs/domain.md has the sources and what they did not give.

-- What a creditor supplies; only the kinds the law names give signals.
ALTER TABLE creditors ADD COLUMN creditor_kind text NOT NULL DEFAULT 'other'
    CHECK (creditor_kind IN ('energy', 'water', 'housing', 'health_insurance', 'other'));

-- The arrears past which a consumer goes on the signal list, per kind, as
-- dated rows like interest_rates: an operator adds a row with
-- `settle signal-thresholds add` when the rule changes, no release needed.
CREATE TABLE signal_thresholds (
    kind              text NOT NULL CHECK (kind IN ('energy', 'water', 'housing', 'health_insurance')),
    valid_from        date NOT NULL,
    min_days_overdue  int NOT NULL CHECK (min_days_overdue >= 0),
    min_arrears_cents bigint NOT NULL CHECK (min_arrears_cents >= 0),
    source            text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (kind, valid_from)
);

-- The sources we could read (Stb. 2020, 240 art. 2; the Regelingen
-- afsluitbeleid for energy and drinking water) name the creditor's efforts
-- and the data it passes on, but not a number of days or an amount per
-- kind. These rows are placeholders marked as such; the operator replaces
-- them with the confirmed figures (a new row with a later valid_from, or
-- the same valid_from after deleting the placeholder).
INSERT INTO signal_thresholds (kind, valid_from, min_days_overdue, min_arrears_cents, source) VALUES
    ('energy',           '2021-01-01', 30, 0, 'PLACEHOLDER, not from a law text: the sources read (Stb. 2020, 240; Regeling afsluitbeleid voor kleinverbruikers van elektriciteit en gas, Stcrt. 2011, 11579 and 2023, 10020) give no days or amount; confirm and replace'),
    ('water',            '2021-01-01', 30, 0, 'PLACEHOLDER, not from a law text: the sources read (Stb. 2020, 240; Regeling afsluitbeleid voor kleinverbruikers van drinkwater, Stcrt. 2012, 7964 and 2018, 26271) give no days or amount; confirm and replace'),
    ('housing',          '2021-01-01', 30, 0, 'PLACEHOLDER, not from a law text: Stb. 2020, 240 art. 2 (huurachterstand) as read gives no days or amount; 30 days stands for one month of rent; confirm and replace'),
    ('health_insurance', '2021-01-01', 60, 0, 'PLACEHOLDER, not from the Besluit: two months of premium is the Zorgverzekeringswet''s first arrears stage (secondary source schuldinfo.nl), not a threshold read in Stb. 2020, 240; confirm and replace');

-- Postcode ranges to municipalities (CBS code and name), dated. Only the
-- demo's postcodes are here; the operator loads the full CBS table with
-- `settle municipalities load` (docs/domain.md). A postcode in no range has
-- no municipality: the list says so and the creditor looks it up.
CREATE TABLE postcode_municipalities (
    pc_from    text NOT NULL CHECK (pc_from ~ '^[1-9][0-9]{3}[A-Z]{2}$'),
    pc_to      text NOT NULL CHECK (pc_to ~ '^[1-9][0-9]{3}[A-Z]{2}$' AND pc_to >= pc_from),
    valid_from date NOT NULL,
    code       text NOT NULL CHECK (code ~ '^GM[0-9]{4}$'),
    name       text NOT NULL CHECK (name <> ''),
    source     text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (pc_from, valid_from)
);
CREATE INDEX postcode_municipalities_range ON postcode_municipalities (pc_from, pc_to);

INSERT INTO postcode_municipalities (pc_from, pc_to, valid_from, code, name, source) VALUES
    ('1016AA', '1016ZZ', '2021-01-01', 'GM0363', 'Amsterdam', 'demo data only: the demo''s Amsterdam postcode; load the CBS table for real use'),
    ('3511AA', '3511ZZ', '2021-01-01', 'GM0344', 'Utrecht',   'demo data only: the demo''s Utrecht postcode; load the CBS table for real use'),
    ('6711AA', '6711ZZ', '2021-01-01', 'GM0228', 'Ede',       'demo data only: the demo''s Ede postcode; load the CBS table for real use'),
    ('9711AA', '9711ZZ', '2021-01-01', 'GM0014', 'Groningen', 'demo data only: the demo''s Groningen postcode; load the CBS table for real use');

-- The signal list. One signal per arrears episode: a consumer whose oldest
-- unpaid due date is the same is not signalled twice, however often the
-- daily run finds them past the threshold. Contact data is read from the
-- debtor when the list is shown, so a corrected address is what goes out.
CREATE TABLE municipality_signals (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creditor_id       uuid NOT NULL REFERENCES creditors (id),
    debtor_id         uuid NOT NULL REFERENCES debtors (id),
    creditor_kind     text NOT NULL CHECK (creditor_kind IN ('energy', 'water', 'housing', 'health_insurance')),
    oldest_due        date NOT NULL,
    arrears_cents     bigint NOT NULL CHECK (arrears_cents > 0),
    municipality_code text NOT NULL DEFAULT '',
    municipality_name text NOT NULL DEFAULT '',
    raised_on         date NOT NULL,
    created_at        timestamptz NOT NULL,
    outcome           text NOT NULL DEFAULT '' CHECK (outcome IN ('', 'help_accepted', 'help_declined', 'no_contact', 'already_helped')),
    outcome_note      text NOT NULL DEFAULT '',
    outcome_on        date,
    outcome_by        uuid REFERENCES agents (id),
    UNIQUE (creditor_id, debtor_id, oldest_due)
);
CREATE INDEX municipality_signals_list ON municipality_signals (creditor_id, raised_on);

-- +goose Down
DROP TABLE municipality_signals, postcode_municipalities, signal_thresholds;
ALTER TABLE creditors DROP COLUMN creditor_kind;
