//! The CSV export: one row per sale and per refund of a range, written row by row as the query
//! yields them (sales first, then refunds, each oldest first).
//!
//! RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, a quote, CR
//! or LF, quotes doubled. Text a merchant or customer controls (ids, remarks, reasons, acquirer
//! ids) is guarded against formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or
//! CR gets a leading `'`, so a spreadsheet shows it as text instead of running it. The amounts
//! are written by TillKit itself and left as numbers.

use std::io::Write;

use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::scope::Scope;
use super::time::format_rfc3339;
use super::totals::{decimal, scaled};
use super::ReportError;

/// The header row.
pub const CSV_HEADER: [&str; 12] = [
    "id",
    "kind",
    "time",
    "method",
    "wallet",
    "currency",
    "amount",
    "status",
    "refunded",
    "acquirer_id",
    "sale_id",
    "description",
];

/// One cell as RFC 4180 writes it; `guard` prefixes `'` to text a spreadsheet would take as a
/// formula. Control characters other than tab, CR and LF become spaces.
pub fn csv_cell(text: &str, guard: bool) -> String {
    let mut cell: String = text
        .chars()
        .map(|c| if c.is_control() && !matches!(c, '\t' | '\r' | '\n') { ' ' } else { c })
        .collect();
    if guard && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

struct Rows<'a> {
    out: &'a mut dyn Write,
    written: u64,
}

impl Rows<'_> {
    /// Writes one record: `cells` as (text, guard).
    fn record(&mut self, cells: &[(&str, bool)]) -> Result<(), ReportError> {
        let mut line = String::with_capacity(160);
        for (i, (text, guard)) in cells.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&csv_cell(text, *guard));
        }
        line.push_str("\r\n");
        self.out.write_all(line.as_bytes()).map_err(|e| ReportError::Write(e.to_string()))?;
        self.written += 1;
        Ok(())
    }
}

fn t(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Writes the header and every sale and refund of `scope` to `out`, times as RFC 3339 at
/// `offset_minutes` east of UTC. Returns the records written (the header not counted).
pub(crate) fn write_csv(
    c: &Connection,
    scope: &Scope,
    offset_minutes: i32,
    out: &mut dyn Write,
) -> Result<u64, ReportError> {
    let mut rows = Rows { out, written: 0 };
    let header: Vec<(&str, bool)> = CSV_HEADER.iter().map(|h| (*h, false)).collect();
    rows.record(&header)?;
    rows.written = 0;
    // What was refunded of each sale so far (at the export), from the refund index by sale.
    let mut stmt = c.prepare_cached(
        "SELECT s.id, s.created_at, s.kind, s.wallet, s.currency, s.amount, s.status, \
         s.acquirer_transaction_id, s.remark, \
         (SELECT group_concat(r.amount, ' ') FROM refunds r \
          WHERE r.sale_id = s.id AND r.state = 'succeeded') \
         FROM sales s WHERE s.rowid > ?1 AND s.created_at >= ?2 AND s.created_at < ?3 \
         ORDER BY s.created_at, s.rowid",
    )?;
    let (a, s, u) = scope.bounds(false);
    let mut q = stmt.query(params![a, s, u])?;
    while let Some(r) = q.next()? {
        let get = |i: usize| r.get::<_, Option<String>>(i);
        let created: i64 = r.get(1)?;
        let (id, kind, wallet, currency, amount, status, txn, remark, refunds) =
            (get(0)?, get(2)?, get(3)?, get(4)?, get(5)?, get(6)?, get(7)?, get(8)?, get(9)?);
        let (id, kind, currency, status) = (t(&id), t(&kind), t(&currency), t(&status));
        let value = scaled(decimal(t(&amount), currency)?, currency).to_string();
        let mut refunded = Decimal::ZERO;
        for part in t(&refunds).split(' ').filter(|p| !p.is_empty()) {
            refunded += decimal(part, currency)?;
        }
        let refunded = scaled(refunded, currency).to_string();
        let time = format_rfc3339(u64::try_from(created).unwrap_or(0), offset_minutes);
        rows.record(&[
            (id, true),
            ("sale", false),
            (&time, false),
            (kind, false),
            (t(&wallet), false),
            (currency, true),
            (&value, false),
            (status, false),
            (&refunded, false),
            (t(&txn), true),
            ("", false),
            (t(&remark), true),
        ])?;
    }
    drop(q);
    let mut stmt = c.prepare_cached(
        "SELECT r.id, r.created_at, s.kind, s.wallet, r.currency, r.amount, r.state, \
         r.acquirer_refund_id, r.sale_id, r.reason \
         FROM refunds r JOIN sales s ON s.id = r.sale_id \
         WHERE r.rowid > ?1 AND r.created_at >= ?2 AND r.created_at < ?3 \
         ORDER BY r.created_at, r.rowid",
    )?;
    let (a, s, u) = scope.bounds(true);
    let mut q = stmt.query(params![a, s, u])?;
    while let Some(r) = q.next()? {
        let get = |i: usize| r.get::<_, Option<String>>(i);
        let created: i64 = r.get(1)?;
        let (id, kind, wallet, currency, amount, state, acquirer, sale_id, reason) =
            (get(0)?, get(2)?, get(3)?, get(4)?, get(5)?, get(6)?, get(7)?, get(8)?, get(9)?);
        let currency = currency.unwrap_or_default();
        let value = scaled(decimal(t(&amount), &currency)?, &currency).to_string();
        let time = format_rfc3339(u64::try_from(created).unwrap_or(0), offset_minutes);
        rows.record(&[
            (t(&id), true),
            ("refund", false),
            (&time, false),
            (t(&kind), false),
            (t(&wallet), false),
            (&currency, true),
            (&value, false),
            (t(&state), false),
            ("", false),
            (t(&acquirer), true),
            (t(&sale_id), true),
            (t(&reason), true),
        ])?;
    }
    rows.out.flush().map_err(|e| ReportError::Write(e.to_string()))?;
    Ok(rows.written)
}
