//! The chemical and disposal library: search and detail, for the library screen and for the
//! model panels that pick a chemical.

use serde::Serialize;
use ts_rs::TS;
use yingji_store::chemicals::{self as lib, LibraryEntry};

use crate::{ApiError, Console, ErrorCode};

/// Molar mass of dry air, g/mol (ISO 2533:1975 standard atmosphere): a vapour of larger molar
/// mass is denser than air at the same temperature and pressure (ideal gas).
pub const AIR_MOLAR_MASS_G_MOL: f64 = 28.9647;

/// One chemical in a list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChemicalSummaryDto {
    pub cas: String,
    pub un_number: String,
    pub name_zh: String,
    pub name_en: String,
    pub molar_mass_g_mol: f64,
}

/// A level of concern in ppm (AEGL, ERPG, PAC), with its source.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LevelOfConcernDto {
    /// E.g. "AEGL-2 (60 min)".
    pub name: String,
    /// 1, 2 or 3.
    pub tier: u8,
    pub ppm: f64,
    pub source: String,
    /// False when the value was entered by hand and not checked against the published table.
    pub verified: bool,
}

/// An occupational exposure limit (TWA, STEL, ceiling) from the `chemicals` package.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OccupationalLimitDto {
    pub name: String,
    pub value: f64,
    pub unit: String,
    pub source: String,
}

/// A numeric property and the table or method it came from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PropertySourceDto {
    /// molar_mass_g_mol, density_kg_m3, vapor_pressure_pa, boiling_point_k
    pub property: String,
    pub source: String,
}

/// Everything the library knows about one chemical.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChemicalDto {
    pub cas: String,
    pub un_number: String,
    pub name_zh: String,
    pub name_en: String,
    pub molar_mass_g_mol: f64,
    /// Liquid (or saturated liquid) density at 25 °C.
    pub density_kg_m3: Option<f64>,
    /// Vapour pressure at 25 °C.
    pub vapor_pressure_pa: Option<f64>,
    /// Normal boiling point.
    pub boiling_point_k: Option<f64>,
    /// The vapour is heavier than air (molar mass above 28.96 g/mol).
    pub gas_denser_than_air: bool,
    pub levels: Vec<LevelOfConcernDto>,
    pub occupational_limits: Vec<OccupationalLimitDto>,
    pub gb3838_limit_mg_l: Option<f64>,
    /// Which table and item of GB 3838-2002 the limit is, e.g. "表3 集中式生活饮用水地表水源地特定项目 苯".
    pub gb3838_item: Option<String>,
    pub gb3838_source: Option<String>,
    pub gb3838_verified: bool,
    pub hazards_zh: Vec<String>,
    pub hazards_en: Vec<String>,
    pub hazards_source: String,
    pub hazards_verified: bool,
    /// The hazard class whose disposal guidance applies.
    pub disposal_class_zh: String,
    pub disposal_class_en: String,
    pub disposal_zh: Vec<String>,
    pub disposal_en: Vec<String>,
    pub disposal_source: String,
    pub disposal_verified: bool,
    /// Where each numeric property came from.
    pub property_sources: Vec<PropertySourceDto>,
    /// Every source this entry draws on, once each.
    pub sources: Vec<String>,
}

impl From<lib::ChemicalSummary> for ChemicalSummaryDto {
    fn from(s: lib::ChemicalSummary) -> Self {
        ChemicalSummaryDto {
            cas: s.cas,
            un_number: s.un_number,
            name_zh: s.name_zh,
            name_en: s.name_en,
            molar_mass_g_mol: s.molar_mass_g_mol,
        }
    }
}

