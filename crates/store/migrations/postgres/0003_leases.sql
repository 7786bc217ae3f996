-- Leases for background work shared by several server instances on one database: the holder of
-- a lease does the work until the lease expires; the others skip it.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
