-- 0009_drills: tabletop drills. A drill runs in its own database (a copy of a replica, marked in
-- `meta` as `drill.id`); these tables hold the scenario and everything the facilitator's clock
-- did. Both are append-only and sync (declared in yingji_store::capture::SYNCED_TABLES), so
-- several laptops synced through a drill hub share one clock and one inject feed.

-- The scenario being played, as the JSON file it was started from (docs/drills.md).
CREATE TABLE drills (
    id             TEXT PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    title          TEXT NOT NULL CHECK (length(title) > 0),
    scenario_json  TEXT NOT NULL CHECK (json_valid(scenario_json)),
    -- drill time at the start: the scenario's start (e.g. 02:00 on a winter night), RFC 3339 UTC
    drill_start_at TEXT NOT NULL,
    -- the incident created from the scenario's initial event (in the same transaction)
    incident_id    TEXT NOT NULL REFERENCES incidents(id),
    started_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;

-- The drill clock and the inject feed. Each clock event stores the real time it happened, the
-- drill time at that moment and the speed from then on; the clock now is the latest event's
-- drill time + speed × real time since (0 while paused). An inject's row has the id
-- `<drill id>:inject:<inject id>`, so it is delivered once however many consoles see it due.
CREATE TABLE drill_events (
    id          TEXT PRIMARY KEY,
    drill_id    TEXT NOT NULL REFERENCES drills(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    kind        TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'speed', 'inject', 'end')),
    real_at     TEXT NOT NULL,               -- wall-clock time of the event, RFC 3339 UTC
    drill_at    TEXT NOT NULL,               -- drill time at the event, RFC 3339 UTC
    speed       INTEGER NOT NULL CHECK (speed BETWEEN 1 AND 60),
    running     INTEGER NOT NULL CHECK (running IN (0, 1)),
    inject_id   TEXT,
    body        TEXT NOT NULL DEFAULT '',
    by_whom     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK ((kind = 'inject') = (inject_id IS NOT NULL))
) STRICT;
CREATE INDEX drill_events_clock ON drill_events(drill_id, real_at);

CREATE TRIGGER drills_no_update BEFORE UPDATE ON drills BEGIN SELECT RAISE(ABORT, 'drills is append-only'); END;
CREATE TRIGGER drills_no_delete BEFORE DELETE ON drills BEGIN SELECT RAISE(ABORT, 'drills is append-only'); END;
CREATE TRIGGER drill_events_no_update BEFORE UPDATE ON drill_events BEGIN SELECT RAISE(ABORT, 'drill_events is append-only'); END;
CREATE TRIGGER drill_events_no_delete BEFORE DELETE ON drill_events BEGIN SELECT RAISE(ABORT, 'drill_events is append-only'); END;

-- A drill database takes only exercises: nothing created in it can pass for a real incident.
CREATE TRIGGER incidents_drill_exercise BEFORE INSERT ON incidents
    WHEN NEW.exercise = 0 AND EXISTS (SELECT 1 FROM meta WHERE key = 'drill.id')
    BEGIN SELECT RAISE(ABORT, 'this is a drill database: every incident in it is an exercise'); END;
