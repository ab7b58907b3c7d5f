-- 0008_preparedness: emergency plans, hazard inspections and the case library (yingji-prep).
--
-- * `emergency_plans` is descriptive (it syncs field by field): a plan's filing status and
--   dates change as it is reviewed, filed and revised. Its revision deadline is never stored:
--   it is computed from `issued_on` (a plan is revised at least every 3 years, 环发〔2015〕4号
--   第十二条), with the date from the Clock.
-- * `inspections`, `inspection_findings` and `finding_events` are append-only (triggers below):
--   a finding's status is the last of its events (found → rectifying → verified), so sync only
--   ever inserts.
-- * `prep_attachments` keeps PDF/DOCX/image bytes of plans and findings in the replica. It does
--   NOT sync: the sync protocol carries at most 16 MB per request and hex-encodes blobs, so a
--   20 MB attachment cannot travel; the plan and the finding themselves do.
-- * `case_library` is reference data shipped with the program (assets/cases/cases.json), loaded
--   on open like the chemical library; never synced.

CREATE TABLE emergency_plans (
    id             TEXT PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    -- whose plan: an enterprise or a chemical park (risk_sources), a drinking-water source
    -- (sensitive_targets), or a county / city government (regions)
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('enterprise', 'chemical_park', 'water_source', 'county', 'city')),
    subject_id     TEXT NOT NULL,
    title          TEXT NOT NULL CHECK (length(title) > 0),
    -- 编制 drafting, 评审 under review, 备案 filed
    status         TEXT NOT NULL CHECK (status IN ('drafting', 'under_review', 'filed')),
    issued_on      TEXT,                         -- YYYY-MM-DD the current version was issued (发布)
    filed_on       TEXT,                         -- YYYY-MM-DD it was filed (备案)
    filing_number  TEXT NOT NULL DEFAULT '',     -- 备案编号
    owner_org      TEXT NOT NULL DEFAULT '',
    contact_name   TEXT NOT NULL DEFAULT '',
    contact_phone  TEXT NOT NULL DEFAULT '',
    data_source    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (status <> 'filed' OR (issued_on IS NOT NULL AND filed_on IS NOT NULL))
) STRICT;
CREATE INDEX emergency_plans_region ON emergency_plans(region_code);
CREATE INDEX emergency_plans_subject ON emergency_plans(subject_id);

-- One visit to a risk source.
CREATE TABLE inspections (
    id             TEXT PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    risk_source_id TEXT NOT NULL REFERENCES risk_sources(id),
    inspected_on   TEXT NOT NULL,                -- YYYY-MM-DD
    inspectors     TEXT NOT NULL CHECK (length(inspectors) > 0),
    summary        TEXT NOT NULL DEFAULT '',
    data_source    TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX inspections_source ON inspections(risk_source_id);

-- A hazard found in an inspection.
CREATE TABLE inspection_findings (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL REFERENCES inspections(id),
    region_code    TEXT NOT NULL REFERENCES regions(code),
    risk_source_id TEXT NOT NULL REFERENCES risk_sources(id),
    description    TEXT NOT NULL CHECK (length(description) > 0),
    -- 企业突发环境事件隐患排查和治理工作指南（试行）(环境保护部公告 2016年第74号): 重大 / 一般隐患
    severity       TEXT NOT NULL CHECK (severity IN ('general', 'major')),
    deadline_on    TEXT NOT NULL,                -- YYYY-MM-DD rectification deadline (整改期限)
    owner          TEXT NOT NULL CHECK (length(owner) > 0),
    evidence       TEXT NOT NULL DEFAULT '',
    data_source    TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX inspection_findings_inspection ON inspection_findings(inspection_id);
CREATE INDEX inspection_findings_region ON inspection_findings(region_code);

-- Each status change of a finding; the first is 'found', written with the finding.
CREATE TABLE finding_events (
    id          TEXT PRIMARY KEY,
    finding_id  TEXT NOT NULL REFERENCES inspection_findings(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    status      TEXT NOT NULL CHECK (status IN ('found', 'rectifying', 'verified')),
    author      TEXT NOT NULL CHECK (length(author) > 0),
    note        TEXT NOT NULL DEFAULT '',
    evidence    TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX finding_events_finding ON finding_events(finding_id, recorded_at);

CREATE TRIGGER inspections_no_update BEFORE UPDATE ON inspections BEGIN
    SELECT RAISE(ABORT, 'inspections are append-only: record a new inspection instead');
END;
CREATE TRIGGER inspections_no_delete BEFORE DELETE ON inspections BEGIN
    SELECT RAISE(ABORT, 'inspections are append-only');
END;
CREATE TRIGGER inspection_findings_no_update BEFORE UPDATE ON inspection_findings BEGIN
    SELECT RAISE(ABORT, 'findings are append-only: record a status change (finding_events) instead');
END;
CREATE TRIGGER inspection_findings_no_delete BEFORE DELETE ON inspection_findings BEGIN
    SELECT RAISE(ABORT, 'findings are append-only');
END;
CREATE TRIGGER finding_events_no_update BEFORE UPDATE ON finding_events BEGIN
    SELECT RAISE(ABORT, 'finding events are append-only: add a new event instead');
END;
CREATE TRIGGER finding_events_no_delete BEFORE DELETE ON finding_events BEGIN
    SELECT RAISE(ABORT, 'finding events are append-only');
END;

-- Files of plans and findings, kept in the replica (local only, see above).
CREATE TABLE prep_attachments (
    id          TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    plan_id     TEXT REFERENCES emergency_plans(id) ON DELETE CASCADE,
    finding_id  TEXT REFERENCES inspection_findings(id),
    file_name   TEXT NOT NULL CHECK (length(file_name) > 0),
    media_type  TEXT NOT NULL CHECK (media_type IN ('application/pdf',
                    'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'image/jpeg', 'image/png')),
    size_bytes  INTEGER NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 20971520),
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    added_by    TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    CHECK ((plan_id IS NULL) != (finding_id IS NULL)),
    CHECK (length(content) = size_bytes)
) STRICT;
CREATE INDEX prep_attachments_plan ON prep_attachments(plan_id);
CREATE INDEX prep_attachments_finding ON prep_attachments(finding_id);

-- Past incidents (reference data): the JSON entry of assets/cases/cases.json per row.
CREATE TABLE case_library (
    id            TEXT PRIMARY KEY,
    incident_type TEXT NOT NULL,                -- the incident types of 0007 (water, air, …)
    occurred_on   TEXT NOT NULL,
    title_zh      TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    pollutants    TEXT NOT NULL,                -- JSON array of {name_zh, name_en, cas}
    detail_json   TEXT NOT NULL
) STRICT;

-- Which case library the table holds (one row).
CREATE TABLE case_library_version (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sha256        TEXT NOT NULL,
    entries       INTEGER NOT NULL,
    loaded_at     TEXT NOT NULL
) STRICT;
