//! The record tables, one struct each, and their closed vocabularies.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// A closed set of values stored as text, with Chinese and English labels; also used by other
/// core crates (`yingji_store::text_enum!`), which need `serde` and `rusqlite` as dependencies.
#[macro_export]
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            /// Parses the stored text, the Chinese label or the English label.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| {
                    v.as_str() == s || v.label_zh() == s || v.label_en().eq_ignore_ascii_case(s)
                })
            }
        }
        impl ::rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> ::rusqlite::Result<::rusqlite::types::ToSqlOutput<'_>> { Ok(::rusqlite::types::ToSqlOutput::from(self.as_str())) }
        }
        impl ::rusqlite::types::FromSql for $name {
            fn column_result(v: ::rusqlite::types::ValueRef<'_>) -> ::rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                $name::ALL.iter().copied().find(|x| x.as_str() == s)
                    .ok_or_else(|| ::rusqlite::types::FromSqlError::Other(format!("unknown {} {s:?}", stringify!($name)).into()))
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

text_enum!(
    /// Administrative level.
    RegionLevel {
        Province = "province", "省", "province";
        City = "city", "市", "city";
        County = "county", "县（区）", "county";
    }
);

text_enum!(
    /// What kind of risk source.
    RiskSourceKind {
        Enterprise = "enterprise", "企业", "enterprise";
        ChemicalPark = "chemical_park", "化工园区", "chemical park";
        Pipeline = "pipeline", "管道", "pipeline";
        TransportRoad = "transport_road", "危化品运输路段", "hazmat road section";
    }
);

text_enum!(
    /// Environmental risk grade of HJ 941-2018 (企业突发环境事件风险分级方法).
    RiskGrade {
        General = "general", "一般", "general";
        Larger = "larger", "较大", "larger";
        Major = "major", "重大", "major";
    }
);

text_enum!(
    /// Kinds of sensitive target.
    TargetKind {
        DrinkingWaterIntake = "drinking_water_intake", "饮用水取水口", "drinking-water intake";
        SourceProtectionZone = "source_protection_zone", "水源保护区", "source protection zone";
        School = "school", "学校", "school";
        Hospital = "hospital", "医院", "hospital";
        NatureReserve = "nature_reserve", "自然保护区", "nature reserve";
    }
);

text_enum!(
    /// River network node kinds.
    NodeKind {
        Source = "source", "源头", "source";
        Junction = "junction", "汇合点", "junction";
        Mouth = "mouth", "入海口", "mouth";
        Border = "border", "出省断面", "border";
        Lake = "lake", "湖泊", "lake";
        Point = "point", "节点", "point";
    }
);

text_enum!(
    /// Control works that can hold or divert water.
    ControlWorkKind {
        Sluice = "sluice", "水闸", "sluice";
        Gate = "gate", "节制闸", "gate";
        Dam = "dam", "坝", "dam";
        PumpStation = "pump_station", "泵站", "pump station";
        ShipLock = "ship_lock", "船闸", "ship lock";
    }
);

text_enum!(
    /// Resource categories of 环境应急资源调查指南（试行） (Ministry of Ecology and Environment, 2019).
    StockCategory {
        SourceCutoff = "source_cutoff", "污染源切断", "source cut-off";
        PollutantControl = "pollutant_control", "污染物控制", "pollutant control";
        PollutantCollection = "pollutant_collection", "污染物收集", "pollutant collection";
        PollutantDegradation = "pollutant_degradation", "污染物降解", "pollutant degradation";
        SafetyProtection = "safety_protection", "安全防护", "safety protection";
        CommunicationCommand = "communication_command", "应急通信和指挥", "communication and command";
        Monitoring = "monitoring", "环境监测", "environmental monitoring";
    }
);

text_enum!(
    /// Stock ledger entry kinds: the quantity of a stock item is the sum of its entries.
    LedgerKind {
        Receipt = "receipt", "入库", "receipt";
        Dispatch = "dispatch", "调拨出库", "dispatch";
        Return = "return", "归还", "return";
        WriteOff = "write_off", "报废核销", "write-off";
        Correction = "correction", "盘点修正", "stock-take correction";
    }
);

pub(crate) fn insert_sql(table: &str, columns: &[&str]) -> String {
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), placeholders.join(", "))
}

