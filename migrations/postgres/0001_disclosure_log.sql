-- The disclosure log. Times are microseconds since the Unix epoch (UTC); enumerations are the
-- stable codes of the proto (see src/domain). Identity codes are never stored in clear.

-- The next ids to give out. Updated in every write transaction, so ids are dense and ordered
-- by commit (the row lock also orders writers of several instances): an entry id is also the
-- entry's sequence index in the log.
CREATE TABLE log_head (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    next_disclosure_id BIGINT NOT NULL,
    next_entry_id BIGINT NOT NULL
);
INSERT INTO log_head (id, next_disclosure_id, next_entry_id) VALUES (1, 1, 0);

-- Recipients are stored once and referred to by id.
CREATE TABLE recipients (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id_type SMALLINT NOT NULL,
    kind SMALLINT NOT NULL,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    UNIQUE (id_type, identifier, name, kind, country)
);
CREATE INDEX recipients_by_identifier ON recipients (identifier);

CREATE TABLE disclosures (
    id BIGINT PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recipient_id BIGINT NOT NULL REFERENCES recipients (id),
    data_categories BIGINT NOT NULL,
    first_entry_id BIGINT NOT NULL,
    withheld_until BIGINT,
    subject_count INTEGER NOT NULL,
    legal_basis SMALLINT NOT NULL,
    special_condition SMALLINT,
    channel SMALLINT NOT NULL,
    request_key_id SMALLINT NOT NULL,
    controller TEXT NOT NULL,
    transfer_id TEXT NOT NULL,
    register TEXT NOT NULL,
    purpose TEXT NOT NULL,
    source_system TEXT NOT NULL,
    consent_ref TEXT,
    requester_ref TEXT,
    withheld_reason TEXT,
    -- The provisions as read back: "canonical<US>title" joined by <RS> (ASCII 31 and 30,
    -- which neither can contain), so a read needs no second query. disclosure_provisions
    -- holds them again, one row each, for filtering by statute.
    provisions TEXT NOT NULL,
    -- Keyed digest of the request, to tell an identical replay from a conflicting one.
    request_digest BYTEA NOT NULL,
    UNIQUE (controller, transfer_id)
);
CREATE INDEX disclosures_by_time ON disclosures (controller, occurred_at, id);
CREATE INDEX disclosures_by_register ON disclosures (controller, register, occurred_at, id);
CREATE INDEX disclosures_by_recipient ON disclosures (recipient_id, occurred_at, id);

CREATE TABLE disclosure_provisions (
    disclosure_id BIGINT NOT NULL REFERENCES disclosures (id),
    position SMALLINT NOT NULL,
    statute TEXT NOT NULL,
    canonical TEXT NOT NULL,
    title TEXT,
    PRIMARY KEY (disclosure_id, position)
);
CREATE INDEX provisions_by_statute ON disclosure_provisions (statute, disclosure_id);

-- One row per (disclosure, data subject): the rows that grow by tens of thousands at a time,
-- so they hold only ids, the lookup hash and the sealed code. No foreign key: the single
-- writer inserts the disclosure in the same transaction, and a per-row check would cost a
-- PK probe for every subject.
CREATE TABLE subject_entries (
    entry_id BIGINT PRIMARY KEY,
    disclosure_id BIGINT NOT NULL,
    subject_hash BYTEA NOT NULL,
    sealed_subject BYTEA NOT NULL
);
-- A hash index: lookups are by equality only, and it keeps a 4-byte hash code per entry
-- where a B-tree keeps the whole 32-byte key, so it stays small enough to cache at scale
-- (inserts into it land at random places, like the keys).
CREATE INDEX entries_by_subject ON subject_entries USING hash (subject_hash);
