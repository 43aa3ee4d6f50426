-- Consents of data subjects, and recorded refusals. The subject is kept by keyed hash only:
-- a consent is checked, never read back to a person, and its document has the name.
CREATE TABLE consents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    given_at BIGINT NOT NULL,
    valid_until BIGINT,
    withdrawn_at BIGINT,
    recorded_at BIGINT NOT NULL,
    data_categories BIGINT NOT NULL,
    decision SMALLINT NOT NULL,
    recipient_kind SMALLINT NOT NULL,
    subject_key_id SMALLINT NOT NULL,
    controller TEXT NOT NULL,
    reference TEXT NOT NULL,
    recipient_id TEXT,
    purpose TEXT NOT NULL,
    document_reference TEXT NOT NULL,
    subject_hash BYTEA NOT NULL,
    UNIQUE (controller, reference)
);
CREATE INDEX consents_by_subject ON consents (controller, subject_hash);
