-- 每月一题: recurring problems tackled as themes, each owned and tracked month by month.
CREATE TABLE themes (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    duty_item TEXT NOT NULL,
    area_level TEXT NOT NULL, -- district | street | community
    area_code TEXT NOT NULL,
    owner TEXT NOT NULL, -- unit:<id> | dept:<id>
    status TEXT NOT NULL, -- open | closed
    note TEXT,
    summary TEXT,
    opened_month TEXT NOT NULL, -- YYYY-MM
    opened_by TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    version BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX themes_by_status ON themes (district, status, opened_at);
