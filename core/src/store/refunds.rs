//! Refunds as stored, and the SQL that reads and writes them.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::error::StoreError;
use super::outbox::{put_outbox, Entity, OutboxRow};
use super::values::{amount, bad, db_ms, ms, parse_reason};
use crate::money::Amount;
use crate::order::{AttentionReason, Millis, RefundState};

/// A refund as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRow {
    /// The merchant refund id.
    pub id: String,
    /// The refunded sale.
    pub sale_id: String,
    /// Amount.
    pub amount: Amount,
    /// State.
    pub state: RefundState,
    /// Refunds the whole sale.
    pub full: bool,
    /// Reason.
    pub reason: Option<String>,
    /// The acquirer's refund id.
    pub acquirer_refund_id: Option<String>,
    /// Last result code.
    pub result_code: Option<String>,
    /// Last result text.
    pub result_description: Option<String>,
    /// Needs a person.
    pub attention: bool,
    /// Why, when known.
    pub attention_reason: Option<AttentionReason>,
    /// Created.
    pub created_at: Millis,
    /// Last changed.
    pub updated_at: Millis,
}

const REFUND_COLUMNS: &str = "id, sale_id, amount, currency, state, full_refund, reason, \
    acquirer_refund_id, result_code, result_description, attention, created_at, updated_at, \
    attention_reason";

fn refund_from_row(r: &Row<'_>) -> Result<Result<RefundRow, StoreError>, rusqlite::Error> {
    let (value, currency, state): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
    let row = (
        r.get::<_, String>(0)?,
        r.get::<_, String>(1)?,
        r.get::<_, bool>(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get::<_, bool>(10)?,
        r.get::<_, i64>(11)?,
        r.get::<_, i64>(12)?,
        r.get::<_, Option<String>>(13)?,
    );
    Ok((|| {
        Ok(RefundRow {
            id: row.0,
            sale_id: row.1,
            amount: amount(value, currency)?,
            state: RefundState::parse(&state).ok_or_else(|| bad("refund state", &state))?,
            full: row.2,
            reason: row.3,
            acquirer_refund_id: row.4,
            result_code: row.5,
            result_description: row.6,
            attention: row.7,
            attention_reason: parse_reason(row.10)?,
            created_at: ms(row.8),
            updated_at: ms(row.9),
        })
    })())
}

/// Inserts a refund.
pub fn insert_refund(c: &Connection, f: &RefundRow) -> Result<(), StoreError> {
    c.prepare_cached(
        &format!("INSERT INTO refunds ({REFUND_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"))?.execute(params![
            f.id,
            f.sale_id,
            f.amount.to_major_string(),
            f.amount.currency().code(),
            f.state.as_str(),
            f.full,
            f.reason,
            f.acquirer_refund_id,
            f.result_code,
            f.result_description,
            f.attention,
            db_ms(f.created_at),
            db_ms(f.updated_at),
            f.attention_reason.as_ref().map(AttentionReason::as_db),
        ],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(x, _) if x.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Duplicate { entity: "refund", id: f.id.clone() }
        }
        other => other.into(),
    })?;
    Ok(())
}

/// Writes a refund's mutable fields.
pub fn update_refund(c: &Connection, f: &RefundRow) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE refunds SET state = ?2, acquirer_refund_id = ?3, result_code = ?4, \
         result_description = ?5, attention = ?6, updated_at = ?7, attention_reason = ?8 \
         WHERE id = ?1",
    )?
    .execute(params![
        f.id,
        f.state.as_str(),
        f.acquirer_refund_id,
        f.result_code,
        f.result_description,
        f.attention,
        db_ms(f.updated_at),
        f.attention_reason.as_ref().map(AttentionReason::as_db),
    ])?;
    Ok(())
}

/// One refund by id.
pub fn load_refund(c: &Connection, id: &str) -> Result<Option<RefundRow>, StoreError> {
    let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE id = ?1");
    c.prepare_cached(&sql)?.query_row([id], refund_from_row).optional()?.transpose()
}

/// The refunds of a sale, oldest first.
pub fn refunds_of(c: &Connection, sale_id: &str) -> Result<Vec<RefundRow>, StoreError> {
    let sql =
        format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE sale_id = ?1 ORDER BY created_at, id");
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map([sale_id], refund_from_row)?;
    rows.map(|r| r.map_err(StoreError::from).and_then(|x| x)).collect()
}

/// At most this many sale ids go in one query: SQLite takes at most 32766 parameters.
const IDS_PER_QUERY: usize = 10_000;

/// The refunds of each of `sale_ids` (oldest first), in one query for any list a screen shows
/// (one per 10,000 ids): a list of sales needs no query per sale. A sale without refunds has
/// no entry.
pub fn refunds_of_sales(
    c: &Connection,
    sale_ids: &[&str],
) -> Result<HashMap<String, Vec<RefundRow>>, StoreError> {
    // Each id once, so that no refund is read twice.
    let ids: Vec<&str> = sale_ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    let mut out: HashMap<String, Vec<RefundRow>> = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE sale_id IN ({marks}) \
             ORDER BY created_at, id"
        );
        // Not cached: the text changes with the list's length.
        let mut stmt = c.prepare(&sql)?;
        for row in stmt.query_map(rusqlite::params_from_iter(chunk), refund_from_row)? {
            let r = row??;
            out.entry(r.sale_id.clone()).or_default().push(r);
        }
    }
    Ok(out)
}

/// What the refunds of a sale hold of its amount: every refund not failed or expired (those
/// waiting count), in the sale's currency.
pub fn refunds_held(c: &Connection, sale_id: &str) -> Result<rust_decimal::Decimal, StoreError> {
    Ok(refunds_of(c, sale_id)?
        .iter()
        .filter(|r| r.state.holds_amount())
        .map(|r| r.amount.value())
        .sum())
}

/// Writes a new refund ahead of its first request: the row, its outbox step and a journal line
/// on the refund and on its sale (`note` adds to the sale's line).
pub fn queue_new_refund(
    c: &Connection,
    refund: &RefundRow,
    now: Millis,
    note: &str,
) -> Result<(), StoreError> {
    insert_refund(c, refund)?;
    put_outbox(c, &OutboxRow::first_send(Entity::Refund, &refund.id, now))?;
    let (id, amount, sale_id) = (&refund.id, refund.amount, &refund.sale_id);
    super::journal(c, now, Entity::Refund, id, "created", &format!("{amount} of sale {sale_id}"))?;
    super::journal(c, now, Entity::Sale, sale_id, "refund_created", &format!("{id} {amount}{note}"))
}

/// The queued refunds whose request may have left before the process stopped (their outbox
/// step is [`super::SENDING`]); a queued refund without the mark was never sent.
pub fn queued_refunds_maybe_sent(c: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT r.id FROM refunds r JOIN outbox o ON o.entity = 'refund' AND o.entity_id = r.id \
         WHERE r.state = ?1 AND o.step = ?2",
    )?;
    let rows = stmt
        .query_map(params![RefundState::Queued.as_str(), super::outbox::SENDING], |r| {
            r.get::<_, String>(0)
        })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
