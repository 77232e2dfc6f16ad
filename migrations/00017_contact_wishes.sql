-- +goose Up
-- Contact wishes become structured (issue E1): the channels in order of
-- preference, a phone number and email address the debtor gave or
-- corrected, and the times that do not suit as weekday and minute ranges.
-- The old free text stays, shown to agents and marked for review.
ALTER TABLE contact_wishes
    ADD COLUMN channels text[] NOT NULL DEFAULT '{}'
        CHECK (channels <@ ARRAY['post', 'email', 'sms', 'whatsapp']::text[] AND cardinality(channels) <= 4),
    ADD COLUMN phone text NOT NULL DEFAULT '' CHECK (phone = '' OR phone ~ '^\+[1-9][0-9]{7,14}$'),
    ADD COLUMN email text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    ADD COLUMN avoid jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(avoid) = 'array'),
    ADD COLUMN quiet_needs_review boolean NOT NULL DEFAULT false;

UPDATE contact_wishes SET channels = ARRAY[channel], quiet_needs_review = quiet_times <> '';

-- +goose Down
ALTER TABLE contact_wishes DROP COLUMN channels, DROP COLUMN phone, DROP COLUMN email, DROP COLUMN avoid,
    DROP COLUMN quiet_needs_review;
