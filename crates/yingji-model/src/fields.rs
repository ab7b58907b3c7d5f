//! Reading a JSON request into typed inputs while keeping the path of every field, so that
//! an error names `receptors[2].x_m` and not just "invalid type". Unknown fields are errors:
//! a typo such as `height_ft` must not be silently ignored.

use serde_json::{Map, Value};

use crate::error::ModelError;

/// An enum that is written in JSON as one of a fixed set of names.
pub(crate) trait Named: Sized {
    /// The accepted names, for error messages, e.g. `"one of \"A\", \"B\""`.
    const EXPECTED: &'static str;
    fn from_name(name: &str) -> Option<Self>;
}

/// A type that reads itself from the fields of one JSON object.
pub(crate) trait FromFields: Sized {
    fn from_fields(fields: &mut Fields<'_>) -> Result<Self, ModelError>;
}

/// The fields of one JSON object, with its path in the request.
pub(crate) struct Fields<'a> {
    path: String,
    map: &'a Map<String, Value>,
    read: Vec<&'static str>,
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl<'a> Fields<'a> {
    /// The fields of `value`, which must be a JSON object found at `path`.
    pub(crate) fn new(value: &'a Value, path: &str) -> Result<Self, ModelError> {
        match value {
            Value::Object(map) => Ok(Fields { path: path.to_string(), map, read: Vec::new() }),
            other => Err(wrong_type(
                path.to_string(),
                if path.is_empty() { "the request to be a JSON object with a \"model\" field" } else { "an object" },
                other,
            )),
        }
    }

    /// The full path of field `key` of this object.
    pub(crate) fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The full path of this object itself.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.read.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn required(&mut self, key: &'static str) -> Result<&'a Value, ModelError> {
        self.get(key).ok_or_else(|| ModelError::Missing { field: self.path_of(key) })
    }

    /// A required number.
    pub(crate) fn number(&mut self, key: &'static str) -> Result<f64, ModelError> {
        let value = self.required(key)?;
        as_number(value).map_err(|e| e.under(&self.path_of(key)))
    }

    /// An optional number (absent or null → `None`).
    pub(crate) fn optional_number(&mut self, key: &'static str) -> Result<Option<f64>, ModelError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => as_number(value).map(Some).map_err(|e| e.under(&self.path_of(key))),
        }
    }

    /// A required string.
    pub(crate) fn text(&mut self, key: &'static str) -> Result<String, ModelError> {
        match self.required(key)? {
            Value::String(s) => Ok(s.clone()),
            other => Err(wrong_type(self.path_of(key), "a string", other)),
        }
    }

    /// A required identifier: a string, or an integer that is read as its decimal string.
    pub(crate) fn id(&mut self, key: &'static str) -> Result<String, ModelError> {
        let value = self.required(key)?;
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
            other => Err(wrong_type(self.path_of(key), "a string or an integer identifier", other)),
        }
    }

    /// A required name from a fixed set.
    pub(crate) fn name<T: Named>(&mut self, key: &'static str) -> Result<T, ModelError> {
        let value = self.required(key)?;
        match value.as_str().and_then(T::from_name) {
            Some(name) => Ok(name),
            None => as_name(value, &self.path_of(key)),
        }
    }

