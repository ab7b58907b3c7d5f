//! Dispersion coefficients σy and σz as functions of downwind distance (spec §4).
//!
//! | set | source | x range |
//! |---|---|---|
//! | `isc3_rural` | EPA ISC3 User's Guide Vol. II (EPA-454/B-95-003b), Tables 1-1 and 1-2: fits to the Pasquill–Gifford curves | any; σz capped at 5000 m |
//! | `briggs_rural`, `briggs_urban` | Briggs (1973) as tabulated by Gifford (1976), Hanna et al. (1982), CCPS (1999) | 100 m – 10 km |
//! | `slade_puff` | Slade (1968), CCPS (1999) Table 2.13; σx = σy | puffs |
//!
//! Verified: every coefficient below agrees with the independent implementation in
//! aefarrell/GasDispersion.jl (`src/utils/equation_sets/isc3.jl`, `briggs.jl`,
//! `src/utils/pasquill_gifford.jl`), and the tests reproduce that package's reference values
//! (`test/utils/isc3_tests.jl`). The ISC3 σz pieces meet at their range bounds only to the
//! rounding of the published coefficients: jumps of up to 4e-4 relative (A at 0.10 km).
//! Not verified: the "De Visscher (2014) p. 25 example" the spec mentions (the spec's sentence
//! is incomplete and the book was not available).

use serde::{Deserialize, Serialize};

use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields, Named};
use crate::stability::StabilityClass;

/// Largest distance at which σ are evaluated, m (this crate's limit: the ISC3 table stops
/// changing pieces at 60 km and Briggs's fits are for 100 m – 10 km; beyond 100 km all are
/// extrapolations).
pub const MAX_DISTANCE_M: f64 = 100_000.0;

/// σy and σz at one distance, m.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sigmas {
    pub sigma_y_m: f64,
    pub sigma_z_m: f64,
}

/// A named set of σ curves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SigmaSet {
    Isc3Rural,
    BriggsRural,
    BriggsUrban,
    SladePuff,
}

impl Named for SigmaSet {
    const EXPECTED: &'static str = "a σ set \"isc3_rural\", \"briggs_rural\", \"briggs_urban\" or \"slade_puff\"";
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "isc3_rural" => Some(SigmaSet::Isc3Rural),
            "briggs_rural" => Some(SigmaSet::BriggsRural),
            "briggs_urban" => Some(SigmaSet::BriggsUrban),
            "slade_puff" => Some(SigmaSet::SladePuff),
            _ => None,
        }
    }
}

/// σ at downwind distance `x_m` (> 0) for a set and stability class.
pub fn sigmas(set: SigmaSet, class: StabilityClass, x_m: f64) -> Sigmas {
    match set {
        SigmaSet::Isc3Rural => isc3_rural(class, x_m),
        SigmaSet::BriggsRural => briggs_rural(class, x_m),
        SigmaSet::BriggsUrban => briggs_urban(class, x_m),
        SigmaSet::SladePuff => slade_puff(class, x_m),
    }
}

// ---------------------------------------------------------------------------------------------
// EPA ISC3 rural (x in km inside the formulas)

/// ISC3 σy coefficients (c, d) by class: σy = 465.11628·x·tan(0.017453293·(c − d·ln x)), x in km
/// (EPA-454/B-95-003b Vol. II, Table 1-1).
const ISC3_SIGMA_Y_C_D: [(f64, f64); 6] =
    [(24.1670, 2.5334), (18.3330, 1.8096), (12.5000, 1.0857), (8.3330, 0.72382), (6.2500, 0.54287), (4.1667, 0.36191)];

/// One piece of an ISC3 σz fit: σz = a·x^b for x up to `upper_km` (inclusive).
type Piece = (f64, f64, f64);

