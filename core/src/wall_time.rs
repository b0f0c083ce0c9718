//! Wall-clock times at a merchant's fixed UTC offset, as receipts and reports show them and the
//! report takes them: RFC 3339 (`2026-12-07T09:30:00.000Z`, or with an offset such as
//! `+08:00`), plain dates (`2026-12-07`, midnight at that offset) and the receipt's
//! `2026-12-07 09:30:00 +08:00`.
//!
//! The core has no time-zone database: a merchant's zone is a fixed offset from UTC given by
//! the caller (UTC when none). Written here rather than taken from a crate because these few
//! conversions are all receipts and reports need, and a zone database costs hundreds of KB.

use crate::order::Millis;

const MS_PER_DAY: i64 = 86_400_000;
/// The largest offset RFC 3339 can carry that any zone uses (±18:00 in ISO 8601).
const MAX_OFFSET_MINUTES: i32 = 18 * 60;

/// Why a time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not `YYYY-MM-DD` nor an RFC 3339 date-time.
    #[error("{input:?} is not an RFC 3339 time (2026-12-07T09:30:00Z) nor a date (2026-12-07)")]
    Format {
        /// The input, cut to 40 characters.
        input: String,
    },
    /// A well-formed time outside what the store holds (before 1970 or after 9999).
    #[error("{input:?} is out of range")]
    OutOfRange {
        /// The input, cut to 40 characters.
        input: String,
    },
    /// An offset beyond ±18:00.
    #[error("offset {input:?} is not ±HH:MM within ±18:00")]
    Offset {
        /// The input, cut to 40 characters.
        input: String,
    },
}

fn cut(input: &str) -> String {
    input.chars().take(40).collect()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (the inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `ms` (since the epoch, UTC) as RFC 3339 at `offset_minutes` east of UTC, to the
/// millisecond: `2026-12-07T09:30:00.000Z` at offset 0, `…+08:00` otherwise.
pub fn format_rfc3339(ms: Millis, offset_minutes: i32) -> String {
    let offset = offset_minutes.clamp(-MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES);
    let local = i64::try_from(ms).unwrap_or(i64::MAX / 2) + i64::from(offset) * 60_000;
    let (days, in_day) = (local.div_euclid(MS_PER_DAY), local.rem_euclid(MS_PER_DAY));
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) =
        (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    let zone = if offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        format!("{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60)
    };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}{zone}")
}

/// `YYYY-MM-DD HH:MM:SS +HH:MM` (a receipt's date line) for `ms` since the epoch, shifted by
/// `offset_minutes`.
pub fn local_time(ms: Millis, offset_minutes: i16) -> String {
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX / 2) + i64::from(offset_minutes) * 60;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} {sign}{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        off / 60,
        off % 60
    )
}

/// Parses `±HH:MM` (or `Z`) as minutes east of UTC.
pub fn parse_offset(input: &str) -> Result<i32, TimeError> {
    let bad = || TimeError::Offset { input: cut(input) };
    if input == "Z" || input == "z" {
        return Ok(0);
    }
    let b = input.as_bytes();
    if b.len() != 6 || b[3] != b':' || !(b[0] == b'+' || b[0] == b'-') {
        return Err(bad());
    }
    let h = digits(&b[1..3]).ok_or_else(bad)?;
    let m = digits(&b[4..6]).ok_or_else(bad)?;
    let minutes = i32::try_from(h * 60 + m).map_err(|_| bad())?;
    if m > 59 || minutes > MAX_OFFSET_MINUTES {
        return Err(bad());
    }
    Ok(if b[0] == b'-' { -minutes } else { minutes })
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0i64, |acc, d| acc.checked_mul(10)?.checked_add(i64::from(d - b'0')))
}

