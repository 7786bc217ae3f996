-- 考核: monthly rollups of what cases count for (kept in the same transaction as their events),
-- the callback time on the case projection (for drill-downs), and the versioned formula table.

CREATE TABLE case_rollups (
    district TEXT NOT NULL,
    month TEXT NOT NULL, -- YYYY-MM, Beijing
    street TEXT NOT NULL,
    community TEXT NOT NULL, -- '' when none
    assignee TEXT NOT NULL, -- unit:<id> | dept:<id> | ''
    duty_item TEXT NOT NULL, -- '' when none
    liaison TEXT NOT NULL, -- who recorded a case found on a liaison visit, else ''
    received BIGINT NOT NULL,
    valid BIGINT NOT NULL,
    contacted BIGINT NOT NULL,
    solved BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    basically_satisfied BIGINT NOT NULL,
    dissatisfied BIGINT NOT NULL,
    PRIMARY KEY (district, month, street, community, assignee, duty_item, liaison)
);

CREATE TABLE assessment_formulas (
    district TEXT NOT NULL,
    version BIGINT NOT NULL,
    effective_from TEXT NOT NULL, -- YYYY-MM-DD
    formula TEXT NOT NULL, -- the Formula as JSON
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (district, version)
);

ALTER TABLE cases ADD COLUMN callback_at BIGINT;
CREATE INDEX cases_by_callback ON cases (district, callback_at);
-- The callback's time is in the folded state as RFC 3339; `chuishao rebuild-aggregates` (run by
-- the server when the rollups are empty) fills the rollups from the events.
UPDATE cases SET callback_at = CAST(strftime('%s', json_extract(state, '$.callback.at')) AS INTEGER) * 1000
    WHERE json_extract(state, '$.callback.at') IS NOT NULL;
