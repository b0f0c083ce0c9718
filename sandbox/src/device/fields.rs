//! Reading and validating the fields of a device request's JSON body.

use serde_json::{Map, Value};

use super::auth::DeviceError;

/// A required string: 1 to `max` characters, no control characters.
pub(crate) fn text(map: &Map<String, Value>, key: &str, max: usize) -> Result<String, DeviceError> {
    optional_text(map, key, max)?.ok_or_else(|| DeviceError::field(key, "missing"))
}

/// An optional string (absent or null is `None`): 1 to `max` characters, no control characters.
pub(crate) fn optional_text(
    map: &Map<String, Value>,
    key: &str,
    max: usize,
) -> Result<Option<String>, DeviceError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(DeviceError::field(key, "is empty")),
        Some(Value::String(s)) if s.chars().count() > max => {
            Err(DeviceError::field(key, format!("is longer than {max} characters")))
        }
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            Err(DeviceError::field(key, "holds control characters"))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DeviceError::field(key, "must be a string")),
    }
}

/// An optional integer in `range`.
pub(crate) fn integer(
    map: &Map<String, Value>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, DeviceError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64().filter(|v| range.contains(v)) {
            Some(v) => Ok(Some(v)),
            None => Err(DeviceError::field(
                key,
                format!("must be an integer from {} to {}", range.start(), range.end()),
            )),
        },
        Some(_) => Err(DeviceError::field(key, "must be an integer")),
    }
}

/// A required string among `allowed`.
pub(crate) fn one_of(
    map: &Map<String, Value>,
    key: &str,
    allowed: &[&'static str],
) -> Result<&'static str, DeviceError> {
    let value = text(map, key, 32)?;
    allowed
        .iter()
        .find(|a| **a == value)
        .copied()
        .ok_or_else(|| DeviceError::field(key, format!("must be one of {}", allowed.join(", "))))
}

/// Hex digits (upper or lower case) decoded, at most `max_bytes` bytes.
pub(crate) fn hex_bytes(
    map: &Map<String, Value>,
    key: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, DeviceError> {
    let digits = text(map, key, max_bytes.saturating_mul(2))?;
    hex::decode(digits.trim()).map_err(|_| DeviceError::field(key, "must be hex digits"))
}

/// A masked card number: 12 to 19 characters, digits and `*`, at most 10 digits shown.
pub(crate) fn masked_pan(
    map: &Map<String, Value>,
    key: &str,
    required: bool,
) -> Result<Option<String>, DeviceError> {
    let Some(pan) = optional_text(map, key, 19)? else {
        return if required { Err(DeviceError::field(key, "missing")) } else { Ok(None) };
    };
    let digits = pan.chars().filter(char::is_ascii_digit).count();
    let shape = pan.chars().all(|c| c.is_ascii_digit() || c == '*');
    if !shape || pan.len() < 12 || digits > 10 || digits == pan.len() {
        return Err(DeviceError::field(key, "must be a masked card number (digits and *)"));
    }
    Ok(Some(pan))
}
