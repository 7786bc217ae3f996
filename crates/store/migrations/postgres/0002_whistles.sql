-- PostgreSQL twin of ../sqlite/0002_whistles.sql.
-- 吹哨报到: whistles as event streams with a projection and an access list, and the versioned
-- policy table of whistle kinds and their deadlines.

CREATE TABLE whistle_policies (
    district TEXT NOT NULL,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    effective_from TEXT NOT NULL, -- YYYY-MM-DD
    policy TEXT NOT NULL,         -- the WhistlePolicy as JSON
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (district, kind, version)
);

CREATE TABLE whistle_events (
    district TEXT NOT NULL,
    whistle_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (district, whistle_id, seq)
);

CREATE TABLE whistles (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT,
    case_id TEXT,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    blown_at BIGINT,
    concluded_at BIGINT,
    overdue BIGINT NOT NULL, -- 0/1: a running part is past a deadline now
    escalations BIGINT NOT NULL, -- overdue events and escalated declines, ever
    next_alert_at BIGINT,
    version BIGINT NOT NULL,
    state TEXT NOT NULL, -- the folded Whistle as JSON
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX whistles_by_created ON whistles (district, created_at);
CREATE INDEX whistles_by_street ON whistles (district, street, created_at);
CREATE INDEX whistles_by_status ON whistles (district, status, created_at);
CREATE INDEX whistles_by_case ON whistles (district, case_id);
CREATE INDEX whistles_next_alert ON whistles (next_alert_at);

CREATE TABLE whistle_access (
    district TEXT NOT NULL,
    whistle_id TEXT NOT NULL,
    principal TEXT NOT NULL,
    PRIMARY KEY (district, whistle_id, principal)
);
CREATE INDEX whistle_access_by_principal ON whistle_access (district, principal);
