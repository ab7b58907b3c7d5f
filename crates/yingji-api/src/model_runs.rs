//! The spill models as the map uses them: a gas release drawn as threat-zone footprints, a
//! river spill routed to the intakes with interception planning — and every run saved with its
//! inputs, the model version and its key figures, so it can be listed, re-run and compared.
//!
//! The computation is `yingji-spill`'s; this file converts between it and the UI's DTOs and
//! writes the `model_runs` table.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_model::{
    stability::{Insolation, StabilityClass},
    threat_zone::LevelOfConcern,
    wind::Terrain,
};
use yingji_spill::{
    gas::{self, GasSource, GasWarning, StabilityInput},
    SpillError,
};
use yingji_store::{
    query::{self, Kind, LatLon},
    runs::ModelRun,
};

use crate::{ApiError, Console, ErrorCode};

/// How many saved runs the list shows.
pub const RUNS_LISTED: u32 = 200;

// ---- inputs ------------------------------------------------------------------------------

/// A level of concern in ppm (AEGL, ERPG, PAC or a user's own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LevelInput {
    pub name: String,
    pub ppm: f64,
}

/// The substance of a gas release: from the chemical library or typed in ("custom").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GasSubstanceInput {
    pub name: String,
    /// CAS number when picked from the library.
    pub cas: Option<String>,
    pub molar_mass_g_mol: f64,
    /// Most severe first.
    pub levels: Vec<LevelInput>,
}

/// The stability class, or what Turner's table needs to find it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "mode", rename_all = "snake_case")]
#[ts(export)]
pub enum StabilityChoice {
    /// "A" … "F".
    Class { class: String },
    /// Daytime; insolation "strong", "moderate" or "slight".
    Day { insolation: String },
    /// Night with cloud cover in oktas (0–8).
    Night { cloud_oktas: u8 },
    /// Heavy overcast, day or night.
    Overcast,
}

/// A continuous (rate) or instantaneous (mass) gas release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum GasSourceInput {
    Continuous { rate_kg_s: f64 },
    Instantaneous { mass_kg: f64 },
}

/// A gas release at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GasRunInput {
    pub lat: f64,
    pub lon: f64,
    /// Where it happened, as the user picked it (a risk source's name, or empty for a point).
    pub place: String,
    /// The risk source's region, when it started from one.
    pub region_code: Option<String>,
    pub substance: GasSubstanceInput,
    pub wind_speed_10m_m_s: f64,
    /// Where the wind blows FROM, degrees clockwise from north.
    pub wind_from_deg: f64,
    pub stability: StabilityChoice,
    /// "rural" or "urban" (Briggs σ and power-law exponents).
    pub terrain: String,
    pub source: GasSourceInput,
    pub height_m: f64,
    pub label: Option<String>,
}

/// An instantaneous spill (mass) or one at a rate for a while.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum RiverReleaseInput {
    Instantaneous { mass_kg: f64 },
    Continuous { rate_kg_s: f64, duration_s: f64 },
}

/// A spill into a waterway at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RiverRunInput {
    pub lat: f64,
    pub lon: f64,
    pub place: String,
    pub region_code: Option<String>,
    pub substance: String,
    pub cas: Option<String>,
    /// The limit that counts as affected, mg/L (the GB 3838-2002 limit by default).
    pub threshold_mg_l: f64,
    pub release: RiverReleaseInput,
    /// First-order loss rate, 1/s (0: conservative).
    pub decay_per_s: f64,
    pub label: Option<String>,
}

/// Source-strength inputs for estimating a gas release rate (spec §9; `yingji_model::source`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SourceStrengthInput {
    /// Liquid through a hole (Bernoulli; Crowl & Louvar eq. 4-6).
    LiquidHole {
        density_kg_m3: f64,
        hole_diameter_m: f64,
        gauge_pressure_pa: f64,
        discharge_coefficient: f64,
        head_m: f64,
    },
    /// Gas through a hole from a vessel at an absolute pressure, to the standard atmosphere.
    GasHole {
        molar_mass_g_mol: f64,
        heat_capacity_ratio: f64,
        upstream_pressure_pa: f64,
        upstream_temp_k: f64,
        hole_diameter_m: f64,
        discharge_coefficient: f64,
    },
    /// Evaporation from a pool (Crowl & Louvar eq. 3-12).
    PoolEvaporation { molar_mass_g_mol: f64, pool_area_m2: f64, liquid_temp_k: f64, vapor_pressure_pa: f64 },
}

/// The estimated release rate.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SourceStrengthDto {
    pub rate_kg_s: f64,
    /// For a gas hole: whether the flow is choked (sonic).
    pub choked: Option<bool>,
}

