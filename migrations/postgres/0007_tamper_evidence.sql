-- Tamper evidence (docs/tamper-evidence.md). Each subject entry is leaf `entry_id` of an
-- RFC 9162 Merkle tree; the leaf hash and the tree nodes it completes are stored in the
-- transaction that stores the entry, and signed checkpoints publish the tree's heads.

-- How far the tree goes and its root. Entries from tree_size on (recorded before this
-- migration, or while tamper evidence was off) are integrated when the service starts.
ALTER TABLE log_head
    ADD COLUMN tree_size BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN tree_root BYTEA NOT NULL
        DEFAULT '\xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

-- A purged entry keeps its leaf hash and loses its personal content: both columns become
-- NULL (which the hash index leaves out, where millions of one empty value would not).
ALTER TABLE subject_entries
    ADD COLUMN leaf_hash BYTEA,
    ALTER COLUMN subject_hash DROP NOT NULL,
    ALTER COLUMN sealed_subject DROP NOT NULL;

-- Complete subtrees of 16 leaves and more: node `idx` at `level` covers leaves
-- [idx * 2^level, (idx + 1) * 2^level). Smaller ones are hashed from the leaves when needed.
CREATE TABLE merkle_nodes (
    level SMALLINT NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Signed checkpoints (C2SP tlog-checkpoint notes), one per published tree size.
CREATE TABLE checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root_hash BYTEA NOT NULL,
    signed_at BIGINT NOT NULL,
    note TEXT NOT NULL
);

-- Each purge: which entries lost their personal content, when and by whose decision.
CREATE TABLE purges (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purged_at BIGINT NOT NULL,
    occurred_before BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    first_entry_id BIGINT,
    last_entry_id BIGINT,
    requested_by TEXT NOT NULL
);