/// ISC3 σz pieces (upper bound km, a, b) by class (EPA-454/B-95-003b Vol. II, Table 1-2).
const ISC3_SIGMA_Z: [&[Piece]; 6] = [
    &[
        (0.10, 122.800, 0.94470),
        (0.15, 158.080, 1.05420),
        (0.20, 170.220, 1.09320),
        (0.25, 179.520, 1.12620),
        (0.30, 217.410, 1.26440),
        (0.40, 258.890, 1.40940),
        (0.50, 346.750, 1.72830),
        (f64::INFINITY, 453.850, 2.11660), // > 3.11 km reaches the 5000 m cap
    ],
    &[(0.20, 90.673, 0.93198), (0.40, 98.483, 0.98332), (f64::INFINITY, 109.300, 1.09710)],
    &[(f64::INFINITY, 61.141, 0.91465)],
    &[
        (0.30, 34.459, 0.86974),
        (1.00, 32.093, 0.81066),
        (3.00, 32.093, 0.64403),
        (10.00, 33.504, 0.60486),
        (30.00, 36.650, 0.56589),
        (f64::INFINITY, 44.053, 0.51179),
    ],
    &[
        (0.10, 24.260, 0.83660),
        (0.30, 23.331, 0.81956),
        (1.00, 21.628, 0.75660),
        (2.00, 21.628, 0.63077),
        (4.00, 22.534, 0.57154),
        (10.00, 24.703, 0.50527),
        (20.00, 26.970, 0.46713),
        (40.00, 35.420, 0.37615),
        (f64::INFINITY, 47.618, 0.29592),
    ],
    &[
        (0.20, 15.209, 0.81558),
        (0.70, 14.457, 0.78407),
        (1.00, 13.953, 0.68465),
        (2.00, 13.953, 0.63227),
        (3.00, 14.823, 0.54503),
        (7.00, 16.187, 0.46490),
        (15.00, 17.836, 0.41507),
        (30.00, 22.651, 0.32681),
        (60.00, 27.074, 0.27436),
        (f64::INFINITY, 34.219, 0.21716),
    ],
];

/// ISC3 cap on σz, m (EPA-454/B-95-003b Vol. II, Table 1-2 note: σz = 5000 m for A beyond 3.11 km).
const ISC3_SIGMA_Z_CAP_M: f64 = 5000.0;

/// EPA ISC3 rural σ: fits to the Pasquill–Gifford curves (Turner 1970), x in m.
pub fn isc3_rural(class: StabilityClass, x_m: f64) -> Sigmas {
    let x_km = x_m / 1000.0;
    let (c, d) = ISC3_SIGMA_Y_C_D[class.index()];
    // EPA-454/B-95-003b Vol. II, Table 1-1: 465.11628 = (1000 m/km)/2.15 and 0.017453293 = π/180.
    let th_rad = 0.017_453_293 * (c - d * x_km.ln());
    let sigma_y_m = 465.116_28 * x_km * th_rad.tan();
    let pieces = ISC3_SIGMA_Z[class.index()];
    let &(_, a, b) = pieces.iter().find(|(upper_km, _, _)| x_km <= *upper_km).unwrap_or(
        // The last piece has an infinite upper bound, so this is never taken.
        &pieces[pieces.len() - 1],
    );
    let sigma_z_m = (a * x_km.powf(b)).min(ISC3_SIGMA_Z_CAP_M);
    Sigmas { sigma_y_m, sigma_z_m }
}

// ---------------------------------------------------------------------------------------------
// Briggs (1973), x in m

/// Briggs open-country σ (Briggs 1973, as tabulated by Hanna, Briggs & Hosker 1982 and CCPS 1999).
pub fn briggs_rural(class: StabilityClass, x_m: f64) -> Sigmas {
    let x = x_m;
    let sigma_y_coefficient = [0.22, 0.16, 0.11, 0.08, 0.06, 0.04][class.index()];
    let sigma_y_m = sigma_y_coefficient * x / (1.0 + 0.0001 * x).sqrt();
    let sigma_z_m = match class {
        StabilityClass::A => 0.20 * x,
        StabilityClass::B => 0.12 * x,
        StabilityClass::C => 0.08 * x / (1.0 + 0.0002 * x).sqrt(),
        StabilityClass::D => 0.06 * x / (1.0 + 0.0015 * x).sqrt(),
        StabilityClass::E => 0.03 * x / (1.0 + 0.0003 * x),
        StabilityClass::F => 0.016 * x / (1.0 + 0.0003 * x),
    };
    Sigmas { sigma_y_m, sigma_z_m }
}

