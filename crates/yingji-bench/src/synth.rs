//! The synthetic database: `records` located records (risk sources, sensitive targets, teams,
//! experts, warehouses) over Jiangsu's real cities and counties, clustered around city and
//! county seats, with Chinese names drawn from skewed word lists so that a few words are
//! common and most are rare. Risk sources also hold chemicals (not located, but searchable).
//! Deterministic for a given seed and size.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::Context;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use yingji_store::{records::*, Store, LATEST_SCHEMA_VERSION};

use yingji_demo::rng::Rng as SplitMix64;

/// Bumped whenever the generator's output changes, so that an old file is rebuilt.
pub const GENERATOR_VERSION: &str = "6";
/// Located records per write transaction.
pub const BATCH: usize = 50_000;

const STAMP: &str = "2026-01-01T00:00:00Z";
const SOURCE: &str = "bench";
const M_PER_DEG: f64 = yingji_store::query::EARTH_MEAN_RADIUS_M * std::f64::consts::PI / 180.0;

/// The bounding box of Jiangsu that query points are drawn from (lon, lat).
pub const LON: (f64, f64) = (116.4, 121.9);
pub const LAT: (f64, f64) = (30.8, 35.1);

/// Share of each kind among the located records (risk sources, targets, teams, experts,
/// warehouses).
const MIX: [(Kind5, f64); 5] = [
    (Kind5::RiskSource, 0.35),
    (Kind5::Target, 0.40),
    (Kind5::Team, 0.10),
    (Kind5::Expert, 0.10),
    (Kind5::Warehouse, 0.05),
];

#[derive(Clone, Copy)]
enum Kind5 {
    RiskSource,
    Target,
    Team,
    Expert,
    Warehouse,
}

// ---- word lists -------------------------------------------------------------------------------

/// Characters of company trade names; drawn skewed, two per name (华 is common, 优 rare).
const TRADE_CHARS: &str = "华泰恒瑞丰盛宏达德源安远鑫诚凯新通嘉联宇振永天成中洋长顺博金桥润海诺福信和东方银河百川汇明正科隆立广荣昌晨光兴旺佳美利鸿辉星龙凤祥吉康健盈富宝晶峰锦绣春秋蓝绿青紫云山石林森益合众民岳腾飞翔越卓尚优";
/// Characters of town and village names.
const TOWN_CHARS: &str = "东西南北上下大小新老前后高长青白红黄金石山水河湖港桥口塘庄集圩坝沟湾洲埠墩岗岭营店铺寺堰闸泾浦溪陈王张李刘周吴徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭";

/// (word in the company name, industry).
const INDUSTRIES: &[(&str, &str)] = &[
    ("化工", "化学原料和化学制品制造"),
    ("科技", "专用化学产品制造"),
    ("新材料", "合成材料制造"),
    ("石化", "原油加工及石油制品制造"),
    ("精细化工", "专用化学产品制造"),
    ("医药", "化学药品原料药制造"),
    ("环保科技", "环境治理"),
    ("农药", "农药制造"),
    ("电镀", "金属表面处理"),
    ("印染", "纺织品印染"),
    ("涂料", "涂料制造"),
    ("染料", "染料制造"),
    ("制药", "化学药品制剂制造"),
    ("电子材料", "电子专用材料制造"),
    ("能源", "燃气生产和供应"),
    ("仓储物流", "危险化学品仓储"),
    ("热电", "热电联产"),
    ("水务", "污水处理及其再生利用"),
    ("造纸", "造纸和纸制品"),
    ("冶金", "黑色金属冶炼"),
    ("橡胶", "橡胶制品"),
    ("塑业", "塑料制品"),
    ("化纤", "化学纤维制造"),
    ("钢铁", "钢铁冶炼"),
];

const ROADS: &[&str] = &[
    "人民", "化工", "长江", "解放", "建设", "中山", "工业", "滨江", "沿海", "开发", "创业", "科技", "新华", "文化",
    "朝阳", "金山", "黄河", "淮河", "太湖", "运河", "纬一", "经二", "港口", "环城", "北京", "上海", "青年", "和平",
    "东风", "胜利",
];

