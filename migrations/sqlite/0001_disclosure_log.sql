-- The disclosure log. Times are microseconds since the Unix epoch (UTC); enumerations are the
-- stable codes of the proto (see src/domain). Identity codes are never stored in clear.

-- The next ids to give out. Updated in every write transaction, so ids are dense and ordered
-- by commit: an entry id is also the entry's sequence index in the log.
CREATE TABLE log_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_disclosure_id INTEGER NOT NULL,
    next_entry_id INTEGER NOT NULL
);
INSERT INTO log_head (id, next_disclosure_id, next_entry_id) VALUES (1, 1, 0);

-- Recipients are stored once and referred to by id.
CREATE TABLE recipients (
    id INTEGER PRIMARY KEY,
    id_type INTEGER NOT NULL,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    country TEXT NOT NULL,
    UNIQUE (id_type, identifier, name, kind, country)
);
CREATE INDEX recipients_by_identifier ON recipients (identifier);

CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    transfer_id TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    register TEXT NOT NULL,
    recipient_id INTEGER NOT NULL REFERENCES recipients (id),
    legal_basis INTEGER NOT NULL,
    special_condition INTEGER,
    data_categories INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    channel INTEGER NOT NULL,
    source_system TEXT NOT NULL,
    consent_ref TEXT,
    requester_ref TEXT,
    withheld_until INTEGER,
    withheld_reason TEXT,
    subject_count INTEGER NOT NULL,
    first_entry_id INTEGER NOT NULL,
    -- The provisions as read back: "canonical<US>title" joined by <RS> (ASCII 31 and 30,
    -- which neither can contain), so a read needs no second query. disclosure_provisions
    -- holds them again, one row each, for filtering by statute.
    provisions TEXT NOT NULL,
    -- Keyed digest of the request, to tell an identical replay from a conflicting one.
    request_key_id INTEGER NOT NULL,
    request_digest BLOB NOT NULL,
    UNIQUE (controller, transfer_id)
);
CREATE INDEX disclosures_by_time ON disclosures (controller, occurred_at, id);
CREATE INDEX disclosures_by_register ON disclosures (controller, register, occurred_at, id);
CREATE INDEX disclosures_by_recipient ON disclosures (recipient_id, occurred_at, id);

CREATE TABLE disclosure_provisions (
    disclosure_id INTEGER NOT NULL REFERENCES disclosures (id),
    position INTEGER NOT NULL,
    statute TEXT NOT NULL,
    canonical TEXT NOT NULL,
    title TEXT,
    PRIMARY KEY (disclosure_id, position)
) WITHOUT ROWID;
CREATE INDEX provisions_by_statute ON disclosure_provisions (statute, disclosure_id);

-- One row per (disclosure, data subject): the rows that grow by tens of thousands at a time,
-- so they hold only ids, the lookup hash and the sealed code. entry_id is the rowid.
CREATE TABLE subject_entries (
    entry_id INTEGER PRIMARY KEY,
    disclosure_id INTEGER NOT NULL REFERENCES disclosures (id),
    subject_hash BLOB NOT NULL,
    sealed_subject BLOB NOT NULL
);
CREATE INDEX entries_by_subject ON subject_entries (subject_hash, disclosure_id);
