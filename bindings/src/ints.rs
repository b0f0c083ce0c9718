//! Integers across the FFI. Kotlin and Swift developers expect signed `Long`/`Int`
//! (`Int64`/`Int32`) for times, durations, counts and limits: unsigned types are awkward there
//! (Kotlin `ULong` literals need `u`, Swift `UInt64` does not mix with `Int`). The core keeps its
//! unsigned types; these helpers convert at the boundary.

use std::time::Duration;

use crate::error::TillKitError;

/// A core time or duration in ms as `Long`: values past `i64::MAX` (never reached by a real
/// clock) saturate instead of wrapping negative.
pub(crate) fn long(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A core duration in ms as `Long`, saturating like [`long`].
pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A core count as `Int`, saturating.
pub(crate) fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// A core count of any width as `Int`, saturating.
pub(crate) fn int_of(v: usize) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// An app's time or duration in ms: negative is refused, naming `field`.
pub(crate) fn ms_arg(field: &str, v: i64) -> Result<u64, TillKitError> {
    u64::try_from(v).map_err(|_| negative(field, v))
}

/// An app's duration in ms as a core `Duration`: negative is refused, naming `field`.
pub(crate) fn duration_arg(field: &str, v: i64) -> Result<Duration, TillKitError> {
    ms_arg(field, v).map(Duration::from_millis)
}

/// An app's count or size: negative is refused, naming `field`.
pub(crate) fn count_arg(field: &str, v: i32) -> Result<u32, TillKitError> {
    u32::try_from(v).map_err(|_| negative(field, i64::from(v)))
}

fn negative(field: &str, v: i64) -> TillKitError {
    TillKitError::InvalidInput { field: field.into(), reason: format!("{v} is negative") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_saturate_or_are_refused_by_name() {
        assert_eq!(long(u64::MAX), i64::MAX);
        assert_eq!(int(u32::MAX), i32::MAX);
        assert_eq!(duration_ms(Duration::from_millis(1500)), 1500);
        assert_eq!(duration_ms(Duration::MAX), i64::MAX);
        assert_eq!(int_of(5), 5);
        assert_eq!(ms_arg("since", 7), Ok(7));
        assert_eq!(count_arg("limit", 3), Ok(3));
        let err = ms_arg("since", -1).expect_err("negative");
        assert_eq!(err.to_string(), "invalid since: -1 is negative");
        assert!(
            matches!(count_arg("limit", -2), Err(TillKitError::InvalidInput { field, .. }) if field == "limit")
        );
    }
}
