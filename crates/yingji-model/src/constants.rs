//! Physical constants and unit conversions, each with its source.

/// Standard acceleration of gravity, m/s² (3rd CGPM, 1901; BIPM SI Brochure, 9th ed., 2019).
pub const STANDARD_GRAVITY_M_S2: f64 = 9.806_65;

/// Molar gas constant R = N_A·k, J/(mol·K) (exact since the 2019 SI redefinition; CODATA 2018).
pub const MOLAR_GAS_CONSTANT_J_MOL_K: f64 = 8.314_462_618_153_24;

/// Standard atmosphere, Pa (10th CGPM, 1954).
pub const STANDARD_ATMOSPHERE_PA: f64 = 101_325.0;

/// Molar volume used to convert ppm to mg/m³ at 25 °C and 1 atm, L/mol
/// (spec §7; the ACGIH/NIOSH convention `mg/m³ = ppm · MW / 24.45`).
/// The ideal-gas value R·298.15 K/101 325 Pa is 24.465 L/mol, 0.06 % higher.
pub const MOLAR_VOLUME_25C_1ATM_L_MOL: f64 = 24.45;

/// Mean molar mass of dry air, g/mol (U.S. Standard Atmosphere 1976, NOAA-S/T 76-1562, Table 3).
pub const AIR_MOLAR_MASS_G_MOL: f64 = 28.9644;

/// kg/m³ in one mg/L (1 mg/L = 1 g/m³ = 1e-3 kg/m³; spec, units).
pub const KG_M3_PER_MG_L: f64 = 1e-3;

/// Converts a concentration in kg/m³ to mg/L.
pub fn kg_m3_to_mg_l(c_kg_m3: f64) -> f64 {
    c_kg_m3 / KG_M3_PER_MG_L
}

/// Converts a gas concentration in ppm (by volume) to kg/m³ at 25 °C and 1 atm (spec §7).
pub fn ppm_to_kg_m3(ppm: f64, molar_mass_g_mol: f64) -> f64 {
    let mg_m3 = ppm * molar_mass_g_mol / MOLAR_VOLUME_25C_1ATM_L_MOL;
    mg_m3 * 1e-6
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 ppm of chlorine (70.906 g/mol) is 70.906/24.45 = 2.9000 mg/m³.
    #[test]
    fn chlorine_ppm_to_mg_m3() {
        let c = ppm_to_kg_m3(1.0, 70.906);
        assert!((c * 1e6 - 2.900_041).abs() < 1e-5, "{c}");
    }

    /// The conventional 24.45 L/mol is within 0.1 % of the ideal-gas molar volume at 25 °C, 1 atm.
    #[test]
    fn molar_volume_is_close_to_ideal_gas() {
        let ideal_l_mol = MOLAR_GAS_CONSTANT_J_MOL_K * 298.15 / STANDARD_ATMOSPHERE_PA * 1000.0;
        assert!((ideal_l_mol - 24.465).abs() < 1e-3, "{ideal_l_mol}");
        assert!((ideal_l_mol / MOLAR_VOLUME_25C_1ATM_L_MOL - 1.0).abs() < 1e-3);
    }
}
