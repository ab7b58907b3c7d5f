//! Pasquill stability classes A–F and Turner's table for choosing one from the weather
//! (Pasquill 1961; Turner 1970, *Workbook of Atmospheric Dispersion Estimates*, Table 1;
//! spec §3).
//!
//! **Split classes.** Where the table gives two classes (e.g. "A–B"), Turner takes the mean of
//! the two concentrations. This crate instead rounds to the **more stable** class (B for A–B):
//! one class and one answer, and the conservative one for ground-level releases, which give
//! higher concentrations and longer threat zones in more stable air.
//! [`PasquillCell`] keeps the table's own split so a caller can do otherwise.
//!
//! **Night, wind below 2 m/s.** Turner leaves these cells blank; like ALOHA and most consoles,
//! this crate uses F.
//!
//! Verified: every single-class cell of the table below agrees with an independent
//! implementation of the same table (Seinfeld & Pandis 2006, p. 750, as coded in the R
//! function `GetPasquillClass` of a public repository); that code resolves splits to the less
//! stable class and fills the blank night cells with E/F, which is where the two differ.

use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::fields::Named;

/// A Pasquill–Gifford stability class, from A (very unstable) to F (moderately stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StabilityClass {
    A,
    B,
    C,
    D,
    E,
    F,
}

impl StabilityClass {
    /// All classes, A to F.
    pub const ALL: [StabilityClass; 6] = [
        StabilityClass::A,
        StabilityClass::B,
        StabilityClass::C,
        StabilityClass::D,
        StabilityClass::E,
        StabilityClass::F,
    ];

    /// 0 for A … 5 for F, for indexing coefficient tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The class letter.
    pub fn letter(self) -> &'static str {
        ["A", "B", "C", "D", "E", "F"][self.index()]
    }

    /// E and F, the stable classes.
    pub fn is_stable(self) -> bool {
        matches!(self, StabilityClass::E | StabilityClass::F)
    }
}

impl Named for StabilityClass {
    const EXPECTED: &'static str = "a stability class \"A\", \"B\", \"C\", \"D\", \"E\" or \"F\"";
    fn from_name(name: &str) -> Option<Self> {
        StabilityClass::ALL.into_iter().find(|c| c.letter() == name)
    }
}

/// Daytime incoming solar radiation, as in Turner's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Insolation {
    Strong,
    Moderate,
    Slight,
}

/// The sky columns of Turner's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sky {
    /// Daytime, with the given insolation.
    Day(Insolation),
    /// Night with a thin overcast or at least 4/8 low cloud.
    NightCloudy,
    /// Night with at most 3/8 cloud.
    NightClear,
    /// Heavy overcast, day or night: always D (Turner 1970, note to Table 1).
    HeavyOvercast,
}

impl Sky {
    /// The night column for a cloud cover in oktas (eighths of the sky, 0–8):
    /// 0–3 → clear, 4–8 → cloudy. Use [`Sky::HeavyOvercast`] for a heavy overcast.
    pub fn night_from_cloud_oktas(cloud_oktas: u8) -> Result<Sky, ModelError> {
        match cloud_oktas {
            0..=3 => Ok(Sky::NightClear),
            4..=8 => Ok(Sky::NightCloudy),
            _ => Err(ModelError::invalid(
                "cloud_oktas",
                format!("cloud cover is counted in eighths of the sky, 0 to 8 (got {cloud_oktas})"),
            )),
        }
    }
}

/// One cell of Turner's table: a class, or a split between two neighbouring classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasquillCell {
    Single(StabilityClass),
    /// The less stable and the more stable of the two classes, e.g. (A, B) for "A–B".
    Split(StabilityClass, StabilityClass),
}

impl PasquillCell {
    /// The class this crate uses: the cell's class, or the more stable of a split (conservative).
    pub fn more_stable(self) -> StabilityClass {
        match self {
            PasquillCell::Single(c) => c,
            PasquillCell::Split(_, stable) => stable,
        }
    }

    /// How the table prints the cell: "A" or "A-B".
    pub fn label(self) -> String {
        match self {
            PasquillCell::Single(c) => c.letter().to_string(),
            PasquillCell::Split(a, b) => format!("{}-{}", a.letter(), b.letter()),
        }
    }
}

/// Upper bounds of the wind-speed rows, m/s at 10 m: `< 2`, `2–3`, `3–5`, `5–6`, `≥ 6`
/// (Turner 1970, Table 1). A speed on a bound belongs to the row above it (2.0 is in `2–3`).
pub const WIND_ROW_UPPER_M_S: [f64; 4] = [2.0, 3.0, 5.0, 6.0];

use PasquillCell::{Single as S, Split as P};
use StabilityClass::{A, B, C, D, E, F};

