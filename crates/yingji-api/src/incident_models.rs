//! The models run for an incident as soon as it is received: a river spill for what reaches
//! water, a gas threat zone for what goes into the air. The inputs come from the incident (its
//! place, pollutants and estimated quantities) and the chemical library (GB 3838 limits, molar
//! masses, levels of concern); only the weather is asked for. Every run is saved with the
//! incident's id (`model_runs.incident_id`) and region, so it syncs with the incident.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_incident::{self as inc, IncidentType};
use yingji_store::runs::ModelRun;

use crate::{
    model_runs::{gas_summary, river_summary},
    ApiError, ChemicalDto, Console, GasRunInput, GasRunResult, GasSourceInput, GasSubstanceInput, LevelInput,
    ModelRunDto, RiverReleaseInput, RiverRunInput, RiverRunResult, RunInputs, StabilityChoice,
};

/// Which models apply to an incident type: (river spill, gas release).
///
/// Water, fire-fighting water and transport accidents can reach a waterway; air pollution and
/// transport accidents (a tanker's load vaporising) can form a gas cloud. Soil and marine
/// incidents have no model on the replica's data (no soil model, no sea network).
pub fn models_for(t: IncidentType) -> (bool, bool) {
    match t {
        IncidentType::Water | IncidentType::FireWater => (true, false),
        IncidentType::Air => (false, true),
        IncidentType::Transport => (true, true),
        IncidentType::Soil | IncidentType::Marine | IncidentType::Other => (false, false),
    }
}

/// The weather a gas model needs (the alarm does not say it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IncidentModelInput {
    /// Wind speed at 10 m, m/s (gas models only).
    #[ts(optional)]
    pub wind_speed_10m_m_s: Option<f64>,
    /// Where the wind blows FROM, degrees clockwise from north.
    #[ts(optional)]
    pub wind_from_deg: Option<f64>,
    /// Pasquill stability; heavy overcast (D) when left out.
    #[ts(optional)]
    pub stability: Option<StabilityChoice>,
    /// "rural" or "urban"; rural when left out.
    #[ts(optional)]
    pub terrain: Option<String>,
}

/// A model that was not run for a pollutant, and why (in both languages).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ModelSkipDto {
    /// river_spill | gas_release | none
    pub model: String,
    pub pollutant: String,
    pub message_zh: String,
    pub message_en: String,
}

/// What the incident's models gave.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IncidentModelsDto {
    pub river: Vec<RiverRunResult>,
    pub gas: Vec<GasRunResult>,
    pub skipped: Vec<ModelSkipDto>,
}

/// A threat zone of a gas run of the incident, offered as a warning's area.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IncidentZoneDto {
    pub run_id: String,
    pub substance: String,
    /// The level of concern (e.g. AEGL-2).
    pub name: String,
    pub ppm: f64,
    pub distance_m: f64,
    /// Closed ring as [lat, lon] pairs (the warning's convention).
    pub ring: Vec<(f64, f64)>,
}

fn skip(model: &str, pollutant: &str, zh: String, en: String) -> ModelSkipDto {
    ModelSkipDto { model: model.into(), pollutant: pollutant.into(), message_zh: zh, message_en: en }
}

impl Console {
    /// The library entry of a pollutant: by CAS number, else by its exact Chinese name.
    fn library_entry(&self, p: &inc::Pollutant) -> Option<ChemicalDto> {
        if !p.cas.trim().is_empty() {
            if let Ok(c) = self.chemical(p.cas.trim()) {
                return Some(c);
            }
        }
        let hit =
            self.chemical_search(p.name_zh.trim(), 10).ok()?.into_iter().find(|c| c.name_zh == p.name_zh.trim())?;
        self.chemical(&hit.cas).ok()
    }

