//! Source strength: how fast a chemical escapes (spec §9; Crowl & Louvar 2011, ch. 3–4;
//! CCPS 1999, ch. 2).
//!
//! | kind | model |
//! |---|---|
//! | `liquid_hole` | Bernoulli flow of liquid through a hole, constant driving pressure and head (Crowl & Louvar eq. 4-6) |
//! | `tank_drain` | a tank draining through a hole under a constant pad pressure (Crowl & Louvar eqs. 4-18 to 4-22) |
//! | `gas_hole` | ideal-gas flow through a hole, choked or not (Crowl & Louvar eqs. 4-50, 4-51 ff.) |
//! | `pool_evaporation` | evaporation from a pool with the mass-transfer coefficient scaled from water (Crowl & Louvar eqs. 3-12, 3-14) |
//!
//! Verified by reproducing the CCPS (1999) p. 40 liquid-jet and p. 47 gas-jet examples as set up
//! in aefarrell/GasDispersion.jl `test/source_models/jet_source_tests.jl`, and by recomputing
//! Crowl & Louvar's liquid, tank and gas examples by hand (the book's printed answers were not
//! re-read here; see the tests). The equation numbers above are as recalled.
//! Not implemented: the EPA RMP evaporation formula (from memory in the spec, unverified) and
//! ALOHA's puddle energy balance.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::constants::{MOLAR_GAS_CONSTANT_J_MOL_K, STANDARD_ATMOSPHERE_PA, STANDARD_GRAVITY_M_S2};
use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields, Named};

/// Area of a circle of diameter `d_m`, m².
fn circle_area_m2(d_m: f64) -> f64 {
    PI * d_m * d_m / 4.0
}

// ---------------------------------------------------------------------------------------------
// Liquid through a hole

/// Liquid mass flow through a hole, kg/s: `Qm = ρ·A·Cd·√(2·(ΔP/ρ + g·Δh))`
/// (Bernoulli; Crowl & Louvar eq. 4-6).
pub fn liquid_mass_flow_kg_s(
    density_kg_m3: f64,
    hole_area_m2: f64,
    discharge_coefficient: f64,
    gauge_pressure_pa: f64,
    head_m: f64,
) -> f64 {
    let specific_energy_j_kg = gauge_pressure_pa / density_kg_m3 + STANDARD_GRAVITY_M_S2 * head_m;
    density_kg_m3 * hole_area_m2 * discharge_coefficient * (2.0 * specific_energy_j_kg).sqrt()
}

/// `kind: "liquid_hole"`: a constant flow for `duration_s`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiquidHoleRequest {
    pub density_kg_m3: f64,
    pub hole_diameter_m: f64,
    /// Pressure above the liquid surface relative to the outside, Pa.
    pub gauge_pressure_pa: f64,
    /// 0.61 for a sharp-edged hole; 1.0 when unknown (conservative).
    pub discharge_coefficient: f64,
    /// Liquid height above the hole, m.
    pub head_m: f64,
    pub duration_s: f64,
}