/// A release rate from source-strength inputs (the gas panel's "estimate" button).
pub fn source_strength(input: &SourceStrengthInput) -> Result<SourceStrengthDto, ApiError> {
    use yingji_model::source;
    let model = |e: yingji_model::ModelError| ApiError::from(SpillError::Model(e));
    Ok(match *input {
        SourceStrengthInput::LiquidHole {
            density_kg_m3,
            hole_diameter_m,
            gauge_pressure_pa,
            discharge_coefficient,
            head_m,
        } => {
            let r = source::liquid_hole(&source::LiquidHoleRequest {
                density_kg_m3,
                hole_diameter_m,
                gauge_pressure_pa,
                discharge_coefficient,
                head_m,
                duration_s: 1.0,
            })
            .map_err(model)?;
            SourceStrengthDto { rate_kg_s: r.mass_flow_kg_s, choked: None }
        }
        SourceStrengthInput::GasHole {
            molar_mass_g_mol,
            heat_capacity_ratio,
            upstream_pressure_pa,
            upstream_temp_k,
            hole_diameter_m,
            discharge_coefficient,
        } => {
            let r = source::gas_hole(&source::GasHoleRequest {
                molar_mass_kg_mol: molar_mass_g_mol / 1000.0,
                heat_capacity_ratio,
                upstream_pressure_pa,
                upstream_temp_k,
                hole_diameter_m,
                discharge_coefficient,
                ambient_pressure_pa: yingji_model::constants::STANDARD_ATMOSPHERE_PA,
            })
            .map_err(model)?;
            SourceStrengthDto { rate_kg_s: r.mass_flow_kg_s, choked: Some(r.choked) }
        }
        SourceStrengthInput::PoolEvaporation { molar_mass_g_mol, pool_area_m2, liquid_temp_k, vapor_pressure_pa } => {
            let r = source::pool_evaporation(&source::PoolEvaporationRequest {
                molar_mass_g_mol,
                size: source::PoolSize::Area { pool_area_m2 },
                liquid_temp_k,
                vapor_pressure_pa,
                mass_transfer: source::MassTransfer::CrowlLouvar,
            })
            .map_err(model)?;
            SourceStrengthDto { rate_kg_s: r.evaporation_rate_kg_s, choked: None }
        }
    })
}

// ---- results -----------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct GasZoneDto {
    pub name: String,
    pub ppm: f64,
    pub distance_m: f64,
    pub max_half_width_m: f64,
    /// Closed outline, `[lon, lat]`; empty when the level is never reached.
    pub ring: Vec<[f64; 2]>,
}

/// A warning to show with the result; `code` is one of `denser_than_air`, `beyond_range`,
/// `near_field` (the UI words it), `level` names the level it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ModelWarningDto {
    pub code: String,
    pub level: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct GasRunResult {
    pub run_id: String,
    pub created_at: String,
    pub model_version: String,
    pub lat: f64,
    pub lon: f64,
    /// The class used ("A"–"F").
    pub stability: String,
    pub wind_speed_m_s: f64,
    pub downwind_deg: f64,
    pub zones: Vec<GasZoneDto>,
    pub warnings: Vec<ModelWarningDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IntakeRowDto {
    pub target_id: String,
    pub name: String,
    pub region_name: String,
    pub lat: f64,
    pub lon: f64,
    pub first_above_s: Option<f64>,
    pub peak_time_s: Option<f64>,
    pub peak_mg_l: f64,
    pub last_above_s: Option<f64>,
    pub duration_above_s: Option<f64>,
    /// `[t_s, c_mg_l]` as the spill passes.
    pub series: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct InterceptionDto {
    pub work_id: String,
    pub name: String,
    /// sluice, gate, dam, pump_station, ship_lock.
    pub kind: String,
    pub region_name: String,
    pub lat: f64,
    pub lon: f64,
    /// Latest time to close it, s after the release: when the front arrives there.
    pub close_by_s: f64,
    pub peak_mg_l: f64,
    /// Names of the intakes downstream that closing it protects.
    pub protects: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RiverRunResult {
    pub run_id: String,
    pub created_at: String,
    pub model_version: String,
    pub lat: f64,
    pub lon: f64,
    pub threshold_mg_l: f64,
    pub release_reach_name: String,
    pub snap_distance_m: f64,
    pub affected: Vec<IntakeRowDto>,
    pub below_threshold: Vec<IntakeRowDto>,
    pub interceptions: Vec<InterceptionDto>,
    /// The reaches the spill passes above the threshold, `[lon, lat]` lines.
    pub path: Vec<Vec<[f64; 2]>>,
}

/// A saved run's inputs, either kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "input", rename_all = "snake_case")]
#[ts(export)]
pub enum RunInputs {
    GasRelease(GasRunInput),
    RiverSpill(RiverRunInput),
}

/// The answer of a run, either kind.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", content = "result", rename_all = "snake_case")]
#[ts(export)]
pub enum RunOutcome {
    GasRelease(GasRunResult),
    RiverSpill(RiverRunResult),
}

/// A key figure of a run (for the list and for comparing two runs). `figure` is a code the UI
/// words (`zone_distance_m`, `first_above_s` …), `subject` what it is about (a level, an intake).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KeyFigure {
    pub figure: String,
    pub subject: String,
    pub value: Option<f64>,
    pub unit: String,
}

/// What is saved of a run's answer: its key figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunSummary {
    pub figures: Vec<KeyFigure>,
    pub warnings: Vec<ModelWarningDto>,
}

/// A saved run as listed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ModelRunDto {
    pub id: String,
    pub created_at: String,
    /// gas_release | river_spill.
    pub kind: String,
    pub model_version: String,
    pub region_code: String,
    pub region_name: String,
    pub label: Option<String>,
    pub incident_id: Option<String>,
    /// The substance and the place.
    pub substance: String,
    pub place: String,
    pub inputs: RunInputs,
    pub summary: RunSummary,
}

