-- Every lookup by identity code, recorded before it is answered: the log holds everyone's
-- codes, so who looked up whom is itself on record. The subject is kept by its keyed hash.
CREATE TABLE access_lookups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    looked_up_at BIGINT NOT NULL,
    period_from BIGINT,
    period_to BIGINT,
    operation SMALLINT NOT NULL,
    subject_key_id SMALLINT NOT NULL,
    controller TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    case_reference TEXT NOT NULL,
    subject_hash BYTEA NOT NULL
);
CREATE INDEX access_lookups_by_time ON access_lookups (controller, looked_up_at, id);
CREATE INDEX access_lookups_by_subject ON access_lookups USING hash (subject_hash);
