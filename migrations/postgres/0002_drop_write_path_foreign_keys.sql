-- The single writer inserts a disclosure's recipient before it, and its provisions in the
-- same statement, so these checks never fail; as triggers they cost a primary-key probe per
-- row on the hottest path. subject_entries has had none from the start for the same reason.
ALTER TABLE disclosures DROP CONSTRAINT disclosures_recipient_id_fkey;
ALTER TABLE disclosure_provisions DROP CONSTRAINT disclosure_provisions_disclosure_id_fkey;
