-- City-scale demo data for benchmarks: case projections without event streams, marked synthetic
-- by living in their own table (never shown as cases), counted into the same rollups.
CREATE TABLE synthetic_cases (
    district TEXT NOT NULL,
    id BIGINT NOT NULL,
    street TEXT NOT NULL,
    duty_item TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    callback_at BIGINT, -- NULL: no callback yet
    contacted BIGINT NOT NULL, -- 0/1
    solved BIGINT NOT NULL, -- 0/1
    satisfaction TEXT, -- satisfied | basically_satisfied | dissatisfied
    PRIMARY KEY (district, id)
);
CREATE INDEX synthetic_by_callback ON synthetic_cases (callback_at);
-- Covering: a drill-down reads the index alone, in callback order.
CREATE INDEX synthetic_by_street ON synthetic_cases (street, callback_at, id, contacted, solved, satisfaction);
-- City-wide monthly questions (all districts) read the rollups by month.
CREATE INDEX case_rollups_by_month ON case_rollups (month, street);