    /// Runs the models that apply to the incident for each pollutant with an estimated quantity
    /// and saves each run with the incident's id. A model that cannot run (no quantity, no limit
    /// in the library, no river nearby, no wind given) is listed with the reason; the others run.
    pub fn run_incident_models(&mut self, id: &str, input: &IncidentModelInput) -> Result<IncidentModelsDto, ApiError> {
        let i = inc::get(self.store.conn(), id)?;
        if i.status == inc::IncidentStatus::Closed {
            return Err(inc::IncidentError::Closed { id: id.to_owned() }.into());
        }
        let pollutants = inc::pollutants(self.store.conn(), id)?;
        let (river, gas) = models_for(i.incident_type);
        let mut out = IncidentModelsDto { river: Vec::new(), gas: Vec::new(), skipped: Vec::new() };
        if !river && !gas {
            out.skipped.push(skip(
                "none",
                "",
                format!("「{}」类事件没有可用的扩散模型。", i.incident_type.label_zh()),
                format!("no dispersion model applies to {} incidents", i.incident_type.label_en()),
            ));
            return Ok(out);
        }
        if pollutants.is_empty() {
            out.skipped.push(skip(
                "none",
                "",
                "未填写污染物，无法计算扩散。".into(),
                "no pollutant was entered, so nothing can be modelled".into(),
            ));
        }
        for p in &pollutants {
            let name = p.name_zh.trim().to_owned();
            let Some(mass_kg) = p.estimated_quantity_kg.filter(|m| *m > 0.0) else {
                out.skipped.push(skip(
                    if river { "river_spill" } else { "gas_release" },
                    &name,
                    format!("{name}：未填写泄漏量（kg），未计算扩散。"),
                    format!("{name}: no estimated quantity (kg), not modelled"),
                ));
                continue;
            };
            let chem = self.library_entry(p);
            if river {
                match chem.as_ref().and_then(|c| c.gb3838_limit_mg_l) {
                    None => out.skipped.push(skip(
                        "river_spill",
                        &name,
                        format!("{name}：化学品库中没有 GB 3838 限值，未计算河流扩散。请在模型面板中手动给出浓度限值。"),
                        format!("{name}: the library has no GB 3838 limit; run the river model from the model panel with a limit"),
                    )),
                    Some(threshold_mg_l) => {
                        let run = RiverRunInput {
                            lat: i.lat,
                            lon: i.lon,
                            place: i.name.clone(),
                            region_code: Some(i.region_code.clone()),
                            substance: name.clone(),
                            cas: chem.as_ref().map(|c| c.cas.clone()),
                            threshold_mg_l,
                            // The whole estimated quantity at once: the conservative first estimate.
                            release: RiverReleaseInput::Instantaneous { mass_kg },
                            // Conservative substance (no decay) until better known.
                            decay_per_s: 0.0,
                            label: Some(format!("事件：{}", i.name)),
                        };
                        match self.compute_river(&run) {
                            Ok(mut r) => {
                                let summary = river_summary(&r);
                                let saved = self.save_run(
                                    &RunInputs::RiverSpill(run),
                                    i.region_code.clone(),
                                    &summary,
                                    Some(i.id.clone()),
                                )?;
                                r.run_id = saved.id;
                                r.created_at = saved.created_at;
                                out.river.push(r);
                            }
                            Err(e) => out.skipped.push(skip(
                                "river_spill",
                                &name,
                                format!("{name}：{}", e.message_zh),
                                format!("{name}: {}", e.message_en),
                            )),
                        }
                    }
                }
            }
            if gas {
                let levels: Vec<LevelInput> = chem
                    .as_ref()
                    .map(|c| {
                        [3u8, 2, 1]
                            .iter()
                            .filter_map(|tier| c.levels.iter().find(|l| l.tier == *tier))
                            .map(|l| LevelInput { name: l.name.clone(), ppm: l.ppm })
                            .collect()
                    })
                    .unwrap_or_default();
                let (Some(c), false) = (chem.as_ref(), levels.is_empty()) else {
                    out.skipped.push(skip(
                        "gas_release",
                        &name,
                        format!("{name}：化学品库中没有该物质的关注浓度，未计算气体扩散。"),
                        format!("{name}: the library has no levels of concern for it; not modelled"),
                    ));
                    continue;
                };
                let (Some(wind), Some(from)) = (input.wind_speed_10m_m_s, input.wind_from_deg) else {
                    out.skipped.push(skip(
                        "gas_release",
                        &name,
                        format!("{name}：未填写风速和风向，未计算气体扩散。"),
                        format!("{name}: no wind speed and direction given; not modelled"),
                    ));
                    continue;
                };
                let run = GasRunInput {
                    lat: i.lat,
                    lon: i.lon,
                    place: i.name.clone(),
                    region_code: Some(i.region_code.clone()),
                    substance: GasSubstanceInput {
                        name: name.clone(),
                        cas: Some(c.cas.clone()),
                        molar_mass_g_mol: c.molar_mass_g_mol,
                        levels,
                    },
                    wind_speed_10m_m_s: wind,
                    wind_from_deg: from,
                    stability: input.stability.clone().unwrap_or(StabilityChoice::Overcast),
                    terrain: input.terrain.clone().unwrap_or_else(|| "rural".into()),
                    // The whole estimated quantity at once, at ground level: the conservative first estimate.
                    source: GasSourceInput::Instantaneous { mass_kg },
                    height_m: 0.0,
                    label: Some(format!("事件：{}", i.name)),
                };
                match self.compute_gas(&run) {
                    Ok(mut r) => {
                        let summary = gas_summary(&r);
                        let saved = self.save_run(
                            &RunInputs::GasRelease(run),
                            i.region_code.clone(),
                            &summary,
                            Some(i.id.clone()),
                        )?;
                        r.run_id = saved.id;
                        r.created_at = saved.created_at;
                        out.gas.push(r);
                    }
                    Err(e) => out.skipped.push(skip(
                        "gas_release",
                        &name,
                        format!("{name}：{}", e.message_zh),
                        format!("{name}: {}", e.message_en),
                    )),
                }
            }
        }
        Ok(out)
    }