impl FromFields for LiquidHoleRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(LiquidHoleRequest {
            density_kg_m3: f.number("density_kg_m3")?,
            hole_diameter_m: f.number("hole_diameter_m")?,
            gauge_pressure_pa: f.number("gauge_pressure_pa")?,
            discharge_coefficient: f.number("discharge_coefficient")?,
            head_m: f.number("head_m")?,
            duration_s: f.number("duration_s")?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LiquidHoleResponse {
    pub mass_flow_kg_s: f64,
    pub total_mass_kg: f64,
}

pub fn liquid_hole(r: &LiquidHoleRequest) -> Result<LiquidHoleResponse, ModelError> {
    check::positive("density_kg_m3", r.density_kg_m3, "the liquid density")?;
    check::positive("hole_diameter_m", r.hole_diameter_m, "the hole diameter")?;
    check::finite("gauge_pressure_pa", r.gauge_pressure_pa, "the gauge pressure")?;
    check::discharge_coefficient("discharge_coefficient", r.discharge_coefficient)?;
    check::non_negative("head_m", r.head_m, "the liquid height above the hole")?;
    check::non_negative("duration_s", r.duration_s, "the release duration")?;
    if r.gauge_pressure_pa / r.density_kg_m3 + STANDARD_GRAVITY_M_S2 * r.head_m <= 0.0 {
        return Err(ModelError::invalid(
            "gauge_pressure_pa",
            "nothing flows out: the gauge pressure plus the liquid head above the hole must push outward",
        ));
    }
    let mass_flow_kg_s = liquid_mass_flow_kg_s(
        r.density_kg_m3,
        circle_area_m2(r.hole_diameter_m),
        r.discharge_coefficient,
        r.gauge_pressure_pa,
        r.head_m,
    );
    Ok(LiquidHoleResponse { mass_flow_kg_s, total_mass_kg: mass_flow_kg_s * r.duration_s })
}

// ---------------------------------------------------------------------------------------------
// Tank draining under a pad pressure

/// `kind: "tank_drain"`: a vertical cylindrical tank with a constant pad (blanket) pressure,
/// draining through a hole until the liquid reaches the hole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TankDrainRequest {
    pub density_kg_m3: f64,
    pub tank_diameter_m: f64,
    /// Initial liquid height above the hole, m.
    pub liquid_height_m: f64,
    pub pad_gauge_pressure_pa: f64,
    pub hole_diameter_m: f64,
    pub discharge_coefficient: f64,
}

impl FromFields for TankDrainRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(TankDrainRequest {
            density_kg_m3: f.number("density_kg_m3")?,
            tank_diameter_m: f.number("tank_diameter_m")?,
            liquid_height_m: f.number("liquid_height_m")?,
            pad_gauge_pressure_pa: f.number("pad_gauge_pressure_pa")?,
            hole_diameter_m: f.number("hole_diameter_m")?,
            discharge_coefficient: f.number("discharge_coefficient")?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TankDrainResponse {
    /// The initial (largest) mass flow, kg/s.
    pub max_mass_flow_kg_s: f64,
    /// Time until the liquid level reaches the hole, s.
    pub time_to_drain_s: f64,
    /// Liquid above the hole, which all escapes, m³.
    pub volume_spilled_m3: f64,
}

/// Crowl & Louvar eqs. 4-18 to 4-22:
/// `Qm(t) = ρ·A·Cd·√(2(Pg/ρ + g·hL0)) − (ρ·g·Cd²·A²/At)·t`, and the liquid reaches the hole at
/// `t_e = (1/(Cd·g))·(At/A)·[√(2(Pg/ρ + g·hL0)) − √(2·Pg/ρ)]`.
pub fn tank_drain(r: &TankDrainRequest) -> Result<TankDrainResponse, ModelError> {
    check::positive("density_kg_m3", r.density_kg_m3, "the liquid density")?;
    check::positive("tank_diameter_m", r.tank_diameter_m, "the tank diameter")?;
    check::non_negative("liquid_height_m", r.liquid_height_m, "the liquid height above the hole")?;
    check::non_negative("pad_gauge_pressure_pa", r.pad_gauge_pressure_pa, "the pad gauge pressure")?;
    check::positive("hole_diameter_m", r.hole_diameter_m, "the hole diameter")?;
    check::discharge_coefficient("discharge_coefficient", r.discharge_coefficient)?;
    if r.hole_diameter_m >= r.tank_diameter_m {
        return Err(ModelError::invalid(
            "hole_diameter_m",
            format!(
                "the hole ({} m) must be smaller than the tank ({} m); for a catastrophic failure take the whole inventory as released at once",
                r.hole_diameter_m, r.tank_diameter_m
            ),
        ));
    }
    let g = STANDARD_GRAVITY_M_S2;
    let (rho, cd) = (r.density_kg_m3, r.discharge_coefficient);
    let hole_area_m2 = circle_area_m2(r.hole_diameter_m);
    let tank_area_m2 = circle_area_m2(r.tank_diameter_m);
    let initial_velocity_m_s = (2.0 * (r.pad_gauge_pressure_pa / rho + g * r.liquid_height_m)).sqrt();
    let final_velocity_m_s = (2.0 * r.pad_gauge_pressure_pa / rho).sqrt();
    Ok(TankDrainResponse {
        max_mass_flow_kg_s: rho * hole_area_m2 * cd * initial_velocity_m_s,
        time_to_drain_s: (tank_area_m2 / hole_area_m2) * (initial_velocity_m_s - final_velocity_m_s) / (cd * g),
        volume_spilled_m3: tank_area_m2 * r.liquid_height_m,
    })
}

// ---------------------------------------------------------------------------------------------
// Gas through a hole

/// Pressure ratio P_ambient/P0 at and below which flow through a hole is choked:
/// `(2/(k+1))^{k/(k−1)}` (0.528 for k = 1.4).
pub fn choked_pressure_ratio(heat_capacity_ratio: f64) -> f64 {
    let k = heat_capacity_ratio;
    (2.0 / (k + 1.0)).powf(k / (k - 1.0))
}

/// `kind: "gas_hole"`: an ideal gas escaping through a hole from a reservoir at P0, T0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GasHoleRequest {
    pub molar_mass_kg_mol: f64,
    pub heat_capacity_ratio: f64,
    /// Absolute pressure upstream of the hole, Pa.
    pub upstream_pressure_pa: f64,
    pub upstream_temp_k: f64,
    pub hole_diameter_m: f64,
    pub discharge_coefficient: f64,
    /// Absolute pressure outside, Pa.
    pub ambient_pressure_pa: f64,
}

impl FromFields for GasHoleRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(GasHoleRequest {
            molar_mass_kg_mol: f.number("molar_mass_kg_mol")?,
            heat_capacity_ratio: f.number("heat_capacity_ratio")?,
            upstream_pressure_pa: f.number("upstream_pressure_pa")?,
            upstream_temp_k: f.number("upstream_temp_k")?,
            hole_diameter_m: f.number("hole_diameter_m")?,
            discharge_coefficient: f.number("discharge_coefficient")?,
            ambient_pressure_pa: f.number("ambient_pressure_pa")?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GasHoleResponse {
    pub mass_flow_kg_s: f64,
    pub choked: bool,
}

/// Choked: `Qm = Cd·A·P0·√((k·M/(R·T0))·(2/(k+1))^{(k+1)/(k−1)})`;
/// otherwise `Qm = Cd·A·P0·√((2M/(R·T0))·(k/(k−1))·[(P/P0)^{2/k} − (P/P0)^{(k+1)/k}])`.
///
/// The CCPS (1999) p. 47 propane jet (8.90 kg/m³ at 501 kPa and 298 K, k = 1.15, Cd = 0.85,
/// 10 mm hole) gives 0.0900 kg/s:
///
/// ```
/// use yingji_model::{constants::MOLAR_GAS_CONSTANT_J_MOL_K, source::{gas_hole, GasHoleRequest}};
///
/// let r = gas_hole(&GasHoleRequest {
///     molar_mass_kg_mol: 8.90 * MOLAR_GAS_CONSTANT_J_MOL_K * 298.0 / 501e3,
///     heat_capacity_ratio: 1.15,
///     upstream_pressure_pa: 501e3,
///     upstream_temp_k: 298.0,
///     hole_diameter_m: 0.01,
///     discharge_coefficient: 0.85,
///     ambient_pressure_pa: 101_325.0,
/// })?;
/// assert!(r.choked && (r.mass_flow_kg_s - 0.0900).abs() < 5e-5);
/// # Ok::<(), yingji_model::ModelError>(())
/// ```
pub fn gas_hole(r: &GasHoleRequest) -> Result<GasHoleResponse, ModelError> {
    check::positive("molar_mass_kg_mol", r.molar_mass_kg_mol, "the molar mass (kg/mol)")?;
    if r.molar_mass_kg_mol > 1.0 {
        return Err(ModelError::invalid(
            "molar_mass_kg_mol",
            format!(
                "{} kg/mol is not a gas molar mass; this field is in kg/mol (0.028 for nitrogen)",
                r.molar_mass_kg_mol
            ),
        ));
    }
    if !(r.heat_capacity_ratio.is_finite() && r.heat_capacity_ratio > 1.0 && r.heat_capacity_ratio < 2.0) {
        return Err(ModelError::invalid(
            "heat_capacity_ratio",
            format!(
                "the heat capacity ratio cp/cv must be between 1 and 2 (got {}); 1.4 for air",
                r.heat_capacity_ratio
            ),
        ));
    }
    check::positive("upstream_pressure_pa", r.upstream_pressure_pa, "the upstream absolute pressure")?;
    check::positive("upstream_temp_k", r.upstream_temp_k, "the upstream temperature")?;
    check::positive("hole_diameter_m", r.hole_diameter_m, "the hole diameter")?;
    check::discharge_coefficient("discharge_coefficient", r.discharge_coefficient)?;
    check::positive("ambient_pressure_pa", r.ambient_pressure_pa, "the ambient absolute pressure")?;
    if r.upstream_pressure_pa <= r.ambient_pressure_pa {
        return Err(ModelError::invalid(
            "upstream_pressure_pa",
            format!(
                "nothing flows out: the upstream pressure ({} Pa) must exceed the ambient pressure ({} Pa); both are absolute",
                r.upstream_pressure_pa, r.ambient_pressure_pa
            ),
        ));
    }
    let k = r.heat_capacity_ratio;
    let m_over_rt = r.molar_mass_kg_mol / (MOLAR_GAS_CONSTANT_J_MOL_K * r.upstream_temp_k);
    let ratio = r.ambient_pressure_pa / r.upstream_pressure_pa;
    let choked = ratio <= choked_pressure_ratio(k);
    let flux_factor = if choked {
        k * m_over_rt * (2.0 / (k + 1.0)).powf((k + 1.0) / (k - 1.0))
    } else {
        2.0 * m_over_rt * (k / (k - 1.0)) * (ratio.powf(2.0 / k) - ratio.powf((k + 1.0) / k))
    };
    let mass_flow_kg_s =
        r.discharge_coefficient * circle_area_m2(r.hole_diameter_m) * r.upstream_pressure_pa * flux_factor.sqrt();
    Ok(GasHoleResponse { mass_flow_kg_s, choked })
}

// ---------------------------------------------------------------------------------------------
// Evaporation from a pool

/// Mass-transfer coefficient of water vapour, m/s (Crowl & Louvar: K0 = 0.83 cm/s; spec §9).
const WATER_MASS_TRANSFER_M_S: f64 = 0.0083;

/// Molar mass of water, the reference for the mass-transfer coefficient, g/mol (Crowl & Louvar).
const WATER_MOLAR_MASS_G_MOL: f64 = 18.0;

/// Gas-phase mass-transfer coefficient K = K0·(M0/M)^{1/3}, m/s (Crowl & Louvar eq. 3-14).
pub fn crowl_louvar_mass_transfer_m_s(molar_mass_g_mol: f64) -> f64 {
    WATER_MASS_TRANSFER_M_S * (WATER_MOLAR_MASS_G_MOL / molar_mass_g_mol).cbrt()
}

/// Evaporation rate Qm = M·K·A·Psat/(R·T_L), kg/s (Crowl & Louvar eq. 3-12), with M in kg/mol.
pub fn evaporation_rate_kg_s(molar_mass_g_mol: f64, area_m2: f64, vapor_pressure_pa: f64, liquid_temp_k: f64) -> f64 {
    let molar_mass_kg_mol = molar_mass_g_mol / 1000.0;
    molar_mass_kg_mol * crowl_louvar_mass_transfer_m_s(molar_mass_g_mol) * area_m2 * vapor_pressure_pa
        / (MOLAR_GAS_CONSTANT_J_MOL_K * liquid_temp_k)
}

/// How the pool's size is given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PoolSize {
    Diameter { pool_diameter_m: f64 },
    Area { pool_area_m2: f64 },
}

/// Mass-transfer correlations for pool evaporation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MassTransfer {
    /// K = 0.83 cm/s·(18/M)^{1/3} (Crowl & Louvar).
    #[default]
    CrowlLouvar,
}

impl Named for MassTransfer {
    const EXPECTED: &'static str = "a mass-transfer correlation \"crowl_louvar\"";
    fn from_name(name: &str) -> Option<Self> {
        (name == "crowl_louvar").then_some(MassTransfer::CrowlLouvar)
    }
}

/// `kind: "pool_evaporation"`: a pool of pure liquid below its boiling point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolEvaporationRequest {
    pub molar_mass_g_mol: f64,
    #[serde(flatten)]
    pub size: PoolSize,
    pub liquid_temp_k: f64,
    pub vapor_pressure_pa: f64,
    /// Optional in JSON; `crowl_louvar` is the only one offered.
    #[serde(default)]
    pub mass_transfer: MassTransfer,
}

impl FromFields for PoolEvaporationRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        let molar_mass_g_mol = f.number("molar_mass_g_mol")?;
        let size = match (f.optional_number("pool_diameter_m")?, f.optional_number("pool_area_m2")?) {
            (Some(pool_diameter_m), None) => PoolSize::Diameter { pool_diameter_m },
            (None, Some(pool_area_m2)) => PoolSize::Area { pool_area_m2 },
            (Some(_), Some(_)) => {
                return Err(ModelError::invalid(
                    f.path_of("pool_area_m2"),
                    "give pool_diameter_m or pool_area_m2, not both",
                ))
            }
            (None, None) => {
                return Err(ModelError::invalid(
                    f.path_of("pool_diameter_m"),
                    "the pool size is required: give pool_diameter_m or pool_area_m2 (for an unconfined spill, area = volume/0.01 m; for a diked spill, the dike area)",
                ))
            }
        };
        Ok(PoolEvaporationRequest {
            molar_mass_g_mol,
            size,
            liquid_temp_k: f.number("liquid_temp_k")?,
            vapor_pressure_pa: f.number("vapor_pressure_pa")?,
            mass_transfer: f.optional_name("mass_transfer")?.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PoolEvaporationResponse {
    pub evaporation_rate_kg_s: f64,
}

pub fn pool_evaporation(r: &PoolEvaporationRequest) -> Result<PoolEvaporationResponse, ModelError> {
    check::positive("molar_mass_g_mol", r.molar_mass_g_mol, "the molar mass (g/mol)")?;
    let area_m2 = match r.size {
        PoolSize::Diameter { pool_diameter_m } => {
            check::positive("pool_diameter_m", pool_diameter_m, "the pool diameter")?;
            circle_area_m2(pool_diameter_m)
        }
        PoolSize::Area { pool_area_m2 } => {
            check::positive("pool_area_m2", pool_area_m2, "the pool area")?;
            pool_area_m2
        }
    };
    check::positive("liquid_temp_k", r.liquid_temp_k, "the liquid temperature")?;
    check::non_negative("vapor_pressure_pa", r.vapor_pressure_pa, "the vapour pressure")?;
    if r.vapor_pressure_pa >= STANDARD_ATMOSPHERE_PA {
        return Err(ModelError::invalid(
            "vapor_pressure_pa",
            format!(
                "a vapour pressure of {} Pa (≥ 1 atm) means the liquid is boiling; this mass-transfer model applies only below the boiling point",
                r.vapor_pressure_pa
            ),
        ));
    }
    let MassTransfer::CrowlLouvar = r.mass_transfer;
    Ok(PoolEvaporationResponse {
        evaporation_rate_kg_s: evaporation_rate_kg_s(r.molar_mass_g_mol, area_m2, r.vapor_pressure_pa, r.liquid_temp_k),
    })
}

// ---------------------------------------------------------------------------------------------
// The `source` request

/// `{"model": "source", "kind": …, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceRequest {
    LiquidHole(LiquidHoleRequest),
    TankDrain(TankDrainRequest),
    GasHole(GasHoleRequest),
    PoolEvaporation(PoolEvaporationRequest),
}

/// The answer, tagged by the same `"kind"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceResponse {
    LiquidHole(LiquidHoleResponse),
    TankDrain(TankDrainResponse),
    GasHole(GasHoleResponse),
    PoolEvaporation(PoolEvaporationResponse),
}

enum SourceKind {
    LiquidHole,
    TankDrain,
    GasHole,
    PoolEvaporation,
}

impl Named for SourceKind {
    const EXPECTED: &'static str =
        "a source kind \"liquid_hole\", \"tank_drain\", \"gas_hole\" or \"pool_evaporation\"";
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "liquid_hole" => Some(SourceKind::LiquidHole),
            "tank_drain" => Some(SourceKind::TankDrain),
            "gas_hole" => Some(SourceKind::GasHole),
            "pool_evaporation" => Some(SourceKind::PoolEvaporation),
            _ => None,
        }
    }
}