/// Briggs urban σ (Briggs 1973, as tabulated by Hanna, Briggs & Hosker 1982 and CCPS 1999);
/// A and B share a row, and so do E and F.
pub fn briggs_urban(class: StabilityClass, x_m: f64) -> Sigmas {
    let x = x_m;
    let (sigma_y_m, sigma_z_m) = match class {
        StabilityClass::A | StabilityClass::B => {
            (0.32 * x / (1.0 + 0.0004 * x).sqrt(), 0.24 * x * (1.0 + 0.001 * x).sqrt())
        }
        StabilityClass::C => (0.22 * x / (1.0 + 0.0004 * x).sqrt(), 0.20 * x),
        StabilityClass::D => (0.16 * x / (1.0 + 0.0004 * x).sqrt(), 0.14 * x / (1.0 + 0.0003 * x).sqrt()),
        StabilityClass::E | StabilityClass::F => {
            (0.11 * x / (1.0 + 0.0004 * x).sqrt(), 0.08 * x / (1.0 + 0.0015 * x).sqrt())
        }
    };
    Sigmas { sigma_y_m, sigma_z_m }
}

// ---------------------------------------------------------------------------------------------
// Slade (1968) puff, x in m

/// Puff σ coefficients (a_y, b_y, a_z, b_z): σx = σy = a_y·x^b_y, σz = a_z·x^b_z
/// (Slade 1968; CCPS 1999 Table 2.13).
const SLADE_PUFF: [(f64, f64, f64, f64); 6] = [
    (0.18, 0.92, 0.60, 0.75),
    (0.14, 0.92, 0.53, 0.73),
    (0.10, 0.92, 0.34, 0.71),
    (0.06, 0.92, 0.15, 0.70),
    (0.04, 0.92, 0.10, 0.65),
    (0.02, 0.89, 0.05, 0.61),
];

/// Slade (1968) instantaneous-puff σ; σx = σy.
pub fn slade_puff(class: StabilityClass, x_m: f64) -> Sigmas {
    let (a_y, b_y, a_z, b_z) = SLADE_PUFF[class.index()];
    Sigmas { sigma_y_m: a_y * x_m.powf(b_y), sigma_z_m: a_z * x_m.powf(b_z) }
}

// ---------------------------------------------------------------------------------------------
// The `sigma` request

/// `{"model": "sigma", "set", "stability", "x_m"}` → `{sigma_y_m, sigma_z_m}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigmaRequest {
    pub set: SigmaSet,
    pub stability: StabilityClass,
    pub x_m: f64,
}

impl FromFields for SigmaRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(SigmaRequest { set: f.name("set")?, stability: f.name("stability")?, x_m: f.number("x_m")? })
    }
}

/// σ for a release: a named set (evaluated at each distance with the release's stability
/// class), or fixed values that apply at every distance. In JSON: `"briggs_rural"` or
/// `{"sigma_y_m": 30, "sigma_z_m": 15}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SigmaChoice {
    Set(SigmaSet),
    Fixed(Sigmas),
}

impl SigmaChoice {
    /// Reads the JSON form found at `path`.
    pub(crate) fn from_json(value: &serde_json::Value, path: &str) -> Result<Self, ModelError> {
        if value.is_string() {
            return crate::fields::as_name(value, path).map(SigmaChoice::Set);
        }
        if !value.is_object() {
            return Err(ModelError::invalid(
                path,
                format!("expected {} or an object {{\"sigma_y_m\", \"sigma_z_m\"}}", SigmaSet::EXPECTED),
            ));
        }
        let fixed: FixedSigmas = crate::fields::read_object(value, path)?;
        Ok(SigmaChoice::Fixed(fixed.0))
    }

