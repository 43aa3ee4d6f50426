-- Disclosures recorded before this migration are not counted here (no deployment predates it).
-- Counts per Finnish local day and everything statistics and Art. 30 records group by, kept
-- up to date in the write statement: a year's statistics read a few thousand of these rows,
-- not millions of entries. `provisions` is the canonical forms joined by <RS>.
CREATE TABLE disclosure_rollup (
    controller TEXT NOT NULL,
    register TEXT NOT NULL,
    day INTEGER NOT NULL,
    recipient_id BIGINT NOT NULL,
    classification SMALLINT NOT NULL,
    legal_basis SMALLINT NOT NULL,
    channel SMALLINT NOT NULL,
    data_categories BIGINT NOT NULL,
    provisions TEXT NOT NULL,
    disclosures BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (controller, day, register, recipient_id, classification, legal_basis, channel,
                 data_categories, provisions)
);
