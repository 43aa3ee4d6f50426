-- How each disclosure relates to its register's catalogue (see src/domain/classification.rs):
-- 1 declared, 2 on request, 3 undeclared. Rows recorded before catalogues were checked count
-- as undeclared, so they show up for review rather than pass as declared.
ALTER TABLE disclosures ADD COLUMN classification INTEGER NOT NULL DEFAULT 3;
