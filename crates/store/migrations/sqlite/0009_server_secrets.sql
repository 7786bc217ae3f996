-- Secrets every instance of one deployment must share (e.g. the key that signs the pages'
-- anonymous form tokens): made once, at random, by whichever instance first needs one.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
