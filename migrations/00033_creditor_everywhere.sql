-- +goose Up

-- Every table of one creditor's business carries creditor_id, so that a
-- sharded PostgreSQL (Citus, docs/scaling.md) can distribute it by creditor
-- and keep each creditor's rows on one node. These nine tables reached
-- their creditor only through a parent row. The store does not name the
-- column yet: a trigger fills it from the parent on insert, so no insert
-- changes; a distributed table needs the store to pass it instead (the
-- trigger then finds it set and does nothing).

-- One function per parent, with static SQL: PL/pgSQL plans it once per
-- session, so a bulk insert (a bank import's suggestions) pays one index
-- lookup per row.
-- +goose StatementBegin
CREATE FUNCTION creditor_of_debtor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.creditor_id IS NULL THEN
        SELECT creditor_id INTO NEW.creditor_id FROM debtors WHERE id = NEW.debtor_id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION creditor_of_dispute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.creditor_id IS NULL THEN
        SELECT creditor_id INTO NEW.creditor_id FROM disputes WHERE id = NEW.dispute_id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION creditor_of_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.creditor_id IS NULL THEN
        SELECT creditor_id INTO NEW.creditor_id FROM notices WHERE id = NEW.notice_id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION creditor_of_payment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.creditor_id IS NULL THEN
        SELECT creditor_id INTO NEW.creditor_id FROM payments WHERE id = NEW.payment_id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION creditor_of_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.creditor_id IS NULL THEN
        SELECT creditor_id INTO NEW.creditor_id FROM plans WHERE id = NEW.plan_id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION creditor_of_endpoint() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.creditor_id IS NULL THEN
        SELECT creditor_id INTO NEW.creditor_id FROM webhook_endpoints WHERE id = NEW.endpoint_id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

ALTER TABLE bank_suggestions       ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE blocked_addresses      ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE contact_wishes         ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE dispute_files          ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE notice_invoices        ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE payment_status_history ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE plan_instalments       ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE webhook_deliveries     ADD COLUMN creditor_id uuid REFERENCES creditors (id);
ALTER TABLE direct_debits          ADD COLUMN creditor_id uuid REFERENCES creditors (id);

UPDATE bank_suggestions s  SET creditor_id = d.creditor_id FROM debtors d WHERE d.id = s.debtor_id;
UPDATE blocked_addresses b SET creditor_id = d.creditor_id FROM debtors d WHERE d.id = b.debtor_id;
UPDATE contact_wishes w    SET creditor_id = d.creditor_id FROM debtors d WHERE d.id = w.debtor_id;
UPDATE dispute_files f     SET creditor_id = d.creditor_id FROM disputes d WHERE d.id = f.dispute_id;
UPDATE notice_invoices ni  SET creditor_id = n.creditor_id FROM notices n WHERE n.id = ni.notice_id;
-- The history is append-only; filling a new column changes no fact in it.
ALTER TABLE payment_status_history DISABLE TRIGGER payment_status_history_no_update;
UPDATE payment_status_history h SET creditor_id = p.creditor_id FROM payments p WHERE p.id = h.payment_id;
ALTER TABLE payment_status_history ENABLE TRIGGER payment_status_history_no_update;
UPDATE plan_instalments i  SET creditor_id = p.creditor_id FROM plans p WHERE p.id = i.plan_id;
UPDATE webhook_deliveries w SET creditor_id = e.creditor_id FROM webhook_endpoints e WHERE e.id = w.endpoint_id;
UPDATE direct_debits dd    SET creditor_id = p.creditor_id FROM plans p WHERE p.id = dd.plan_id;

ALTER TABLE bank_suggestions       ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE blocked_addresses      ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE contact_wishes         ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE dispute_files          ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE notice_invoices        ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE payment_status_history ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE plan_instalments       ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE webhook_deliveries     ALTER COLUMN creditor_id SET NOT NULL;
ALTER TABLE direct_debits          ALTER COLUMN creditor_id SET NOT NULL;

CREATE TRIGGER bank_suggestions_creditor BEFORE INSERT ON bank_suggestions
    FOR EACH ROW EXECUTE FUNCTION creditor_of_debtor();
CREATE TRIGGER blocked_addresses_creditor BEFORE INSERT ON blocked_addresses
    FOR EACH ROW EXECUTE FUNCTION creditor_of_debtor();
CREATE TRIGGER contact_wishes_creditor BEFORE INSERT ON contact_wishes
    FOR EACH ROW EXECUTE FUNCTION creditor_of_debtor();
CREATE TRIGGER dispute_files_creditor BEFORE INSERT ON dispute_files
    FOR EACH ROW EXECUTE FUNCTION creditor_of_dispute();
CREATE TRIGGER notice_invoices_creditor BEFORE INSERT ON notice_invoices
    FOR EACH ROW EXECUTE FUNCTION creditor_of_notice();
CREATE TRIGGER payment_status_history_creditor BEFORE INSERT ON payment_status_history
    FOR EACH ROW EXECUTE FUNCTION creditor_of_payment();
CREATE TRIGGER plan_instalments_creditor BEFORE INSERT ON plan_instalments
    FOR EACH ROW EXECUTE FUNCTION creditor_of_plan();
CREATE TRIGGER webhook_deliveries_creditor BEFORE INSERT ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION creditor_of_endpoint();
CREATE TRIGGER direct_debits_creditor BEFORE INSERT ON direct_debits
    FOR EACH ROW EXECUTE FUNCTION creditor_of_plan();

-- +goose Down
DROP TRIGGER bank_suggestions_creditor ON bank_suggestions;
DROP TRIGGER blocked_addresses_creditor ON blocked_addresses;
DROP TRIGGER contact_wishes_creditor ON contact_wishes;
DROP TRIGGER dispute_files_creditor ON dispute_files;
DROP TRIGGER notice_invoices_creditor ON notice_invoices;
DROP TRIGGER payment_status_history_creditor ON payment_status_history;
DROP TRIGGER plan_instalments_creditor ON plan_instalments;
DROP TRIGGER webhook_deliveries_creditor ON webhook_deliveries;
DROP TRIGGER direct_debits_creditor ON direct_debits;
ALTER TABLE bank_suggestions       DROP COLUMN creditor_id;
ALTER TABLE blocked_addresses      DROP COLUMN creditor_id;
ALTER TABLE contact_wishes         DROP COLUMN creditor_id;
ALTER TABLE dispute_files          DROP COLUMN creditor_id;
ALTER TABLE notice_invoices        DROP COLUMN creditor_id;
ALTER TABLE payment_status_history DROP COLUMN creditor_id;
ALTER TABLE plan_instalments       DROP COLUMN creditor_id;
ALTER TABLE webhook_deliveries     DROP COLUMN creditor_id;
ALTER TABLE direct_debits          DROP COLUMN creditor_id;
DROP FUNCTION creditor_of_debtor(), creditor_of_dispute(), creditor_of_notice(), creditor_of_payment(), creditor_of_plan(), creditor_of_endpoint();
