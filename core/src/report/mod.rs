//! The end-of-day (shift) report: counts and totals of a range by method, wallet and currency,
//! refunds, net per currency, the records still open or flagged, late changes, and the outbox;
//! closing a shift; and the CSV export. See `docs/report.md`.
//!
//! Everything here reads the store row by row: a range of 100,000 sales is summed and exported
//! without holding its rows in memory.

mod close;
mod csv;
mod document;
mod items;
mod labels;
mod model;
mod scope;
mod text;
/// The report's times (RFC 3339, dates, offsets): [`crate::wall_time`].
pub use crate::wall_time as time;
mod totals;

#[cfg(test)]
mod document_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_close;

pub use close::{
    close_shift, close_shift_exporting, closed_report, closed_shifts, CloseRequest, ClosedShift,
};
use csv::write_csv;
pub use csv::{csv_cell, CSV_HEADER};
pub use document::{report_document, PAPER_LIST_CAP};
pub use items::LIST_CAP;
pub use labels::ReportLabel;
pub use model::*;
pub use scope::ReportRequest;
pub use text::{clean as clean_text, render_text};

use rusqlite::Connection;

use crate::order::Millis;
use crate::store::{Store, StoreError};

/// Why a report, a close or an export failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bound or option of the request is unusable.
    #[error("invalid {field}: {reason}")]
    InvalidRange {
        /// Which (`since`, `until`, `operator`, …).
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// Another close came in between the report that was looked at and this close: nothing
    /// was closed. Look at the report again.
    #[error("the shift was closed meanwhile (close {seq} by register {register:?}); nothing was closed: look at the report again")]
    AlreadyClosed {
        /// The close that came in between.
        seq: u64,
        /// Its register.
        register: String,
        /// When.
        closed_ms: Millis,
    },
    /// No closed shift with this number.
    #[error("no closed shift {0}")]
    UnknownClose(u64),
    /// The export's destination refused a write.
    #[error("cannot write the export: {0}")]
    Write(String),
    /// The cashier is closed.
    #[error("the cashier is closed")]
    Closed,
}

impl From<rusqlite::Error> for ReportError {
    fn from(e: rusqlite::Error) -> Self {
        ReportError::Store(e.into())
    }
}

/// Builds the report of `scope` inside one read (or the close's write) transaction.
pub(crate) fn build(
    c: &Connection,
    scope: &scope::Scope,
    range: ReportRange,
    now: Millis,
    register: &str,
) -> Result<ShiftReport, StoreError> {
    let t = totals::totals(c, scope)?;
    let (open_items, open_items_more) = items::open_items(c, scope)?;
    let at_close = close::statuses_at_close(c, scope.previous)?;
    let (late_changes, late_changes_more) = items::late_changes(c, scope, &at_close)?;
    Ok(ShiftReport {
        range,
        register: register.to_string(),
        generated_ms: now,
        closed: None,
        currencies: t.currencies,
        paid_by_method: t.paid_by_method,
        refunded_by_method: t.refunded_by_method,
        sales_by_status: t.sales_by_status,
        refunds_by_state: t.refunds_by_state,
        open_items,
        open_items_more,
        late_changes,
        late_changes_more,
        outbox: totals::outbox(c)?,
    })
}

/// The report of `req` as the store holds it at `now`, for `register`.
pub fn report(
    store: &Store,
    req: &ReportRequest,
    now: Millis,
    register: &str,
) -> Result<ShiftReport, ReportError> {
    store.read(|c, _| {
        // One read transaction: the sums, the lists and the outbox see the same commit.
        c.execute_batch("BEGIN")?;
        let out = (|| {
            let (scope, range) = match scope::resolve(c, req, now) {
                Ok(v) => v,
                Err(ReportError::Store(e)) => return Err(e),
                Err(other) => return Ok(Err(other)),
            };
            Ok(build(c, &scope, range, now, register).map_err(ReportError::from))
        })();
        c.execute_batch("COMMIT")?;
        out
    })?
}

/// Writes the CSV export of `req` to `out` (see [`write_csv`]); returns the rows written.
pub fn export_csv(
    store: &Store,
    req: &ReportRequest,
    now: Millis,
    offset_minutes: i32,
    out: &mut dyn std::io::Write,
) -> Result<u64, ReportError> {
    store.read(|c, _| {
        c.execute_batch("BEGIN")?;
        let result = scope::resolve(c, req, now)
            .and_then(|(scope, _)| write_csv(c, &scope, offset_minutes, out));
        c.execute_batch("COMMIT")?;
        Ok(result)
    })?
}