/// A saved run run again from its inputs (and saved as a new run).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RerunDto {
    pub original_id: String,
    pub outcome: RunOutcome,
    pub same_model_version: bool,
    /// Whether the key figures are the same as saved (always expected under the same model version).
    pub reproduces: bool,
}

/// One row of a side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ComparisonRow {
    pub figure: String,
    pub subject: String,
    pub unit: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RunComparisonDto {
    pub a: ModelRunDto,
    pub b: ModelRunDto,
    pub rows: Vec<ComparisonRow>,
}

// ---- conversions -------------------------------------------------------------------------

impl From<SpillError> for ApiError {
    fn from(e: SpillError) -> ApiError {
        let en = e.to_string();
        match e {
            SpillError::Invalid { field, message } => {
                ApiError::invalid(field, format!("输入有误（{field}）：{message}"), en.clone())
            }
            SpillError::NoWaterway { max_km, .. } => ApiError::invalid(
                "lat",
                format!("该点 {max_km} 公里内没有数据库中的河流，无法计算河流扩散。请在河道附近选点。"),
                format!("{en}; pick a point next to a river"),
            ),
            SpillError::Model(m) => ApiError::invalid(
                m.field(),
                format!("模型输入有误（{}）：{}", m.field(), m.message()),
                format!("model input {}: {}", m.field(), m.message()),
            ),
            SpillError::Store(s) => s.into(),
        }
    }
}

fn invalid(field: &str, zh: String, en: String) -> ApiError {
    ApiError::invalid(field, zh, en)
}

fn stability_input(c: &StabilityChoice) -> Result<StabilityInput, ApiError> {
    Ok(match c {
        StabilityChoice::Class { class } => StabilityInput::Class {
            class: StabilityClass::ALL.into_iter().find(|k| k.letter() == class.trim()).ok_or_else(|| {
                invalid(
                    "stability",
                    format!("稳定度须为 A–F（收到 {class}）"),
                    format!("stability must be A–F (got {class})"),
                )
            })?,
        },
        StabilityChoice::Day { insolation } => StabilityInput::Day {
            insolation: match insolation.as_str() {
                "strong" => Insolation::Strong,
                "moderate" => Insolation::Moderate,
                "slight" => Insolation::Slight,
                other => {
                    return Err(invalid(
                        "insolation",
                        format!("日照须为 strong|moderate|slight（收到 {other}）"),
                        format!("insolation must be strong|moderate|slight (got {other})"),
                    ))
                }
            },
        },
        StabilityChoice::Night { cloud_oktas } => StabilityInput::Night { cloud_oktas: *cloud_oktas },
        StabilityChoice::Overcast => StabilityInput::Overcast,
    })
}

fn terrain(t: &str) -> Result<Terrain, ApiError> {
    match t {
        "rural" => Ok(Terrain::Rural),
        "urban" => Ok(Terrain::Urban),
        other => Err(invalid(
            "terrain",
            format!("地表类型须为 rural（郊野）或 urban（城区）（收到 {other}）"),
            format!("terrain must be rural or urban (got {other})"),
        )),
    }
}

fn warning_dto(w: &GasWarning) -> ModelWarningDto {
    match w {
        GasWarning::DenserThanAir => ModelWarningDto { code: "denser_than_air".into(), level: None },
        GasWarning::BeyondRange { level } => {
            ModelWarningDto { code: "beyond_range".into(), level: Some(level.clone()) }
        }
        GasWarning::NearField { level } => ModelWarningDto { code: "near_field".into(), level: Some(level.clone()) },
    }
}