/// (Chinese name, CAS, UN) of common hazardous chemicals (identifiers are real).
const CHEMICALS: &[(&str, &str, &str)] = &[
    ("甲醇", "67-56-1", "1230"),
    ("硫酸", "7664-93-9", "1830"),
    ("盐酸", "7647-01-0", "1789"),
    ("苯", "71-43-2", "1114"),
    ("甲苯", "108-88-3", "1294"),
    ("液氨", "7664-41-7", "1005"),
    ("氢氧化钠溶液", "1310-73-2", "1824"),
    ("氯气", "7782-50-5", "1017"),
    ("二甲苯", "1330-20-7", "1307"),
    ("乙酸乙酯", "141-78-6", "1173"),
    ("丙酮", "67-64-1", "1090"),
    ("柴油", "68334-30-5", "1202"),
    ("汽油", "86290-81-5", "1203"),
    ("硝酸", "7697-37-2", "2031"),
    ("苯乙烯", "100-42-5", "2055"),
    ("液化石油气", "68476-85-7", "1075"),
    ("二氯甲烷", "75-09-2", "1593"),
    ("甲醛溶液", "50-00-0", "2209"),
    ("苯酚", "108-95-2", "1671"),
    ("硝基苯", "98-95-3", "1662"),
    ("苯胺", "62-53-3", "1547"),
    ("丙烯腈", "107-13-1", "1093"),
    ("环氧乙烷", "75-21-8", "1040"),
    ("氯乙烯", "75-01-4", "1086"),
    ("硫化氢", "7783-06-4", "1053"),
    ("氟化氢", "7664-39-3", "1052"),
    ("二硫化碳", "75-15-0", "1131"),
    ("环氧氯丙烷", "106-89-8", "2023"),
    ("光气", "75-44-5", "1076"),
    ("氰化钠", "143-33-9", "1689"),
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾蒋蔡沈顾钱陆姚严金汪戴潘丁";
const GIVEN_NAMES: &[&str] = &[
    "伟", "敏", "静", "磊", "军", "勇", "杰", "娟", "涛", "明", "超", "秀英", "华", "平", "刚", "桂英", "建国", "志强",
    "海燕", "晓东", "建华", "文博", "思远", "雪梅", "国平", "丽娜", "振宇", "一鸣", "子涵", "佳怡", "浩然", "雨辰",
    "立新", "红霞", "德明", "永康", "春生", "晓峰", "婷婷", "宏伟", "俊杰", "欣怡", "梓轩", "若曦", "嘉豪", "诗涵",
];

/// (team type, specialties, equipment).
const TEAM_TYPES: &[(&str, &str, &str)] = &[
    ("危化品处置", "危化品泄漏处置、堵漏、洗消", "堵漏工具组、防化服、正压式空气呼吸器"),
    ("消防救援", "火灾扑救、危化品泄漏处置、洗消", "泡沫消防车、水罐车、侦检仪器"),
    ("环境应急监测", "水质应急监测、大气应急监测", "应急监测车、多参数水质分析仪、无人机"),
    ("企业专职应急", "危化品泄漏处置、初期火灾扑救", "防化服、空气呼吸器、可燃气体检测仪"),
    ("医疗救护", "中毒救治、现场急救", "救护车、解毒药品"),
    ("水利抢险", "闸坝调度、围堰筑坝、河道截污", "挖掘机、编织袋、潜水泵"),
    ("水上溢油", "溢油围控、溢油回收", "围油栏、收油机、吸油毡"),
];

const SPECIALTIES: &[&str] = &[
    "环境应急管理",
    "水污染控制",
    "危险化学品安全",
    "环境监测",
    "大气污染控制",
    "化工工艺",
    "土壤污染修复",
    "毒理学",
    "水文水资源",
    "饮用水安全",
    "固体废物处置",
    "环境法律",
    "消防安全",
    "海洋环境",
];
const TITLES: &[&str] = &["高级工程师", "教授", "研究员", "工程师", "正高级工程师", "副教授", "副研究员"];
const ORG_SUFFIXES: &[&str] = &[
    "生态环境局",
    "环境监测中心站",
    "大学环境学院",
    "环境科学研究所",
    "应急管理局",
    "疾病预防控制中心",
    "化工研究院",
    "水利局",
];
const WATERS: &[&str] = &[
    "长江",
    "太湖",
    "京杭运河",
    "淮河",
    "洪泽湖",
    "骆马湖",
    "通榆河",
    "秦淮河",
    "新沭河",
    "滁河",
    "高邮湖",
    "石臼湖",
    "射阳河",
    "泰州引江河",
    "新通扬运河",
    "串场河",
    "盐河",
];
const SCHOOLS: &[&str] =
    &["中心小学", "实验小学", "初级中学", "幼儿园", "高级中学", "实验学校", "职业技术学校", "外国语学校"];

// ---- places -----------------------------------------------------------------------------------

struct County {
    code: String,
    short: String,
    name: String,
    lat: f64,
    lon: f64,
}

struct City {
    code: String,
    short: String,
    lat: f64,
    lon: f64,
}

/// 南京市 → 南京, 江阴市 → 江阴, but 沛县 stays 沛县.
fn short_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() > 2 && matches!(chars[chars.len() - 1], '市' | '区' | '县') {
        chars[..chars.len() - 1].iter().collect()
    } else {
        name.to_owned()
    }
}

