//! The scenario editor in the façade: the scenario as a typed DTO (the same shape as the
//! `yingji-drill/1` file, so the window never hand-copies the format), every problem of a
//! scenario from `yingji-drill`'s checks, and the user's scenario folder: list, save, import
//! a file someone sent, export a copy to share. The ready scenarios are built into the program
//! (`yingji_drill::scenario::BUILT_IN`) unless a scenario folder is given.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_drill::scenario::{self, InjectKind, ResponseKind, Scenario, BUILT_IN, FORMAT};
use yingji_incident::{IncidentType, Tier};

use crate::{ApiError, ErrorCode, ScenarioSummaryDto};

/// How a built-in scenario's path starts (`builtin:grand-canal-benzene-tanker.json`).
pub const BUILTIN_PREFIX: &str = "builtin:";

/// A scenario as the editor edits it: the fields of the `yingji-drill/1` file, one for one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioDto {
    pub format: String,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    /// RFC 3339 with its offset (e.g. 2027-01-15T02:00:00+08:00).
    pub start_at: String,
    pub duration_min: u32,
    pub incident: ScenarioIncidentDto,
    pub river_spill: Option<ScenarioRiverSpillDto>,
    pub expected_tier: Option<String>,
    pub needed: ScenarioNeededDto,
    pub injects: Vec<ScenarioInjectDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioIncidentDto {
    pub name: String,
    pub incident_type: String,
    /// WGS-84; `None` while the editor has none (a problem of `incident.position`).
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub region_code: Option<String>,
    pub source_description: String,
    pub reported_by: String,
    pub occurred_min_before: u32,
    pub pollutants: Vec<ScenarioPollutantDto>,
    pub conditions: ScenarioConditionsDto,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioPollutantDto {
    pub name_zh: String,
    pub cas: String,
    pub estimated_quantity_kg: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioConditionsDto {
    pub weather: String,
    pub air_temp_c: Option<f64>,
    pub wind_from_deg: Option<f64>,
    pub wind_speed_m_s: Option<f64>,
    pub river: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioRiverSpillDto {
    pub mass_kg: f64,
    pub threshold_mg_l: f64,
    pub decay_per_s: f64,
    pub duration_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioNeededDto {
    pub teams: u32,
    pub experts: u32,
    pub materials: Vec<ScenarioMaterialDto>,
    pub gates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioMaterialDto {
    pub item: String,
    pub quantity: f64,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioInjectDto {
    pub id: String,
    pub at_min: u32,
    /// One of `ScenarioOptionsDto::inject_kinds`.
    pub kind: String,
    pub text: String,
    pub text_en: String,
    pub place: String,
    pub expect: Option<ScenarioExpectDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ScenarioExpectDto {
    /// One of `ScenarioOptionsDto::responses`.
    pub response: String,
    pub within_min: u32,
    pub control_work: Option<String>,
    pub note: String,
}

/// One problem of a scenario, shown beside its field (`inject`: the index in `injects`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ScenarioProblemDto {
    pub field: String,
    pub inject: Option<u32>,
    pub message_zh: String,
    pub message_en: String,
}

/// A value of a closed list with its labels.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LabelledDto {
    pub value: String,
    pub zh: String,
    pub en: String,
}

/// The closed lists the editor offers.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ScenarioOptionsDto {
    pub incident_types: Vec<LabelledDto>,
    pub inject_kinds: Vec<LabelledDto>,
    pub responses: Vec<LabelledDto>,
    pub tiers: Vec<LabelledDto>,
}

/// What a save or an import did: saved (and where), or the problems that stopped it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ScenarioSaveDto {
    pub saved: Option<ScenarioSummaryDto>,
    pub problems: Vec<ScenarioProblemDto>,
}

/// The lists of incident types, inject kinds, expected responses and tiers.
pub fn scenario_options() -> ScenarioOptionsDto {
    fn l(value: &str, zh: &str, en: &str) -> LabelledDto {
        LabelledDto { value: value.into(), zh: zh.into(), en: en.into() }
    }
    ScenarioOptionsDto {
        incident_types: IncidentType::ALL.iter().map(|t| l(t.as_str(), t.label_zh(), t.label_en())).collect(),
        inject_kinds: InjectKind::ALL.iter().map(|t| l(t.as_str(), t.label_zh(), t.label_en())).collect(),
        responses: ResponseKind::ALL.iter().map(|t| l(t.as_str(), t.label_zh(), t.label_en())).collect(),
        tiers: Tier::ALL.iter().map(|t| l(t.as_str(), t.label_zh(), t.label_en())).collect(),
    }
}

impl ScenarioDto {
    fn from_scenario(s: &Scenario) -> ScenarioDto {
        // The DTO has the file's shape: a field added to one and not the other fails here
        // (and in the round-trip test), never silently.
        serde_json::from_str(&s.to_json()).expect("ScenarioDto has the shape of the scenario file")
    }

    /// The scenario, or the first reason the JSON types refuse it (an unknown inject kind …).
    /// A missing position becomes NaN, which the scenario's checks report as `incident.position`.
    fn to_scenario(&self) -> Result<Scenario, ScenarioProblemDto> {
        let mut json = serde_json::to_value(self).expect("a DTO always serialises");
        json["incident"]["lat"] = serde_json::json!(self.incident.lat.unwrap_or(0.0));
        json["incident"]["lon"] = serde_json::json!(self.incident.lon.unwrap_or(0.0));
        let mut s: Scenario = serde_json::from_value(json).map_err(|e| ScenarioProblemDto {
            field: "scenario".into(),
            inject: None,
            message_zh: format!("演练脚本有无效的取值：{e}"),
            message_en: format!("the scenario has a value the format does not allow: {e}"),
        })?;
        s.incident.lat = self.incident.lat.unwrap_or(f64::NAN);
        s.incident.lon = self.incident.lon.unwrap_or(f64::NAN);
        Ok(s)
    }
}

fn problem_dto(p: scenario::Problem) -> ScenarioProblemDto {
    ScenarioProblemDto {
        field: p.field.into(),
        inject: p.inject.map(|i| i as u32),
        message_zh: p.message_zh,
        message_en: p.message_en,
    }
}

/// Every problem of the scenario (empty: it can be saved and played).
pub fn check_scenario(s: &ScenarioDto) -> Vec<ScenarioProblemDto> {
    match s.to_scenario() {
        Ok(s) => s.problems().into_iter().map(problem_dto).collect(),
        Err(p) => vec![p],
    }
}

/// A new scenario to fill in: the format set, one hour, starting next hour in Beijing time.
pub fn new_scenario(now: time::OffsetDateTime) -> ScenarioDto {
    let bj = time::UtcOffset::from_hms(8, 0, 0).expect("+08:00 is an offset");
    let t = (now.to_offset(bj) + time::Duration::hours(1)).replace_minute(0).and_then(|t| t.replace_second(0));
    let t = t.and_then(|t| t.replace_nanosecond(0)).expect("minute 0, second 0 exist");
    let start_at = t.format(&time::format_description::well_known::Rfc3339).expect("an RFC 3339 time always formats");
    ScenarioDto {
        format: FORMAT.into(),
        title: String::new(),
        title_en: String::new(),
        summary: String::new(),
        start_at,
        duration_min: 60,
        incident: ScenarioIncidentDto {
            name: String::new(),
            incident_type: IncidentType::Water.as_str().into(),
            lat: None,
            lon: None,
            region_code: None,
            source_description: String::new(),
            reported_by: String::new(),
            occurred_min_before: 0,
            pollutants: Vec::new(),
            conditions: ScenarioConditionsDto {
                weather: String::new(),
                air_temp_c: None,
                wind_from_deg: None,
                wind_speed_m_s: None,
                river: String::new(),
            },
        },
        river_spill: None,
        expected_tier: None,
        needed: ScenarioNeededDto { teams: 0, experts: 0, materials: Vec::new(), gates: Vec::new() },
        injects: Vec::new(),
    }
}

/// A new scenario starting at the next full hour from now (the system clock).
pub fn new_scenario_now() -> ScenarioDto {
    use yingji_store::Clock;
    new_scenario(yingji_store::SystemClock.now())
}

/// Reads a scenario: a file, or a built-in one (`builtin:NAME.json`).
pub fn load_scenario(path: &str) -> Result<Scenario, ApiError> {
    match path.strip_prefix(BUILTIN_PREFIX) {
        Some(name) => {
            let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::RecordNotFound,
                    format!("没有名为 {name} 的内置演练脚本"),
                    format!("there is no built-in scenario {name}"),
                )
            })?;
            Ok(Scenario::parse(text)?)
        }
        None => Ok(Scenario::load(Path::new(path))?),
    }
}

