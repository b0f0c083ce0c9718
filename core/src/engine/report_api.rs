//! The shift report through the cashier: the store, the engine's time line and the register
//! name given to [`crate::report`].

use super::Cashier;
use crate::receipt::Locale;
use crate::report::{self, CloseRequest, ClosedShift, ReportError, ReportRequest, ShiftReport};

impl Cashier {
    /// The configured language of receipts, also that of printed reports when none is asked.
    pub fn receipt_locale(&self) -> Locale {
        self.inner.config.receipt.locale
    }

    /// The shift report of `req` (default: everything since the last close).
    pub fn shift_report(&self, req: &ReportRequest) -> Result<ShiftReport, ReportError> {
        let inner = &self.inner;
        report::report(&inner.store, req, inner.now(), &inner.config.cashier_device_id)
    }

    /// Closes the shift now: the report of everything since the last close, frozen and
    /// recorded; the next report starts here.
    pub fn close_shift(&self, req: &CloseRequest) -> Result<ShiftReport, ReportError> {
        let inner = &self.inner;
        inner.check_open().map_err(|_| ReportError::Closed)?;
        report::close_shift(&inner.store, inner.now(), &inner.config.cashier_device_id, req)
    }

    /// [`Cashier::close_shift`], writing the closed rows' CSV export to `csv` (times at
    /// `offset_minutes` east of UTC) in the same transaction; a failed write closes nothing.
    pub fn close_shift_exporting(
        &self,
        req: &CloseRequest,
        csv: &mut dyn std::io::Write,
        offset_minutes: i32,
    ) -> Result<ShiftReport, ReportError> {
        let inner = &self.inner;
        inner.check_open().map_err(|_| ReportError::Closed)?;
        let register = &inner.config.cashier_device_id;
        let csv = Some((csv, offset_minutes));
        report::close_shift_exporting(&inner.store, inner.now(), register, req, csv)
    }

    /// A closed shift's report exactly as it was at its close.
    pub fn closed_report(&self, seq: u64) -> Result<ShiftReport, ReportError> {
        self.inner
            .store
            .read(|c, _| report::closed_report(c, seq))?
            .ok_or(ReportError::UnknownClose(seq))
    }

    /// The closed shifts, newest first.
    pub fn closed_shifts(&self, limit: u32) -> Result<Vec<ClosedShift>, ReportError> {
        Ok(self.inner.store.read(|c, _| report::closed_shifts(c, limit))?)
    }

    /// Writes the CSV export of `req` to `out`, row by row; times at `offset_minutes` east of
    /// UTC. Returns the records written.
    pub fn export_csv(
        &self,
        req: &ReportRequest,
        offset_minutes: i32,
        out: &mut dyn std::io::Write,
    ) -> Result<u64, ReportError> {
        let inner = &self.inner;
        report::export_csv(&inner.store, req, inner.now(), offset_minutes, out)
    }
}