/// Inserts the province, its cities and counties (real codes and seats, from the demo's
/// geography) and returns the cities and counties.
fn insert_regions(conn: &Connection) -> anyhow::Result<(Vec<City>, Vec<County>)> {
    let geo = yingji_demo::geo::load().context("loading the demo geography")?;
    let region = |p: &yingji_demo::geo::Place, parent: Option<&str>, level: RegionLevel| Region {
        id: p.code.clone(),
        code: p.code.clone(),
        parent_code: parent.map(str::to_owned),
        level,
        region_code: p.code.clone(),
        name_zh: p.name_zh.clone(),
        name_pinyin: p.name_pinyin.clone(),
        lat: Some(p.lat),
        lon: Some(p.lon),
        data_source: SOURCE.into(),
        created_at: STAMP.into(),
        updated_at: STAMP.into(),
    };
    region(&geo.province, None, RegionLevel::Province).insert(conn)?;
    let (mut cities, mut counties) = (Vec::new(), Vec::new());
    for c in &geo.cities {
        region(&c.place, Some(&geo.province.code), RegionLevel::City).insert(conn)?;
        cities.push(City {
            code: c.place.code.clone(),
            short: short_name(&c.place.name_zh),
            lat: c.place.lat,
            lon: c.place.lon,
        });
        for k in &c.counties {
            region(k, Some(&c.place.code), RegionLevel::County).insert(conn)?;
            counties.push(County {
                code: k.code.clone(),
                short: short_name(&k.name_zh),
                name: k.name_zh.clone(),
                lat: k.lat,
                lon: k.lon,
            });
        }
    }
    anyhow::ensure!(!cities.is_empty() && !counties.is_empty(), "the demo geography has no cities or counties");
    Ok((cities, counties))
}

// ---- the generator ----------------------------------------------------------------------------

struct Gen {
    rng: SplitMix64,
    trade: Vec<char>,
    town: Vec<char>,
    surnames: Vec<char>,
    cities: Vec<City>,
    counties: Vec<County>,
}

/// Where a record is and which region it is filed under.
struct Spot<'a> {
    lat: f64,
    lon: f64,
    region_code: &'a str,
    /// The short name of the county or city, used in names.
    place: &'a str,
    county_name: &'a str,
}

impl Gen {
    fn uuid(&mut self) -> String {
        let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// A clustered position: 15 % around a city centre (σ 5 km, filed under the city), 50 %
    /// around a county seat (σ 3 km), 35 % spread over a county (σ 12 km).
    fn spot(&mut self) -> Spot<'_> {
        let u = self.rng.unit();
        let (lat0, lon0, sigma_m, region_code, place, county_name) = if u < 0.15 {
            let c = &self.cities[self.rng.below(self.cities.len())];
            (c.lat, c.lon, 5_000.0, c.code.as_str(), c.short.as_str(), c.short.as_str())
        } else {
            let k = &self.counties[self.rng.below(self.counties.len())];
            let sigma = if u < 0.65 { 3_000.0 } else { 12_000.0 };
            (k.lat, k.lon, sigma, k.code.as_str(), k.short.as_str(), k.name.as_str())
        };
        let lat = (lat0 + sigma_m * self.rng.normal() / M_PER_DEG).clamp(LAT.0, LAT.1);
        let lon = (lon0 + sigma_m * self.rng.normal() / (M_PER_DEG * lat0.to_radians().cos())).clamp(LON.0, LON.1);
        Spot { lat: round6(lat), lon: round6(lon), region_code, place, county_name }
    }