fn figure(figure: &str, subject: &str, value: Option<f64>, unit: &str) -> KeyFigure {
    KeyFigure { figure: figure.into(), subject: subject.into(), value, unit: unit.into() }
}

pub(crate) fn gas_summary(r: &GasRunResult) -> RunSummary {
    let mut figures = vec![figure("wind_speed_m_s", "", Some(r.wind_speed_m_s), "m/s")];
    for z in &r.zones {
        figures.push(figure("zone_distance_m", &z.name, Some(z.distance_m), "m"));
        figures.push(figure("zone_half_width_m", &z.name, Some(z.max_half_width_m), "m"));
    }
    RunSummary { figures, warnings: r.warnings.clone() }
}

pub(crate) fn river_summary(r: &RiverRunResult) -> RunSummary {
    let mut figures = vec![figure("affected_intakes", "", Some(r.affected.len() as f64), "")];
    for i in &r.affected {
        figures.push(figure("first_above_s", &i.name, i.first_above_s, "s"));
        figures.push(figure("peak_mg_l", &i.name, Some(i.peak_mg_l), "mg/L"));
        figures.push(figure("duration_above_s", &i.name, i.duration_above_s, "s"));
    }
    for w in &r.interceptions {
        figures.push(figure("close_by_s", &w.name, Some(w.close_by_s), "s"));
    }
    RunSummary { figures, warnings: Vec::new() }
}

impl RunInputs {
    fn kind(&self) -> &'static str {
        match self {
            RunInputs::GasRelease(_) => "gas_release",
            RunInputs::RiverSpill(_) => "river_spill",
        }
    }

    /// The input figures worth comparing.
    fn figures(&self) -> Vec<KeyFigure> {
        match self {
            RunInputs::GasRelease(g) => {
                let mut f = vec![
                    figure("molar_mass_g_mol", &g.substance.name, Some(g.substance.molar_mass_g_mol), "g/mol"),
                    figure("wind_10m_m_s", "", Some(g.wind_speed_10m_m_s), "m/s"),
                    figure("wind_from_deg", "", Some(g.wind_from_deg), "°"),
                    figure("height_m", "", Some(g.height_m), "m"),
                ];
                f.push(match g.source {
                    GasSourceInput::Continuous { rate_kg_s } => figure("rate_kg_s", "", Some(rate_kg_s), "kg/s"),
                    GasSourceInput::Instantaneous { mass_kg } => figure("mass_kg", "", Some(mass_kg), "kg"),
                });
                f
            }
            RunInputs::RiverSpill(r) => {
                let mut f = vec![figure("threshold_mg_l", &r.substance, Some(r.threshold_mg_l), "mg/L")];
                match r.release {
                    RiverReleaseInput::Instantaneous { mass_kg } => f.push(figure("mass_kg", "", Some(mass_kg), "kg")),
                    RiverReleaseInput::Continuous { rate_kg_s, duration_s } => {
                        f.push(figure("rate_kg_s", "", Some(rate_kg_s), "kg/s"));
                        f.push(figure("duration_s", "", Some(duration_s), "s"));
                    }
                }
                f.push(figure("decay_per_s", "", Some(r.decay_per_s), "1/s"));
                f
            }
        }
    }
}

// ---- the façade ----------------------------------------------------------------------------

impl Console {
    /// The region a run belongs to: the one given (a risk source's), else the nearest
    /// administrative seat to the point.
    fn run_region(&self, given: Option<&str>, lat: f64, lon: f64) -> Result<String, ApiError> {
        if let Some(code) = given.filter(|c| !c.trim().is_empty()) {
            return Ok(code.trim().to_owned());
        }
        let p = LatLon::checked(lat, lon)?;
        let hits = query::nearest(self.store.conn(), p, &[Kind::Region], 1, 300_000.0)?;
        Ok(hits.into_iter().next().map(|h| h.region_code).unwrap_or_else(|| "320000".to_owned()))
    }

    pub(crate) fn save_run(
        &mut self,
        inputs: &RunInputs,
        region_code: String,
        summary: &RunSummary,
        incident_id: Option<String>,
    ) -> Result<ModelRun, ApiError> {
        let json = |v: serde_json::Result<String>| {
            v.map_err(|e| ApiError::new(ErrorCode::Internal, format!("保存模型结果失败：{e}"), e.to_string()))
        };
        let label = match inputs {
            RunInputs::GasRelease(g) => g.label.clone(),
            RunInputs::RiverSpill(r) => r.label.clone(),
        }
        .filter(|l| !l.trim().is_empty());
        let run = ModelRun {
            id: yingji_store::new_id(),
            region_code,
            created_at: self.clock.now_rfc3339(),
            kind: inputs.kind().to_owned(),
            model_version: yingji_model::MODEL_VERSION.to_owned(),
            inputs_json: json(serde_json::to_string(inputs))?,
            summary_json: json(serde_json::to_string(summary))?,
            label,
            incident_id,
        };
        let tx = self.store.transaction()?;
        run.insert(&tx)?;
        tx.commit()?;
        Ok(run)
    }