    /// The model runs saved for an incident, oldest first.
    pub fn incident_model_runs(&self, id: &str) -> Result<Vec<ModelRunDto>, ApiError> {
        inc::get(self.store.conn(), id)?;
        ModelRun::of_incident(self.store.conn(), id)?.into_iter().map(|r| self.run_dto(r)).collect()
    }

    /// The threat zones of the incident's gas runs, drawn again from their saved inputs (the
    /// model is deterministic), as areas a warning can cover.
    pub fn incident_zones(&self, id: &str) -> Result<Vec<IncidentZoneDto>, ApiError> {
        let mut out = Vec::new();
        for run in self.incident_model_runs(id)? {
            let RunInputs::GasRelease(g) = &run.inputs else { continue };
            let r = self.compute_gas(g)?;
            for z in r.zones.into_iter().filter(|z| z.ring.len() >= 4) {
                out.push(IncidentZoneDto {
                    run_id: run.id.clone(),
                    substance: g.substance.name.clone(),
                    name: z.name,
                    ppm: z.ppm,
                    distance_m: z.distance_m,
                    ring: z.ring.iter().map(|[lon, lat]| (*lat, *lon)).collect(),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewIncidentDto, PollutantDto};

    fn demo() -> (tempfile::TempDir, Console) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        crate::init(&db, true, 2026).unwrap();
        let c = Console::open(&db).unwrap();
        (dir, c)
    }

    fn incident(c: &mut Console, t: &str, lat: f64, lon: f64, pollutants: Vec<PollutantDto>) -> String {
        c.create_incident(&NewIncidentDto {
            name: "测试事件".into(),
            incident_type: t.into(),
            lat,
            lon,
            region_code: None,
            risk_source_id: None,
            source_description: String::new(),
            occurred_at: None,
            reported_by: "值班员".into(),
            exercise: true,
            pollutants,
        })
        .unwrap()
        .id
    }

    /// A water incident with benzene runs the river model at once; the run is saved with the
    /// incident's id and region, and lists the intakes downstream with arrival times.
    #[test]
    fn a_water_incident_runs_the_river_model_and_saves_it_with_the_incident() {
        let (_d, mut c) = demo();
        // On the Grand Canal by Huai'an (the model tests' benzene spill).
        let id = incident(
            &mut c,
            "water",
            33.64,
            118.87,
            vec![PollutantDto { name_zh: "苯".into(), cas: "71-43-2".into(), estimated_quantity_kg: Some(5000.0) }],
        );
        let out = c.run_incident_models(&id, &IncidentModelInput::default()).unwrap();
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        assert_eq!(out.river.len(), 1);
        assert!(out.gas.is_empty());
        let r = &out.river[0];
        assert!(!r.affected.is_empty(), "5 t of benzene in the canal reaches an intake above its limit");
        assert!(r.affected.iter().all(|a| a.first_above_s.is_some()));
        let runs = c.incident_model_runs(&id).unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].id, r.run_id);
        assert_eq!(runs[0].incident_id.as_deref(), Some(id.as_str()));
        let i = c.list_incidents().unwrap().into_iter().find(|i| i.id == id).unwrap();
        assert_eq!(runs[0].region_code, i.region_code);
        assert!(c.incident_zones(&id).unwrap().is_empty(), "a river run has no gas zones");
    }

    /// An air incident without wind is not modelled and says why; with wind it gives threat
    /// zones, which come back as warning areas ([lat, lon] rings).
    #[test]
    fn an_air_incident_needs_wind_then_gives_zones() {
        let (_d, mut c) = demo();
        let chlorine =
            PollutantDto { name_zh: "氯气".into(), cas: String::new(), estimated_quantity_kg: Some(1000.0) };
        let id = incident(&mut c, "air", 32.27, 118.80, vec![chlorine]);
        let none = c.run_incident_models(&id, &IncidentModelInput::default()).unwrap();
        assert!(none.gas.is_empty());
        assert!(none.skipped[0].message_zh.contains("风速"), "{:?}", none.skipped);
        let out = c
            .run_incident_models(
                &id,
                &IncidentModelInput { wind_speed_10m_m_s: Some(3.0), wind_from_deg: Some(90.0), ..Default::default() },
            )
            .unwrap();
        assert_eq!(out.gas.len(), 1, "{:?}", out.skipped);
        assert!(out.gas[0].zones.iter().any(|z| z.distance_m > 0.0));
        let zones = c.incident_zones(&id).unwrap();
        assert!(!zones.is_empty());
        let (lat, lon) = zones[0].ring[0];
        assert!((31.0..34.0).contains(&lat) && (117.0..121.0).contains(&lon), "{lat} {lon}");
        // Wind from the east: the zone lies west of the incident.
        assert!(zones[0].ring.iter().map(|p| p.1).fold(f64::INFINITY, f64::min) < 118.80);
    }

    /// A soil incident has no model; a missing quantity is named.
    #[test]
    fn models_that_cannot_run_say_why() {
        let (_d, mut c) = demo();
        let id = incident(&mut c, "soil", 32.2, 119.45, vec![]);
        let out = c.run_incident_models(&id, &IncidentModelInput::default()).unwrap();
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].model, "none");
        let id = incident(
            &mut c,
            "water",
            32.2,
            119.45,
            vec![PollutantDto { name_zh: "苯".into(), cas: "71-43-2".into(), estimated_quantity_kg: None }],
        );
        let out = c.run_incident_models(&id, &IncidentModelInput::default()).unwrap();
        assert!(out.river.is_empty());
        assert!(out.skipped[0].message_zh.contains("泄漏量"));
    }
}
