-- 0007_incidents: incident command. Every table has a stable text id, a region code and RFC 3339
-- UTC timestamps so it can sync. Only `incidents` is ever updated (its status and confirmed tier
-- are a cache of the log); every other table is append-only, enforced by triggers below:
-- a mistake is corrected by a later row that references the wrong one, never by editing it.

CREATE TABLE incidents (
    id                 TEXT PRIMARY KEY,
    region_code        TEXT NOT NULL REFERENCES regions(code),
    name               TEXT NOT NULL CHECK (length(name) > 0),
    incident_type      TEXT NOT NULL CHECK (incident_type IN ('water', 'air', 'soil', 'transport', 'fire_water', 'marine', 'other')),
    lat                REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon                REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    risk_source_id     TEXT REFERENCES risk_sources(id) ON DELETE SET NULL,
    source_description TEXT NOT NULL DEFAULT '',
    occurred_at        TEXT NOT NULL,
    reported_by        TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    -- 国家突发环境事件应急预案 (2014) tiers; NULL until the commander confirms one
    confirmed_tier     TEXT CHECK (confirmed_tier IN ('general', 'larger', 'major', 'especially_major')),
    exercise           INTEGER NOT NULL CHECK (exercise IN (0, 1)),
    data_source        TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_region ON incidents(region_code);
CREATE INDEX incidents_occurred ON incidents(occurred_at);

CREATE TABLE incident_pollutants (
    id                    TEXT PRIMARY KEY,
    incident_id           TEXT NOT NULL REFERENCES incidents(id),
    region_code           TEXT NOT NULL REFERENCES regions(code),
    name_zh               TEXT NOT NULL CHECK (length(name_zh) > 0),
    cas                   TEXT NOT NULL DEFAULT '',
    estimated_quantity_kg REAL CHECK (estimated_quantity_kg IS NULL OR estimated_quantity_kg >= 0),
    created_at            TEXT NOT NULL
) STRICT;
CREATE INDEX incident_pollutants_incident ON incident_pollutants(incident_id);

-- The command log: every decision, order, call, arrival and note, with author and time.
CREATE TABLE incident_log (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    kind        TEXT NOT NULL CHECK (kind IN ('alarm', 'decision', 'order', 'call', 'arrival', 'note', 'tier',
                    'dispatch', 'report', 'warning', 'cost', 'correction', 'closing')),
    author      TEXT NOT NULL CHECK (length(author) > 0),
    body        TEXT NOT NULL,
    ref_table   TEXT,                          -- what the entry is about (e.g. incident_orders)
    ref_id      TEXT,
    -- for order entries: the order's new status
    status      TEXT CHECK (status IS NULL OR status IN ('issued', 'acknowledged', 'en_route', 'on_scene', 'completed', 'cancelled')),
    corrects_id TEXT REFERENCES incident_log(id),
    recorded_at TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK ((kind = 'correction') = (corrects_id IS NOT NULL))
) STRICT;
CREATE INDEX incident_log_incident ON incident_log(incident_id, recorded_at);
CREATE INDEX incident_log_ref ON incident_log(ref_id);

CREATE TABLE incident_orders (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    team_id     TEXT NOT NULL REFERENCES teams(id),
    task        TEXT NOT NULL CHECK (length(task) > 0),
    issued_by   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX incident_orders_incident ON incident_orders(incident_id);

-- Support called up: a team or an expert, when, and what they answered.
CREATE TABLE support_calls (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    team_id     TEXT REFERENCES teams(id),
    expert_id   TEXT REFERENCES experts(id),
    called_at   TEXT NOT NULL,
    called_by   TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('accepted', 'declined', 'no_answer')),
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    CHECK ((team_id IS NULL) != (expert_id IS NULL))
) STRICT;
CREATE INDEX support_calls_incident ON support_calls(incident_id);

CREATE TABLE material_requests (
    id             TEXT PRIMARY KEY,
    incident_id    TEXT NOT NULL REFERENCES incidents(id),
    region_code    TEXT NOT NULL REFERENCES regions(code),
    item           TEXT NOT NULL CHECK (length(item) > 0),
    quantity       REAL NOT NULL CHECK (quantity > 0),
    unit           TEXT NOT NULL,
    unit_cost_yuan REAL CHECK (unit_cost_yuan IS NULL OR unit_cost_yuan >= 0),
    requested_by   TEXT NOT NULL,
    requested_at   TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX material_requests_incident ON material_requests(incident_id);

-- One warehouse's share of a request: exactly one `dispatch` entry of the stock ledger.
CREATE TABLE material_allocations (
    id                 TEXT PRIMARY KEY,
    request_id         TEXT NOT NULL REFERENCES material_requests(id),
    incident_id        TEXT NOT NULL REFERENCES incidents(id),
    region_code        TEXT NOT NULL REFERENCES regions(code),
    stock_item_id      TEXT NOT NULL REFERENCES stock_items(id),
    ledger_entry_id    TEXT NOT NULL UNIQUE REFERENCES stock_ledger(id),
    quantity           REAL NOT NULL CHECK (quantity > 0),
    distance_m         REAL NOT NULL CHECK (distance_m >= 0),
    travel_minutes     REAL NOT NULL CHECK (travel_minutes >= 0),
    dispatched_at      TEXT NOT NULL,
    created_at         TEXT NOT NULL
) STRICT;
CREATE INDEX material_allocations_request ON material_allocations(request_id);
CREATE INDEX material_allocations_incident ON material_allocations(incident_id);

-- Reports up the chain. Each edit is a new version (a new row); nothing is ever rewritten.
CREATE TABLE incident_reports (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    report_kind TEXT NOT NULL CHECK (report_kind IN ('initial', 'follow_up', 'result')),
    version     INTEGER NOT NULL CHECK (version >= 1),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    drafted_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX incident_reports_incident ON incident_reports(incident_id, report_kind, version);

CREATE TABLE report_status_events (
    id          TEXT PRIMARY KEY,
    report_id   TEXT NOT NULL REFERENCES incident_reports(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    status      TEXT NOT NULL CHECK (status IN ('sent', 'received', 'acknowledged')),
    by_whom     TEXT NOT NULL,
    at          TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (report_id, status)
) STRICT;

CREATE TABLE incident_warnings (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    level       TEXT NOT NULL CHECK (level IN ('blue', 'yellow', 'orange', 'red')),
    headline    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    instruction TEXT NOT NULL DEFAULT '',
    area_desc   TEXT NOT NULL,
    area_json   TEXT NOT NULL,                 -- GeoJSON Polygon, WGS-84, closed ring
    issued_by   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX incident_warnings_incident ON incident_warnings(incident_id);

-- Costs entered by hand (e.g. hired boats, lost production), for the direct loss estimate.
CREATE TABLE incident_costs (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    description TEXT NOT NULL CHECK (length(description) > 0),
    amount_yuan REAL NOT NULL CHECK (amount_yuan >= 0),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE incident_closings (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL UNIQUE REFERENCES incidents(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    summary     TEXT NOT NULL,
    closed_by   TEXT NOT NULL,
    closed_at   TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Append-only: UPDATE and DELETE are refused on every table but `incidents`.
CREATE TRIGGER incident_pollutants_no_update BEFORE UPDATE ON incident_pollutants BEGIN SELECT RAISE(ABORT, 'incident_pollutants is append-only'); END;
CREATE TRIGGER incident_pollutants_no_delete BEFORE DELETE ON incident_pollutants BEGIN SELECT RAISE(ABORT, 'incident_pollutants is append-only'); END;
CREATE TRIGGER incident_log_no_update BEFORE UPDATE ON incident_log BEGIN SELECT RAISE(ABORT, 'incident_log is append-only: add a correction entry'); END;
CREATE TRIGGER incident_log_no_delete BEFORE DELETE ON incident_log BEGIN SELECT RAISE(ABORT, 'incident_log is append-only: add a correction entry'); END;
CREATE TRIGGER incident_orders_no_update BEFORE UPDATE ON incident_orders BEGIN SELECT RAISE(ABORT, 'incident_orders is append-only: status changes are log entries'); END;
CREATE TRIGGER incident_orders_no_delete BEFORE DELETE ON incident_orders BEGIN SELECT RAISE(ABORT, 'incident_orders is append-only'); END;
CREATE TRIGGER support_calls_no_update BEFORE UPDATE ON support_calls BEGIN SELECT RAISE(ABORT, 'support_calls is append-only'); END;
CREATE TRIGGER support_calls_no_delete BEFORE DELETE ON support_calls BEGIN SELECT RAISE(ABORT, 'support_calls is append-only'); END;
CREATE TRIGGER material_requests_no_update BEFORE UPDATE ON material_requests BEGIN SELECT RAISE(ABORT, 'material_requests is append-only'); END;
CREATE TRIGGER material_requests_no_delete BEFORE DELETE ON material_requests BEGIN SELECT RAISE(ABORT, 'material_requests is append-only'); END;
CREATE TRIGGER material_allocations_no_update BEFORE UPDATE ON material_allocations BEGIN SELECT RAISE(ABORT, 'material_allocations is append-only'); END;
CREATE TRIGGER material_allocations_no_delete BEFORE DELETE ON material_allocations BEGIN SELECT RAISE(ABORT, 'material_allocations is append-only'); END;
CREATE TRIGGER incident_reports_no_update BEFORE UPDATE ON incident_reports BEGIN SELECT RAISE(ABORT, 'incident_reports is append-only: save a new version'); END;
CREATE TRIGGER incident_reports_no_delete BEFORE DELETE ON incident_reports BEGIN SELECT RAISE(ABORT, 'incident_reports is append-only'); END;
CREATE TRIGGER report_status_events_no_update BEFORE UPDATE ON report_status_events BEGIN SELECT RAISE(ABORT, 'report_status_events is append-only'); END;
CREATE TRIGGER report_status_events_no_delete BEFORE DELETE ON report_status_events BEGIN SELECT RAISE(ABORT, 'report_status_events is append-only'); END;
CREATE TRIGGER incident_warnings_no_update BEFORE UPDATE ON incident_warnings BEGIN SELECT RAISE(ABORT, 'incident_warnings is append-only'); END;
CREATE TRIGGER incident_warnings_no_delete BEFORE DELETE ON incident_warnings BEGIN SELECT RAISE(ABORT, 'incident_warnings is append-only'); END;
CREATE TRIGGER incident_costs_no_update BEFORE UPDATE ON incident_costs BEGIN SELECT RAISE(ABORT, 'incident_costs is append-only'); END;
CREATE TRIGGER incident_costs_no_delete BEFORE DELETE ON incident_costs BEGIN SELECT RAISE(ABORT, 'incident_costs is append-only'); END;
CREATE TRIGGER incident_closings_no_update BEFORE UPDATE ON incident_closings BEGIN SELECT RAISE(ABORT, 'incident_closings is append-only'); END;
CREATE TRIGGER incident_closings_no_delete BEFORE DELETE ON incident_closings BEGIN SELECT RAISE(ABORT, 'incident_closings is append-only'); END;
