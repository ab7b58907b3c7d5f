//! The one error type of the crate: which input field is wrong, and why.
//!
//! Field paths name the JSON field as the user wrote it: `x_m`, `receptors[2].x_m`,
//! `release.q_kg_s`, `reaches[17].flow_m3_s`. The empty path `""` means the request as a whole.

use serde_json::{json, Value};

/// What is wrong with a model request. Every variant names the field; a request that fails
/// produces no partial answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// A required field is absent.
    #[error("{field}: this field is required")]
    Missing { field: String },
    /// A field holds the wrong kind of JSON value (e.g. a string where a number is needed).
    #[error("{field}: expected {expected} (got {found})")]
    WrongType { field: String, expected: &'static str, found: &'static str },
    /// A field the model does not know (often a typo, or a unit suffix that does not match).
    #[error("{field}: unknown field; this model takes {expected}")]
    UnknownField { field: String, expected: String },
    /// A value outside the model's range, an unknown name, or inputs that contradict each other.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

impl ModelError {
    /// Shorthand for [`ModelError::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ModelError::Invalid { field: field.into(), message: message.into() }
    }

    /// The path of the offending field, e.g. `receptors[2].x_m`; `""` for the request as a whole.
    pub fn field(&self) -> &str {
        match self {
            ModelError::Missing { field }
            | ModelError::WrongType { field, .. }
            | ModelError::UnknownField { field, .. }
            | ModelError::Invalid { field, .. } => field,
        }
    }

    /// What is wrong and what to do about it, without the field path.
    pub fn message(&self) -> String {
        match self {
            ModelError::Missing { .. } => "this field is required".to_string(),
            ModelError::WrongType { expected, found, .. } => format!("expected {expected} (got {found})"),
            ModelError::UnknownField { expected, .. } => {
                format!("unknown field; this model takes {expected}")
            }
            ModelError::Invalid { message, .. } => message.clone(),
        }
    }

    /// A closed set of codes for callers that must branch without matching on text:
    /// `missing`, `wrong_type`, `unknown_field`, `invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            ModelError::Missing { .. } => "missing",
            ModelError::WrongType { .. } => "wrong_type",
            ModelError::UnknownField { .. } => "unknown_field",
            ModelError::Invalid { .. } => "invalid",
        }
    }

    /// The error as the JSON contract's error body: `{"error": {"field": …, "message": …}}`.
    pub fn to_error_json(&self) -> Value {
        json!({ "error": { "field": self.field(), "message": self.message() } })
    }

    /// The same error with its field path placed under `prefix` (`q_kg_s` → `release.q_kg_s`).
    pub fn under(self, prefix: &str) -> Self {
        let join = |field: String| {
            if field.is_empty() {
                prefix.to_string()
            } else if field.starts_with('[') {
                format!("{prefix}{field}")
            } else {
                format!("{prefix}.{field}")
            }
        };
        match self {
            ModelError::Missing { field } => ModelError::Missing { field: join(field) },
            ModelError::WrongType { field, expected, found } => {
                ModelError::WrongType { field: join(field), expected, found }
            }
            ModelError::UnknownField { field, expected } => ModelError::UnknownField { field: join(field), expected },
            ModelError::Invalid { field, message } => ModelError::Invalid { field: join(field), message },
        }
    }
}

/// Range checks shared by the models. Each names the field and says what range is expected.
pub(crate) mod check {
    use super::ModelError;

    /// `value > 0`.
    pub(crate) fn positive(field: &str, value: f64, what: &str) -> Result<(), ModelError> {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            Err(ModelError::invalid(field, format!("{what} must be greater than 0 (got {value})")))
        }
    }

    /// `value >= 0`.
    pub(crate) fn non_negative(field: &str, value: f64, what: &str) -> Result<(), ModelError> {
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            Err(ModelError::invalid(field, format!("{what} must be 0 or more (got {value})")))
        }
    }

    /// `value` is a finite number (any sign).
    pub(crate) fn finite(field: &str, value: f64, what: &str) -> Result<(), ModelError> {
        if value.is_finite() {
            Ok(())
        } else {
            Err(ModelError::invalid(field, format!("{what} must be a finite number (got {value})")))
        }
    }

    /// `0 < value <= 1`, for discharge coefficients.
    pub(crate) fn discharge_coefficient(field: &str, value: f64) -> Result<(), ModelError> {
        if value.is_finite() && value > 0.0 && value <= 1.0 {
            Ok(())
        } else {
            Err(ModelError::invalid(
                field,
                format!(
                    "the discharge coefficient must be in (0, 1] (got {value}); use 0.61 for a \
                     sharp-edged hole, or 1.0 when unknown (conservative)"
                ),
            ))
        }
    }

    /// A non-empty name.
    pub(crate) fn name(field: &str, value: &str) -> Result<(), ModelError> {
        if value.trim().is_empty() {
            Err(ModelError::invalid(field, "must not be empty"))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_and_error_json() {
        let e = ModelError::invalid("receptors[2].x_m", "must be greater than 0 (got -1)");
        assert_eq!(e.field(), "receptors[2].x_m");
        assert_eq!(e.message(), "must be greater than 0 (got -1)");
        assert_eq!(e.code(), "invalid");
        assert_eq!(e.to_string(), "receptors[2].x_m: must be greater than 0 (got -1)");
        assert_eq!(
            e.to_error_json(),
            json!({"error": {"field": "receptors[2].x_m", "message": "must be greater than 0 (got -1)"}})
        );
    }

    #[test]
    fn under_prefixes_paths() {
        let e = ModelError::Missing { field: "q_kg_s".into() }.under("release");
        assert_eq!(e.field(), "release.q_kg_s");
        let e = ModelError::Missing { field: "[3].x_m".into() }.under("receptors");
        assert_eq!(e.field(), "receptors[3].x_m");
        let e = ModelError::invalid("", "bad").under("release");
        assert_eq!(e.field(), "release");
    }
}