    fn trade_name(&mut self) -> String {
        let a = *self.rng.pick_skewed(&self.trade, 2.5);
        let b = *self.rng.pick_skewed(&self.trade, 2.5);
        [a, b].iter().collect()
    }

    fn town(&mut self) -> String {
        let a = *self.rng.pick_skewed(&self.town, 1.8);
        let b = *self.rng.pick_skewed(&self.town, 1.8);
        let suffix = *self.rng.pick(&["镇", "镇", "街道", "乡"]);
        format!("{a}{b}{suffix}")
    }

    fn person(&mut self) -> String {
        let s = *self.rng.pick_skewed(&self.surnames, 2.0);
        format!("{s}{}", self.rng.pick_skewed(GIVEN_NAMES, 1.5))
    }

    fn phone(&mut self) -> String {
        format!("1{}{:08}", self.rng.int(30, 99), self.rng.int(0, 99_999_999))
    }

    fn address(&mut self, county_name: &str) -> String {
        let road = self.rng.pick_skewed(ROADS, 1.5);
        format!("{county_name}{road}路{}号", self.rng.int(1, 999))
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Counts of what was written.
#[derive(Debug, Default)]
pub struct Built {
    pub located: usize,
    pub chemicals: usize,
    pub elapsed: Duration,
}

/// The record tables the generator writes, in foreign-key order.
const TABLES: &[&str] =
    &["risk_sources", "risk_source_chemicals", "sensitive_targets", "teams", "experts", "warehouses"];

/// How rows reach the record tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// Each record's `.insert()` straight into its table, as an import does: the index triggers
    /// run once per row, and FTS5 flushes its pending terms at every statement's savepoint.
    RowByRow,
    /// Each record's `.insert()` into a TEMP table of the same name (it shadows the main one for
    /// unqualified names on this connection), then one `INSERT INTO main.t SELECT * FROM temp.t`
    /// per table and batch: the same triggers, but FTS5 flushes once per statement.
    Staged,
}

/// Builds the synthetic database at `path` (which must not exist). Progress goes to stderr.
pub fn build(path: &Path, records: usize, seed: u64, loading: Loading) -> anyhow::Result<Built> {
    let start = Instant::now();
    let mut store = Store::create(path).with_context(|| format!("creating {}", path.display()))?;
    // A bench file: no need to survive a power cut while building; a big cache for the indexes;
    // statement journals in memory.
    store.conn().pragma_update(None, "synchronous", "OFF")?;
    store.conn().pragma_update(None, "cache_size", -262_144)?;
    store.conn().pragma_update(None, "temp_store", "MEMORY")?;
    let tx = store.transaction()?;
    let (cities, counties) = insert_regions(&tx)?;
    tx.commit()?;
    if loading == Loading::Staged {
        for t in TABLES {
            store.conn().execute_batch(&format!("CREATE TEMP TABLE {t} AS SELECT * FROM main.{t} WHERE 0"))?;
        }
    }
    let mut g = Gen {
        rng: SplitMix64::new(seed),
        trade: TRADE_CHARS.chars().collect(),
        town: TOWN_CHARS.chars().collect(),
        surnames: SURNAMES.chars().collect(),
        cities,
        counties,
    };
    let mut built = Built::default();
    let mut done = 0;
    while done < records {
        let n = BATCH.min(records - done);
        let tx = store.transaction()?;
        for _ in 0..n {
            built.chemicals += insert_one(&tx, &mut g)?;
        }
        if loading == Loading::Staged {
            for t in TABLES {
                tx.execute_batch(&format!("INSERT INTO main.{t} SELECT * FROM temp.{t}; DELETE FROM temp.{t};"))?;
            }
        }
        done += n;
        if done == records {
            tx.execute(
                "INSERT OR REPLACE INTO main.meta(key, value) VALUES ('bench_records', ?1), ('bench_generator', ?2),
                 ('bench_seed', ?3), ('bench_schema', ?4),
                 ('bench_loading', ?5)",
                (
                    records.to_string(),
                    GENERATOR_VERSION,
                    seed.to_string(),
                    LATEST_SCHEMA_VERSION.to_string(),
                    format!("{loading:?}"),
                ),
            )?;
        }
        tx.commit()?;
        let s = start.elapsed().as_secs_f64();
        eprintln!(
            "  synthetic: {done:>9} / {records} located records, {:>8} chemicals  ({s:.1} s, {:.0} records/s)",
            built.chemicals,
            done as f64 / s
        );
    }
    if loading == Loading::Staged {
        for t in TABLES {
            store.conn().execute_batch(&format!("DROP TABLE temp.{t}"))?;
        }
    }
    store.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    built.located = records;
    built.elapsed = start.elapsed();
    Ok(built)
}

/// Inserts one located record (and a risk source's chemicals); returns the chemicals written.
fn insert_one(conn: &Connection, g: &mut Gen) -> anyhow::Result<usize> {
    let u = g.rng.unit();
    let mut acc = 0.0;
    let mut kind = Kind5::Warehouse;
    for (k, share) in MIX {
        acc += share;
        if u < acc {
            kind = k;
            break;
        }
    }
    let id = g.uuid();
    let mut chemicals = 0;
    // The spot borrows the generator's places; copy what the names need.
    let spot = g.spot();
    let (lat, lon) = (spot.lat, spot.lon);
    let (region_code, place, county_name) =
        (spot.region_code.to_owned(), spot.place.to_owned(), spot.county_name.to_owned());
    match kind {
        Kind5::RiskSource => {
            let trade = g.trade_name();
            let (word, industry) = *g.rng.pick_skewed(INDUSTRIES, 1.7);
            let r = g.rng.unit();
            let (kind, name) = if r < 0.90 {
                let name = if g.rng.chance(0.7) {
                    format!("{place}{trade}{word}有限公司")
                } else {
                    format!("江苏{trade}{word}股份有限公司")
                };
                (RiskSourceKind::Enterprise, name)
            } else if r < 0.91 {
                (RiskSourceKind::ChemicalPark, format!("{place}{trade}化工园区"))
            } else if r < 0.95 {
                (RiskSourceKind::Pipeline, format!("{trade}输油管道{place}段"))
            } else {
                (RiskSourceKind::TransportRoad, format!("G{}{place}段危化品运输路段", g.rng.int(2, 99) * 2))
            };
            let grade = match g.rng.unit() {
                x if x < 0.70 => RiskGrade::General,
                x if x < 0.92 => RiskGrade::Larger,
                _ => RiskGrade::Major,
            };
            RiskSource {
                id: id.clone(),
                region_code: region_code.clone(),
                kind,
                name,
                grade,
                industry: industry.into(),
                address: g.address(&county_name),
                park_id: None,
                lat: Some(lat),
                lon: Some(lon),
                geometry_json: None,
                contact_name: g.person(),
                contact_phone: g.phone(),
                data_source: SOURCE.into(),
                created_at: STAMP.into(),
                updated_at: STAMP.into(),
            }
            .insert(conn)?;
            let held = match g.rng.unit() {
                x if x < 0.4 => 0,
                x if x < 0.8 => 1,
                _ => 2,
            };
            for _ in 0..held {
                let (name_zh, cas, un) = *g.rng.pick_skewed(CHEMICALS, 1.6);
                ChemicalHolding {
                    id: g.uuid(),
                    risk_source_id: id.clone(),
                    region_code: region_code.clone(),
                    name_zh: name_zh.into(),
                    cas: cas.into(),
                    un_number: un.into(),
                    max_quantity_t: (g.rng.range(0.1, 500.0) * 10.0).round() / 10.0,
                    data_source: SOURCE.into(),
                    created_at: STAMP.into(),
                    updated_at: STAMP.into(),
                }
                .insert(conn)?;
                chemicals += 1;
            }
        }
        Kind5::Target => {
            let r = g.rng.unit();
            let (kind, name, capacity) = if r < 0.55 {
                let town = g.town();
                let school = g.rng.pick_skewed(SCHOOLS, 1.5);
                (TargetKind::School, format!("{place}{town}{school}"), format!("{} 名学生", g.rng.int(3, 30) * 100))
            } else if r < 0.85 {
                let name = match g.rng.below(4) {
                    0 => format!("{place}第{}人民医院", g.rng.int(1, 9)),
                    1 => format!("{place}中医院"),
                    _ => format!("{place}{}卫生院", g.town()),
                };
                (TargetKind::Hospital, name, format!("{} 张床位", g.rng.int(1, 15) * 100))
            } else if r < 0.92 {
                let water = g.rng.pick_skewed(WATERS, 1.5);
                let name = format!("{place}{water}第{}水厂取水口", g.rng.int(1, 9));
                (TargetKind::DrinkingWaterIntake, name, format!("{} 万m³/d", g.rng.int(5, 60)))
            } else if r < 0.97 {
                let water = g.rng.pick_skewed(WATERS, 1.5);
                (TargetKind::SourceProtectionZone, format!("{place}{water}饮用水水源保护区"), String::new())
            } else {
                let town = g.town();
                (TargetKind::NatureReserve, format!("{place}{town}湿地自然保护区"), String::new())
            };
            SensitiveTarget {
                id,
                region_code,
                kind,
                name,
                reach_id: None,
                reach_offset_m: None,
                capacity,
                zone_json: None,
                contact_name: g.person(),
                contact_phone: g.phone(),
                lat,
                lon,
                data_source: SOURCE.into(),
                created_at: STAMP.into(),
                updated_at: STAMP.into(),
            }
            .insert(conn)?;
        }
        Kind5::Team => {
            let (team_type, specialties, equipment) = *g.rng.pick_skewed(TEAM_TYPES, 1.5);
            let name = if team_type == "企业专职应急" {
                let trade = g.trade_name();
                format!("{place}{trade}化工有限公司专职应急队")
            } else {
                format!("{place}{}{team_type}{}队", g.town(), g.rng.int(1, 9))
            };
            Team {
                id,
                region_code,
                name,
                team_type: team_type.into(),
                size: g.rng.int(6, 80),
                specialties: specialties.into(),
                equipment: equipment.into(),
                base_address: g.address(&county_name),
                contact_name: g.person(),
                contact_phone: g.phone(),
                lat,
                lon,
                data_source: SOURCE.into(),
                created_at: STAMP.into(),
                updated_at: STAMP.into(),
            }
            .insert(conn)?;
        }
        Kind5::Expert => {
            let org = format!("{place}{}", g.rng.pick_skewed(ORG_SUFFIXES, 1.5));
            Expert {
                id,
                region_code,
                name: g.person(),
                specialty: (*g.rng.pick_skewed(SPECIALTIES, 1.5)).into(),
                organisation: org,
                title: (*g.rng.pick_skewed(TITLES, 1.5)).into(),
                contact_phone: g.phone(),
                lat: Some(lat),
                lon: Some(lon),
                data_source: SOURCE.into(),
                created_at: STAMP.into(),
                updated_at: STAMP.into(),
            }
            .insert(conn)?;
        }
        Kind5::Warehouse => {
            let name = match g.rng.below(3) {
                0 => format!("{place}{}应急物资储备点", g.town()),
                1 => format!("{place}环境应急物资储备库{}号", g.rng.int(1, 20)),
                _ => format!("{place}{}{}有限公司应急物资库", g.trade_name(), g.rng.pick_skewed(INDUSTRIES, 1.7).0),
            };
            Warehouse {
                id,
                region_code,
                name,
                owner: format!("{place}生态环境局"),
                address: g.address(&county_name),
                contact_name: g.person(),
                contact_phone: g.phone(),
                lat,
                lon,
                data_source: SOURCE.into(),
                created_at: STAMP.into(),
                updated_at: STAMP.into(),
            }
            .insert(conn)?;
        }
    }
    Ok(chemicals)
}

/// What an existing synthetic file says about itself, read without writing to it: `Some` only
/// when it is complete, of this size, generator, seed, schema and way of loading.
pub fn check_existing(path: &Path, records: usize, seed: u64, loading: Loading) -> Option<()> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let meta = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional().ok().flatten()
    };
    let ok = meta("bench_records")? == records.to_string()
        && meta("bench_generator")? == GENERATOR_VERSION
        && meta("bench_seed")? == seed.to_string()
        && meta("bench_schema")? == LATEST_SCHEMA_VERSION.to_string()
        && meta("bench_loading")? == format!("{loading:?}");
    ok.then_some(())
}