impl FromFields for SourceRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(match f.name::<SourceKind>("kind")? {
            SourceKind::LiquidHole => SourceRequest::LiquidHole(LiquidHoleRequest::from_fields(f)?),
            SourceKind::TankDrain => SourceRequest::TankDrain(TankDrainRequest::from_fields(f)?),
            SourceKind::GasHole => SourceRequest::GasHole(GasHoleRequest::from_fields(f)?),
            SourceKind::PoolEvaporation => SourceRequest::PoolEvaporation(PoolEvaporationRequest::from_fields(f)?),
        })
    }
}

/// Source strength for one request.
pub fn run(request: &SourceRequest) -> Result<SourceResponse, ModelError> {
    Ok(match request {
        SourceRequest::LiquidHole(r) => SourceResponse::LiquidHole(liquid_hole(r)?),
        SourceRequest::TankDrain(r) => SourceResponse::TankDrain(tank_drain(r)?),
        SourceRequest::GasHole(r) => SourceResponse::GasHole(gas_hole(r)?),
        SourceRequest::PoolEvaporation(r) => SourceResponse::PoolEvaporation(pool_evaporation(r)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PSI_PA: f64 = 6894.757;
    const INCH_M: f64 = 0.0254;
    const FOOT_M: f64 = 0.3048;
    const LBM_KG: f64 = 0.453_592_37;

    /// CCPS (1999) *Guidelines for Consequence Analysis*, p. 40 liquid-jet example, as set up in
    /// aefarrell/GasDispersion.jl `test/source_models/jet_source_tests.jl`: ρ = 490 kg/m³,
    /// Cd = 0.63, d = 10 mm, 120 935.0368 Pa absolute into 101 325 Pa (19 610.0368 Pa gauge);
    /// that test's known answer is 0.21691154763598 kg/s. By hand: A = 7.854e-5 m²,
    /// √(2·19610.04/490) = 8.9466 m/s, Qm = 490·7.854e-5·0.63·8.9466 = 0.21691 kg/s.
    #[test]
    fn ccps_liquid_jet_example() {
        let r = liquid_hole(&LiquidHoleRequest {
            density_kg_m3: 490.0,
            hole_diameter_m: 0.01,
            gauge_pressure_pa: 120_935.036_8 - 101_325.0,
            discharge_coefficient: 0.63,
            head_m: 0.0,
            duration_s: 60.0,
        })
        .unwrap();
        assert!((r.mass_flow_kg_s - 0.21691154763598).abs() < 1e-10, "{r:?}");
        assert!((r.total_mass_kg - 60.0 * r.mass_flow_kg_s).abs() < 1e-12);
    }

    /// CCPS (1999) p. 47 gas-jet example (propane), as set up in GasDispersion.jl
    /// `test/source_models/jet_source_tests.jl`: ρ = 8.90 kg/m³ at 501 kPa and 298 K, k = 1.15,
    /// Cd = 0.85, d = 10 mm, into 1 atm; known answer 0.09002799947040846 kg/s (choked).
    /// The density fixes M/(R·T0) = ρ/P0, so M = 8.90·R·298/501000 = 0.044016 kg/mol.
    /// By hand: (2/2.15)^(2.15/0.15) = 0.35466; k·ρ/P0 = 2.04291e-5; √(2.04291e-5·0.35466) =
    /// 2.69173e-3; Cd·A·P0 = 0.85·7.85398e-5·501000 = 33.4461; Qm = 0.090029 kg/s.
    #[test]
    fn ccps_gas_jet_example() {
        let upstream_pressure_pa = 501e3;
        let r = gas_hole(&GasHoleRequest {
            molar_mass_kg_mol: 8.90 * MOLAR_GAS_CONSTANT_J_MOL_K * 298.0 / upstream_pressure_pa,
            heat_capacity_ratio: 1.15,
            upstream_pressure_pa,
            upstream_temp_k: 298.0,
            hole_diameter_m: 0.01,
            discharge_coefficient: 0.85,
            ambient_pressure_pa: 101_325.0,
        })
        .unwrap();
        assert!(r.choked);
        assert!((r.mass_flow_kg_s - 0.09002799947040846).abs() < 1e-9, "{r:?}");
    }

    /// Crowl & Louvar, benzene leaking from a pipeline at 100 psig through a 0.1 in hole,
    /// Cd = 0.61, specific gravity 0.8794, for 90 min (Example 4-1 as recalled; the printed
    /// answer was not re-read here). By hand in SI: A = π·(0.00254 m)²/4 = 5.0671e-6 m²,
    /// ρ = 879.4 kg/m³, ΔP = 689 475.7 Pa; Qm = A·Cd·√(2ρΔP) = 5.0671e-6·0.61·√(1.21266e9)
    /// = 3.0909e-6·34 823 = 0.10764 kg/s (0.2373 lbm/s); over 5400 s, 581.2 kg (1281 lbm).
    #[test]
    fn crowl_louvar_benzene_pipeline_by_hand() {
        let r = liquid_hole(&LiquidHoleRequest {
            density_kg_m3: 879.4,
            hole_diameter_m: 0.1 * INCH_M,
            gauge_pressure_pa: 100.0 * PSI_PA,
            discharge_coefficient: 0.61,
            head_m: 0.0,
            duration_s: 90.0 * 60.0,
        })
        .unwrap();
        assert!((r.mass_flow_kg_s - 0.10764).abs() < 2e-5, "{r:?}");
        assert!((r.mass_flow_kg_s / LBM_KG - 0.2373).abs() < 1e-4, "{r:?}");
        assert!((r.total_mass_kg - 581.2).abs() < 0.2, "{r:?}");
    }

    /// Crowl & Louvar, benzene tank 8 ft across padded with nitrogen at 1 atm gauge, liquid
    /// 17 ft deep, a 1 in puncture 5 ft up (so 12 ft of liquid above it), Cd = 0.61, specific
    /// gravity 0.8794 (Example 4-2 as recalled; answers as we recall them: 10.4 lbm/s, 56.6 min,
    /// 4512 gal — not re-read). By hand in SI: Pg/ρ = 101325/879.4 = 115.22 J/kg,
    /// g·hL0 = 9.80665·3.6576 = 35.869 J/kg, √(2·151.09) = 17.383 m/s, A = 5.0671e-4 m²:
    /// Qm0 = 879.4·5.0671e-4·0.61·17.383 = 4.7249 kg/s = 10.42 lbm/s;
    /// t_e = 9216·(17.383 − √(2·115.22) = 15.180)/(0.61·9.80665) = 3394 s = 56.6 min;
    /// V = π/4·(2.4384 m)²·3.6576 m = 17.08 m³ = 4512 US gal.
    #[test]
    fn crowl_louvar_padded_tank_by_hand() {
        let r = tank_drain(&TankDrainRequest {
            density_kg_m3: 879.4,
            tank_diameter_m: 8.0 * FOOT_M,
            liquid_height_m: 12.0 * FOOT_M,
            pad_gauge_pressure_pa: 101_325.0,
            hole_diameter_m: INCH_M,
            discharge_coefficient: 0.61,
        })
        .unwrap();
        assert!((r.max_mass_flow_kg_s / LBM_KG - 10.42).abs() < 0.01, "{r:?}");
        assert!((r.time_to_drain_s - 3394.0).abs() < 1.0, "{r:?}");
        assert!((r.volume_spilled_m3 / 0.003_785_411_784 - 4512.0).abs() < 1.0, "{r:?}");
    }

    /// Crowl & Louvar, nitrogen at 200 psig and 80 °F through a 0.1 in hole, Cd = 1, k = 1.4
    /// (recalled answer 0.0380 lbm/s, not re-read). By hand: P0 = 214.7 psia = 1.48030e6 Pa,
    /// T0 = 299.82 K, P_amb/P0 = 0.0684 < 0.528 so choked; (2/2.4)^6 = 0.33490;
    /// k·M/(R·T0) = 1.4·0.028/(8.3145·299.82) = 1.5725e-5; √(1.5725e-5·0.33490) = 2.2948e-3;
    /// Qm = 5.0671e-6·1.48030e6·2.2948e-3 = 0.017213 kg/s = 0.03795 lbm/s.
    #[test]
    fn crowl_louvar_nitrogen_hole_by_hand() {
        let r = gas_hole(&GasHoleRequest {
            molar_mass_kg_mol: 0.028,
            heat_capacity_ratio: 1.4,
            upstream_pressure_pa: 214.7 * PSI_PA,
            upstream_temp_k: (80.0 - 32.0) / 1.8 + 273.15,
            hole_diameter_m: 0.1 * INCH_M,
            discharge_coefficient: 1.0,
            ambient_pressure_pa: 14.7 * PSI_PA,
        })
        .unwrap();
        assert!(r.choked);
        assert!((r.mass_flow_kg_s - 0.017213).abs() < 5e-6, "{r:?}");
        assert!((r.mass_flow_kg_s / LBM_KG - 0.03795).abs() < 2e-5, "{r:?}");
    }

    /// Unchoked flow is continuous with choked flow at the critical ratio, and goes to zero as
    /// the ambient pressure approaches the upstream pressure.
    #[test]
    fn unchoked_meets_choked_at_the_critical_ratio() {
        let base = GasHoleRequest {
            molar_mass_kg_mol: 0.028,
            heat_capacity_ratio: 1.4,
            upstream_pressure_pa: 200_000.0,
            upstream_temp_k: 300.0,
            hole_diameter_m: 0.01,
            discharge_coefficient: 1.0,
            ambient_pressure_pa: 0.0,
        };
        let critical = choked_pressure_ratio(1.4);
        assert!((critical - 0.528_28).abs() < 1e-5);
        let at =
            |ratio: f64| gas_hole(&GasHoleRequest { ambient_pressure_pa: ratio * 200_000.0, ..base.clone() }).unwrap();
        let choked = at(critical * (1.0 - 1e-9));
        let unchoked = at(critical * (1.0 + 1e-9));
        assert!(choked.choked && !unchoked.choked);
        assert!(((choked.mass_flow_kg_s - unchoked.mass_flow_kg_s) / choked.mass_flow_kg_s).abs() < 1e-6);
        assert!(at(0.99999).mass_flow_kg_s < 0.01 * choked.mass_flow_kg_s);
    }

    /// Crowl & Louvar's mass-transfer scaling, by hand for toluene (M = 92.14 g/mol) from an
    /// open vessel 5 ft across at 25 °C with Psat = 28.2 mmHg = 3760 Pa (the setting of a
    /// Crowl & Louvar evaporation example as recalled; its printed answer not re-read):
    /// K = 0.83 cm/s·(18/92.14)^(1/3) = 0.83·0.58024 = 0.48160 cm/s; A = π/4·(1.524 m)² = 1.8241 m²;
    /// Qm = 0.09214·0.0048160·1.8241·3759.7/(8.3145·298.15) = 1.2277e-3 kg/s (2.71e-3 lbm/s).
    #[test]
    fn crowl_louvar_toluene_pool_by_hand() {
        assert!((crowl_louvar_mass_transfer_m_s(92.14) - 0.0048160).abs() < 1e-7);
        let r = pool_evaporation(&PoolEvaporationRequest {
            molar_mass_g_mol: 92.14,
            size: PoolSize::Diameter { pool_diameter_m: 5.0 * FOOT_M },
            liquid_temp_k: 298.15,
            vapor_pressure_pa: 28.2 / 760.0 * 101_325.0,
            mass_transfer: MassTransfer::CrowlLouvar,
        })
        .unwrap();
        assert!((r.evaporation_rate_kg_s - 1.2277e-3).abs() < 1e-7, "{r:?}");
        // Water scales to itself.
        assert!((crowl_louvar_mass_transfer_m_s(18.0) - 0.0083).abs() < 1e-15);
    }

    #[test]
    fn errors_name_the_field() {
        let e = gas_hole(&GasHoleRequest {
            molar_mass_kg_mol: 28.0,
            heat_capacity_ratio: 1.4,
            upstream_pressure_pa: 2e5,
            upstream_temp_k: 300.0,
            hole_diameter_m: 0.01,
            discharge_coefficient: 1.0,
            ambient_pressure_pa: 101_325.0,
        })
        .unwrap_err();
        assert_eq!(e.field(), "molar_mass_kg_mol");
        assert!(e.message().contains("kg/mol"));
        let e = pool_evaporation(&PoolEvaporationRequest {
            molar_mass_g_mol: 17.0,
            size: PoolSize::Area { pool_area_m2: 10.0 },
            liquid_temp_k: 300.0,
            vapor_pressure_pa: 1.0e6,
            mass_transfer: MassTransfer::CrowlLouvar,
        })
        .unwrap_err();
        assert_eq!(e.field(), "vapor_pressure_pa");
        assert!(e.message().contains("boiling"));
    }
}
