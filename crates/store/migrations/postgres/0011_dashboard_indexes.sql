-- The dashboard's and the rates' reads. Counting open and overdue cases reads the index alone
-- instead of every case row (whose folded state makes rows large); summing the rollups of some
-- months reads this index alone instead of looking up each rollup row by its key.
CREATE INDEX cases_open ON cases (district, status, overdue);
CREATE INDEX case_rollups_sums ON case_rollups (district, month, street, community, duty_item,
    received, valid, contacted, solved, satisfied, basically_satisfied, dissatisfied);
-- A resident's own requests (/my, the portal): found by the index, not by reading the district.
CREATE INDEX cases_by_reporter ON cases (district, reporter_user) WHERE reporter_user IS NOT NULL;
