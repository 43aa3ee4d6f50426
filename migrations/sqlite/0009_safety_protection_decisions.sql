-- Turvakielto as a decision that can change: a mark (with a disclosure, or without one, e.g.
-- when the population register reports a new turvakielto) or a lift, appended per
-- (controller, subject hash) with its reason and who decided; the latest is in force. The
-- marks kept so far (safety_protections, which stays as it is, append-only) are copied in as
-- the first decisions; new marks are kept here only.
CREATE TABLE safety_protection_decisions (
    id INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    subject_key_id INTEGER NOT NULL,
    subject_hash BLOB NOT NULL,
    -- 1 mark, 2 lift.
    action INTEGER NOT NULL,
    -- The disclosure that carried a mark; NULL for a decision made on its own.
    disclosure_id INTEGER,
    -- Required for a decision made on its own; NULL for a mark carried by a disclosure.
    reason TEXT,
    decided_by TEXT,
    decided_at INTEGER NOT NULL,
    caller TEXT NOT NULL
);
CREATE INDEX safety_protection_decisions_by_subject
    ON safety_protection_decisions (controller, subject_hash, id);
-- A disclosure marks a subject once, so a replayed record request adds no decision.
CREATE UNIQUE INDEX safety_protection_decisions_one_per_disclosure
    ON safety_protection_decisions (disclosure_id, subject_hash) WHERE disclosure_id IS NOT NULL;

INSERT INTO safety_protection_decisions (controller, subject_key_id, subject_hash, action,
    disclosure_id, decided_at, caller)
SELECT controller, subject_key_id, subject_hash, 1, disclosure_id, marked_at, caller
FROM safety_protections ORDER BY id;

CREATE TRIGGER safety_protection_decisions_append_only_update
BEFORE UPDATE ON safety_protection_decisions
BEGIN SELECT RAISE(ABORT, 'safety_protection_decisions is append-only'); END;
CREATE TRIGGER safety_protection_decisions_append_only_delete
BEFORE DELETE ON safety_protection_decisions
BEGIN SELECT RAISE(ABORT, 'safety_protection_decisions is append-only'); END;
