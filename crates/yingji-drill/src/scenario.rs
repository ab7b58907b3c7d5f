//! The scenario file (`docs/drills.md`): the initial event and the timed injects, as JSON.

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::Duration;
use yingji_store::Timestamp;

use yingji_incident::{IncidentType, Tier};

use crate::{invalid, parse_time, DrillError, Result};

/// The format tag every scenario file carries.
pub const FORMAT: &str = "yingji-drill/1";
/// The longest drill, minutes (this crate's choice: a tabletop exercise of at most a day).
pub const MAX_DURATION_MIN: u32 = 24 * 60;

/// A drill scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub format: String,
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub summary: String,
    /// Drill time at the start, RFC 3339 (e.g. 2027-01-15T02:00:00+08:00: 02:00 on a winter night).
    pub start_at: String,
    /// How long the drill runs, drill minutes; the clock stops there.
    pub duration_min: u32,
    pub incident: InitialEvent,
    /// The river spill the evaluation times the gates against (none for an air-only release).
    #[serde(default)]
    pub river_spill: Option<RiverSpill>,
    /// The tier the facilitator expects (deadlines count from it when players confirm none).
    #[serde(default)]
    pub expected_tier: Option<String>,
    /// What a good response calls up.
    #[serde(default)]
    pub needed: Needed,
    #[serde(default)]
    pub injects: Vec<Inject>,
}

/// The initial event: the incident as the first call describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialEvent {
    pub name: String,
    /// water | air | soil | transport | fire_water | marine | other
    pub incident_type: String,
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub region_code: Option<String>,
    #[serde(default)]
    pub source_description: String,
    pub reported_by: String,
    /// Minutes before the drill start that it happened (the call comes in at the start).
    #[serde(default)]
    pub occurred_min_before: u32,
    #[serde(default)]
    pub pollutants: Vec<ScenarioPollutant>,
    #[serde(default)]
    pub conditions: Conditions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioPollutant {
    pub name_zh: String,
    #[serde(default)]
    pub cas: String,
    #[serde(default)]
    pub estimated_quantity_kg: Option<f64>,
}

/// Weather and river conditions, as told to the players.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    #[serde(default)]
    pub weather: String,
    #[serde(default)]
    pub air_temp_c: Option<f64>,
    #[serde(default)]
    pub wind_from_deg: Option<f64>,
    #[serde(default)]
    pub wind_speed_m_s: Option<f64>,
    #[serde(default)]
    pub river: String,
}

/// The spill into the water the model routes downstream (yingji-spill).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiverSpill {
    /// Mass that reaches the water, kg.
    pub mass_kg: f64,
    /// The concentration that counts as affected, mg/L (e.g. GB 3838-2002 表3 苯 0.01 mg/L).
    pub threshold_mg_l: f64,
    #[serde(default)]
    pub decay_per_s: f64,
    #[serde(default)]
    pub duration_s: Option<f64>,
}

/// What a good response calls up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Needed {
    /// Teams ordered or called (accepted).
    #[serde(default)]
    pub teams: u32,
    /// Experts called (accepted).
    #[serde(default)]
    pub experts: u32,
    #[serde(default)]
    pub materials: Vec<NeededMaterial>,
    /// Control works that should be closed (by name).
    #[serde(default)]
    pub gates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeededMaterial {
    /// Matched against allocated stock items' names (contains).
    pub item: String,
    pub quantity: f64,
    pub unit: String,
}

text_enum!(
    /// What an inject is.
    InjectKind {
        Reading = "reading", "监测数据", "monitoring reading";
        TeamDelayed = "team_delayed", "队伍延误", "team delayed";
        MediaCall = "media_call", "媒体来电", "media call";
        GateJammed = "gate_jammed", "闸门故障", "gate jammed";
        Weather = "weather", "天气变化", "weather change";
        Casualty = "casualty", "人员伤亡", "casualty";
        Public = "public", "群众反映", "public report";
        Order = "order", "上级指示", "order from above";
        Other = "other", "其他", "other";
    }
);