impl From<LibraryEntry> for ChemicalDto {
    fn from(e: LibraryEntry) -> Self {
        let mut property_sources =
            vec![PropertySourceDto { property: "molar_mass_g_mol".into(), source: e.molar_mass_g_mol.source.clone() }];
        for (name, p) in [
            ("density_kg_m3", &e.density_kg_m3),
            ("vapor_pressure_pa", &e.vapor_pressure_pa),
            ("boiling_point_k", &e.boiling_point_k),
        ] {
            if let Some(p) = p {
                property_sources.push(PropertySourceDto { property: name.into(), source: p.source.clone() });
            }
        }
        let mut sources: Vec<String> = vec![e.names_source.clone()];
        sources.extend(property_sources.iter().map(|p| p.source.clone()));
        sources.extend(e.levels.iter().map(|l| l.source.clone()));
        sources.extend(e.occupational_limits.iter().map(|l| l.source.clone()));
        sources.extend(e.gb3838.iter().map(|g| g.source.clone()));
        sources.push(e.hazards.source.clone());
        sources.push(e.disposal.source.clone());
        let mut seen = std::collections::HashSet::new();
        sources.retain(|s| seen.insert(s.clone()));
        ChemicalDto {
            gas_denser_than_air: e.molar_mass_g_mol.value > AIR_MOLAR_MASS_G_MOL,
            molar_mass_g_mol: e.molar_mass_g_mol.value,
            density_kg_m3: e.density_kg_m3.map(|p| p.value),
            vapor_pressure_pa: e.vapor_pressure_pa.map(|p| p.value),
            boiling_point_k: e.boiling_point_k.map(|p| p.value),
            levels: e
                .levels
                .into_iter()
                .map(|l| LevelOfConcernDto {
                    name: l.name,
                    tier: l.tier,
                    ppm: l.ppm,
                    source: l.source,
                    verified: l.verified,
                })
                .collect(),
            occupational_limits: e
                .occupational_limits
                .into_iter()
                .map(|l| OccupationalLimitDto { name: l.name, value: l.value, unit: l.unit, source: l.source })
                .collect(),
            gb3838_limit_mg_l: e.gb3838.as_ref().map(|g| g.limit_mg_l),
            gb3838_item: e.gb3838.as_ref().map(|g| g.item.clone()),
            gb3838_source: e.gb3838.as_ref().map(|g| g.source.clone()),
            gb3838_verified: e.gb3838.as_ref().is_some_and(|g| g.verified),
            hazards_zh: e.hazards.zh,
            hazards_en: e.hazards.en,
            hazards_source: e.hazards.source,
            hazards_verified: e.hazards.verified,
            disposal_class_zh: e.disposal.class_zh.unwrap_or_default(),
            disposal_class_en: e.disposal.class_en.unwrap_or_default(),
            disposal_zh: e.disposal.zh,
            disposal_en: e.disposal.en,
            disposal_source: e.disposal.source,
            disposal_verified: e.disposal.verified,
            property_sources,
            sources,
            cas: e.cas,
            un_number: e.un_number,
            name_zh: e.name_zh,
            name_en: e.name_en,
        }
    }
}

/// Whether `cas` is a well-formed CAS registry number with a correct check digit
/// (CAS REGISTRY check-digit rule: weighted sum of the other digits, modulo 10).
pub fn cas_is_valid(cas: &str) -> bool {
    let parts: Vec<&str> = cas.split('-').collect();
    let [a, b, c] = parts[..] else { return false };
    let ok = |p: &str, min: usize, max: usize| (min..=max).contains(&p.len()) && p.bytes().all(|d| d.is_ascii_digit());
    if !ok(a, 2, 7) || !ok(b, 2, 2) || !ok(c, 1, 1) {
        return false;
    }
    let digits: Vec<u32> = format!("{a}{b}").bytes().map(|d| u32::from(d - b'0')).collect();
    let sum: u32 = digits.iter().rev().enumerate().map(|(i, d)| (i as u32 + 1) * d).sum();
    sum % 10 == u32::from(c.as_bytes()[0] - b'0')
}

/// The most rows one library search returns.
pub const MAX_CHEMICAL_RESULTS: u32 = 500;

impl Console {
    /// Chemicals matching any part of the Chinese name, pinyin, English name, CAS or UN number,
    /// best first; an empty text lists the first `limit` by Chinese name (pinyin order).
    pub fn chemical_search(&self, text: &str, limit: u32) -> Result<Vec<ChemicalSummaryDto>, ApiError> {
        let limit = limit.clamp(1, MAX_CHEMICAL_RESULTS) as usize;
        Ok(lib::search(self.store.conn(), text, limit)?.into_iter().map(Into::into).collect())
    }

