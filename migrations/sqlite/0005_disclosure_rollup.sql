-- Disclosures recorded before this migration are not counted here (no deployment predates it).
-- Counts per Finnish local day and everything statistics and Art. 30 records group by, kept
-- up to date in the write statement: a year's statistics read a few thousand of these rows,
-- not millions of entries. `provisions` is the canonical forms joined by <RS>.
CREATE TABLE disclosure_rollup (
    controller TEXT NOT NULL,
    register TEXT NOT NULL,
    day INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL,
    classification INTEGER NOT NULL,
    legal_basis INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    data_categories INTEGER NOT NULL,
    provisions TEXT NOT NULL,
    disclosures INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (controller, day, register, recipient_id, classification, legal_basis, channel,
                 data_categories, provisions)
);
