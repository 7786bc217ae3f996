-- The bytes of files attached to cases (residents' and officials' photos), by content: each
-- distinct file once per district, written in the same transaction as the `attachment_added`
-- event that names it (by name, type, size and this SHA-256). Keyed by district first like every
-- tenant table, so a district's files stay on its shard and no district can probe another's.
CREATE TABLE attachment_blobs (
    district TEXT NOT NULL,
    sha256 TEXT NOT NULL, -- lowercase hex of the bytes
    content_type TEXT NOT NULL, -- as sniffed from the bytes, not as the client declared
    size BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    stored_at BIGINT NOT NULL,
    PRIMARY KEY (district, sha256)
);
