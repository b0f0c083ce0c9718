//! Reading `bizContent` fields with the documented types and lengths. Every error names the
//! field, as `102000` descriptions do.

use serde_json::{Map, Value};
use tillkit_core::money::Amount;

use super::envelope::ApiError;

/// A JSON object of business fields; `prefix` names nested objects in errors
/// (`paymentMethod.type`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>) -> Self {
        Fields { map, prefix: "" }
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A string field that must be present and non-blank.
    pub(crate) fn required(&self, key: &str, max: usize) -> Result<String, ApiError> {
        self.optional(key, max)?
            .ok_or_else(|| ApiError::invalid(format!("missing field {}", self.name(key))))
    }

    /// A string field; absent, null and blank are `None`.
    pub(crate) fn optional(&self, key: &str, max: usize) -> Result<Option<String>, ApiError> {
        let s = match self.map.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(ApiError::invalid(format!("field {} must be a string", self.name(key))))
            }
        };
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if s.chars().count() > max {
            return Err(ApiError::invalid(format!(
                "field {} is longer than {max}",
                self.name(key)
            )));
        }
        // PingPong's XSS filter rejects these; control characters never belong in an id.
        if s.chars().any(|c| c == '<' || c == '>' || c.is_control()) {
            return Err(ApiError::invalid(format!(
                "field {} contains a forbidden character (< > or a control character)",
                self.name(key)
            )));
        }
        Ok(Some(s.to_string()))
    }

    /// An amount sent as a JSON string ("12.50", TillKit's choice P7) or number (12.5, the
    /// documented examples), in `currency`.
    pub(crate) fn amount(&self, key: &str, currency: &str) -> Result<Amount, ApiError> {
        let text = match self.map.get(key) {
            None | Some(Value::Null) => {
                return Err(ApiError::invalid(format!("missing field {}", self.name(key))))
            }
            Some(Value::String(s)) if s.chars().count() <= 14 => s.clone(),
            Some(Value::String(_)) => {
                return Err(ApiError::invalid(format!(
                    "field {} is longer than 14",
                    self.name(key)
                )))
            }
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "field {} must be a string or a number",
                    self.name(key)
                )))
            }
        };
        Amount::parse(&text, currency)
            .map_err(|e| ApiError::invalid(format!("field {}: {e}", self.name(key))))
    }

    /// An integer sent as a number or a string of digits.
    pub(crate) fn integer(&self, key: &str) -> Result<Option<i64>, ApiError> {
        let bad = || ApiError::invalid(format!("field {} must be an integer", self.name(key)));
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) if s.len() <= 20 => {
                s.trim().parse().map(Some).map_err(|_| bad())
            }
            Some(_) => Err(bad()),
        }
    }

    /// A nested object, named `prefix` in errors.
    pub(crate) fn object(
        &self,
        key: &'a str,
        prefix: &'a str,
    ) -> Result<Option<Fields<'a>>, ApiError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields { map, prefix })),
            Some(_) => {
                Err(ApiError::invalid(format!("field {} must be an object", self.name(key))))
            }
        }
    }

    /// True if the key is present and not null.
    pub(crate) fn has(&self, key: &str) -> bool {
        !matches!(self.map.get(key), None | Some(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn strings_are_checked_and_named() {
        let m = map(json!({"a": "x", "n": 5, "long": "y".repeat(65), "xss": "<b>", "blank": " "}));
        let f = Fields::new(&m);
        assert_eq!(f.required("a", 64).unwrap(), "x");
        assert_eq!(f.required("missing", 64).unwrap_err().description, "missing field missing");
        assert_eq!(f.required("blank", 64).unwrap_err().description, "missing field blank");
        assert!(f.required("n", 64).unwrap_err().description.contains("must be a string"));
        assert!(f.required("long", 64).unwrap_err().description.contains("longer than 64"));
        assert!(f.required("xss", 64).unwrap_err().description.contains("forbidden"));
    }

    #[test]
    fn amounts_come_as_strings_or_numbers() {
        let m = map(json!({"s": "12.50", "n": 12.5, "i": 151, "bad": "1e3", "obj": {}}));
        let f = Fields::new(&m);
        assert_eq!(f.amount("s", "CNY").unwrap().minor_units(), 1250);
        assert_eq!(f.amount("n", "CNY").unwrap().minor_units(), 1250);
        assert_eq!(f.amount("i", "JPY").unwrap().minor_units(), 151);
        assert!(f.amount("bad", "CNY").is_err());
        assert!(f.amount("obj", "CNY").unwrap_err().description.contains("string or a number"));
        assert!(f.amount("s", "JPY").is_err());
    }

    #[test]
    fn nested_fields_are_named_with_their_path() {
        let m = map(json!({"paymentMethod": {"type": 3}}));
        let pm = Fields::new(&m).object("paymentMethod", "paymentMethod.").unwrap().unwrap();
        assert_eq!(
            pm.required("type", 32).unwrap_err().description,
            "field paymentMethod.type must be a string"
        );
    }
}
