//! Spill and dispersion models for the Yingji emergency-response console: pure functions of
//! their inputs, with no I/O, no clock and no printing.
//!
//! The formulas, coefficient tables and their sources are those of the project's
//! `shared/spill-model-spec.md`; each module says which items it verified and against what.
//!
//! | module | what |
//! |---|---|
//! | [`stability`] | Pasquill classes A–F; Turner's table from wind, day/night, insolation, cloud |
//! | [`sigma`] | σy, σz: ISC3 rural, Briggs rural/urban, Slade puff |
//! | [`wind`] | power-law wind profile, ISC3 rural and urban exponents |
//! | [`plume`] | Gaussian plume, continuous release, ground reflection |
//! | [`puff`] | Gaussian puff, instantaneous release, ground reflection |
//! | [`plume_rise`] | Briggs buoyant plume rise |
//! | [`threat_zone`] | distance and half-width to levels of concern in ppm |
//! | [`source`] | liquid and gas through a hole, tank draining, pool evaporation |
//! | [`river`] | 1D river: slug and finite releases, receptor statistics; [`river::steady`], [`river::dispersion`] |
//! | [`river_network`] | a spill routed through a network of reaches |
//! | [`lake`] | 2D depth-mixed instantaneous release |
//!
//! Two ways in:
//! * JSON: [`run_json`] takes `{"model": "plume", …}` and returns the answer as JSON, or a
//!   [`ModelError`] naming the offending field (`receptors[2].x_m`). The contract, with an
//!   example per form, is `docs/model-api.md`.
//! * Typed: [`run`] on a [`Request`], or each module's `run` and formula functions.
//!
//! Every quantity carries its unit in its name (`x_m`, `q_kg_s`, `c_kg_m3`, `c_mg_l`).
//!
//! Turner's (1970) Workbook problem — 3 g/s of NOx from a ground-level source on an overcast
//! night (class D), 7 m/s, σy = 190 m and σz = 65 m read off his charts at 3 km — has the
//! answer 1.1e-5 g/m³:
//!
//! ```
//! use serde_json::json;
//!
//! let answer = yingji_model::run_json(&json!({
//!     "model": "plume", "q_kg_s": 0.003, "height_m": 0, "wind_speed_m_s": 7.0,
//!     "sigma": {"sigma_y_m": 190, "sigma_z_m": 65},
//!     "receptors": [{"x_m": 3000, "y_m": 0, "z_m": 0}]
//! }))?;
//! let c_g_m3 = answer["receptors"][0]["c_kg_m3"].as_f64().unwrap() * 1000.0;
//! assert_eq!(format!("{c_g_m3:.1e}"), "1.1e-5");
//! # Ok::<(), yingji_model::ModelError>(())
//! ```
//!
//! Errors name the field, for the caller to show next to it:
//!
//! ```
//! use serde_json::json;
//!
//! let e = yingji_model::run_json(&json!({
//!     "model": "sigma", "set": "briggs_rural", "stability": "D", "x_m": -10
//! })).unwrap_err();
//! assert_eq!(e.field(), "x_m");
//! assert_eq!(e.message(), "the downwind distance must be greater than 0 (got -10)");
//! assert_eq!(e.to_error_json()["error"]["field"], "x_m");
//! ```

pub mod constants;
mod contract;
mod error;
mod fields;
#[doc(hidden)]
pub mod fixtures;
pub mod lake;
mod numeric;
pub mod plume;
pub mod plume_rise;
pub mod puff;
pub mod river;
pub mod river_network;
pub mod sigma;
pub mod source;
pub mod stability;
pub mod threat_zone;
pub mod wind;

#[cfg(test)]
mod examples;

pub use contract::{run, run_json, Request, Response};
pub use error::ModelError;
pub use numeric::erf;

/// Version of the models' numbers: two runs of the same request under the same
/// `MODEL_VERSION` give the same answer. Bumped whenever any output for a given input changes
/// (a coefficient, a formula, a search grid), so that saved runs can be reproduced or flagged.
pub const MODEL_VERSION: &str = "1.0.0";
