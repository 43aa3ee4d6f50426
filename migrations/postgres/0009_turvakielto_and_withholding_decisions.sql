-- Non-disclosure for personal safety (turvakielto, Laki väestötietojärjestelmästä 661/2009
-- 36 §): the persons a controller's disclosures marked as protected, by keyed hash only.
-- Stored with the accepted disclosure that first carried the mark; never updated or deleted
-- (a lifted mark would be a row of its own; this version has none).
CREATE TABLE safety_protections (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    controller TEXT NOT NULL,
    subject_key_id SMALLINT NOT NULL,
    subject_hash BYTEA NOT NULL,
    disclosure_id BIGINT NOT NULL,
    marked_at BIGINT NOT NULL,
    caller TEXT NOT NULL,
    UNIQUE (controller, subject_hash)
);

-- Withholding decisions (GDPR Art. 23, Tietosuojalaki 1050/2018 34 §), appended: the first
-- is made with the disclosure, later ones lift, extend, shorten or set it. The disclosure's
-- entries and leaves never change; what the subject is told follows the latest decision.
CREATE TABLE withholding_decisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    controller TEXT NOT NULL,
    disclosure_id BIGINT NOT NULL,
    action SMALLINT NOT NULL,
    withheld_until BIGINT,
    reason TEXT NOT NULL,
    ground TEXT,
    conceal_existence SMALLINT NOT NULL,
    decided_at BIGINT NOT NULL,
    decided_by TEXT NOT NULL,
    caller TEXT NOT NULL
);
CREATE INDEX withholding_decisions_by_disclosure ON withholding_decisions (disclosure_id, id);
-- A disclosure has one first decision, so a replayed record request adds none.
CREATE UNIQUE INDEX withholding_decisions_one_initial ON withholding_decisions (disclosure_id)
    WHERE action = 1;

-- Both tables are append-only: a decision or a mark, once made, stays on record.
CREATE FUNCTION refuse_change_of_appended_row() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER withholding_decisions_append_only
    BEFORE UPDATE OR DELETE ON withholding_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_change_of_appended_row();
CREATE TRIGGER safety_protections_append_only
    BEFORE UPDATE OR DELETE ON safety_protections
    FOR EACH ROW EXECUTE FUNCTION refuse_change_of_appended_row();
