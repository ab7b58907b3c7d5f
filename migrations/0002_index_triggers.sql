-- 0002_index_triggers: keep geo_index, search_fts and search_grams in step with the record
-- tables. Written out once by a script from the list of indexed tables; maintained by hand.
-- yj_pinyin() and yj_grams() are registered by the store on every connection.

-- regions → kind 'region'
CREATE TRIGGER regions_index_ai AFTER INSERT ON regions BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('regions', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'region', NEW.id, NEW.name_zh, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = NEW.id), 'region', NEW.id, NEW.region_code, NEW.name_zh, NEW.name_pinyin || ' ' || NEW.code || ' ' || yj_pinyin(NEW.name_zh));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = NEW.id), yj_grams(NEW.name_zh || ' ' || NEW.name_pinyin || ' ' || NEW.code));
END;
CREATE TRIGGER regions_index_au AFTER UPDATE ON regions BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'regions' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'region', NEW.id, NEW.name_zh, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = NEW.id), 'region', NEW.id, NEW.region_code, NEW.name_zh, NEW.name_pinyin || ' ' || NEW.code || ' ' || yj_pinyin(NEW.name_zh));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = NEW.id), yj_grams(NEW.name_zh || ' ' || NEW.name_pinyin || ' ' || NEW.code));
END;
CREATE TRIGGER regions_index_ad AFTER DELETE ON regions BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'regions' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'regions' AND source_id = OLD.id;
END;

-- risk_sources → kind 'risk_source'
CREATE TRIGGER risk_sources_index_ai AFTER INSERT ON risk_sources BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('risk_sources', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'risk_source', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = NEW.id), 'risk_source', NEW.id, NEW.region_code, NEW.name, NEW.industry || ' ' || NEW.address || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.industry || ' ' || NEW.address));
END;
CREATE TRIGGER risk_sources_index_au AFTER UPDATE ON risk_sources BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'risk_sources' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'risk_source', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = NEW.id), 'risk_source', NEW.id, NEW.region_code, NEW.name, NEW.industry || ' ' || NEW.address || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.industry || ' ' || NEW.address));
END;
CREATE TRIGGER risk_sources_index_ad AFTER DELETE ON risk_sources BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_sources' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'risk_sources' AND source_id = OLD.id;
END;

-- risk_source_chemicals → kind 'risk_source'
CREATE TRIGGER risk_source_chemicals_index_ai AFTER INSERT ON risk_source_chemicals BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('risk_source_chemicals', NEW.id);
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = NEW.id), 'risk_source', NEW.risk_source_id, NEW.region_code, NEW.name_zh, 'CAS ' || NEW.cas || ' UN' || NEW.un_number || ' ' || yj_pinyin(NEW.name_zh));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = NEW.id), yj_grams(NEW.name_zh || ' ' || 'CAS ' || NEW.cas || ' UN' || NEW.un_number));
END;
CREATE TRIGGER risk_source_chemicals_index_au AFTER UPDATE ON risk_source_chemicals BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'risk_source_chemicals' AND source_id = OLD.id;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = NEW.id), 'risk_source', NEW.risk_source_id, NEW.region_code, NEW.name_zh, 'CAS ' || NEW.cas || ' UN' || NEW.un_number || ' ' || yj_pinyin(NEW.name_zh));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = NEW.id), yj_grams(NEW.name_zh || ' ' || 'CAS ' || NEW.cas || ' UN' || NEW.un_number));
END;
CREATE TRIGGER risk_source_chemicals_index_ad AFTER DELETE ON risk_source_chemicals BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'risk_source_chemicals' AND source_id = OLD.id;
END;

-- sensitive_targets → kind 'target'
CREATE TRIGGER sensitive_targets_index_ai AFTER INSERT ON sensitive_targets BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('sensitive_targets', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'target', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = NEW.id), 'target', NEW.id, NEW.region_code, NEW.name, NEW.capacity || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.capacity));
END;
CREATE TRIGGER sensitive_targets_index_au AFTER UPDATE ON sensitive_targets BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'sensitive_targets' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'target', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = NEW.id), 'target', NEW.id, NEW.region_code, NEW.name, NEW.capacity || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.capacity));
END;
CREATE TRIGGER sensitive_targets_index_ad AFTER DELETE ON sensitive_targets BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'sensitive_targets' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'sensitive_targets' AND source_id = OLD.id;
END;

-- river_reaches → kind 'reach'
CREATE TRIGGER river_reaches_index_ai AFTER INSERT ON river_reaches BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('river_reaches', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'river_reaches' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'reach', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
END;
CREATE TRIGGER river_reaches_index_au AFTER UPDATE ON river_reaches BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'river_reaches' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'river_reaches' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'river_reaches' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'reach', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
END;
CREATE TRIGGER river_reaches_index_ad AFTER DELETE ON river_reaches BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'river_reaches' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'river_reaches' AND source_id = OLD.id;
END;

-- control_works → kind 'control_work'
CREATE TRIGGER control_works_index_ai AFTER INSERT ON control_works BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('control_works', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'control_work', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = NEW.id), 'control_work', NEW.id, NEW.region_code, NEW.name, '' || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || ''));
END;
CREATE TRIGGER control_works_index_au AFTER UPDATE ON control_works BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'control_works' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'control_work', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = NEW.id), 'control_work', NEW.id, NEW.region_code, NEW.name, '' || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || ''));
END;
CREATE TRIGGER control_works_index_ad AFTER DELETE ON control_works BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'control_works' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'control_works' AND source_id = OLD.id;
END;

