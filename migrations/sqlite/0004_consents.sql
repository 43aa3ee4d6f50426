-- Consents of data subjects, and recorded refusals. The subject is kept by keyed hash only:
-- a consent is checked, never read back to a person, and its document has the name.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    given_at INTEGER NOT NULL,
    valid_until INTEGER,
    withdrawn_at INTEGER,
    recorded_at INTEGER NOT NULL,
    data_categories INTEGER NOT NULL,
    decision INTEGER NOT NULL,
    recipient_kind INTEGER NOT NULL,
    subject_key_id INTEGER NOT NULL,
    controller TEXT NOT NULL,
    reference TEXT NOT NULL,
    recipient_id TEXT,
    purpose TEXT NOT NULL,
    document_reference TEXT NOT NULL,
    subject_hash BLOB NOT NULL,
    UNIQUE (controller, reference)
);
CREATE INDEX consents_by_subject ON consents (controller, subject_hash);
