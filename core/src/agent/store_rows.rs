//! Rows of the agent's journal: the SQL that reads them and their conversion to records.

use super::{AgentStoreError, Row, TxRecord, TxState};
use crate::agent::channel::{InboxKind, ResultReport, TerminalResult};
use crate::money::Amount;
use crate::reader::session::CardRead;
use crate::reader::EntryMode;

pub(super) fn select(filter: &str) -> String {
    format!(
        "SELECT id, message_id, kind, amount, currency, original_id, state, cancel_asked, note \
         FROM agent_tx {filter}"
    )
}

pub(super) fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

pub(super) fn to_record(row: Row) -> Result<TxRecord, AgentStoreError> {
    let (id, message_id, kind, amount, currency, original, state, cancel_asked, note) = row;
    let bad = |field, value: &str| AgentStoreError::BadRow {
        id: id.clone(),
        field,
        value: value.to_string(),
    };
    let amount = Amount::parse(&amount, &currency).map_err(|_| bad("amount", &amount))?;
    let kind = match (kind.as_str(), original) {
        ("sale", _) => InboxKind::Sale { amount },
        ("refund", Some(original_transaction_id)) => {
            InboxKind::Refund { amount, original_transaction_id }
        }
        (other, _) => return Err(bad("kind", other)),
    };
    let state = TxState::from_str(&state).ok_or_else(|| bad("state", &state))?;
    Ok(TxRecord { id, message_id, kind, state, cancel_asked, note })
}

/// A finished transaction's columns: id, result, [auth code, offline id, reason] and
/// [masked PAN, AID, label, entry].
pub(super) type ResultRow = (String, Option<String>, [Option<String>; 3], [Option<String>; 4]);

/// A finished transaction's result as it is reported again.
pub(super) fn to_report(row: ResultRow) -> Result<ResultReport, AgentStoreError> {
    let (id, result, [auth, offline, reason], [pan, aid, label, entry]) = row;
    let bad = |field, value: &str| AgentStoreError::BadRow {
        id: id.clone(),
        field,
        value: value.to_string(),
    };
    let name = result.unwrap_or_default();
    let result = match name.as_str() {
        "approved" => TerminalResult::Approved { auth_code: auth },
        "approved_offline" => TerminalResult::ApprovedOffline {
            offline_id: offline.ok_or_else(|| bad("offline_id", ""))?,
        },
        "declined" => TerminalResult::Declined,
        "cancelled_at_terminal" => TerminalResult::CancelledAtTerminal,
        "cancelled_by_cashier" => TerminalResult::CancelledByCashier,
        "timed_out" => TerminalResult::TimedOut,
        "failed" => {
            let reason = reason.clone().unwrap_or_default();
            TerminalResult::Failed { reason }
        }
        other => return Err(bad("result", other)),
    };
    let entry = match entry.as_deref() {
        None => None,
        Some(e) => Some(entry_from(e).ok_or_else(|| bad("entry", e))?),
    };
    let card = match (pan, aid) {
        (Some(masked_pan), Some(aid)) => Some(CardRead { masked_pan, aid, label, entry }),
        _ => None,
    };
    let reason = if matches!(result, TerminalResult::Failed { .. }) { None } else { reason };
    Ok(ResultReport { transaction_id: id, result, card, reason })
}

/// The wire name of a result, and its auth code, offline id and reason columns.
pub(super) fn result_columns<'a>(
    result: &'a TerminalResult,
    reason: &'a Option<String>,
) -> (&'static str, Option<&'a str>, Option<&'a str>, Option<&'a str>) {
    let reason = reason.as_deref();
    match result {
        TerminalResult::Approved { auth_code } => ("approved", auth_code.as_deref(), None, reason),
        TerminalResult::ApprovedOffline { offline_id } => {
            ("approved_offline", None, Some(offline_id), reason)
        }
        TerminalResult::Declined => ("declined", None, None, reason),
        TerminalResult::CancelledAtTerminal => ("cancelled_at_terminal", None, None, reason),
        TerminalResult::CancelledByCashier => ("cancelled_by_cashier", None, None, reason),
        TerminalResult::TimedOut => ("timed_out", None, None, reason),
        TerminalResult::Failed { reason } => ("failed", None, None, Some(reason)),
    }
}

pub(super) fn entry_name(e: EntryMode) -> &'static str {
    match e {
        EntryMode::Contactless => "contactless",
        EntryMode::Chip => "chip",
        EntryMode::Swipe => "swipe",
    }
}

pub(super) fn entry_from(s: &str) -> Option<EntryMode> {
    [EntryMode::Contactless, EntryMode::Chip, EntryMode::Swipe]
        .into_iter()
        .find(|e| entry_name(*e) == s)
}