/// Removes a database file and its WAL and shared-memory files.
pub fn remove_db(path: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Size of a database file with its WAL, bytes.
pub fn db_bytes(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0)
        })
        .sum()
}

/// A few random names from a database's text index, for queries made of pieces of real names.
pub fn sample_names(conn: &Connection, rng: &mut SplitMix64, n: usize) -> anyhow::Result<Vec<String>> {
    let max: i64 = conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM search_fts", [], |r| r.get(0))?;
    anyhow::ensure!(max > 0, "the text index is empty");
    let mut stmt = conn.prepare("SELECT name FROM search_fts WHERE rowid = ?1")?;
    let mut names = Vec::new();
    let mut tries = 0;
    while names.len() < n && tries < n * 100 {
        tries += 1;
        let rowid = 1 + rng.below(max as usize) as i64;
        if let Some(name) = stmt.query_row([rowid], |r| r.get::<_, String>(0)).optional()? {
            names.push(name);
        }
    }
    Ok(names)
}

/// The positions of `n` random located risk sources (with repeats): where incidents happen.
pub fn risk_source_sites(
    conn: &Connection,
    rng: &mut SplitMix64,
    n: usize,
) -> anyhow::Result<Vec<yingji_store::query::LatLon>> {
    let max: i64 = conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM risk_sources", [], |r| r.get(0))?;
    anyhow::ensure!(max > 0, "no risk sources");
    let mut stmt =
        conn.prepare("SELECT lat, lon FROM risk_sources WHERE rowid = ?1 AND lat IS NOT NULL AND lon IS NOT NULL")?;
    let mut sites = Vec::new();
    let mut tries = 0;
    while sites.len() < n && tries < n * 100 {
        tries += 1;
        let rowid = 1 + rng.below(max as usize) as i64;
        if let Some((lat, lon)) = stmt.query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?))).optional()? {
            sites.push(yingji_store::query::LatLon { lat, lon });
        }
    }
    anyhow::ensure!(!sites.is_empty(), "no located risk sources");
    Ok(sites)
}

