-- The statute filter reads the disclosure's own provisions text (disclosures.provisions),
-- which holds every provision's canonical form; the table that repeated them one row each,
-- with two indexes, cost every recorded disclosure two to four more index entries and a
-- heap row per provision, and no query needed it any more. It is not part of the tree.
DROP TABLE disclosure_provisions;
