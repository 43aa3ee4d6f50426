-- Non-disclosure for personal safety (turvakielto, Laki väestötietojärjestelmästä 661/2009
-- 36 §): the persons a controller's disclosures marked as protected, by keyed hash only.
-- Stored with the accepted disclosure that first carried the mark; never updated or deleted
-- (a lifted mark would be a row of its own; this version has none).
CREATE TABLE safety_protections (
    id INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    subject_key_id INTEGER NOT NULL,
    subject_hash BLOB NOT NULL,
    disclosure_id INTEGER NOT NULL,
    marked_at INTEGER NOT NULL,
    caller TEXT NOT NULL,
    UNIQUE (controller, subject_hash)
);

-- Withholding decisions (GDPR Art. 23, Tietosuojalaki 1050/2018 34 §), appended: the first
-- is made with the disclosure, later ones lift, extend, shorten or set it. The disclosure's
-- entries and leaves never change; what the subject is told follows the latest decision.
CREATE TABLE withholding_decisions (
    id INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    disclosure_id INTEGER NOT NULL,
    action INTEGER NOT NULL,
    withheld_until INTEGER,
    reason TEXT NOT NULL,
    ground TEXT,
    conceal_existence INTEGER NOT NULL,
    decided_at INTEGER NOT NULL,
    decided_by TEXT NOT NULL,
    caller TEXT NOT NULL
);
CREATE INDEX withholding_decisions_by_disclosure ON withholding_decisions (disclosure_id, id);
-- A disclosure has one first decision, so a replayed record request adds none.
CREATE UNIQUE INDEX withholding_decisions_one_initial ON withholding_decisions (disclosure_id)
    WHERE action = 1;

-- Both tables are append-only: a decision or a mark, once made, stays on record.
CREATE TRIGGER withholding_decisions_append_only_update BEFORE UPDATE ON withholding_decisions
BEGIN SELECT RAISE(ABORT, 'withholding_decisions is append-only'); END;
CREATE TRIGGER withholding_decisions_append_only_delete BEFORE DELETE ON withholding_decisions
BEGIN SELECT RAISE(ABORT, 'withholding_decisions is append-only'); END;
CREATE TRIGGER safety_protections_append_only_update BEFORE UPDATE ON safety_protections
BEGIN SELECT RAISE(ABORT, 'safety_protections is append-only'); END;
CREATE TRIGGER safety_protections_append_only_delete BEFORE DELETE ON safety_protections
BEGIN SELECT RAISE(ABORT, 'safety_protections is append-only'); END;
