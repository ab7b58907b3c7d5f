//! The JSON contract: one request, tagged by `"model"`, in; one response, tagged the same way,
//! out. Documented with an example per form in `docs/model-api.md`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ModelError;
use crate::fields::{Fields, FromFields, Named};
use crate::lake::{self, LakeRequest, LakeResponse};
use crate::plume::{self, PlumeRequest, PlumeResponse};
use crate::plume_rise::{self, PlumeRiseRequest, PlumeRiseResponse};
use crate::puff::{self, PuffRequest, PuffResponse};
use crate::river::dispersion::{self, DispersionCoefficientRequest, DispersionCoefficientResponse};
use crate::river::steady::{self, RiverSteadyRequest, RiverSteadyResponse};
use crate::river::{self, RiverRequest, RiverResponse};
use crate::river_network::{self, RiverNetworkRequest, RiverNetworkResponse};
use crate::sigma::{self, SigmaRequest, Sigmas};
use crate::source::{self, SourceRequest, SourceResponse};
use crate::threat_zone::{self, ThreatZoneRequest, ThreatZoneResponse};
use crate::wind::{self, WindProfileRequest, WindProfileResponse};

/// A model request. In JSON the variant is the `"model"` field (`"sigma"`, `"wind_profile"`,
/// …) and the variant's fields sit beside it.
///
/// Serializes to that JSON; [`Request::from_json`] reads it back with field-level errors
/// (it is also what `serde_json::from_value::<Request>` uses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", try_from = "Value")]
pub enum Request {
    Sigma(SigmaRequest),
    WindProfile(WindProfileRequest),
    Plume(PlumeRequest),
    Puff(PuffRequest),
    PlumeRise(PlumeRiseRequest),
    ThreatZone(ThreatZoneRequest),
    Source(SourceRequest),
    River(RiverRequest),
    RiverSteady(RiverSteadyRequest),
    DispersionCoefficient(DispersionCoefficientRequest),
    RiverNetwork(RiverNetworkRequest),
    Lake(LakeRequest),
}

/// A model's answer, tagged by the same `"model"` as its request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Response {
    Sigma(Sigmas),
    WindProfile(WindProfileResponse),
    Plume(PlumeResponse),
    Puff(PuffResponse),
    PlumeRise(PlumeRiseResponse),
    ThreatZone(ThreatZoneResponse),
    Source(SourceResponse),
    River(RiverResponse),
    RiverSteady(RiverSteadyResponse),
    DispersionCoefficient(DispersionCoefficientResponse),
    RiverNetwork(RiverNetworkResponse),
    Lake(LakeResponse),
}

#[derive(Clone, Copy)]
enum ModelName {
    Sigma,
    WindProfile,
    Plume,
    Puff,
    PlumeRise,
    ThreatZone,
    Source,
    River,
    RiverSteady,
    DispersionCoefficient,
    RiverNetwork,
    Lake,
}

impl Named for ModelName {
    const EXPECTED: &'static str = "a model \"sigma\", \"wind_profile\", \"plume\", \"puff\", \"plume_rise\", \
        \"threat_zone\", \"source\", \"river\", \"river_steady\", \"dispersion_coefficient\", \"river_network\" or \"lake\"";
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "sigma" => ModelName::Sigma,
            "wind_profile" => ModelName::WindProfile,
            "plume" => ModelName::Plume,
            "puff" => ModelName::Puff,
            "plume_rise" => ModelName::PlumeRise,
            "threat_zone" => ModelName::ThreatZone,
            "source" => ModelName::Source,
            "river" => ModelName::River,
            "river_steady" => ModelName::RiverSteady,
            "dispersion_coefficient" => ModelName::DispersionCoefficient,
            "river_network" => ModelName::RiverNetwork,
            "lake" => ModelName::Lake,
            _ => return None,
        })
    }
}

fn read<T: FromFields>(fields: &mut Fields<'_>) -> Result<T, ModelError> {
    T::from_fields(fields)
}

impl Request {
    /// Reads a request from JSON. Errors name the field (`receptors[2].x_m`), and unknown
    /// fields are errors.
    pub fn from_json(value: &Value) -> Result<Request, ModelError> {
        let mut f = Fields::new(value, "")?;
        let request = match f.name::<ModelName>("model")? {
            ModelName::Sigma => Request::Sigma(read(&mut f)?),
            ModelName::WindProfile => Request::WindProfile(read(&mut f)?),
            ModelName::Plume => Request::Plume(read(&mut f)?),
            ModelName::Puff => Request::Puff(read(&mut f)?),
            ModelName::PlumeRise => Request::PlumeRise(read(&mut f)?),
            ModelName::ThreatZone => Request::ThreatZone(read(&mut f)?),
            ModelName::Source => Request::Source(read(&mut f)?),
            ModelName::River => Request::River(read(&mut f)?),
            ModelName::RiverSteady => Request::RiverSteady(read(&mut f)?),
            ModelName::DispersionCoefficient => Request::DispersionCoefficient(read(&mut f)?),
            ModelName::RiverNetwork => Request::RiverNetwork(read(&mut f)?),
            ModelName::Lake => Request::Lake(read(&mut f)?),
        };
        f.finish()?;
        Ok(request)
    }
}

