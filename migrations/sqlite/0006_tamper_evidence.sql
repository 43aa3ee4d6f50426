-- Tamper evidence (docs/tamper-evidence.md); see migrations/postgres/0007 for the reasons.

ALTER TABLE log_head ADD COLUMN tree_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE log_head ADD COLUMN tree_root BLOB NOT NULL
    DEFAULT X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

-- SQLite cannot drop NOT NULL in place: the entries move to a table whose personal columns
-- may be NULL (purged) and which has a leaf hash.
CREATE TABLE subject_entries_v2 (
    entry_id INTEGER PRIMARY KEY,
    disclosure_id INTEGER NOT NULL REFERENCES disclosures (id),
    subject_hash BLOB,
    sealed_subject BLOB,
    leaf_hash BLOB
);
INSERT INTO subject_entries_v2 (entry_id, disclosure_id, subject_hash, sealed_subject)
    SELECT entry_id, disclosure_id, subject_hash, sealed_subject FROM subject_entries;
DROP TABLE subject_entries;
ALTER TABLE subject_entries_v2 RENAME TO subject_entries;
CREATE INDEX entries_by_subject ON subject_entries (subject_hash, disclosure_id);

CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    tree_size INTEGER PRIMARY KEY,
    root_hash BLOB NOT NULL,
    signed_at INTEGER NOT NULL,
    note TEXT NOT NULL
);

CREATE TABLE purges (
    id INTEGER PRIMARY KEY,
    purged_at INTEGER NOT NULL,
    occurred_before INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    first_entry_id INTEGER,
    last_entry_id INTEGER,
    requested_by TEXT NOT NULL
);