    /// Checks fixed values; `stability` is needed (and must be present) only for a named set.
    pub(crate) fn check(&self, stability: Option<StabilityClass>) -> Result<(), ModelError> {
        match self {
            SigmaChoice::Set(_) if stability.is_none() => Err(ModelError::invalid(
                "stability",
                "a stability class \"A\"–\"F\" is required when sigma names a set of σ curves",
            )),
            SigmaChoice::Set(_) => Ok(()),
            SigmaChoice::Fixed(s) => {
                check::positive("sigma.sigma_y_m", s.sigma_y_m, "σy")?;
                check::positive("sigma.sigma_z_m", s.sigma_z_m, "σz")
            }
        }
    }

    /// σ at downwind distance `x_m` (> 0). `class` must be `Some` for a named set (see
    /// [`SigmaChoice::check`]); D is used otherwise.
    pub fn at(&self, class: Option<StabilityClass>, x_m: f64) -> Sigmas {
        match self {
            SigmaChoice::Set(set) => sigmas(*set, class.unwrap_or(StabilityClass::D), x_m),
            SigmaChoice::Fixed(s) => *s,
        }
    }
}

struct FixedSigmas(Sigmas);

impl FromFields for FixedSigmas {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(FixedSigmas(Sigmas { sigma_y_m: f.number("sigma_y_m")?, sigma_z_m: f.number("sigma_z_m")? }))
    }
}

/// Checks that a downwind distance is one at which σ can be evaluated.
pub(crate) fn check_distance(field: &str, x_m: f64) -> Result<(), ModelError> {
    check::positive(field, x_m, "the downwind distance")?;
    if x_m > MAX_DISTANCE_M {
        return Err(ModelError::invalid(
            field,
            format!("the downwind distance must be at most {MAX_DISTANCE_M} m (got {x_m}); the σ curves are not defined that far"),
        ));
    }
    Ok(())
}