/// A piece of 3–4 consecutive Chinese characters of `name`, if it has that many in a row.
pub fn piece_of(name: &str, rng: &mut SplitMix64) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let len = 3 + rng.below(2);
    let starts: Vec<usize> =
        (0..chars.len().saturating_sub(len - 1)).filter(|&i| chars[i..i + len].iter().all(|&c| is_han(c))).collect();
    if starts.is_empty() {
        return None;
    }
    let s = *rng.pick(&starts);
    Some(chars[s..s + len].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_name("南京市"), "南京");
        assert_eq!(short_name("江阴市"), "江阴");
        assert_eq!(short_name("沛县"), "沛县");
        assert_eq!(short_name("玄武区"), "玄武");
    }

    #[test]
    fn pieces_are_chinese_runs() {
        let mut rng = SplitMix64::new(1);
        for _ in 0..50 {
            let p = piece_of("G12江阴段危化品运输路段", &mut rng).unwrap();
            assert!((3..=4).contains(&p.chars().count()));
            assert!("G12江阴段危化品运输路段".contains(&p));
        }
        assert_eq!(piece_of("AB-12", &mut rng), None);
    }

    #[test]
    fn small_build_is_deterministic_and_searchable() {
        let dir = std::env::temp_dir().join(format!("yingji-bench-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.sqlite"), dir.join("b.sqlite"));
        for p in [&a, &b] {
            remove_db(p).unwrap();
            build(p, 300, 9, if p == &a { Loading::Staged } else { Loading::RowByRow }).unwrap();
        }
        assert!(check_existing(&a, 300, 9, Loading::Staged).is_some());
        assert!(check_existing(&a, 301, 9, Loading::Staged).is_none());
        assert!(check_existing(&a, 300, 9, Loading::RowByRow).is_none());
        assert!(check_existing(&b, 300, 9, Loading::RowByRow).is_some());
        let names = |p: &Path| -> Vec<String> {
            let c = Connection::open(p).unwrap();
            let mut s = c.prepare("SELECT name FROM geo_index ORDER BY item_id").unwrap();
            s.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
        };
        assert_eq!(names(&a), names(&b));
        let store = Store::open(&a).unwrap();
        let located: i64 =
            store.conn().query_row("SELECT count(*) FROM geo_index WHERE kind != 'region'", [], |r| r.get(0)).unwrap();
        assert_eq!(located, 300);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
