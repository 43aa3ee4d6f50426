-- Subject entries in partitions by entry id, so that retention can drop a whole partition
-- of expired entries in seconds instead of rewriting millions of rows, while the tree keeps
-- every leaf hash (issue 14).
--
-- Entry ids follow recording order, and a disclosure occurs before it is recorded or soon
-- after; so the partitions of old entries hold old disclosures, and a partition whose
-- disclosures all occurred before a purge's date is dropped whole. Its leaf hashes are kept
-- first in `purged_leaves`, packed a run of one disclosure's entries a row. The writer
-- creates partitions ahead of need (`entry_partitions` lists them); their size is a setting,
-- `database.entries_per_partition`.

ALTER TABLE subject_entries RENAME TO subject_entries_before_partitions;
ALTER INDEX subject_entries_pkey RENAME TO subject_entries_before_partitions_pkey;
ALTER INDEX entries_by_subject RENAME TO entries_before_partitions_by_subject;

CREATE TABLE subject_entries (
    entry_id BIGINT NOT NULL,
    disclosure_id BIGINT NOT NULL,
    subject_hash BYTEA,
    sealed_subject BYTEA,
    leaf_hash BYTEA,
    PRIMARY KEY (entry_id)
) PARTITION BY RANGE (entry_id);
CREATE INDEX entries_by_subject ON subject_entries USING hash (subject_hash);

-- Each partition of `subject_entries`: entries [first_entry_id, end_entry_id). Once every
-- entry of a partition is recorded, `max_occurred_at` caches when its latest disclosure
-- occurred (null until a purge first asks).
CREATE TABLE entry_partitions (
    first_entry_id BIGINT PRIMARY KEY,
    end_entry_id BIGINT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    max_occurred_at BIGINT
);

-- The leaf hashes of dropped partitions: `hashes` holds the 32-byte leaf hashes of one
-- disclosure's consecutive entries from `first_entry_id` on.
CREATE TABLE purged_leaves (
    first_entry_id BIGINT PRIMARY KEY,
    disclosure_id BIGINT NOT NULL,
    hashes BYTEA NOT NULL
);
ALTER TABLE purged_leaves ALTER COLUMN hashes SET STORAGE EXTERNAL;

-- What a purge found: the next one need not look again at disclosures before
-- `occurred_before` recorded up to `head_disclosure_id`.
ALTER TABLE purges
    ADD COLUMN controller TEXT,
    ADD COLUMN head_disclosure_id BIGINT;

-- The entries recorded so far become the first partition, as they are.
DO $$
DECLARE
    entries_end BIGINT;
BEGIN
    SELECT MAX(entry_id) + 1 INTO entries_end FROM subject_entries_before_partitions;
    IF entries_end IS NULL THEN
        DROP TABLE subject_entries_before_partitions;
    ELSE
        EXECUTE format(
            'ALTER TABLE subject_entries ATTACH PARTITION subject_entries_before_partitions '
            'FOR VALUES FROM (0) TO (%s)', entries_end);
        INSERT INTO entry_partitions (first_entry_id, end_entry_id, name)
            VALUES (0, entries_end, 'subject_entries_before_partitions');
    END IF;
END
$$;
