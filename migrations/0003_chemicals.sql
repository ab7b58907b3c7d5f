-- 0003_chemicals: the chemical and disposal library (assets/chemicals/library.json, built by
-- assets/chemicals/build.py). Province-wide reference data: region_code is always '320000'.
-- The store (yingji-store chemicals.rs) fills it on open when it is missing or older than the
-- library compiled into the program; rows are identified by CAS number.

CREATE TABLE chemicals (
    id                TEXT PRIMARY KEY,            -- the CAS number, e.g. '71-43-2'
    region_code       TEXT NOT NULL DEFAULT '320000',
    cas               TEXT NOT NULL UNIQUE,
    un_number         TEXT NOT NULL DEFAULT '',
    name_zh           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    molar_mass_g_mol  REAL NOT NULL CHECK (molar_mass_g_mol > 0),
    density_kg_m3     REAL,                        -- liquid (or saturated liquid) at 25 °C
    vapor_pressure_pa REAL,                        -- at 25 °C
    boiling_point_k   REAL,                        -- normal boiling point
    gb3838_limit_mg_l REAL,
    detail_json       TEXT NOT NULL,               -- the library entry: sources, levels, texts
    data_source       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

-- Which library the table holds (one row).
CREATE TABLE chemical_library (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    format_version INTEGER NOT NULL,
    inputs_sha256  TEXT NOT NULL,
    entries        INTEGER NOT NULL,
    loaded_at      TEXT NOT NULL
) STRICT;

-- chemicals → kind 'chemical' (no location: search only, never geo_index)
CREATE TRIGGER chemicals_index_ai AFTER INSERT ON chemicals BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('chemicals', NEW.id);
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = NEW.id), 'chemical', NEW.id, NEW.region_code, NEW.name_zh, NEW.name_en || ' CAS ' || NEW.cas || ' UN' || NEW.un_number || ' ' || yj_pinyin(NEW.name_zh));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = NEW.id), yj_grams(NEW.name_zh || ' ' || NEW.name_en || ' ' || NEW.cas || ' UN' || NEW.un_number));
END;
CREATE TRIGGER chemicals_index_au AFTER UPDATE ON chemicals BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'chemicals' AND source_id = OLD.id;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = NEW.id), 'chemical', NEW.id, NEW.region_code, NEW.name_zh, NEW.name_en || ' CAS ' || NEW.cas || ' UN' || NEW.un_number || ' ' || yj_pinyin(NEW.name_zh));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = NEW.id), yj_grams(NEW.name_zh || ' ' || NEW.name_en || ' ' || NEW.cas || ' UN' || NEW.un_number));
END;
CREATE TRIGGER chemicals_index_ad AFTER DELETE ON chemicals BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'chemicals' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'chemicals' AND source_id = OLD.id;
END;