/// A scenario for the editor (a ready one is edited as a copy: saving never overwrites it).
pub fn scenario_for_editor(path: &str) -> Result<ScenarioDto, ApiError> {
    Ok(ScenarioDto::from_scenario(&load_scenario(path)?))
}

pub(crate) fn summary(path: String, user: bool, s: Result<Scenario, ApiError>) -> ScenarioSummaryDto {
    match s {
        Ok(s) => ScenarioSummaryDto {
            path,
            user,
            injects: s.injects.len() as u32,
            title: s.title,
            title_en: s.title_en,
            summary: s.summary,
            start_at: s.start_at,
            duration_min: s.duration_min,
            error: None,
        },
        Err(e) => ScenarioSummaryDto {
            path,
            user,
            title: String::new(),
            title_en: String::new(),
            summary: String::new(),
            start_at: String::new(),
            duration_min: 0,
            injects: 0,
            error: Some(e),
        },
    }
}

/// The ready scenarios built into the program, as `builtin:NAME.json`.
pub fn list_builtin_scenarios() -> Vec<ScenarioSummaryDto> {
    BUILT_IN
        .iter()
        .map(|(name, text)| {
            summary(format!("{BUILTIN_PREFIX}{name}"), false, Scenario::parse(text).map_err(ApiError::from))
        })
        .collect()
}

