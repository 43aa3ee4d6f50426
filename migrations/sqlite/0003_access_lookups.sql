-- Every lookup by identity code, recorded before it is answered: the log holds everyone's
-- codes, so who looked up whom is itself on record. The subject is kept by its keyed hash.
CREATE TABLE access_lookups (
    id INTEGER PRIMARY KEY,
    looked_up_at INTEGER NOT NULL,
    period_from INTEGER,
    period_to INTEGER,
    operation INTEGER NOT NULL,
    subject_key_id INTEGER NOT NULL,
    controller TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    case_reference TEXT NOT NULL,
    subject_hash BLOB NOT NULL
);
CREATE INDEX access_lookups_by_time ON access_lookups (controller, looked_up_at, id);
CREATE INDEX access_lookups_by_subject ON access_lookups (subject_hash);