    /// One chemical of the library by CAS number.
    pub fn chemical(&self, cas: &str) -> Result<ChemicalDto, ApiError> {
        if !cas_is_valid(cas.trim()) {
            return Err(ApiError::invalid(
                "cas",
                format!("“{}” 不是有效的 CAS 号（格式如 71-43-2，末位为校验位）。", cas.trim()),
                format!("\"{}\" is not a valid CAS number (like 71-43-2, the last digit a check digit)", cas.trim()),
            ));
        }
        match lib::by_cas(self.store.conn(), cas)? {
            Some(e) => Ok(e.into()),
            None => Err(ApiError {
                field: Some("cas".into()),
                ..ApiError::new(
                    ErrorCode::RecordNotFound,
                    format!("化学品库中没有 CAS 号为 “{}” 的化学品；请检查 CAS 号，或按名称搜索。", cas.trim()),
                    format!(
                        "the chemical library has no chemical with CAS number \"{}\"; check the number or search by name",
                        cas.trim()
                    ),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use yingji_store::{Store, SystemClock};

    use super::*;

    fn console() -> Console {
        Console::with_store(Store::open_in_memory().unwrap(), Arc::new(SystemClock)).unwrap()
    }

    #[test]
    fn search_and_detail_through_the_facade() {
        let c = console();
        let hits = c.chemical_search("氯气", 10).unwrap();
        assert_eq!(hits[0].cas, "7782-50-5");
        let d = c.chemical("7782-50-5").unwrap();
        assert_eq!(d.name_en, "Chlorine");
        assert_eq!(d.un_number, "1017");
        assert!(d.gas_denser_than_air, "chlorine, 70.9 g/mol, is heavier than air");
        assert!(d.levels.iter().any(|l| l.name == "AEGL-2 (60 min)" && l.tier == 2 && !l.verified));
        assert!(!d.disposal_zh.is_empty() && !d.disposal_en.is_empty());
        assert!(d.sources.iter().any(|s| s.contains("chemicals 1.5.2")));
        let ammonia = c.chemical("7664-41-7").unwrap();
        assert!(!ammonia.gas_denser_than_air, "ammonia, 17 g/mol, is lighter than air");
        let benzene = c.chemical(" 71-43-2 ").unwrap();
        assert_eq!(benzene.gb3838_limit_mg_l, Some(0.01));
        assert!(benzene.gb3838_item.as_deref().unwrap().starts_with("表3"));
        let density = benzene.density_kg_m3.unwrap();
        assert!((860.0..890.0).contains(&density), "benzene at 25 °C is about 874 kg/m³, got {density}");
        let psat = benzene.vapor_pressure_pa.unwrap();
        assert!((12_000.0..13_500.0).contains(&psat), "benzene at 25 °C is about 12.7 kPa, got {psat}");
    }

    #[test]
    fn every_library_cas_has_a_valid_check_digit() {
        for e in &yingji_store::chemicals::library().unwrap().chemicals {
            assert!(cas_is_valid(&e.cas), "{} {}", e.cas, e.name_zh);
        }
    }

    #[test]
    fn the_library_is_complete_and_every_value_has_a_source() {
        let lib = yingji_store::chemicals::library().unwrap();
        assert!(lib.chemicals.len() >= 150, "{} entries", lib.chemicals.len());
        for (name, cas, un) in yingji_demo::DEMO_CHEMICALS {
            let e =
                lib.chemicals.iter().find(|e| e.cas == *cas).unwrap_or_else(|| panic!("demo chemical {name} {cas}"));
            assert_eq!(e.un_number, *un, "{name}");
        }
        for e in &lib.chemicals {
            let who = format!("{} {}", e.cas, e.name_zh);
            assert!(!e.name_zh.is_empty() && !e.name_en.is_empty() && !e.names_source.is_empty(), "{who}");
            assert!(e.molar_mass_g_mol.value > 0.0 && !e.molar_mass_g_mol.source.is_empty(), "{who}");
            for p in [&e.density_kg_m3, &e.vapor_pressure_pa, &e.boiling_point_k].into_iter().flatten() {
                assert!(p.value > 0.0 && p.source.starts_with("chemicals 1.5.2"), "{who}: {p:?}");
            }
            for l in &e.levels {
                assert!((1..=3).contains(&l.tier) && l.ppm > 0.0 && !l.source.is_empty(), "{who}: {l:?}");
            }
            if let Some(g) = &e.gb3838 {
                assert!(g.limit_mg_l > 0.0 && g.item.starts_with('表') && !g.source.is_empty(), "{who}");
            }
            for t in [&e.hazards, &e.disposal] {
                assert!(!t.zh.is_empty() && t.zh.len() == t.en.len() && !t.source.is_empty(), "{who}");
            }
        }
    }

    #[test]
    fn empty_search_lists_and_unknown_cas_is_a_clear_error() {
        let c = console();
        assert_eq!(c.chemical_search("", 7).unwrap().len(), 7);
        // 50-00-0 is formaldehyde; 58-08-2 (caffeine) is a valid CAS the library does not hold.
        let e = c.chemical("58-08-2").unwrap_err();
        assert_eq!(e.code, ErrorCode::RecordNotFound);
        assert!(e.message_zh.contains("58-08-2") && e.message_en.contains("58-08-2"));
        let bad = c.chemical("71-43-3").unwrap_err();
        assert_eq!(bad.code, ErrorCode::InvalidInput, "wrong check digit");
        assert_eq!(c.chemical("benzene").unwrap_err().code, ErrorCode::InvalidInput);
    }
}
