-- 智能派单: boundaries of streets, communities and grid cells (GeoJSON geometries, WGS-84), a
-- gazetteer of place names, and labelled examples that train the classifier beside the catalog.

CREATE TABLE boundaries (
    district TEXT NOT NULL,
    level TEXT NOT NULL, -- street | community | grid
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    parent TEXT,
    geometry TEXT NOT NULL, -- a GeoJSON Polygon or MultiPolygon
    approximate BIGINT NOT NULL, -- 0/1: generated, not surveyed
    imported_by TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (district, level, code)
);

CREATE TABLE gazetteer (
    district TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL, -- community | road | hutong | landmark
    community TEXT NOT NULL,
    PRIMARY KEY (district, name)
);

CREATE TABLE routing_examples (
    district TEXT NOT NULL,
    id TEXT NOT NULL,
    duty_item TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL, -- seed | import
    created_at BIGINT NOT NULL,
    PRIMARY KEY (district, id)
);
