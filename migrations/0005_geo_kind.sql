-- 0005_geo_kind: the kind of a located thing becomes a dimension of the R*Tree, so that a query
-- for one kind ("the 10 nearest teams") visits only that kind's nodes instead of every record
-- in the box and filtering afterwards (at a million records, the box around a chemical park
-- holds tens of thousands of other things). A kind spans [code, code + 1]: with no extent on
-- that dimension every one-kind node would have zero volume, and the R*Tree could no longer
-- choose between nodes by their growth, scattering each kind's points over all its nodes.
--
-- `geo_rtree` is the index; `geo_index` stays as a view with the old columns, so the index
-- triggers of 0002 (and of later migrations) keep writing to it unchanged. yj_kind_code() is
-- registered by the store on every connection (yingji-store `Kind::index_code`).

CREATE VIRTUAL TABLE geo_rtree USING rtree(
    key_id, min_kind, max_kind, min_lon, max_lon, min_lat, max_lat,
    +kind, +item_id, +name, +region_code, +lat, +lon
);

INSERT INTO geo_rtree(key_id, min_kind, max_kind, min_lon, max_lon, min_lat, max_lat,
                      kind, item_id, name, region_code, lat, lon)
    SELECT key_id, yj_kind_code(kind), yj_kind_code(kind) + 1, min_lon, max_lon, min_lat, max_lat,
           kind, item_id, name, region_code, lat, lon
    FROM geo_index;

DROP TABLE geo_index;

CREATE VIEW geo_index AS
    SELECT key_id, min_lon, max_lon, min_lat, max_lat, kind, item_id, name, region_code, lat, lon
    FROM geo_rtree;

CREATE TRIGGER geo_index_insert INSTEAD OF INSERT ON geo_index BEGIN
    INSERT INTO geo_rtree(key_id, min_kind, max_kind, min_lon, max_lon, min_lat, max_lat,
                          kind, item_id, name, region_code, lat, lon)
        VALUES (NEW.key_id, yj_kind_code(NEW.kind), yj_kind_code(NEW.kind) + 1, NEW.min_lon, NEW.max_lon,
                NEW.min_lat, NEW.max_lat, NEW.kind, NEW.item_id, NEW.name, NEW.region_code, NEW.lat, NEW.lon);
END;

CREATE TRIGGER geo_index_delete INSTEAD OF DELETE ON geo_index BEGIN
    DELETE FROM geo_rtree WHERE key_id = OLD.key_id;
END;
