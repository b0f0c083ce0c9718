//! Closing a shift: the report of everything stored since the last close, frozen as it is at
//! that moment and recorded in `shift_closes` with the rows it covers, so that it can be
//! reprinted exactly and the next report starts where it ends.
//!
//! The close is one immediate transaction: the last close is read, the report computed and the
//! new close inserted under SQLite's write lock, so two connections closing at once close two
//! consecutive shifts (or, with an expected start, one refuses); never the same rows twice. The
//! table's `after_seq` is unique as a second guard.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::model::{CloseInfo, ReportRange, ShiftReport};
use super::scope::{last_close, Scope};
use super::{build, ReportError};
use crate::order::Millis;
use crate::store::{db_ms, Store, StoreError};

/// Who closes, and what they looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseRequest {
    /// The person closing, when the app names one (at most 64 characters).
    pub operator: Option<String>,
    /// The range of the report the person looked at before closing: the close is refused with
    /// [`ReportError::AlreadyClosed`] when another close came in between (it would close other
    /// rows than those shown). None: close whatever is open now.
    pub expected: Option<ReportRange>,
}

/// A closed shift in the list of closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedShift {
    /// Who closed it, and when.
    pub info: CloseInfo,
    /// Its start (the previous close's time, 0 for the first).
    pub since_ms: Millis,
}

fn check_operator(operator: &Option<String>) -> Result<(), ReportError> {
    if let Some(op) = operator {
        if op.is_empty() || op.chars().count() > 64 || op.chars().any(char::is_control) {
            return Err(ReportError::InvalidRange {
                field: "operator",
                reason: "1–64 characters, no control characters".into(),
            });
        }
    }
    Ok(())
}

/// Closes the shift at `now`: everything stored since the last close. Returns the frozen report.
///
/// The close's time is never before the previous close's (a wall clock set back would
/// otherwise make an empty or reversed range): it is then the previous close's time + 1 ms.
pub fn close_shift(
    store: &Store,
    now: Millis,
    register: &str,
    req: &CloseRequest,
) -> Result<ShiftReport, ReportError> {
    close_shift_exporting(store, now, register, req, None)
}

/// [`close_shift`], writing the closed shift's CSV export (times at the offset given with it,
/// minutes east of UTC) inside the same transaction: the file has exactly the closed rows. A
/// failed write closes nothing.
pub fn close_shift_exporting(
    store: &Store,
    now: Millis,
    register: &str,
    req: &CloseRequest,
    mut csv: Option<(&mut dyn std::io::Write, i32)>,
) -> Result<ShiftReport, ReportError> {
    check_operator(&req.operator)?;
    let mut failed_export = None;
    let closed = store.write(|tx, _| {
        let last = last_close(tx)?;
        if let Some(expected) = &req.expected {
            if !expected.since_last_close {
                return Ok(Err(ReportError::InvalidRange {
                    field: "since",
                    reason: "a close always covers everything since the last close".into(),
                }));
            }
            if expected.after_close != last.as_ref().map(|l| l.seq) {
                return Ok(Err(match &last {
                    Some(l) => ReportError::AlreadyClosed {
                        seq: l.seq,
                        register: close_register(tx, l.seq)?,
                        closed_ms: l.closed_ms,
                    },
                    None => ReportError::InvalidRange {
                        field: "expected",
                        reason: "names a close this store does not have".into(),
                    },
                }));
            }
        }
        let until = match &last {
            Some(l) if now <= l.closed_ms => l.closed_ms + 1,
            _ => now,
        };
        let scope = Scope::after(last.as_ref(), None);
        let range = ReportRange {
            since_ms: last.as_ref().map_or(0, |l| l.closed_ms),
            until_ms: until,
            since_last_close: true,
            after_close: last.as_ref().map(|l| l.seq),
        };
        let mut report = build(tx, &scope, range, until, register)?;
        let seq = last.as_ref().map_or(1, |l| l.seq + 1);
        report.closed = Some(CloseInfo {
            seq,
            closed_ms: until,
            register: register.to_string(),
            operator: req.operator.clone(),
        });
        if let Some((out, offset)) = csv.as_mut() {
            match super::write_csv(tx, &scope, *offset, &mut **out) {
                Ok(_) => {}
                Err(ReportError::Store(e)) => return Err(e),
                // Failed as a store error so that the transaction rolls back (nothing is
                // closed); the caller gets the write error itself.
                Err(other) => {
                    let shown = other.to_string();
                    failed_export = Some(other);
                    return Err(StoreError::Sqlite(shown));
                }
            }
        }
        let snapshot = serde_json::to_string(&report)
            .map_err(|e| StoreError::BadRow { what: "report snapshot", reason: e.to_string() })?;
        let mark = |table: &str| -> Result<i64, StoreError> {
            Ok(tx.query_row(&format!("SELECT coalesce(max(rowid), 0) FROM {table}"), [], |r| {
                r.get(0)
            })?)
        };
        let (sales_mark, refunds_mark) = (mark("sales")?, mark("refunds")?);
        tx.execute(
            "INSERT INTO shift_closes (seq, after_seq, since_ms, until_ms, sales_mark, \
             refunds_mark, register, operator, snapshot) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                db_ms(seq),
                db_ms(last.as_ref().map_or(0, |l| l.seq)),
                db_ms(report.range.since_ms),
                db_ms(until),
                sales_mark,
                refunds_mark,
                register,
                req.operator,
                snapshot
            ],
        )?;
        Ok(Ok(report))
    });
    match (closed, failed_export) {
        (_, Some(e)) => Err(e),
        (closed, None) => closed?,
    }
}

fn close_register(c: &Connection, seq: u64) -> Result<String, StoreError> {
    let by: Option<String> = c
        .query_row("SELECT register FROM shift_closes WHERE seq = ?1", [db_ms(seq)], |r| r.get(0))
        .optional()?;
    Ok(by.unwrap_or_default())
}

/// A closed shift's report, exactly as it was at its close.
pub fn closed_report(c: &Connection, seq: u64) -> Result<Option<ShiftReport>, StoreError> {
    let text: Option<String> = c
        .prepare_cached("SELECT snapshot FROM shift_closes WHERE seq = ?1")?
        .query_row([db_ms(seq)], |r| r.get(0))
        .optional()?;
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| StoreError::BadRow { what: "report snapshot", reason: e.to_string() })
    })
    .transpose()
}

/// The closed shifts, newest first, at most `limit`.
pub fn closed_shifts(c: &Connection, limit: u32) -> Result<Vec<ClosedShift>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, since_ms, until_ms, register, operator FROM shift_closes \
         ORDER BY seq DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(ClosedShift {
            info: CloseInfo {
                seq: n(r.get(0)?),
                closed_ms: n(r.get(2)?),
                register: r.get(3)?,
                operator: r.get(4)?,
            },
            since_ms: n(r.get(1)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The status each open record had in close `seq`'s snapshot: (entity, id) → status.
pub(crate) fn statuses_at_close(
    c: &Connection,
    seq: Option<u64>,
) -> Result<HashMap<(String, String), String>, StoreError> {
    let Some(seq) = seq else {
        return Ok(HashMap::new());
    };
    Ok(closed_report(c, seq)?
        .map(|r| r.open_items.into_iter().map(|i| ((i.entity, i.id), i.status)).collect())
        .unwrap_or_default())
}