/// Turner (1970) Table 1 (Pasquill 1961), by wind row and column: strong, moderate and slight
/// insolation; night with thin overcast or ≥ 4/8 low cloud; night with ≤ 3/8 cloud.
/// The night cells of the first row are blank in Turner; F here (ALOHA's choice).
pub const TURNER_TABLE: [[PasquillCell; 5]; 5] = [
    [S(A), P(A, B), S(B), S(F), S(F)],
    [P(A, B), S(B), S(C), S(E), S(F)],
    [S(B), P(B, C), S(C), S(D), S(E)],
    [S(C), P(C, D), S(D), S(D), S(D)],
    [S(C), S(D), S(D), S(D), S(D)],
];

/// The cell of Turner's table for a 10 m wind speed and a sky.
pub fn pasquill_cell(wind_10m_m_s: f64, sky: Sky) -> Result<PasquillCell, ModelError> {
    if !(wind_10m_m_s.is_finite() && wind_10m_m_s >= 0.0) {
        return Err(ModelError::invalid(
            "wind_10m_m_s",
            format!("the wind speed at 10 m must be 0 or more (got {wind_10m_m_s})"),
        ));
    }
    let row = WIND_ROW_UPPER_M_S.iter().take_while(|&&upper| wind_10m_m_s >= upper).count();
    let column = match sky {
        Sky::Day(Insolation::Strong) => 0,
        Sky::Day(Insolation::Moderate) => 1,
        Sky::Day(Insolation::Slight) => 2,
        Sky::NightCloudy => 3,
        Sky::NightClear => 4,
        Sky::HeavyOvercast => return Ok(PasquillCell::Single(StabilityClass::D)),
    };
    Ok(TURNER_TABLE[row][column])
}

/// The stability class for a 10 m wind speed and a sky; split cells are rounded to the more
/// stable class (see the module documentation).
pub fn turner_class(wind_10m_m_s: f64, sky: Sky) -> Result<StabilityClass, ModelError> {
    pasquill_cell(wind_10m_m_s, sky).map(PasquillCell::more_stable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_table() -> String {
        let rows = ["<2", "2-3", "3-5", "5-6", ">=6"];
        let speeds = [1.0, 2.5, 4.0, 5.5, 8.0];
        let skies = [
            Sky::Day(Insolation::Strong),
            Sky::Day(Insolation::Moderate),
            Sky::Day(Insolation::Slight),
            Sky::NightCloudy,
            Sky::NightClear,
        ];
        let mut out = String::from("u10   strong moderate slight night>=4/8 night<=3/8\n");
        for (label, speed) in rows.iter().zip(speeds) {
            out.push_str(&format!("{label:<5}"));
            for sky in skies {
                let cell = pasquill_cell(speed, sky).unwrap();
                out.push_str(&format!(" {:>4}({})", cell.label(), cell.more_stable().letter()));
            }
            out.push('\n');
        }
        out
    }

    /// Snapshot of Turner (1970) Table 1 as implemented: the table's cell, and in brackets the
    /// class used (split cells rounded to the more stable class).
    #[test]
    fn turner_table_snapshot() {
        let expected = "\
u10   strong moderate slight night>=4/8 night<=3/8
<2       A(A)  A-B(B)    B(B)    F(F)    F(F)
2-3    A-B(B)    B(B)    C(C)    E(E)    F(F)
3-5      B(B)  B-C(C)    C(C)    D(D)    E(E)
5-6      C(C)  C-D(D)    D(D)    D(D)    D(D)
>=6      C(C)    D(D)    D(D)    D(D)    D(D)
";
        assert_eq!(render_table(), expected);
    }

    #[test]
    fn row_bounds_and_overcast() {
        let day = Sky::Day(Insolation::Slight);
        assert_eq!(turner_class(1.999, day).unwrap(), B);
        assert_eq!(turner_class(2.0, day).unwrap(), C);
        assert_eq!(turner_class(6.0, Sky::Day(Insolation::Strong)).unwrap(), C);
        assert_eq!(turner_class(0.5, Sky::HeavyOvercast).unwrap(), D);
        assert_eq!(Sky::night_from_cloud_oktas(3).unwrap(), Sky::NightClear);
        assert_eq!(Sky::night_from_cloud_oktas(4).unwrap(), Sky::NightCloudy);
        assert!(Sky::night_from_cloud_oktas(9).is_err());
        assert_eq!(pasquill_cell(-1.0, day).unwrap_err().field(), "wind_10m_m_s");
    }

    /// Turner (1970), Workbook Problem 1 of ch. 3 (as recalled, book not re-read here):
    /// "an overcast night with wind speed of 7 m/sec" is class D.
    #[test]
    fn turner_problem_overcast_night_is_d() {
        assert_eq!(turner_class(7.0, Sky::HeavyOvercast).unwrap(), D);
        assert_eq!(turner_class(7.0, Sky::NightCloudy).unwrap(), D);
    }
}
