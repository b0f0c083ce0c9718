//! Which rows a report reads: the range a caller asked for, turned into the bounds every query
//! of the report binds (one `WHERE` shape for sales and refunds alike).

use rusqlite::{Connection, OptionalExtension};

use super::model::ReportRange;
use super::ReportError;
use crate::order::Millis;
use crate::store::{db_ms, StoreError};

/// What a caller asks for: a time range, or (no `since`) everything since the last close.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportRequest {
    /// Records taken at or after this time (ms since the epoch). None: since the last close,
    /// or since the beginning when no shift was ever closed.
    pub since: Option<Millis>,
    /// Records taken before this time. None: up to the report's time.
    pub until: Option<Millis>,
}

/// The last closed shift, as the next report starts from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastClose {
    pub seq: u64,
    pub closed_ms: Millis,
    /// The highest rowid of `sales` and of `refunds` at the close.
    pub sales_mark: i64,
    pub refunds_mark: i64,
}

/// The last close, if any.
pub(crate) fn last_close(c: &Connection) -> Result<Option<LastClose>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT seq, until_ms, sales_mark, refunds_mark FROM shift_closes \
         ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([], |r| {
        Ok(LastClose {
            seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            closed_ms: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            sales_mark: r.get(2)?,
            refunds_mark: r.get(3)?,
        })
    })
    .optional()?)
}

/// The bounds of one report. A row is in the range when its rowid is above the table's mark
/// and its `created_at` is in `[since, until)`; a row taken before the range is one at or below
/// the mark, or created before `since`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub sales_after: i64,
    pub refunds_after: i64,
    pub since: i64,
    pub until: i64,
    /// Changes at or after this time, to rows taken before the range, are late changes.
    pub changes_from: Option<i64>,
    /// The previous close, whose snapshot names the status each open record had.
    pub previous: Option<u64>,
}

impl Scope {
    /// A scope that reads everything stored after `close` (or everything).
    pub(crate) fn after(close: Option<&LastClose>, until: Option<Millis>) -> Scope {
        Scope {
            sales_after: close.map_or(0, |c| c.sales_mark),
            refunds_after: close.map_or(0, |c| c.refunds_mark),
            since: 0,
            until: until.map_or(i64::MAX, db_ms),
            changes_from: close.map(|c| db_ms(c.closed_ms)),
            previous: close.map(|c| c.seq),
        }
    }

    /// The bounds bound to `(?1, ?2, ?3)` for `sales` (`refunds: false`) or `refunds`.
    pub(crate) fn bounds(&self, refunds: bool) -> (i64, i64, i64) {
        let after = if refunds { self.refunds_after } else { self.sales_after };
        (after, self.since, self.until)
    }
}

/// Resolves a request against the store: its scope and the range the report shows.
pub(crate) fn resolve(
    c: &Connection,
    req: &ReportRequest,
    now: Millis,
) -> Result<(Scope, ReportRange), ReportError> {
    if let (Some(since), Some(until)) = (req.since, req.until) {
        if until <= since {
            return Err(ReportError::InvalidRange {
                field: "until",
                reason: "must be later than since".into(),
            });
        }
    }
    let until_ms = req.until.unwrap_or(now);
    if let Some(since) = req.since {
        let scope = Scope {
            sales_after: 0,
            refunds_after: 0,
            since: db_ms(since),
            until: req.until.map_or(i64::MAX, db_ms),
            changes_from: Some(db_ms(since)),
            previous: None,
        };
        let range =
            ReportRange { since_ms: since, until_ms, since_last_close: false, after_close: None };
        return Ok((scope, range));
    }
    let last = last_close(c)?;
    if let (Some(l), Some(until)) = (&last, req.until) {
        if until <= l.closed_ms {
            return Err(ReportError::InvalidRange {
                field: "until",
                reason: "must be later than the last close (give since for an older range)".into(),
            });
        }
    }
    let range = ReportRange {
        since_ms: last.as_ref().map_or(0, |l| l.closed_ms),
        until_ms,
        since_last_close: true,
        after_close: last.as_ref().map(|l| l.seq),
    };
    Ok((Scope::after(last.as_ref(), req.until), range))
}