text_enum!(
    /// What response an inject expects.
    ResponseKind {
        Log = "log", "记录或决策", "a log entry";
        Report = "report", "报告", "a report";
        ReportSent = "report_sent", "报告报送", "a report sent";
        Order = "order", "指令", "an order to a team";
        Call = "call", "调用队伍或专家", "a support call";
        Materials = "materials", "物资调拨", "materials requested";
        Warning = "warning", "预警", "a warning";
        GateClosed = "gate_closed", "关闭闸门", "a gate closed";
    }
);

/// A timed inject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    /// Unique within the scenario.
    pub id: String,
    /// Drill minutes after the start.
    pub at_min: u32,
    pub kind: InjectKind,
    pub text: String,
    #[serde(default)]
    pub text_en: String,
    /// For a reading: where (e.g. an intake's name).
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub expect: Option<Expectation>,
}

/// The response an inject expects, and by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub response: ResponseKind,
    /// Drill minutes after the inject.
    pub within_min: u32,
    /// For `gate_closed`: which control work (by name); any when left out.
    #[serde(default)]
    pub control_work: Option<String>,
    /// What the facilitator looks for, in words.
    #[serde(default)]
    pub note: String,
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DrillError::File { path: path.display().to_string(), message: e.to_string() })?;
        Scenario::parse(&text)
    }

    /// Parses and checks a scenario.
    pub fn parse(text: &str) -> Result<Scenario> {
        let s: Scenario = serde_json::from_str(text).map_err(|e| {
            invalid(
                "scenario",
                format!("演练脚本不是有效的 JSON 或字段有误：{}", json_error_zh(&e)),
                format!("the scenario is not valid JSON or has a wrong field: {e}"),
            )
        })?;
        s.validate()?;
        Ok(s)
    }

    /// Checks what the JSON types cannot; the first problem as the error.
    pub fn validate(&self) -> Result<()> {
        match self.problems().into_iter().next() {
            None => Ok(()),
            Some(p) => Err(DrillError::Invalid { field: p.field, message: p.message_en, message_zh: p.message_zh }),
        }
    }

    /// Every problem of the scenario, in the order of the form (the scenario editor shows each
    /// beside its field); empty when the scenario can be played.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut add = |field: &'static str, inject: Option<usize>, zh: String, en: String| {
            out.push(Problem { field, inject, message_zh: zh, message_en: en })
        };
        if self.format != FORMAT {
            add(
                "format",
                None,
                format!("演练脚本格式应为「{FORMAT}」，而不是「{}」", self.format),
                format!("the scenario format must be {FORMAT:?}, not {:?}", self.format),
            );
        }
        if self.title.trim().is_empty() {
            add("title", None, "请填写演练名称".into(), "the scenario needs a title".into());
        }
        if let Err(DrillError::Invalid { message, message_zh, .. }) = self.start() {
            add("start_at", None, message_zh, message);
        }
        if self.duration_min == 0 || self.duration_min > MAX_DURATION_MIN {
            add(
                "duration_min",
                None,
                format!("演练时长须在 1 到 {MAX_DURATION_MIN} 分钟之间"),
                format!("duration_min must be 1 to {MAX_DURATION_MIN}"),
            );
        }
        let i = &self.incident;
        if i.name.trim().is_empty() {
            add("incident.name", None, "初始事件需要名称".into(), "the initial event needs a name".into());
        }
        if IncidentType::parse(&i.incident_type).is_none() {
            add(
                "incident.incident_type",
                None,
                format!("事件类型「{}」无效", i.incident_type),
                format!(
                    "{:?} is not an incident type (water, air, soil, transport, fire_water, marine, other)",
                    i.incident_type
                ),
            );
        }
        if i.reported_by.trim().is_empty() {
            add(
                "incident.reported_by",
                None,
                "初始事件需要报告人".into(),
                "the initial event needs reported_by".into(),
            );
        }
        if !(i.lat.is_finite() && i.lon.is_finite()) {
            add(
                "incident.position",
                None,
                "请填写初始事件的位置（WGS-84 纬度和经度，或在地图上点选）".into(),
                "give the initial event's position (WGS-84 latitude and longitude, or click the map)".into(),
            );
        } else if !((-90.0..=90.0).contains(&i.lat) && (-180.0..=180.0).contains(&i.lon)) {
            add(
                "incident.position",
                None,
                "初始事件的坐标无效（WGS-84 纬度 -90 到 90，经度 -180 到 180）".into(),
                "the initial event's position is not a WGS-84 point (lat -90 to 90, lon -180 to 180)".into(),
            );
        }
        for (n, p) in i.pollutants.iter().enumerate() {
            if p.name_zh.trim().is_empty() {
                add(
                    "incident.pollutants",
                    None,
                    format!("第 {} 种污染物没有名称", n + 1),
                    format!("pollutant {} has no name", n + 1),
                );
            }
            if p.estimated_quantity_kg.is_some_and(|q| !(q.is_finite() && q >= 0.0)) {
                add(
                    "incident.pollutants",
                    None,
                    format!("污染物「{}」的估计量不能为负", p.name_zh),
                    format!("pollutant {:?}: the estimated quantity cannot be negative", p.name_zh),
                );
            }
        }
        let c = &i.conditions;
        if c.wind_from_deg.is_some_and(|d| !(0.0..=360.0).contains(&d)) {
            add(
                "incident.conditions",
                None,
                "风向须在 0 到 360 度之间".into(),
                "wind_from_deg must be 0 to 360".into(),
            );
        }
        if c.wind_speed_m_s.is_some_and(|v| !(0.0..=60.0).contains(&v)) {
            add(
                "incident.conditions",
                None,
                "风速须在 0 到 60 m/s 之间".into(),
                "wind_speed_m_s must be 0 to 60".into(),
            );
        }
        if c.air_temp_c.is_some_and(|v| !(-60.0..=60.0).contains(&v)) {
            add("incident.conditions", None, "气温须在 -60 到 60 ℃ 之间".into(), "air_temp_c must be -60 to 60".into());
        }
        if let Some(s) = &self.river_spill {
            if !(s.mass_kg > 0.0 && s.threshold_mg_l > 0.0) {
                add(
                    "river_spill",
                    None,
                    "入河量和阈值浓度必须大于 0".into(),
                    "river_spill needs mass_kg > 0 and threshold_mg_l > 0".into(),
                );
            }
        }
        if let Some(t) = &self.expected_tier {
            if Tier::parse(t).is_none() {
                add(
                    "expected_tier",
                    None,
                    format!("预期级别「{t}」无效"),
                    format!("{t:?} is not a tier (general, larger, major, especially_major)"),
                );
            }
        }
        for m in &self.needed.materials {
            if m.item.trim().is_empty() || !m.quantity.is_finite() || m.quantity <= 0.0 {
                add(
                    "needed.materials",
                    None,
                    format!("所需物资「{}」需要名称和大于 0 的数量", m.item),
                    format!("needed material {:?} needs a name and a quantity > 0", m.item),
                );
            }
        }
        if self.needed.gates.iter().any(|g| g.trim().is_empty()) {
            add("needed.gates", None, "须关闭的闸门名称不能为空".into(), "a gate to close has no name".into());
        }
        let mut seen = std::collections::HashSet::new();
        for (n, inj) in self.injects.iter().enumerate() {
            if inj.id.trim().is_empty() || !seen.insert(inj.id.as_str()) {
                add(
                    "injects",
                    Some(n),
                    format!("注入事件编号「{}」为空或重复", inj.id),
                    format!("inject id {:?} is empty or used twice", inj.id),
                );
            }
            if inj.at_min > self.duration_min {
                add(
                    "injects",
                    Some(n),
                    format!("注入事件「{}」在第 {} 分钟，超出演练时长 {} 分钟", inj.id, inj.at_min, self.duration_min),
                    format!(
                        "inject {:?} at minute {} is after the end ({} min)",
                        inj.id, inj.at_min, self.duration_min
                    ),
                );
            }
            if inj.text.trim().is_empty() {
                add(
                    "injects",
                    Some(n),
                    format!("注入事件「{}」没有内容", inj.id),
                    format!("inject {:?} has no text", inj.id),
                );
            }
            if let Some(e) = &inj.expect {
                if e.within_min == 0 {
                    add(
                        "injects",
                        Some(n),
                        format!("注入事件「{}」的期望响应时限须大于 0 分钟", inj.id),
                        format!("inject {:?}: the expected response needs within_min > 0", inj.id),
                    );
                }
            }
        }
        out
    }

    /// Injects sorted by minute (then id), as the editor saves them.
    pub fn sort_injects(&mut self) {
        self.injects.sort_by(|a, b| (a.at_min, &a.id).cmp(&(b.at_min, &b.id)));
    }

    /// Drill time at the start.
    pub fn start(&self) -> Result<Timestamp> {
        parse_time("start_at", &self.start_at)
    }

    /// Drill time at the end.
    pub fn end(&self) -> Result<Timestamp> {
        Ok(self.start()? + Duration::minutes(i64::from(self.duration_min)))
    }

    /// Injects in the order they fall due.
    pub fn injects_in_order(&self) -> Vec<&Inject> {
        let mut v: Vec<&Inject> = self.injects.iter().collect();
        v.sort_by_key(|i| (i.at_min, i.id.clone()));
        v
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }
}

