-- 社区专员: who covers which community over time, the households in their care, the visits they
-- log, hardship assistance (民生保障) as event streams, and idempotency keys for forms sent late.

-- One row per stint of a liaison in a community; an open stint has no end. Reassignment ends a
-- stint and starts another, so the history stays.
CREATE TABLE liaison_assignments (
    district TEXT NOT NULL,
    liaison_id TEXT NOT NULL,
    community TEXT NOT NULL,
    street TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    assigned_by TEXT NOT NULL,
    ended_at BIGINT,
    ended_by TEXT,
    PRIMARY KEY (district, liaison_id, community, assigned_at)
);
CREATE INDEX liaison_assignments_by_community ON liaison_assignments (district, community);
-- At most one open stint of a liaison in a community.
CREATE UNIQUE INDEX liaison_assignments_open ON liaison_assignments (district, liaison_id, community)
    WHERE ended_at IS NULL;
CREATE INDEX liaison_assignments_by_street ON liaison_assignments (district, street);

-- Liaisons registered before assignments existed cover the community they were registered in.
INSERT INTO liaison_assignments (district, liaison_id, community, street, assigned_at, assigned_by)
SELECT district, id, scope_id, substr(scope_id, 1, 9), created_at, 'migration' FROM users WHERE role = 'liaison';

-- How often households with a care flag are visited, where a district departs from the default.
CREATE TABLE visit_policies (
    district TEXT NOT NULL,
    flag TEXT NOT NULL,
    interval_days BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (district, flag)
);

CREATE TABLE households (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    address TEXT NOT NULL,
    contact_name TEXT,
    phone TEXT,
    care_flags TEXT NOT NULL, -- ',living_alone,elderly,' (delimited so a flag filters with LIKE)
    note TEXT,
    active BIGINT NOT NULL, -- 0/1
    registered_on TEXT NOT NULL, -- YYYY-MM-DD
    last_visit_on TEXT, -- YYYY-MM-DD
    next_visit_due TEXT, -- YYYY-MM-DD; NULL without care flags
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX households_by_community ON households (district, community, next_visit_due);

CREATE TABLE visits (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    household_id TEXT,
    place TEXT, -- where, for a visit not to a household (a street-level walk)
    liaison_id TEXT NOT NULL,
    liaison_name TEXT NOT NULL,
    liaison_role TEXT NOT NULL,
    visited_on TEXT NOT NULL, -- YYYY-MM-DD
    seen TEXT NOT NULL,
    asked TEXT,
    follow_ups TEXT,
    case_id TEXT,
    assistance_id TEXT,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX visits_by_liaison ON visits (district, liaison_id, visited_on);
CREATE INDEX visits_by_household ON visits (district, household_id, visited_on);
CREATE INDEX visits_by_community ON visits (district, community, visited_on);
CREATE INDEX visits_by_case ON visits (district, case_id);

-- A form sent again with the same key answers what the first sending created.
CREATE TABLE idempotency_keys (
    district TEXT NOT NULL,
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (district, user_id, idem_key)
);

CREATE TABLE assistance_events (
    district TEXT NOT NULL,
    assistance_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (district, assistance_id, seq)
);

CREATE TABLE assistance_requests (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    household_id TEXT,
    visit_id TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    decided_at BIGINT,
    delivered_at BIGINT,
    overdue BIGINT NOT NULL, -- 0/1
    next_alert_at BIGINT,
    version BIGINT NOT NULL,
    state TEXT NOT NULL, -- the folded AssistanceRequest as JSON
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX assistance_by_submitted ON assistance_requests (district, submitted_at);
CREATE INDEX assistance_by_street ON assistance_requests (district, street, submitted_at);
CREATE INDEX assistance_by_community ON assistance_requests (district, community, submitted_at);
CREATE INDEX assistance_by_submitter ON assistance_requests (district, submitted_by, submitted_at);
CREATE INDEX assistance_next_alert ON assistance_requests (next_alert_at);

CREATE TABLE assistance_access (
    district TEXT NOT NULL,
    assistance_id TEXT NOT NULL,
    principal TEXT NOT NULL,
    PRIMARY KEY (district, assistance_id, principal)
);
CREATE INDEX assistance_access_by_principal ON assistance_access (district, principal);

-- Who recorded each case (a liaison's cases count in their results).
ALTER TABLE cases ADD COLUMN received_by TEXT;
CREATE INDEX cases_by_receiver ON cases (district, received_by, received_at);
UPDATE cases SET received_by = json_extract(state, '$.received_by');