/// σ for one request.
pub fn run(request: &SigmaRequest) -> Result<Sigmas, ModelError> {
    check_distance("x_m", request.x_m)?;
    Ok(sigmas(request.set, request.stability, request.x_m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use StabilityClass::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        ((a - b) / b).abs() <= rel
    }

    /// Reference values of the independent implementation aefarrell/GasDispersion.jl,
    /// `test/utils/isc3_tests.jl` ("Plume dispersion, rural terrain"): σy at x = 1.2 m and
    /// σz at the listed distances.
    #[test]
    fn isc3_rural_matches_gasdispersion_jl() {
        let sigma_y_at_1_2_m = [
            (A, 0.48870396813625905),
            (B, 0.3288132138806368),
            (C, 0.20096244824229573),
            (D, 0.1309207626723034),
            (E, 0.09742134712173195),
            (F, 0.0645858766834503),
        ];
        for (class, want) in sigma_y_at_1_2_m {
            let got = isc3_rural(class, 1.2).sigma_y_m;
            assert!(close(got, want, 1e-12), "{class:?}: {got} vs {want}");
        }
        let sigma_z: &[(StabilityClass, &[(f64, f64)])] = &[
            (
                A,
                &[
                    (50.0, 7.246283645973222),
                    (125.0, 17.6538512508938),
                    (175.0, 25.32210358392127),
                    (225.0, 33.46114450376929),
                    (275.0, 42.49832115580982),
                    (350.0, 58.955561122372494),
                    (450.0, 87.22955507375895),
                    (550.0, 128.0454080208172),
                ],
            ),
            (B, &[(100.0, 10.604690180980183), (300.0, 30.144226325216724), (500.0, 51.092852947678885)]),
            (C, &[(100.0, 7.44187785547111)]),
            (
                D,
                &[
                    (100.0, 4.651174892531855),
                    (500.0, 18.29689264165363),
                    (2000.0, 50.15135417398994),
                    (5000.0, 88.69020460936578),
                    (15000.0, 169.67281358959912),
                    (35000.0, 271.77785930262854),
                ],
            ),
            (
                E,
                &[
                    (50.0, 1.979015073784176),
                    (200.0, 6.23857638464594),
                    (500.0, 12.80138815568348),
                    (1500.0, 27.931190340632067),
                    (3000.0, 42.22135548587303),
                    (7500.0, 68.37414410048738),
                    (15000.0, 95.55830909365176),
                    (30000.0, 127.31152395989899),
                    (50000.0, 151.5410717370677),
                ],
            ),
            (
                F,
                &[
                    (100.0, 2.3255231110829815),
                    (500.0, 8.395558503802999),
                    (800.0, 11.976175562087187),
                    (1500.0, 18.030377292486545),
                    (2500.0, 24.42448141869856),
                    (5000.0, 34.207199596890135),
                    (10000.0, 46.38392157098271),
                    (20000.0, 60.29440210746138),
                    (45000.0, 76.93568233551231),
                    (75000.0, 87.38876819912205),
                ],
            ),
        ];
        for (class, points) in sigma_z {
            for &(x_m, want) in points.iter() {
                let got = isc3_rural(*class, x_m).sigma_z_m;
                assert!(close(got, want, 1e-12), "{class:?} at {x_m} m: {got} vs {want}");
            }
        }
    }

    /// GasDispersion.jl `test/utils/isc3_tests.jl` ("Plume dispersion, urban terrain"), whose
    /// ISC3 urban set is the Briggs urban σ: values at x = 1.2 m.
    #[test]
    fn briggs_urban_matches_gasdispersion_jl() {
        let want = [
            (A, 0.38390787316433456, 0.2881727481910807),
            (B, 0.38390787316433456, 0.2881727481910807),
            (C, 0.26393666280048, 0.24),
            (D, 0.19195393658216728, 0.16796976816235135),
            (E, 0.13196833140024, 0.09591371646531512),
            (F, 0.13196833140024, 0.09591371646531512),
        ];
        for (class, y, z) in want {
            let s = briggs_urban(class, 1.2);
            assert!(close(s.sigma_y_m, y, 1e-12) && close(s.sigma_z_m, z, 1e-12), "{class:?}: {s:?}");
        }
    }

    /// Briggs rural at 1 km, by hand: D: σy = 0.08·1000/√1.1 = 76.277 m,
    /// σz = 0.06·1000/√2.5 = 37.947 m; F: σz = 0.016·1000/1.3 = 12.308 m.
    #[test]
    fn briggs_rural_by_hand() {
        let d = briggs_rural(D, 1000.0);
        assert!(close(d.sigma_y_m, 76.277, 1e-4) && close(d.sigma_z_m, 37.947, 1e-4), "{d:?}");
        assert!(close(briggs_rural(F, 1000.0).sigma_z_m, 12.308, 1e-4));
    }

    /// Slade puff σ at 500 m, class F: σy = 0.02·500^0.89 = 5.0479 m, σz = 0.05·500^0.61 = 2.2148 m
    /// (the σ of the CCPS (1999) p. 101 puff example as computed in GasDispersion.jl
    /// `test/models/gaussian_puff_tests.jl`, which notes the book misprints σy as 6.1 m).
    #[test]
    fn slade_puff_ccps_example() {
        let s = slade_puff(F, 500.0);
        assert!(close(s.sigma_y_m, 5.047929716825321, 1e-12), "{s:?}");
        assert!(close(s.sigma_z_m, 2.214836678536473, 1e-12), "{s:?}");
    }

    #[test]
    fn isc3_caps_sigma_z_at_5000_m() {
        assert_eq!(isc3_rural(A, 3500.0).sigma_z_m, 5000.0);
        assert!(isc3_rural(A, 3000.0).sigma_z_m < 5000.0);
    }

    #[test]
    fn request_checks_distance() {
        let r = SigmaRequest { set: SigmaSet::BriggsRural, stability: D, x_m: -5.0 };
        assert_eq!(run(&r).unwrap_err().field(), "x_m");
        let r = SigmaRequest { x_m: 2.0e5, ..r };
        assert!(run(&r).unwrap_err().message().contains("at most"));
    }
}
