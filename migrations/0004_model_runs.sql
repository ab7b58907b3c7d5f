-- 0004_model_runs: every model run, saved so it can be reproduced and compared.
-- Append-only: a run is never changed or deleted, except that it may later be attached to an
-- incident (incident_id) or given a label. `inputs_json` is the request exactly as run;
-- `model_version` is yingji_model::MODEL_VERSION at the time (same version + same inputs →
-- same answer); `summary_json` holds the key figures of the answer.

CREATE TABLE model_runs (
    id            TEXT PRIMARY KEY,
    region_code   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('gas_release', 'river_spill')),
    model_version TEXT NOT NULL,
    inputs_json   TEXT NOT NULL CHECK (json_valid(inputs_json)),
    summary_json  TEXT NOT NULL CHECK (json_valid(summary_json)),
    label         TEXT,
    incident_id   TEXT
) STRICT;

CREATE INDEX model_runs_by_time ON model_runs(created_at, id);
CREATE INDEX model_runs_by_incident ON model_runs(incident_id) WHERE incident_id IS NOT NULL;

CREATE TRIGGER model_runs_append_only_update
    BEFORE UPDATE OF id, region_code, created_at, kind, model_version, inputs_json, summary_json ON model_runs
BEGIN
    SELECT RAISE(ABORT, 'model_runs is append-only: save a new run instead of changing one');
END;

CREATE TRIGGER model_runs_append_only_delete BEFORE DELETE ON model_runs
BEGIN
    SELECT RAISE(ABORT, 'model_runs is append-only: runs are never deleted');
END;