/// The ready scenarios (from `ready_dir` when given, else those built in) and then the user's
/// own (from `user_dir`, which need not exist yet).
pub fn list_all_scenarios(ready_dir: Option<&Path>, user_dir: &Path) -> Result<Vec<ScenarioSummaryDto>, ApiError> {
    let mut out = match ready_dir {
        Some(dir) => crate::list_scenarios(dir)?,
        None => list_builtin_scenarios(),
    };
    if user_dir.is_dir() {
        out.extend(crate::list_scenarios(user_dir)?.into_iter().map(|s| ScenarioSummaryDto { user: true, ..s }));
    }
    Ok(out)
}

fn write_err(path: &Path, e: std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("无法写入 {}：{e}", path.display()),
        format!("cannot write {}: {e}", path.display()),
    )
}

/// A file name from a title: ASCII letters and digits kept, the rest as `-`, then a short id.
fn file_name_for(s: &Scenario) -> String {
    let base = if s.title_en.trim().is_empty() { "scenario" } else { s.title_en.as_str() };
    let mut slug: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while slug.contains("--") {
        slug = slug.replace("--", "-");
    }
    let slug: String = slug.trim_matches('-').chars().take(40).collect();
    let slug = slug.trim_end_matches('-');
    format!("{}-{}.json", if slug.is_empty() { "scenario" } else { slug }, &yingji_store::new_id()[..6])
}

/// A path in `dir` for `name` that is not taken (`name-2.json`, `name-3.json` …).
fn free_path(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    if !p.exists() {
        return p;
    }
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or("scenario");
    (2..).map(|n| dir.join(format!("{stem}-{n}.json"))).find(|p| !p.exists()).expect("a free name exists")
}

fn save_checked(dir: &Path, target: Option<&Path>, mut s: Scenario) -> Result<ScenarioSaveDto, ApiError> {
    let problems: Vec<_> = s.problems().into_iter().map(problem_dto).collect();
    if !problems.is_empty() {
        return Ok(ScenarioSaveDto { saved: None, problems });
    }
    s.sort_injects();
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    let path = match target {
        Some(p) => p.to_path_buf(),
        None => free_path(dir, &file_name_for(&s)),
    };
    std::fs::write(&path, s.to_json()).map_err(|e| write_err(&path, e))?;
    Ok(ScenarioSaveDto { saved: Some(summary(path.display().to_string(), true, Ok(s))), problems: Vec::new() })
}