impl TryFrom<Value> for Request {
    type Error = ModelError;
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Request::from_json(&value)
    }
}

/// Runs one request. Inputs are checked first; an error names the field and no partial answer
/// is produced.
pub fn run(request: &Request) -> Result<Response, ModelError> {
    Ok(match request {
        Request::Sigma(r) => Response::Sigma(sigma::run(r)?),
        Request::WindProfile(r) => Response::WindProfile(wind::run(r)?),
        Request::Plume(r) => Response::Plume(plume::run(r)?),
        Request::Puff(r) => Response::Puff(puff::run(r)?),
        Request::PlumeRise(r) => Response::PlumeRise(plume_rise::run(r)?),
        Request::ThreatZone(r) => Response::ThreatZone(threat_zone::run(r)?),
        Request::Source(r) => Response::Source(source::run(r)?),
        Request::River(r) => Response::River(river::run(r)?),
        Request::RiverSteady(r) => Response::RiverSteady(steady::run(r)?),
        Request::DispersionCoefficient(r) => Response::DispersionCoefficient(dispersion::run(r)?),
        Request::RiverNetwork(r) => Response::RiverNetwork(river_network::run(r)?),
        Request::Lake(r) => Response::Lake(lake::run(r)?),
    })
}

/// Runs one JSON request and returns the JSON response (see `docs/model-api.md`).
pub fn run_json(request: &Value) -> Result<Value, ModelError> {
    let response = run(&Request::from_json(request)?)?;
    serde_json::to_value(&response)
        .map_err(|e| ModelError::invalid("", format!("the answer could not be written as JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_model_and_missing_tag() {
        let e = run_json(&json!({"model": "plum"})).unwrap_err();
        assert_eq!(e.field(), "model");
        assert!(e.message().contains("\"plume\""), "{}", e.message());
        let e = run_json(&json!({"x_m": 1})).unwrap_err();
        assert_eq!(e, ModelError::Missing { field: "model".into() });
        let e = run_json(&json!("sigma")).unwrap_err();
        assert_eq!(e.field(), "");
    }

    #[test]
    fn typo_is_an_unknown_field() {
        let e = run_json(&json!({"model": "sigma", "set": "briggs_rural", "stability": "D", "x_m": 100, "x_km": 0.1}))
            .unwrap_err();
        assert_eq!(e.field(), "x_km");
        assert_eq!(e.code(), "unknown_field");
        assert!(e.message().contains("model, set, stability, x_m"), "{}", e.message());
    }

    #[test]
    fn nested_paths() {
        let e = run_json(&json!({
            "model": "threat_zone",
            "release": {"model": "plume", "q_kg_s": "1", "height_m": 0, "wind_speed_m_s": 3, "stability": "D", "sigma": "briggs_rural"},
            "molar_mass_g_mol": 17, "levels": []
        }))
        .unwrap_err();
        assert_eq!(e.field(), "release.q_kg_s");
        let e = run_json(&json!({
            "model": "threat_zone",
            "release": {"model": "plume", "q_kg_s": 1, "height_m": 0, "wind_speed_m_s": 0.2, "stability": "D", "sigma": "briggs_rural"},
            "molar_mass_g_mol": 17, "levels": []
        }))
        .unwrap_err();
        assert_eq!(e.field(), "release.wind_speed_m_s");
        let e = run_json(&json!({
            "model": "plume", "q_kg_s": 1, "height_m": 0, "wind_speed_m_s": 3, "stability": "D",
            "sigma": {"sigma_y_m": 10}, "receptors": []
        }))
        .unwrap_err();
        assert_eq!(e, ModelError::Missing { field: "sigma.sigma_z_m".into() });
        let e = run_json(&json!({
            "model": "plume", "q_kg_s": 1, "height_m": 0, "wind_speed_m_s": 3, "stability": "G",
            "sigma": "briggs_rural", "receptors": []
        }))
        .unwrap_err();
        assert_eq!(e.field(), "stability");
        assert!(e.message().contains("\"A\""), "{}", e.message());
    }

    /// Every request form serializes to JSON that reads back to the same request, and every
    /// response reads back too (so saved runs can be replayed and compared).
    #[test]
    fn requests_and_responses_round_trip() {
        for request in crate::examples::requests() {
            let typed = Request::from_json(&request).unwrap();
            let written = serde_json::to_value(&typed).unwrap();
            assert_eq!(Request::from_json(&written).unwrap(), typed, "{written}");
            let via_serde: Request = serde_json::from_value(written.clone()).unwrap();
            assert_eq!(via_serde, typed);
            let response = run(&typed).unwrap();
            let json = serde_json::to_value(&response).unwrap();
            let back: Response = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, response, "{json}");
            assert_eq!(run_json(&request).unwrap(), json);
        }
    }
}