pub(crate) fn upsert_sql(table: &str, columns: &[&str]) -> String {
    let sets: Vec<String> =
        columns.iter().filter(|c| **c != "id" && **c != "created_at").map(|c| format!("{c} = excluded.{c}")).collect();
    format!("{} ON CONFLICT(id) DO UPDATE SET {}", insert_sql(table, columns), sets.join(", "))
}

/// Defines a record table's struct with insert, read-by-id and row mapping.
macro_rules! record {
    ($(#[$m:meta])* $name:ident => $table:literal { $($(#[$fm:meta])* $field:ident : $ty:ty,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name { $($(#[$fm])* pub $field: $ty,)+ }

        impl $name {
            pub const TABLE: &'static str = $table;
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            pub fn insert(&self, conn: &Connection) -> rusqlite::Result<()> {
                conn.prepare_cached(&insert_sql($table, Self::COLUMNS))?
                    .execute(rusqlite::params![$(self.$field),+])?;
                Ok(())
            }

            /// Inserts, or updates every column but `id` and `created_at` of the row with this id.
            pub fn upsert(&self, conn: &Connection) -> rusqlite::Result<()> {
                conn.prepare_cached(&upsert_sql($table, Self::COLUMNS))?
                    .execute(rusqlite::params![$(self.$field),+])?;
                Ok(())
            }

            pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
                Ok(Self { $($field: row.get(stringify!($field))?,)+ })
            }

            pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Self>> {
                conn.prepare_cached(concat!("SELECT * FROM ", $table, " WHERE id = ?1"))?
                    .query_row([id], Self::from_row)
                    .optional()
            }
        }
    };
}