    pub(crate) fn compute_gas(&self, input: &GasRunInput) -> Result<GasRunResult, ApiError> {
        let request = gas::GasReleaseRequest {
            lat: input.lat,
            lon: input.lon,
            molar_mass_g_mol: input.substance.molar_mass_g_mol,
            levels: input
                .substance
                .levels
                .iter()
                .map(|l| LevelOfConcern { name: l.name.clone(), ppm: l.ppm })
                .collect(),
            wind_speed_10m_m_s: input.wind_speed_10m_m_s,
            wind_from_deg: input.wind_from_deg,
            stability: stability_input(&input.stability)?,
            terrain: terrain(&input.terrain)?,
            source: match input.source {
                GasSourceInput::Continuous { rate_kg_s } => GasSource::Continuous { rate_kg_s },
                GasSourceInput::Instantaneous { mass_kg } => GasSource::Instantaneous { mass_kg },
            },
            height_m: input.height_m,
        };
        let r = gas::gas_release(&request)?;
        Ok(GasRunResult {
            run_id: String::new(),
            created_at: String::new(),
            model_version: r.model_version,
            lat: input.lat,
            lon: input.lon,
            stability: r.stability.letter().to_owned(),
            wind_speed_m_s: r.wind_speed_m_s,
            downwind_deg: r.downwind_deg,
            zones: r
                .footprints
                .into_iter()
                .map(|f| GasZoneDto {
                    name: f.name,
                    ppm: f.ppm,
                    distance_m: f.distance_m,
                    max_half_width_m: f.max_half_width_m,
                    ring: f.ring,
                })
                .collect(),
            warnings: r.warnings.iter().map(warning_dto).collect(),
        })
    }

    pub(crate) fn compute_river(&self, input: &RiverRunInput) -> Result<RiverRunResult, ApiError> {
        let (mass_kg, duration_s) = match input.release {
            RiverReleaseInput::Instantaneous { mass_kg } => (mass_kg, None),
            RiverReleaseInput::Continuous { rate_kg_s, duration_s } => {
                if !(duration_s > 0.0 && duration_s.is_finite()) {
                    return Err(invalid(
                        "duration_s",
                        "持续排放的时长须大于 0".into(),
                        "the duration of a continuous release must be above 0".into(),
                    ));
                }
                (rate_kg_s * duration_s, Some(duration_s))
            }
        };
        let r = yingji_spill::river_spill(
            self.store.conn(),
            &yingji_spill::RiverSpillRequest {
                lat: input.lat,
                lon: input.lon,
                mass_kg,
                threshold_mg_l: input.threshold_mg_l,
                decay_per_s: input.decay_per_s,
                duration_s,
            },
        )?;
        let names: std::collections::HashMap<&str, &str> =
            r.affected_intakes.iter().map(|i| (i.target_id.as_str(), i.name.as_str())).collect();
        let row = |i: &yingji_spill::IntakeImpact| IntakeRowDto {
            target_id: i.target_id.clone(),
            name: i.name.clone(),
            region_name: self.region_name(&i.region_code),
            lat: i.lat,
            lon: i.lon,
            first_above_s: i.stats.first_above_s,
            peak_time_s: i.stats.peak_time_s,
            peak_mg_l: i.stats.peak_mg_l,
            last_above_s: i.stats.last_above_s,
            duration_above_s: i.stats.first_above_s.zip(i.stats.last_above_s).map(|(f, l)| l - f),
            series: i.series.clone(),
        };
        Ok(RiverRunResult {
            run_id: String::new(),
            created_at: String::new(),
            model_version: r.model_version.clone(),
            lat: input.lat,
            lon: input.lon,
            threshold_mg_l: input.threshold_mg_l,
            release_reach_name: r.release_reach_name.clone(),
            snap_distance_m: r.snap_distance_m,
            affected: r.affected_intakes.iter().map(row).collect(),
            below_threshold: r.intakes_below_threshold.iter().map(row).collect(),
            interceptions: r
                .interceptions
                .iter()
                .map(|w| InterceptionDto {
                    work_id: w.work_id.clone(),
                    name: w.name.clone(),
                    kind: w.kind.clone(),
                    region_name: self.region_name(&w.region_code),
                    lat: w.lat,
                    lon: w.lon,
                    close_by_s: w.close_by_s,
                    peak_mg_l: w.peak_mg_l,
                    protects: w
                        .protects
                        .iter()
                        .map(|id| names.get(id.as_str()).copied().unwrap_or(id).to_owned())
                        .collect(),
                })
                .collect(),
            path: r.path.into_iter().map(|p| p.coordinates).collect(),
        })
    }

