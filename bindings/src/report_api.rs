//! The shift report calls of [`Cashier`]: report, close, reprint, text and CSV. Each converts,
//! forwards to the core's `Cashier` on the blocking pool and converts back.

use std::fs::File;
use std::io::{BufWriter, Write};

use tillkit_core::report::{render_text, CloseRequest, ReportRequest as CoreRequest};

use crate::cashier::Cashier;
use crate::error::TillKitError;
use crate::ints::{count_arg, long, ms_arg};
use crate::report::{ClosedShift, ReportRange, ReportRequest, ShiftReport};
use crate::report_render::ReportOf;

type Result<T> = std::result::Result<T, TillKitError>;

/// UTC offsets in use run from -12:00 to +14:00; anything past ±18:00 is a mistake.
pub(crate) fn offset_arg(minutes: i32) -> Result<i32> {
    if minutes.unsigned_abs() > 18 * 60 {
        return Err(TillKitError::InvalidInput {
            field: "utc_offset_minutes".into(),
            reason: format!("{minutes} is beyond ±18 hours"),
        });
    }
    Ok(minutes)
}

pub(crate) fn core_request(r: Option<ReportRequest>) -> Result<CoreRequest> {
    r.unwrap_or_default().try_into()
}

#[uniffi::export(async_runtime = "tokio")]
impl Cashier {
    /// The shift report of `request` (`null`: everything since the last closed shift, up to
    /// now). Nothing is closed: call it as often as the screen needs.
    #[uniffi::method(default(request = None))]
    pub async fn shift_report(&self, request: Option<ReportRequest>) -> Result<ShiftReport> {
        let req = core_request(request)?;
        self.store_call(move |c| Ok(c.shift_report(&req)?.into())).await
    }

    /// Closes the shift: everything stored since the last close, frozen and recorded; the next
    /// report starts here. Returns the closed report (`closed` set). `operator` names the
    /// person (1–64 characters). `expected` is the range of the report the person looked at
    /// (`report.range`): when another close came in since, nothing is closed and the call
    /// fails with `ShiftAlreadyClosed`. `null` closes whatever is open now.
    #[uniffi::method(default(operator = None, expected = None))]
    pub async fn close_shift(
        &self,
        operator: Option<String>,
        expected: Option<ReportRange>,
    ) -> Result<ShiftReport> {
        let expected = expected.map(TryInto::try_into).transpose()?;
        let req = CloseRequest { operator, expected };
        self.store_call(move |c| Ok(c.close_shift(&req)?.into())).await
    }

    /// The closed shifts, newest first, at most `limit` (`null`: 100).
    #[uniffi::method(default(limit = None))]
    pub async fn closed_shifts(&self, limit: Option<i32>) -> Result<Vec<ClosedShift>> {
        let limit = limit.map(|v| count_arg("limit", v)).transpose()?.unwrap_or(100);
        self.store_call(move |c| {
            Ok(c.closed_shifts(limit)?.into_iter().map(ClosedShift::from).collect())
        })
        .await
    }

    /// A closed shift's report exactly as it was at its close (for a reprint). An unknown
    /// number is `InvalidInput` on `seq`.
    pub async fn closed_report(&self, seq: i64) -> Result<ShiftReport> {
        let seq = ms_arg("seq", seq)?;
        self.store_call(move |c| Ok(c.closed_report(seq)?.into())).await
    }

    /// The shift report of `request` as plain English text (for logs, e-mail and plain
    /// printers), times at `utcOffsetMinutes` east of UTC (480 for China).
    #[uniffi::method(default(request = None, utc_offset_minutes = 0))]
    pub async fn report_text(
        &self,
        request: Option<ReportRequest>,
        utc_offset_minutes: i32,
    ) -> Result<String> {
        let of = ReportOf::request(request)?;
        self.report_call(of, utc_offset_minutes, |_, r, offset| Ok(render_text(r, offset))).await
    }

    /// A closed shift's report as plain English text, exactly as it was closed; times at
    /// `utcOffsetMinutes` east of UTC.
    #[uniffi::method(default(utc_offset_minutes = 0))]
    pub async fn closed_report_text(&self, seq: i64, utc_offset_minutes: i32) -> Result<String> {
        let of = ReportOf::closed(seq)?;
        self.report_call(of, utc_offset_minutes, |_, r, offset| Ok(render_text(r, offset))).await
    }