    /// An optional name from a fixed set.
    pub(crate) fn optional_name<T: Named>(&mut self, key: &'static str) -> Result<Option<T>, ModelError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => match value.as_str().and_then(T::from_name) {
                Some(name) => Ok(Some(name)),
                None => as_name(value, &self.path_of(key)).map(Some),
            },
        }
    }

    /// A required value of any JSON kind, with its path, for fields with more than one form.
    pub(crate) fn raw(&mut self, key: &'static str) -> Result<(&'a Value, String), ModelError> {
        let value = self.required(key)?;
        Ok((value, self.path_of(key)))
    }

    /// A required nested object, read with `T::from_fields`.
    pub(crate) fn object<T: FromFields>(&mut self, key: &'static str) -> Result<T, ModelError> {
        let value = self.required(key)?;
        read_object(value, &self.path_of(key))
    }

    /// A required list of objects, each read with `T::from_fields`.
    pub(crate) fn list<T: FromFields>(&mut self, key: &'static str) -> Result<Vec<T>, ModelError> {
        let value = self.required(key)?;
        self.read_list(value, key)
    }

    /// An optional list of objects (absent → empty).
    pub(crate) fn optional_list<T: FromFields>(&mut self, key: &'static str) -> Result<Vec<T>, ModelError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(value) => self.read_list(value, key),
        }
    }

    fn read_list<T: FromFields>(&self, value: &'a Value, key: &'static str) -> Result<Vec<T>, ModelError> {
        let path = self.path_of(key);
        let Value::Array(items) = value else {
            return Err(wrong_type(path, "a list of objects", value));
        };
        items.iter().enumerate().map(|(i, item)| read_object(item, &format!("{path}[{i}]"))).collect()
    }

    /// A required list of numbers.
    pub(crate) fn numbers(&mut self, key: &'static str) -> Result<Vec<f64>, ModelError> {
        let value = self.required(key)?;
        let path = self.path_of(key);
        let Value::Array(items) = value else {
            return Err(wrong_type(path, "a list of numbers", value));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| as_number(item).map_err(|e| e.under(&format!("{path}[{i}]"))))
            .collect()
    }

    /// Fails on the first field that was never read: the model does not know it.
    pub(crate) fn finish(self) -> Result<(), ModelError> {
        let mut unknown: Vec<&String> = self.map.keys().filter(|k| !self.read.contains(&k.as_str())).collect();
        unknown.sort();
        match unknown.first() {
            None => Ok(()),
            Some(key) => {
                let mut known: Vec<&str> = self.read.clone();
                known.sort_unstable();
                known.dedup();
                Err(ModelError::UnknownField { field: self.path_of(key), expected: known.join(", ") })
            }
        }
    }
}

/// Reads `value` (found at `path`) as an object with `T::from_fields`, rejecting unknown fields.
pub(crate) fn read_object<T: FromFields>(value: &Value, path: &str) -> Result<T, ModelError> {
    let mut fields = Fields::new(value, path)?;
    let parsed = T::from_fields(&mut fields)?;
    fields.finish()?;
    Ok(parsed)
}

/// A number; the error's field is empty, for the caller to fill in (so that the path is only
/// built when something is wrong).
fn as_number(value: &Value) -> Result<f64, ModelError> {
    match value.as_f64() {
        Some(x) if value.is_number() => Ok(x),
        _ => Err(wrong_type(String::new(), "a number", value)),
    }
}

pub(crate) fn as_name<T: Named>(value: &Value, path: &str) -> Result<T, ModelError> {
    match value {
        Value::String(s) => T::from_name(s)
            .ok_or_else(|| ModelError::invalid(path, format!("unknown name \"{s}\"; expected {}", T::EXPECTED))),
        other => Err(wrong_type(path.to_string(), T::EXPECTED, other)),
    }
}

/// A `WrongType` error that says what was found.
fn wrong_type(field: String, expected: &'static str, found: &Value) -> ModelError {
    ModelError::WrongType { field, expected, found: kind_of(found) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Point {
        x_m: f64,
        label: Option<f64>,
    }

    impl FromFields for Point {
        fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
            Ok(Point { x_m: f.number("x_m")?, label: f.optional_number("label")? })
        }
    }

    struct Holder {
        points: Vec<Point>,
    }

    impl FromFields for Holder {
        fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
            Ok(Holder { points: f.list("points")? })
        }
    }

    #[test]
    fn paths_name_the_field() {
        let ok: Holder = read_object(&json!({"points": [{"x_m": 1}, {"x_m": 2.5}]}), "").unwrap();
        assert_eq!(ok.points.len(), 2);
        assert_eq!(ok.points[1].x_m, 2.5);
        assert!(ok.points[0].label.is_none());

        let e = read_object::<Holder>(&json!({"points": [{"x_m": 1}, {"x_m": "2"}]}), "").err().unwrap();
        assert_eq!(e.field(), "points[1].x_m");
        assert_eq!(e.message(), "expected a number (got a string)");
        assert_eq!(e.code(), "wrong_type");

        let e = read_object::<Holder>(&json!({"points": [{}]}), "").err().unwrap();
        assert_eq!(e, ModelError::Missing { field: "points[0].x_m".into() });

        let e = read_object::<Holder>(&json!({"points": [{"x_m": 1, "x_km": 2}]}), "").err().unwrap();
        assert_eq!(e.field(), "points[0].x_km");
        assert_eq!(e.code(), "unknown_field");
        assert!(e.message().contains("label, x_m"), "{}", e.message());
    }

    #[test]
    fn root_must_be_an_object() {
        let e = read_object::<Holder>(&json!([1, 2]), "").err().unwrap();
        assert_eq!(e.field(), "");
        assert!(e.message().contains("JSON object"), "{}", e.message());
    }
}