    /// Runs the inputs and saves the run; returns the answer and the saved run.
    fn run_and_save(&mut self, inputs: &RunInputs) -> Result<(RunOutcome, RunSummary), ApiError> {
        match inputs {
            RunInputs::GasRelease(g) => {
                let mut r = self.compute_gas(g)?;
                let summary = gas_summary(&r);
                let region = self.run_region(g.region_code.as_deref(), g.lat, g.lon)?;
                let saved = self.save_run(inputs, region, &summary, None)?;
                r.run_id = saved.id;
                r.created_at = saved.created_at;
                Ok((RunOutcome::GasRelease(r), summary))
            }
            RunInputs::RiverSpill(v) => {
                let mut r = self.compute_river(v)?;
                let summary = river_summary(&r);
                let region = self.run_region(v.region_code.as_deref(), v.lat, v.lon)?;
                let saved = self.save_run(inputs, region, &summary, None)?;
                r.run_id = saved.id;
                r.created_at = saved.created_at;
                Ok((RunOutcome::RiverSpill(r), summary))
            }
        }
    }

    /// A gas release at a point: threat-zone footprints downwind, saved as a model run.
    pub fn gas_release(&mut self, input: &GasRunInput) -> Result<GasRunResult, ApiError> {
        match self.run_and_save(&RunInputs::GasRelease(input.clone()))?.0 {
            RunOutcome::GasRelease(r) => Ok(r),
            RunOutcome::RiverSpill(_) => unreachable!("a gas run answers with a gas result"),
        }
    }

    /// A spill into a waterway at a point: the intakes it reaches and the works to close, saved
    /// as a model run.
    pub fn river_spill_run(&mut self, input: &RiverRunInput) -> Result<RiverRunResult, ApiError> {
        match self.run_and_save(&RunInputs::RiverSpill(input.clone()))?.0 {
            RunOutcome::RiverSpill(r) => Ok(r),
            RunOutcome::GasRelease(_) => unreachable!("a river run answers with a river result"),
        }
    }

    pub(crate) fn run_dto(&self, run: ModelRun) -> Result<ModelRunDto, ApiError> {
        let damaged = |e: serde_json::Error| {
            ApiError::new(
                ErrorCode::Internal,
                format!("保存的模型运行 {} 无法读取：{e}", run.id),
                format!("saved model run {} cannot be read: {e}", run.id),
            )
        };
        let inputs: RunInputs = serde_json::from_str(&run.inputs_json).map_err(damaged)?;
        let summary: RunSummary = serde_json::from_str(&run.summary_json).map_err(damaged)?;
        let (substance, place) = match &inputs {
            RunInputs::GasRelease(g) => (g.substance.name.clone(), g.place.clone()),
            RunInputs::RiverSpill(r) => (r.substance.clone(), r.place.clone()),
        };
        Ok(ModelRunDto {
            region_name: self.region_name(&run.region_code),
            id: run.id,
            created_at: run.created_at,
            kind: run.kind,
            model_version: run.model_version,
            region_code: run.region_code,
            label: run.label,
            incident_id: run.incident_id,
            substance,
            place,
            inputs,
            summary,
        })
    }

    /// Saved model runs, newest first.
    pub fn model_runs(&self) -> Result<Vec<ModelRunDto>, ApiError> {
        ModelRun::latest(self.store.conn(), RUNS_LISTED)?.into_iter().map(|r| self.run_dto(r)).collect()
    }

    /// One saved run.
    pub fn model_run(&self, id: &str) -> Result<ModelRunDto, ApiError> {
        let run = ModelRun::get(self.store.conn(), id)?.ok_or_else(|| {
            ApiError::from(yingji_store::StoreError::RecordNotFound { kind: "model_runs", id: id.to_owned() })
        })?;
        self.run_dto(run)
    }

    /// Runs a saved run again from its inputs (saved as a new run) and says whether the key
    /// figures are the same as saved.
    pub fn rerun_model_run(&mut self, id: &str) -> Result<RerunDto, ApiError> {
        let original = self.model_run(id)?;
        let saved_json = ModelRun::get(self.store.conn(), id)?.map(|r| r.summary_json).unwrap_or_default();
        let (outcome, summary) = self.run_and_save(&original.inputs)?;
        // Compared as saved (JSON text): the same figures to the last bit print the same.
        let now_json = serde_json::to_string(&summary).unwrap_or_default();
        Ok(RerunDto {
            original_id: original.id,
            outcome,
            same_model_version: original.model_version == yingji_model::MODEL_VERSION,
            reproduces: now_json == saved_json,
        })
    }