    /// Writes the CSV export of `request` (one row per sale and refund, after a header) to the
    /// file at `path`, replacing it; times at `utcOffsetMinutes` east of UTC. Returns the rows
    /// written. A failed export removes the partial file.
    #[uniffi::method(default(utc_offset_minutes = 0))]
    pub async fn export_report_csv(
        &self,
        request: Option<ReportRequest>,
        path: String,
        utc_offset_minutes: i32,
    ) -> Result<i64> {
        let req = core_request(request)?;
        let offset = offset_arg(utc_offset_minutes)?;
        self.store_call(move |c| to_file(&path, |out| Ok(long(c.export_csv(&req, offset, out)?))))
            .await
    }

    /// [`Cashier::close_shift`], also writing the closed shift's CSV export to the file at
    /// `csvPath` (times at `utcOffsetMinutes` east of UTC) inside the close: the file holds
    /// exactly the closed rows, and if it cannot be written nothing is closed (and the partial
    /// file is removed).
    #[uniffi::method(default(operator = None, expected = None, utc_offset_minutes = 0))]
    pub async fn close_shift_exporting(
        &self,
        csv_path: String,
        operator: Option<String>,
        expected: Option<ReportRange>,
        utc_offset_minutes: i32,
    ) -> Result<ShiftReport> {
        let expected = expected.map(TryInto::try_into).transpose()?;
        let req = CloseRequest { operator, expected };
        let offset = offset_arg(utc_offset_minutes)?;
        self.store_call(move |c| {
            to_file(&csv_path, |out| Ok(c.close_shift_exporting(&req, out, offset)?.into()))
        })
        .await
    }
}

/// Runs `write` on a new file at `path` (replacing one there), flushed at the end; on failure
/// the partial file is removed, so that it cannot pass for a whole export.
fn to_file<T>(path: &str, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let file = File::create(path).map_err(|e| TillKitError::InvalidInput {
        field: "path".into(),
        reason: format!("cannot create {path}: {e}"),
    })?;
    let mut out = BufWriter::new(file);
    let result = write(&mut out).and_then(|v| match out.flush() {
        Ok(()) => Ok(v),
        Err(e) => Err(TillKitError::Storage { reason: format!("cannot write the export: {e}") }),
    });
    if result.is_err() {
        drop(out);
        // Best effort: the error to report is the write's, not the removal's.
        let _ = std::fs::remove_file(path);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use tillkit_core::report::ReportRange as CoreRange;

    #[test]
    fn ranges_cross_both_ways_and_bad_numbers_are_refused_by_name() {
        let core =
            CoreRange { since_ms: 5, until_ms: 9, since_last_close: true, after_close: Some(2) };
        let ffi = ReportRange::from(core.clone());
        assert_eq!(CoreRange::try_from(ffi.clone()), Ok(core));
        let bad = ReportRange { after_close: Some(-1), ..ffi };
        let err = CoreRange::try_from(bad).expect_err("negative close");
        assert!(
            matches!(err, TillKitError::InvalidInput { ref field, .. } if field == "after_close")
        );
        let req = ReportRequest { since_ms: None, until_ms: Some(-3) };
        let err = core_request(Some(req)).expect_err("negative until");
        assert!(matches!(err, TillKitError::InvalidInput { ref field, .. } if field == "until_ms"));
        assert_eq!(core_request(None), Ok(CoreRequest::default()));
    }

    #[test]
    fn a_failed_export_leaves_no_file_and_a_bad_path_names_the_field() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("out.csv");
        let path = path.to_str().expect("utf-8");
        let failed: Result<()> = to_file(path, |out| {
            out.write_all(b"id,kind\r\n")
                .map_err(|e| TillKitError::Internal { reason: e.to_string() })?;
            Err(TillKitError::StorageFull)
        });
        assert_eq!(failed, Err(TillKitError::StorageFull));
        assert!(!std::path::Path::new(path).exists());
        assert_eq!(to_file(path, |out| Ok(out.write_all(b"x").is_ok())), Ok(true));
        assert_eq!(std::fs::read(path).expect("written"), b"x");
        let missing = dir.path().join("no/such/dir.csv");
        let err = to_file(missing.to_str().expect("utf-8"), |_| Ok(())).expect_err("no dir");
        assert!(matches!(err, TillKitError::InvalidInput { ref field, .. } if field == "path"));
    }

    #[test]
    fn utc_offsets_past_eighteen_hours_are_refused() {
        assert_eq!(offset_arg(480), Ok(480));
        assert_eq!(offset_arg(-720), Ok(-720));
        assert!(offset_arg(18 * 60 + 1).is_err());
        assert!(offset_arg(i32::MIN).is_err());
    }
}
