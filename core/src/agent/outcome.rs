//! How a reader transaction's end becomes the result the acquirer is told.
//!
//! The rule that matters for money: a result is `approved` only when the issuer approved
//! online and the card completed. An approval the card did not complete (`needs_reversal`) is
//! reported as not approved, and the acquirer releases the authorisation because no `approved`
//! result came.

use super::channel::{OfflineApproval, ResultReport, TerminalResult};
use super::hooks::OfflineSink;
use crate::reader::session::ReaderResult;
use crate::reader::{ReaderError, ReaderOutcome, ReaderRequest};

/// The reason given when the card approved offline and no [`OfflineSink`] is configured.
pub const OFFLINE_NOT_ENABLED: &str = "offline approvals not enabled";

/// Maps how the reader ended `request` to the report. `cashier_cancel`: the cashier's cancel
/// was passed to the reader; `auth_code`: the issuer's code when it approved online. An offline
/// approval is handed to `sink` and reported `approved_offline` only if the sink kept it.
pub fn to_report(
    request: &ReaderRequest,
    ran: Result<ReaderResult, ReaderError>,
    cashier_cancel: bool,
    auth_code: Option<String>,
    sink: Option<&dyn OfflineSink>,
) -> ResultReport {
    let transaction_id = request.transaction_id.clone();
    let ended = match ran {
        Ok(r) => r,
        Err(e) => {
            return ResultReport {
                transaction_id,
                result: TerminalResult::Failed {
                    reason: format!("the reader could not run it: {e}"),
                },
                card: None,
                reason: None,
            }
        }
    };
    let card = ended.card.clone();
    let mut reason = ended.problem.clone();
    let result = if ended.finish.needs_reversal {
        // The issuer approved but the card did not complete: never approved.
        let why = "the card did not complete after the issuer approved; the approval is released";
        reason = Some(reason.map_or_else(|| why.to_string(), |p| format!("{why}: {p}")));
        match ended.finish.outcome {
            ReaderOutcome::Declined => TerminalResult::Declined,
            ReaderOutcome::Cancelled if cashier_cancel => TerminalResult::CancelledByCashier,
            ReaderOutcome::Cancelled | ReaderOutcome::CardRemoved => {
                TerminalResult::CancelledAtTerminal
            }
            ReaderOutcome::TimedOut => TerminalResult::TimedOut,
            ReaderOutcome::ApprovedOnline | ReaderOutcome::ApprovedOffline => {
                TerminalResult::Failed { reason: why.to_string() }
            }
        }
    } else {
        match ended.finish.outcome {
            ReaderOutcome::ApprovedOnline => TerminalResult::Approved { auth_code },
            ReaderOutcome::ApprovedOffline => match sink {
                None => {
                    reason = Some(OFFLINE_NOT_ENABLED.to_string());
                    TerminalResult::Declined
                }
                Some(sink) => match offline_approval(request, &ended).and_then(|a| {
                    let id = a.offline_id.clone();
                    sink.store(a).map(|()| id)
                }) {
                    Ok(offline_id) => TerminalResult::ApprovedOffline { offline_id },
                    Err(why) => {
                        log::warn!("sale {transaction_id}: offline approval not kept: {why}");
                        reason = Some(format!("offline approval not kept: {why}"));
                        TerminalResult::Declined
                    }
                },
            },
            ReaderOutcome::Declined => TerminalResult::Declined,
            ReaderOutcome::Cancelled if cashier_cancel => TerminalResult::CancelledByCashier,
            ReaderOutcome::Cancelled => match ended.problem.clone() {
                // The core stopped it (the card named another amount): not the customer.
                Some(problem) => TerminalResult::Failed { reason: problem },
                None => TerminalResult::CancelledAtTerminal,
            },
            ReaderOutcome::CardRemoved => TerminalResult::CancelledAtTerminal,
            ReaderOutcome::TimedOut => TerminalResult::TimedOut,
        }
    };
    let reason = if matches!(result, TerminalResult::Failed { .. }) { None } else { reason };
    ResultReport { transaction_id, result, card, reason }
}

/// The approval to store and forward: the card's final data with every sensitive object
/// (PAN, track data) removed, under a fresh random offline id.
fn offline_approval(
    request: &ReaderRequest,
    ended: &ReaderResult,
) -> Result<OfflineApproval, String> {
    let card = ended.card.clone().ok_or("the card's data was not read")?;
    let clearing_tlv =
        crate::emv::without_card_data(ended.finish.tlv.as_bytes()).map_err(|e| e.to_string())?;
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| format!("no randomness for the offline id: {e}"))?;
    Ok(OfflineApproval {
        offline_id: format!("off-{}", hex::encode(id)),
        transaction_id: request.transaction_id.clone(),
        amount: request.amount,
        approved_at_ms: super::store::now_ms(),
        card,
        clearing_tlv,
    })
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