/// One problem of a scenario: which field (`title`, `incident.position`, `injects` …), which
/// inject (its index in `injects`) when it is about one, and what to fix in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub field: &'static str,
    pub inject: Option<usize>,
    pub message_zh: String,
    pub message_en: String,
}

/// What is wrong with a scenario's JSON, in Chinese: serde's own messages are English, so the
/// kind of error and its place are said again, with the field or value it names.
pub fn json_error_zh(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("第 {} 行第 {} 列", e.line(), e.column());
    let message = e.to_string();
    // serde quotes the field or value it means in backticks: "missing field `title`".
    let quoted = message.split('`').nth(1).unwrap_or("");
    match e.classify() {
        Category::Io => format!("读取失败（{at}）"),
        Category::Eof => format!("文件在{at}意外结束，缺少括号、引号或后面的内容"),
        Category::Syntax => format!("{at}不是有效的 JSON（请检查逗号、引号和括号）"),
        Category::Data if message.starts_with("missing field") => format!("缺少字段 {quoted}（所在对象到{at}结束）"),
        Category::Data if message.starts_with("unknown field") => format!("{at}有未知字段 {quoted}"),
        Category::Data if message.starts_with("unknown variant") => format!("{at}的取值 {quoted} 不是允许的值"),
        Category::Data if message.starts_with("invalid type") => format!("{at}的值类型不对（数字、文字、列表或对象）"),
        Category::Data if message.starts_with("invalid value") => format!("{at}的值超出允许的范围"),
        Category::Data if message.starts_with("duplicate field") => format!("{at}重复出现字段 {quoted}"),
        Category::Data => format!("{at}的内容不符合演练脚本的格式"),
    }
}

/// The ready scenarios shipped inside the program (`assets/drills/*.json`), as (file name, text):
/// the fallback when no scenario folder is given, so an installed app has them too.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("grand-canal-benzene-tanker.json", include_str!("../../../assets/drills/grand-canal-benzene-tanker.json")),
    ("nanjing-chlorine-release.json", include_str!("../../../assets/drills/nanjing-chlorine-release.json")),
    ("yangtze-fire-water-yizheng.json", include_str!("../../../assets/drills/yangtze-fire-water-yizheng.json")),
];

/// The scenario files (`*.json`) in a folder, sorted by file name, each parsed or with its error.
pub fn list_folder(dir: &Path) -> Result<Vec<(std::path::PathBuf, Result<Scenario>)>> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| DrillError::File { path: dir.display().to_string(), message: e.to_string() })?;
    let mut paths: Vec<_> =
        rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|p| {
            let s = Scenario::load(&p);
            (p, s)
        })
        .collect())
}