/// Saves the editor's scenario in the user's folder `dir`, injects sorted by minute. `path`
/// is where it was opened from: a file in `dir` is overwritten (the user's own scenario),
/// anything else (a ready scenario, a new one) becomes a new file. Nothing is written when
/// the scenario has problems; they are returned, every one.
pub fn save_user_scenario(dir: &Path, s: &ScenarioDto, path: Option<&str>) -> Result<ScenarioSaveDto, ApiError> {
    let scenario = match s.to_scenario() {
        Ok(x) => x,
        Err(p) => return Ok(ScenarioSaveDto { saved: None, problems: vec![p] }),
    };
    let own = path.map(Path::new).filter(|p| p.parent() == Some(dir) && p.extension().is_some_and(|x| x == "json"));
    save_checked(dir, own, scenario)
}

/// Imports a scenario file someone sent (its name and text): checked, then saved in the user's
/// folder under a free name. A file that is not a scenario is refused with the reason.
pub fn import_scenario(dir: &Path, file_name: &str, text: &str) -> Result<ScenarioSaveDto, ApiError> {
    let s: Scenario = match serde_json::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            return Ok(ScenarioSaveDto {
                saved: None,
                problems: vec![ScenarioProblemDto {
                    field: "file".into(),
                    inject: None,
                    message_zh: format!("{file_name} 不是有效的演练脚本（{FORMAT}）：{}", scenario::json_error_zh(&e)),
                    message_en: format!("{file_name} is not a valid scenario file ({FORMAT}): {e}"),
                }],
            })
        }
    };
    let name = Path::new(file_name)
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
        .map(str::to_owned)
        .unwrap_or_else(|| file_name_for(&s));
    let problems: Vec<_> = s.problems().into_iter().map(problem_dto).collect();
    if !problems.is_empty() {
        return Ok(ScenarioSaveDto { saved: None, problems });
    }
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    let target = free_path(dir, &name);
    save_checked(dir, Some(&target), s)
}