/// Parses an RFC 3339 date-time (`2026-12-07T09:30:00Z`, `2026-12-07T09:30:00.250+08:00`; a
/// space may replace the `T`) or a date (`2026-12-07`, taken as its midnight at
/// `default_offset_minutes` east of UTC), as ms since the epoch.
pub fn parse_time(input: &str, default_offset_minutes: i32) -> Result<Millis, TimeError> {
    let text = input.trim();
    let format = || TimeError::Format { input: cut(input) };
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(format());
    }
    let (y, mo, d) = (
        digits(&b[0..4]).ok_or_else(format)?,
        digits(&b[5..7]).ok_or_else(format)?,
        digits(&b[8..10]).ok_or_else(format)?,
    );
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return Err(format());
    }
    let day_ms = days_from_civil(y, mo, d) * MS_PER_DAY;
    let (in_day, offset) = if b.len() == 10 {
        (0, i64::from(default_offset_minutes))
    } else {
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 20 || b[13] != b':' || b[16] != b':' {
            return Err(format());
        }
        let (h, mi, s) = (
            digits(&b[11..13]).ok_or_else(format)?,
            digits(&b[14..16]).ok_or_else(format)?,
            digits(&b[17..19]).ok_or_else(format)?,
        );
        if h > 23 || mi > 59 || s > 60 {
            return Err(format());
        }
        let mut rest = &text[19..];
        let mut milli = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return Err(format());
            }
            // Beyond milliseconds the store cannot tell times apart: the rest is dropped.
            let kept = format!("{:0<3}", &frac[..n.min(3)]);
            milli = digits(kept.as_bytes()).ok_or_else(format)?;
            rest = &frac[n..];
        }
        let offset = parse_offset(rest).map_err(|_| format())?;
        // A leap second is the last millisecond of its minute as far as a range goes.
        let secs = (h * 3600 + mi * 60 + s.min(59)) * 1000 + milli;
        (secs, i64::from(offset))
    };
    let utc = day_ms + in_day - offset * 60_000;
    if utc < 0 || y > 9999 {
        return Err(TimeError::OutOfRange { input: cut(input) });
    }
    Millis::try_from(utc).map_err(|_| TimeError::OutOfRange { input: cut(input) })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn receipt_times_are_shown_in_the_offset() {
        assert_eq!(local_time(0, 0), "1970-01-01 00:00:00 +00:00");
        // 2026-12-07 00:42:23 UTC.
        let t = 1_796_604_143_000;
        assert_eq!(local_time(t, 480), "2026-12-07 08:42:23 +08:00");
        assert_eq!(local_time(t, -300), "2026-12-06 19:42:23 -05:00");
        assert_eq!(local_time(t, 330), "2026-12-07 06:12:23 +05:30");
        // A leap day.
        assert_eq!(local_time(951_782_400_000, 0), "2000-02-29 00:00:00 +00:00");
    }

    #[test]
    fn formats_and_parses_back() {
        assert_eq!(format_rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        let t = parse_time("2026-12-07T09:30:05.250Z", 0).unwrap();
        assert_eq!(format_rfc3339(t, 0), "2026-12-07T09:30:05.250Z");
        assert_eq!(format_rfc3339(t, 480), "2026-12-07T17:30:05.250+08:00");
        assert_eq!(format_rfc3339(t, -90), "2026-12-07T08:00:05.250-01:30");
        assert_eq!(parse_time("2026-12-07T17:30:05.250+08:00", 0).unwrap(), t);
        assert_eq!(parse_time("2024-02-29 00:00:00Z", 0).unwrap(), 1_709_164_800_000);
        for ms in [0u64, 951_782_400_000, 4_102_444_799_999, 1_765_000_000_123] {
            assert_eq!(parse_time(&format_rfc3339(ms, 330), 0).unwrap(), ms);
        }
    }

    #[test]
    fn a_date_is_its_midnight_at_the_given_offset() {
        assert_eq!(parse_time("2026-12-07", 0).unwrap(), 1_796_601_600_000);
        assert_eq!(parse_time("2026-12-07", 480).unwrap(), 1_796_601_600_000 - 8 * 3_600_000);
    }

    #[test]
    fn bad_times_are_refused_with_the_input() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-12-07T25:00:00Z",
            "2026-12-07T10:00:00",
            "2026-12-07T10:00:00+8",
            "2026-12-07T10:00:00.Z",
            "1969-12-31T23:59:59Z",
            "2026-12-07T10:00:00Z junk",
        ] {
            assert!(parse_time(bad, 0).is_err(), "{bad}");
        }
        let e = parse_time("2026-1-1", 0).unwrap_err().to_string();
        assert!(e.contains("2026-1-1"), "{e}");
        assert_eq!(parse_offset("+08:00"), Ok(480));
        assert_eq!(parse_offset("-05:30"), Ok(-330));
        assert!(parse_offset("+19:00").is_err() && parse_offset("0800").is_err());
    }
}