    /// Two saved runs side by side: their inputs and key figures, row by row.
    pub fn compare_model_runs(&self, a: &str, b: &str) -> Result<RunComparisonDto, ApiError> {
        let (a, b) = (self.model_run(a)?, self.model_run(b)?);
        let all = |r: &ModelRunDto| {
            let mut f = r.inputs.figures();
            f.extend(r.summary.figures.iter().cloned());
            f
        };
        let (fa, fb) = (all(&a), all(&b));
        let mut rows: Vec<ComparisonRow> = Vec::new();
        for f in fa.iter().chain(&fb) {
            if rows.iter().any(|r| r.figure == f.figure && r.subject == f.subject) {
                continue;
            }
            let find = |list: &[KeyFigure]| {
                list.iter().find(|x| x.figure == f.figure && x.subject == f.subject).and_then(|x| x.value)
            };
            rows.push(ComparisonRow {
                figure: f.figure.clone(),
                subject: f.subject.clone(),
                unit: f.unit.clone(),
                a: find(&fa),
                b: find(&fb),
            });
        }
        Ok(RunComparisonDto { a, b, rows })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use yingji_store::{FixedClock, Store};

    use super::*;

    fn demo_console() -> Console {
        let mut store = Store::open_in_memory().unwrap();
        yingji_demo::populate(&mut store, yingji_demo::DEFAULT_SEED).unwrap();
        let at = time_at("2026-11-29T06:30:00Z");
        Console::with_store(store, Arc::new(FixedClock(at))).unwrap()
    }

    fn time_at(s: &str) -> yingji_store::Timestamp {
        yingji_store::Timestamp::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    }

    pub(crate) fn chlorine_at_nanjing() -> GasRunInput {
        GasRunInput {
            lat: 32.27,
            lon: 118.80,
            place: "test".into(),
            region_code: None,
            substance: GasSubstanceInput {
                name: "氯气".into(),
                cas: Some("7782-50-5".into()),
                molar_mass_g_mol: 70.906,
                levels: vec![
                    LevelInput { name: "AEGL-3".into(), ppm: 20.0 },
                    LevelInput { name: "AEGL-2".into(), ppm: 2.0 },
                    LevelInput { name: "AEGL-1".into(), ppm: 0.5 },
                ],
            },
            wind_speed_10m_m_s: 3.0,
            wind_from_deg: 45.0,
            stability: StabilityChoice::Night { cloud_oktas: 2 },
            terrain: "rural".into(),
            source: GasSourceInput::Continuous { rate_kg_s: 1.0 },
            height_m: 2.0,
            label: Some("drill".into()),
        }
    }

    pub(crate) fn benzene_on_the_canal() -> RiverRunInput {
        RiverRunInput {
            lat: 33.64,
            lon: 118.87,
            place: "test".into(),
            region_code: None,
            substance: "苯".into(),
            cas: Some("71-43-2".into()),
            threshold_mg_l: 0.01,
            release: RiverReleaseInput::Instantaneous { mass_kg: 5_000.0 },
            decay_per_s: 0.0,
            label: None,
        }
    }

    /// A run is saved with its inputs, the model version and its figures, and reads back
    /// exactly; re-running it gives the same figures under the same model version.
    #[test]
    fn runs_are_saved_and_reproduced() {
        let mut c = demo_console();
        let gas = c.gas_release(&chlorine_at_nanjing()).unwrap();
        assert_eq!(gas.stability, "E", "3 m/s on a clear night (Turner 1970, Table 1)");
        assert_eq!(gas.zones.len(), 3);
        assert!(gas.warnings.iter().any(|w| w.code == "denser_than_air"));
        let river = c.river_spill_run(&benzene_on_the_canal()).unwrap();
        assert!(!river.affected.is_empty());

        let runs = c.model_runs().unwrap();
        assert_eq!(runs.len(), 2);
        let saved_gas = runs.iter().find(|r| r.id == gas.run_id).unwrap();
        assert_eq!(saved_gas.inputs, RunInputs::GasRelease(chlorine_at_nanjing()));
        assert_eq!(saved_gas.model_version, yingji_model::MODEL_VERSION);
        assert_eq!(saved_gas.created_at, "2026-11-29T06:30:00Z");
        assert_eq!(saved_gas.label.as_deref(), Some("drill"));
        assert!(saved_gas.region_code.starts_with("3201"), "{}", saved_gas.region_code);
        assert_eq!(saved_gas.summary, gas_summary(&gas));
        let d = saved_gas.summary.figures.iter().find(|f| f.figure == "zone_distance_m" && f.subject == "AEGL-2");
        assert_eq!(d.and_then(|f| f.value), Some(gas.zones[1].distance_m));

        for id in [&gas.run_id, &river.run_id] {
            let again = c.rerun_model_run(id).unwrap();
            assert!(again.same_model_version && again.reproduces, "{id}");
        }
        assert_eq!(c.model_runs().unwrap().len(), 4, "a re-run is saved too");
        // The river re-run gives the same table.
        let RunOutcome::RiverSpill(r2) = c.rerun_model_run(&river.run_id).unwrap().outcome else { panic!() };
        assert_eq!(r2.affected, river.affected);
    }

    /// A saved run whose figures differ from what the model now gives is not reported as
    /// reproduced (the check can fail).
    #[test]
    fn a_changed_summary_is_not_reproduced() {
        let mut c = demo_console();
        let gas = c.gas_release(&chlorine_at_nanjing()).unwrap();
        let saved = ModelRun::get(c.store.conn(), &gas.run_id).unwrap().unwrap();
        let mut summary: RunSummary = serde_json::from_str(&saved.summary_json).unwrap();
        summary.figures[1].value = Some(1.0);
        let forged = ModelRun { id: "forged".into(), summary_json: serde_json::to_string(&summary).unwrap(), ..saved };
        forged.insert(c.store.conn()).unwrap();
        assert!(!c.rerun_model_run("forged").unwrap().reproduces);
    }

    #[test]
    fn two_runs_compare_figure_by_figure() {
        let mut c = demo_console();
        let a = c.gas_release(&chlorine_at_nanjing()).unwrap();
        let mut stronger = chlorine_at_nanjing();
        stronger.source = GasSourceInput::Continuous { rate_kg_s: 4.0 };
        let b = c.gas_release(&stronger).unwrap();
        let cmp = c.compare_model_runs(&a.run_id, &b.run_id).unwrap();
        let row = |fig: &str, subject: &str| cmp.rows.iter().find(|r| r.figure == fig && r.subject == subject).unwrap();
        assert_eq!((row("rate_kg_s", "").a, row("rate_kg_s", "").b), (Some(1.0), Some(4.0)));
        let d = row("zone_distance_m", "AEGL-3");
        assert!(d.b.unwrap() > d.a.unwrap());
        assert!(c.compare_model_runs(&a.run_id, "nope").is_err());
    }

    /// The gas-hole estimate is the model's: the CCPS (1999) p. 47 propane jet (501 kPa, 298 K,
    /// k = 1.15, Cd = 0.85, 10 mm hole; 8.90 kg/m³ gives M = 44.0 g/mol) is choked at 0.0900 kg/s.
    #[test]
    fn source_strength_estimates_a_rate() {
        let molar_mass_g_mol = 8.90 * yingji_model::constants::MOLAR_GAS_CONSTANT_J_MOL_K * 298.0 / 501e3 * 1000.0;
        let r = source_strength(&SourceStrengthInput::GasHole {
            molar_mass_g_mol,
            heat_capacity_ratio: 1.15,
            upstream_pressure_pa: 501e3,
            upstream_temp_k: 298.0,
            hole_diameter_m: 0.01,
            discharge_coefficient: 0.85,
        })
        .unwrap();
        assert_eq!(r.choked, Some(true));
        assert!((r.rate_kg_s - 0.0900).abs() < 5e-5, "{}", r.rate_kg_s);
        let e = source_strength(&SourceStrengthInput::PoolEvaporation {
            molar_mass_g_mol: 78.11,
            pool_area_m2: -1.0,
            liquid_temp_k: 298.0,
            vapor_pressure_pa: 12_700.0,
        })
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("pool_area_m2"));
    }

    #[test]
    fn bad_input_names_the_field_in_both_languages() {
        let mut c = demo_console();
        let mut g = chlorine_at_nanjing();
        g.stability = StabilityChoice::Class { class: "G".into() };
        let e = c.gas_release(&g).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("stability")));
        let mut g = chlorine_at_nanjing();
        g.wind_speed_10m_m_s = 0.2;
        let e = c.gas_release(&g).unwrap_err();
        assert!(e.message_zh.contains("模型输入有误"), "{}", e.message_zh);
        let mut r = benzene_on_the_canal();
        (r.lat, r.lon) = (30.0, 124.5);
        let e = c.river_spill_run(&r).unwrap_err();
        assert!(e.message_zh.contains("没有数据库中的河流"), "{}", e.message_zh);
        assert!(c.model_runs().unwrap().is_empty(), "failed runs are not saved");
    }
}