-- teams → kind 'team'
CREATE TRIGGER teams_index_ai AFTER INSERT ON teams BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('teams', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'team', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = NEW.id), 'team', NEW.id, NEW.region_code, NEW.name, NEW.team_type || ' ' || NEW.specialties || ' ' || NEW.equipment || ' ' || NEW.contact_name || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.team_type || ' ' || NEW.specialties || ' ' || NEW.equipment || ' ' || NEW.contact_name));
END;
CREATE TRIGGER teams_index_au AFTER UPDATE ON teams BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'teams' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'team', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = NEW.id), 'team', NEW.id, NEW.region_code, NEW.name, NEW.team_type || ' ' || NEW.specialties || ' ' || NEW.equipment || ' ' || NEW.contact_name || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.team_type || ' ' || NEW.specialties || ' ' || NEW.equipment || ' ' || NEW.contact_name));
END;
CREATE TRIGGER teams_index_ad AFTER DELETE ON teams BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'teams' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'teams' AND source_id = OLD.id;
END;

-- experts → kind 'expert'
CREATE TRIGGER experts_index_ai AFTER INSERT ON experts BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('experts', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'expert', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = NEW.id), 'expert', NEW.id, NEW.region_code, NEW.name, NEW.specialty || ' ' || NEW.organisation || ' ' || NEW.title || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.specialty || ' ' || NEW.organisation || ' ' || NEW.title));
END;
CREATE TRIGGER experts_index_au AFTER UPDATE ON experts BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'experts' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'expert', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = NEW.id), 'expert', NEW.id, NEW.region_code, NEW.name, NEW.specialty || ' ' || NEW.organisation || ' ' || NEW.title || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.specialty || ' ' || NEW.organisation || ' ' || NEW.title));
END;
CREATE TRIGGER experts_index_ad AFTER DELETE ON experts BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'experts' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'experts' AND source_id = OLD.id;
END;

-- warehouses → kind 'warehouse'
CREATE TRIGGER warehouses_index_ai AFTER INSERT ON warehouses BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('warehouses', NEW.id);
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'warehouse', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = NEW.id), 'warehouse', NEW.id, NEW.region_code, NEW.name, NEW.owner || ' ' || NEW.address || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.owner || ' ' || NEW.address));
END;
CREATE TRIGGER warehouses_index_au AFTER UPDATE ON warehouses BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'warehouses' AND source_id = OLD.id;
    INSERT INTO geo_index(key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon)
        SELECT (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = NEW.id), NEW.lon, NEW.lon, NEW.lat, NEW.lat, 'warehouse', NEW.id, NEW.name, NEW.region_code, NEW.lat, NEW.lon
        WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = NEW.id), 'warehouse', NEW.id, NEW.region_code, NEW.name, NEW.owner || ' ' || NEW.address || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.owner || ' ' || NEW.address));
END;
CREATE TRIGGER warehouses_index_ad AFTER DELETE ON warehouses BEGIN
    DELETE FROM geo_index WHERE key_id = (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = OLD.id);
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'warehouses' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'warehouses' AND source_id = OLD.id;
END;

-- stock_items → kind 'stock_item'
CREATE TRIGGER stock_items_index_ai AFTER INSERT ON stock_items BEGIN
    INSERT OR IGNORE INTO index_keys(source, source_id) VALUES ('stock_items', NEW.id);
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = NEW.id), 'stock_item', NEW.id, NEW.region_code, NEW.name, NEW.spec || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.spec));
END;
CREATE TRIGGER stock_items_index_au AFTER UPDATE ON stock_items BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = OLD.id);
    UPDATE index_keys SET source_id = NEW.id WHERE source = 'stock_items' AND source_id = OLD.id;
    INSERT INTO search_fts(rowid, kind, item_id, region_code, name, extra)
        VALUES ((SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = NEW.id), 'stock_item', NEW.id, NEW.region_code, NEW.name, NEW.spec || ' ' || yj_pinyin(NEW.name));
    INSERT INTO search_grams(rowid, grams) VALUES ((SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = NEW.id), yj_grams(NEW.name || ' ' || NEW.spec));
END;
CREATE TRIGGER stock_items_index_ad AFTER DELETE ON stock_items BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = OLD.id);
    DELETE FROM search_grams WHERE rowid = (SELECT key_id FROM index_keys WHERE source = 'stock_items' AND source_id = OLD.id);
    DELETE FROM index_keys WHERE source = 'stock_items' AND source_id = OLD.id;
END;
