-- 0006_sync: what a replica needs to sync with the provincial hub (see ARCHITECTURE.md, "Sync").
-- Captured local writes wait in `sync_outbox` (filled by TEMP triggers the store creates on
-- open from its SYNCED_TABLES list); stamped with the hybrid logical clock they move to
-- `sync_pending` until the hub has acknowledged them. `sync_field_versions` holds the HLC of the
-- last write of each field (absent = the baseline the replica was created with).

CREATE TABLE sync_outbox (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl      TEXT NOT NULL,
    row_id   TEXT NOT NULL,
    region_code TEXT NOT NULL,
    op       TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    columns  TEXT NOT NULL,                    -- JSON array of changed column names (update)
    wall_ms  INTEGER NOT NULL                  -- the store's clock at the write
) STRICT;

CREATE TABLE sync_pending (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    change TEXT NOT NULL                       -- JSON of one protocol Change
) STRICT;

CREATE TABLE sync_field_versions (
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    field  TEXT NOT NULL,                      -- a column, or '_deleted'
    hlc    TEXT NOT NULL,
    PRIMARY KEY (tbl, row_id, field)
) WITHOUT ROWID, STRICT;

-- Concurrent edits found by the hub: the winner is applied, the pair is listed here until
-- someone resolves it. Written by the hub, replicated like any descriptive record.
CREATE TABLE sync_conflicts (
    id            TEXT PRIMARY KEY,
    region_code   TEXT NOT NULL,
    tbl           TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    field         TEXT NOT NULL,
    winner_value  TEXT NOT NULL,               -- JSON
    winner_hlc    TEXT NOT NULL,
    loser_value   TEXT NOT NULL,               -- JSON
    loser_hlc     TEXT NOT NULL,
    resolved      INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1)),
    resolution    TEXT NOT NULL DEFAULT '',
    data_source   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- Stock items whose ledger went below zero after replicas that were apart both dispatched.
CREATE TABLE sync_over_allocations (
    id             TEXT PRIMARY KEY,           -- = stock item id
    region_code    TEXT NOT NULL,
    stock_item_id  TEXT NOT NULL,
    quantity       REAL NOT NULL,              -- the ledger sum when flagged (in the item's unit)
    resolved       INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1)),
    resolution     TEXT NOT NULL DEFAULT '',
    data_source    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