record!(
    /// The province, a city or a county, with its GB/T 2260 code.
    Region => "regions" {
        id: String,
        code: String,
        parent_code: Option<String>,
        level: RegionLevel,
        region_code: String,
        name_zh: String,
        name_pinyin: String,
        lat: Option<f64>,
        lon: Option<f64>,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// An enterprise, chemical park, pipeline segment or hazmat road section.
    RiskSource => "risk_sources" {
        id: String,
        region_code: String,
        kind: RiskSourceKind,
        name: String,
        grade: RiskGrade,
        industry: String,
        address: String,
        park_id: Option<String>,
        lat: Option<f64>,
        lon: Option<f64>,
        geometry_json: Option<String>,
        contact_name: String,
        contact_phone: String,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// A chemical a risk source holds, with its maximum quantity on site.
    ChemicalHolding => "risk_source_chemicals" {
        id: String,
        risk_source_id: String,
        region_code: String,
        name_zh: String,
        cas: String,
        un_number: String,
        max_quantity_t: f64,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// A node of the river network.
    RiverNode => "river_nodes" {
        id: String,
        region_code: String,
        name: String,
        kind: NodeKind,
        lat: f64,
        lon: f64,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// A reach between two nodes, in flow direction.
    RiverReach => "river_reaches" {
        id: String,
        region_code: String,
        river_id: String,
        name: String,
        from_node: String,
        to_node: String,
        length_m: f64,
        velocity_m_s: f64,
        width_m: f64,
        depth_m: f64,
        flow_m3_s: f64,
        lat: f64,
        lon: f64,
        geometry_json: String,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// A sluice, gate, dam, pump station or ship lock that can hold or divert water.
    ControlWork => "control_works" {
        id: String,
        region_code: String,
        kind: ControlWorkKind,
        name: String,
        reach_id: Option<String>,
        reach_offset_m: Option<f64>,
        can_hold: bool,
        can_divert: bool,
        lat: f64,
        lon: f64,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// A drinking-water intake, protection zone, school, hospital or nature reserve.
    SensitiveTarget => "sensitive_targets" {
        id: String,
        region_code: String,
        kind: TargetKind,
        name: String,
        reach_id: Option<String>,
        reach_offset_m: Option<f64>,
        capacity: String,
        zone_json: Option<String>,
        contact_name: String,
        contact_phone: String,
        lat: f64,
        lon: f64,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// An emergency response team.
    Team => "teams" {
        id: String,
        region_code: String,
        name: String,
        team_type: String,
        size: i64,
        specialties: String,
        equipment: String,
        base_address: String,
        contact_name: String,
        contact_phone: String,
        lat: f64,
        lon: f64,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// An expert who can be called on.
    Expert => "experts" {
        id: String,
        region_code: String,
        name: String,
        specialty: String,
        organisation: String,
        title: String,
        contact_phone: String,
        lat: Option<f64>,
        lon: Option<f64>,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// A warehouse of emergency materials.
    Warehouse => "warehouses" {
        id: String,
        region_code: String,
        name: String,
        owner: String,
        address: String,
        contact_name: String,
        contact_phone: String,
        lat: f64,
        lon: f64,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// A stock line of a warehouse. Its quantity is the sum of its ledger entries.
    StockItem => "stock_items" {
        id: String,
        region_code: String,
        warehouse_id: String,
        name: String,
        category: StockCategory,
        spec: String,
        unit: String,
        expiry_date: Option<String>,
        data_source: String,
        created_at: String,
        updated_at: String,
    }
);

record!(
    /// One append-only change of a stock item's quantity.
    LedgerEntry => "stock_ledger" {
        id: String,
        stock_item_id: String,
        region_code: String,
        entry_kind: LedgerKind,
        quantity_delta: f64,
        note: String,
        recorded_at: String,
        data_source: String,
        created_at: String,
    }
);

/// The current quantity of a stock item: the sum of its ledger.
pub fn stock_quantity(conn: &Connection, stock_item_id: &str) -> rusqlite::Result<f64> {
    conn.prepare_cached("SELECT COALESCE(SUM(quantity_delta), 0.0) FROM stock_ledger WHERE stock_item_id = ?1")?
        .query_row([stock_item_id], |r| r.get(0))
}

/// The chemicals a risk source holds.
pub fn chemicals_of(conn: &Connection, risk_source_id: &str) -> rusqlite::Result<Vec<ChemicalHolding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT * FROM risk_source_chemicals WHERE risk_source_id = ?1 ORDER BY max_quantity_t DESC, name_zh",
    )?;
    let rows = stmt.query_map([risk_source_id], ChemicalHolding::from_row)?;
    rows.collect()
}

/// A warehouse's stock lines with their quantities.
pub fn stock_of(conn: &Connection, warehouse_id: &str) -> rusqlite::Result<Vec<(StockItem, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.*, COALESCE((SELECT SUM(quantity_delta) FROM stock_ledger l WHERE l.stock_item_id = s.id), 0.0) AS quantity
         FROM stock_items s WHERE s.warehouse_id = ?1 ORDER BY s.category, s.name",
    )?;
    let rows = stmt.query_map([warehouse_id], |r| Ok((StockItem::from_row(r)?, r.get("quantity")?)))?;
    rows.collect()
}

/// A stock item's ledger, oldest first.
pub fn ledger_of(conn: &Connection, stock_item_id: &str) -> rusqlite::Result<Vec<LedgerEntry>> {
    let mut stmt =
        conn.prepare_cached("SELECT * FROM stock_ledger WHERE stock_item_id = ?1 ORDER BY recorded_at, id")?;
    let rows = stmt.query_map([stock_item_id], LedgerEntry::from_row)?;
    rows.collect()
}

/// All regions, province first, then cities and counties by code.
pub fn regions(conn: &Connection) -> rusqlite::Result<Vec<Region>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM regions ORDER BY code")?;
    let rows = stmt.query_map([], Region::from_row)?;
    rows.collect()
}
