-- The foundation schema. Every tenant-owned table carries the district code first in its key,
-- so a city deployment can distribute by district without a schema change.
-- Times are epoch milliseconds (UTC) in BIGINT; flags are BIGINT 0/1, read alike on both backends.

CREATE TABLE districts (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE streets (
    district TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (district, code)
);

CREATE TABLE communities (
    district TEXT NOT NULL,
    code TEXT NOT NULL,
    street TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (district, code)
);
CREATE INDEX communities_by_street ON communities (district, street);

CREATE TABLE units (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    street TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE UNIQUE INDEX units_by_street_role ON units (district, street, role);

CREATE TABLE departments (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    PRIMARY KEY (district, id)
);

CREATE TABLE duty_items (
    district TEXT NOT NULL,
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    item TEXT NOT NULL, -- the whole DutyItem as JSON
    PRIMARY KEY (district, code)
);

-- Statutory holidays and make-up workdays; national, so not per district.
CREATE TABLE work_calendar (
    day TEXT PRIMARY KEY, -- YYYY-MM-DD
    kind TEXT NOT NULL,   -- holiday | makeup_workday
    note TEXT NOT NULL
);

CREATE TABLE users (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    disabled BIGINT NOT NULL, -- 0/1: sqlx's Any driver reads no SQLite BOOLEAN
    created_at BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
-- Usernames are unique within a district (a distributed unique index must hold the district).
CREATE UNIQUE INDEX users_username ON users (district, username);
CREATE INDEX users_by_username ON users (username);

-- A session token carries its district (`110101.<random>`), so a session is found on its
-- district's rows; only the token's hash is stored.
CREATE TABLE sessions (
    district TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (district, token_hash)
);

-- The event streams: the only source of truth about cases.
CREATE TABLE case_events (
    district TEXT NOT NULL,
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (district, case_id, seq)
);

-- The query projection: one row per case, written in the same transaction as its events.
CREATE TABLE cases (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT,
    assignee_kind TEXT,
    assignee_id TEXT,
    duty_item TEXT,
    text TEXT NOT NULL,
    reporter_user TEXT,
    received_at BIGINT NOT NULL,
    response_due BIGINT,
    resolution_due BIGINT,
    contacted_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    overdue BIGINT NOT NULL, -- 0/1
    next_alert_at BIGINT,
    round BIGINT NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL, -- the folded Case as JSON
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE UNIQUE INDEX cases_number ON cases (district, number);
CREATE INDEX cases_by_received ON cases (district, received_at);
CREATE INDEX cases_by_street ON cases (district, street, received_at);
CREATE INDEX cases_by_status ON cases (district, status, received_at);
CREATE INDEX cases_by_assignee ON cases (district, assignee_id, received_at);
CREATE INDEX cases_by_community ON cases (district, community, received_at);
CREATE INDEX cases_by_duty_item ON cases (district, duty_item, received_at);
CREATE INDEX cases_overdue ON cases (district, overdue, received_at);
CREATE INDEX cases_next_alert ON cases (next_alert_at);

-- Who may read a case by having been assigned it (unit:<id>, dept:<id>).
CREATE TABLE case_access (
    district TEXT NOT NULL,
    case_id TEXT NOT NULL,
    principal TEXT NOT NULL,
    PRIMARY KEY (district, case_id, principal)
);
CREATE INDEX case_access_by_principal ON case_access (district, principal);

-- Daily sequence behind human-readable case numbers (110101-20261128-0042).
CREATE TABLE case_numbers (
    district TEXT NOT NULL,
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (district, day)
);

-- Who did what, when. Never holds residents' personal data.
CREATE TABLE audit_log (
    district TEXT NOT NULL,
    id TEXT NOT NULL, -- UUIDv7: time-ordered
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX audit_by_object ON audit_log (district, object_kind, object_id);
