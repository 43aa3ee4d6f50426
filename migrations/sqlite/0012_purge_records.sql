-- The tables and columns the purge shares with PostgreSQL (issue 14). SQLite keeps its
-- entries in one table, and a purge empties their personal columns in place, so
-- `purged_leaves` stays empty here; the read path looks there on either backend.

-- The leaf hashes of dropped entries: `hashes` holds the 32-byte leaf hashes of one
-- disclosure's consecutive entries from `first_entry_id` on.
CREATE TABLE purged_leaves (
    first_entry_id INTEGER PRIMARY KEY,
    disclosure_id INTEGER NOT NULL,
    hashes BLOB NOT NULL
);

-- What a purge found: the next one need not look again at disclosures before
-- `occurred_before` recorded up to `head_disclosure_id`.
ALTER TABLE purges ADD COLUMN controller TEXT;
ALTER TABLE purges ADD COLUMN head_disclosure_id INTEGER;