/// Writes a copy of the scenario at `path` (a file or a built-in one) into `to_dir` (the
/// Downloads folder) to share; never overwrites a file there. Returns the copy's path.
pub fn export_scenario(path: &str, to_dir: &Path) -> Result<String, ApiError> {
    let s = load_scenario(path)?;
    let name = path
        .strip_prefix(BUILTIN_PREFIX)
        .map(str::to_owned)
        .or_else(|| Path::new(path).file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .unwrap_or_else(|| file_name_for(&s));
    std::fs::create_dir_all(to_dir).map_err(|e| write_err(to_dir, e))?;
    let target = free_path(to_dir, &name);
    std::fs::write(&target, s.to_json()).map_err(|e| write_err(&target, e))?;
    Ok(target.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(name: &str) -> ScenarioDto {
        scenario_for_editor(&format!("{BUILTIN_PREFIX}{name}")).unwrap()
    }

    #[test]
    fn every_ready_scenario_is_built_in_and_survives_the_editor_round_trip() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/drills");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".json"))
            .collect();
        files.sort();
        let built_in: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(files, built_in, "add every assets/drills file to yingji_drill::scenario::BUILT_IN");
        for (name, text) in BUILT_IN {
            let dto = ready(name);
            assert!(check_scenario(&dto).is_empty(), "{name}");
            assert_eq!(dto.to_scenario().unwrap(), Scenario::parse(text).unwrap(), "{name}");
        }
    }

    #[test]
    fn the_list_has_the_built_in_scenarios_then_the_users() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("drills");
        let list = list_all_scenarios(None, &user).unwrap();
        assert_eq!(list.len(), BUILT_IN.len());
        assert!(list.iter().all(|s| !s.user && s.error.is_none() && s.path.starts_with(BUILTIN_PREFIX)));
        let mut s = ready("nanjing-chlorine-release.json");
        s.title = "我的氯气演练".into();
        let saved = save_user_scenario(&user, &s, Some(&list[1].path)).unwrap().saved.unwrap();
        let list = list_all_scenarios(None, &user).unwrap();
        assert_eq!(list.len(), BUILT_IN.len() + 1);
        assert!(list[BUILT_IN.len()].user);
        assert_eq!(list[BUILT_IN.len()].path, saved.path);
        assert_eq!(list[BUILT_IN.len()].title, "我的氯气演练");
        // The ready one is unchanged.
        assert_ne!(scenario_for_editor(&list[1].path).unwrap().title, "我的氯气演练");
    }

    #[test]
    fn a_new_scenario_shows_every_problem_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let now = time::macros::datetime!(2027-01-15 10:20:00 UTC);
        let mut s = new_scenario(now);
        assert_eq!(s.start_at, "2027-01-15T19:00:00+08:00");
        s.injects.push(ScenarioInjectDto {
            id: "a".into(),
            at_min: 90,
            kind: "reading".into(),
            text: String::new(),
            text_en: String::new(),
            place: String::new(),
            expect: None,
        });
        let r = save_user_scenario(dir.path(), &s, None).unwrap();
        assert!(r.saved.is_none());
        let fields: Vec<(&str, Option<u32>)> = r.problems.iter().map(|p| (p.field.as_str(), p.inject)).collect();
        assert_eq!(
            fields,
            [
                ("title", None),
                ("incident.name", None),
                ("incident.reported_by", None),
                ("incident.position", None),
                ("injects", Some(0)),
                ("injects", Some(0))
            ]
        );
        assert!(r.problems[0].message_zh.contains("演练名称"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // A kind the format does not know is a problem too, not a panic.
        s.injects[0].kind = "earthquake".into();
        assert_eq!(check_scenario(&s)[0].field, "scenario");
    }

    #[test]
    fn saving_sorts_the_injects_and_overwrites_only_the_users_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("drills");
        let mut s = ready("grand-canal-benzene-tanker.json");
        s.title_en = "Canal: my copy!".into();
        s.injects.reverse();
        let first = save_user_scenario(&user, &s, None).unwrap().saved.unwrap();
        assert!(first.path.contains("canal-my-copy-"), "{}", first.path);
        let back = scenario_for_editor(&first.path).unwrap();
        let mins: Vec<u32> = back.injects.iter().map(|i| i.at_min).collect();
        assert!(mins.windows(2).all(|w| w[0] <= w[1]), "{mins:?}");
        let mut again = back.clone();
        again.summary = "改过".into();
        let second = save_user_scenario(&user, &again, Some(&first.path)).unwrap().saved.unwrap();
        assert_eq!(second.path, first.path);
        assert_eq!(scenario_for_editor(&first.path).unwrap().summary, "改过");
        assert_eq!(std::fs::read_dir(&user).unwrap().count(), 1);
    }

    #[test]
    fn export_then_import_gives_the_same_scenario_and_a_bad_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let downloads = dir.path().join("Downloads");
        let user = dir.path().join("drills");
        let name = "yangtze-fire-water-yizheng.json";
        let a = export_scenario(&format!("{BUILTIN_PREFIX}{name}"), &downloads).unwrap();
        let b = export_scenario(&format!("{BUILTIN_PREFIX}{name}"), &downloads).unwrap();
        assert!(a.ends_with(name) && b.ends_with("yangtze-fire-water-yizheng-2.json"), "{a} {b}");
        let text = std::fs::read_to_string(&a).unwrap();
        let imported = import_scenario(&user, name, &text).unwrap().saved.unwrap();
        assert!(imported.user);
        assert_eq!(scenario_for_editor(&imported.path).unwrap(), ready(name));
        let bad = import_scenario(&user, "notes.json", "{\"format\": \"yingji-drill/1\"}").unwrap();
        assert!(bad.saved.is_none());
        assert_eq!(bad.problems[0].field, "file");
        // Said in Chinese, without serde's English ("missing field `title` at line 1 column 26").
        let zh = &bad.problems[0].message_zh;
        assert!(zh.contains("缺少字段 title") && !zh.contains("missing"), "{zh}");
        let wrong = text.replace("\"duration_min\": ", "\"duration_min\": 9999");
        let wrong = import_scenario(&user, "wrong.json", &wrong).unwrap();
        assert!(wrong.problems.iter().any(|p| p.field == "duration_min"), "{:?}", wrong.problems);
        assert_eq!(std::fs::read_dir(&user).unwrap().count(), 1);
    }

    #[test]
    fn the_options_are_the_cores_lists() {
        let o = scenario_options();
        assert!(o.inject_kinds.iter().any(|k| k.value == "gate_jammed" && k.zh == "闸门故障"));
        assert!(o.responses.iter().any(|k| k.value == "report_sent"));
        assert_eq!(o.tiers.len(), Tier::ALL.len());
        assert_eq!(o.incident_types.len(), IncidentType::ALL.len());
    }
}
