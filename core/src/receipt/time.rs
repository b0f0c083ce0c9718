//! Wall-clock times in the merchant's fixed UTC offset, without a time-zone database.

use crate::order::Millis;

/// `YYYY-MM-DD HH:MM:SS +HH:MM` for `ms` since the epoch, shifted by `offset_minutes`.
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

/// The proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_offset() {
        assert_eq!(local_time(0, 0), "1970-01-01 00:00:00 +00:00");
        // 2026-12-07 00:42:23 UTC.
        let t = 1_796_604_143_000;
        assert_eq!(local_time(t, 480), "2026-12-07 08:42:23 +08:00");
        assert_eq!(local_time(t, -300), "2026-12-06 19:42:23 -05:00");
        assert_eq!(local_time(t, 330), "2026-12-07 06:12:23 +05:30");
        // A leap day.
        assert_eq!(local_time(951_782_400_000, 0), "2000-02-29 00:00:00 +00:00");
    }
}
