-- 0001_init: the local replica of the province's emergency resources.
-- Every record table has a stable text id, a region code (GB/T 2260 administrative code of the
-- county, city or province it belongs to), where it came from, and created/updated timestamps
-- (RFC 3339, UTC). Coordinates are WGS-84 degrees. Closed vocabularies are CHECKed here; their
-- Chinese labels live in the code.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE regions (
    id          TEXT PRIMARY KEY,              -- = code
    code        TEXT NOT NULL UNIQUE,          -- 320000, 320100, 320102 …
    parent_code TEXT REFERENCES regions(code),
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    region_code TEXT NOT NULL,                 -- = code, so every table filters the same way
    name_zh     TEXT NOT NULL,
    name_pinyin TEXT NOT NULL,
    lat         REAL,
    lon         REAL,
    data_source TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE risk_sources (
    id            TEXT PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    kind          TEXT NOT NULL CHECK (kind IN ('enterprise', 'chemical_park', 'pipeline', 'transport_road')),
    name          TEXT NOT NULL,
    -- HJ 941-2018 risk grade: 一般 general, 较大 larger, 重大 major
    grade         TEXT NOT NULL CHECK (grade IN ('general', 'larger', 'major')),
    industry      TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    park_id       TEXT REFERENCES risk_sources(id) ON DELETE SET NULL,
    lat           REAL,
    lon           REAL,
    geometry_json TEXT,                        -- GeoJSON geometry for lines (pipelines, roads)
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    data_source   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX risk_sources_region ON risk_sources(region_code);

CREATE TABLE risk_source_chemicals (
    id             TEXT PRIMARY KEY,
    risk_source_id TEXT NOT NULL REFERENCES risk_sources(id) ON DELETE CASCADE,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    name_zh        TEXT NOT NULL,
    cas            TEXT NOT NULL DEFAULT '',
    un_number      TEXT NOT NULL DEFAULT '',
    max_quantity_t REAL NOT NULL CHECK (max_quantity_t >= 0),
    data_source    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX risk_source_chemicals_source ON risk_source_chemicals(risk_source_id);

CREATE TABLE river_nodes (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('source', 'junction', 'mouth', 'border', 'lake', 'point')),
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    data_source TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE river_reaches (
    id            TEXT PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    river_id      TEXT NOT NULL,               -- e.g. 'yangtze', shared by the reaches of one river
    name          TEXT NOT NULL,
    from_node     TEXT NOT NULL REFERENCES river_nodes(id),
    to_node       TEXT NOT NULL REFERENCES river_nodes(id),
    length_m      REAL NOT NULL CHECK (length_m > 0),
    velocity_m_s  REAL NOT NULL CHECK (velocity_m_s > 0),
    width_m       REAL NOT NULL CHECK (width_m > 0),
    depth_m       REAL NOT NULL CHECK (depth_m > 0),
    flow_m3_s     REAL NOT NULL CHECK (flow_m3_s > 0),
    lat           REAL NOT NULL,               -- midpoint, for the spatial index
    lon           REAL NOT NULL,
    geometry_json TEXT NOT NULL,               -- GeoJSON LineString in flow direction
    data_source   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX river_reaches_from ON river_reaches(from_node);
CREATE INDEX river_reaches_to ON river_reaches(to_node);

CREATE TABLE control_works (
    id             TEXT PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    kind           TEXT NOT NULL CHECK (kind IN ('sluice', 'gate', 'dam', 'pump_station', 'ship_lock')),
    name           TEXT NOT NULL,
    reach_id       TEXT REFERENCES river_reaches(id) ON DELETE SET NULL,
    reach_offset_m REAL,
    can_hold       INTEGER NOT NULL CHECK (can_hold IN (0, 1)),
    can_divert     INTEGER NOT NULL CHECK (can_divert IN (0, 1)),
    lat            REAL NOT NULL,
    lon            REAL NOT NULL,
    data_source    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE sensitive_targets (
    id                TEXT PRIMARY KEY,
    region_code       TEXT NOT NULL REFERENCES regions(code),
    kind              TEXT NOT NULL CHECK (kind IN ('drinking_water_intake', 'source_protection_zone', 'school', 'hospital', 'nature_reserve')),
    name              TEXT NOT NULL,
    reach_id          TEXT REFERENCES river_reaches(id) ON DELETE SET NULL,
    reach_offset_m    REAL,
    capacity          TEXT NOT NULL DEFAULT '', -- e.g. '20 万 m³/d' for an intake, '1,200 名学生' for a school
    zone_json         TEXT,                     -- GeoJSON polygon of a protection zone
    contact_name      TEXT NOT NULL DEFAULT '',
    contact_phone     TEXT NOT NULL DEFAULT '',
    lat               REAL NOT NULL,
    lon               REAL NOT NULL,
    data_source       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX sensitive_targets_region ON sensitive_targets(region_code);

CREATE TABLE teams (
    id            TEXT PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    name          TEXT NOT NULL,
    team_type     TEXT NOT NULL,               -- 环境应急监测 / 危化品处置 / 消防救援 / 水上溢油 / 医疗救护 / 企业专职
    size          INTEGER NOT NULL CHECK (size >= 0),
    specialties   TEXT NOT NULL DEFAULT '',    -- '、'-separated
    equipment     TEXT NOT NULL DEFAULT '',
    base_address  TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    data_source   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX teams_region ON teams(region_code);

CREATE TABLE experts (
    id            TEXT PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    name          TEXT NOT NULL,
    specialty     TEXT NOT NULL,
    organisation  TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    lat           REAL,                        -- the organisation's location
    lon           REAL,
    data_source   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX experts_region ON experts(region_code);

CREATE TABLE warehouses (
    id            TEXT PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    name          TEXT NOT NULL,
    owner         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    data_source   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX warehouses_region ON warehouses(region_code);

-- Stock is never a stored quantity: each change is a ledger entry, the quantity is their sum.
CREATE TABLE stock_items (
    id           TEXT PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- 环境应急资源调查指南（试行）, 2019: resource categories
    category     TEXT NOT NULL CHECK (category IN ('source_cutoff', 'pollutant_control', 'pollutant_collection',
                     'pollutant_degradation', 'safety_protection', 'communication_command', 'monitoring')),
    spec         TEXT NOT NULL DEFAULT '',
    unit         TEXT NOT NULL,
    expiry_date  TEXT,                         -- YYYY-MM-DD, or NULL when it does not expire
    data_source  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX stock_items_warehouse ON stock_items(warehouse_id);

CREATE TABLE stock_ledger (
    id             TEXT PRIMARY KEY,
    stock_item_id  TEXT NOT NULL REFERENCES stock_items(id) ON DELETE CASCADE,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    entry_kind     TEXT NOT NULL CHECK (entry_kind IN ('receipt', 'dispatch', 'return', 'write_off', 'correction')),
    quantity_delta REAL NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    recorded_at    TEXT NOT NULL,
    data_source    TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX stock_ledger_item ON stock_ledger(stock_item_id);

CREATE VIEW stock_levels AS
    SELECT s.id, s.region_code, s.warehouse_id, s.name, s.category, s.spec, s.unit, s.expiry_date,
           COALESCE((SELECT SUM(l.quantity_delta) FROM stock_ledger l WHERE l.stock_item_id = s.id), 0.0) AS quantity
    FROM stock_items s;

-- ---------------------------------------------------------------------------------------------
-- Indexes over every located and named thing. `index_keys` gives each indexed row one integer
-- key, shared by the R*Tree (`geo_index`) and the two full-text tables.
-- `search_fts` uses the trigram tokenizer (any part of a name, 3+ characters);
-- `search_grams` holds the 1- and 2-character grams of the same text (yj_grams(), a function
-- the store registers on every connection) for short Chinese queries such as 苯 or 氯气.

CREATE TABLE index_keys (
    key_id    INTEGER PRIMARY KEY,
    source    TEXT NOT NULL,                  -- table name
    source_id TEXT NOT NULL,
    UNIQUE (source, source_id)
) STRICT;

CREATE VIRTUAL TABLE geo_index USING rtree(
    key_id, min_lon, max_lon, min_lat, max_lat,
    +kind, +item_id, +name, +region_code, +lat, +lon
);

CREATE VIRTUAL TABLE search_fts USING fts5(
    kind UNINDEXED, item_id UNINDEXED, region_code UNINDEXED, name, extra,
    tokenize = 'trigram'
);
-- A match in the name counts ten times one in the other text (bm25 column weights).
INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(0.0, 0.0, 0.0, 10.0, 1.0)');

CREATE VIRTUAL TABLE search_grams USING fts5(grams, tokenize = 'unicode61');
