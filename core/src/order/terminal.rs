//! What the acquirer said about the terminal, kept with an attempt: the hint of a refusal
//! without an order (busy, unreachable), or how the payment ended at the terminal.
//!
//! The hint is never trusted alone. A refusal leaves the attempt unknown; only a query that
//! then finds no order ends it, as "terminal busy" or "terminal unreachable", instead of the
//! usual "not seen yet, resend" (the cashier decides whether to try again). A query that finds
//! the order wins over the hint.

use crate::acquirer::{PaymentStatus, TerminalRefusal, TerminalResult, MAX_BLOCKING_ID};

use super::attempt::{AttemptEvent, AttemptStatus};

/// The terminal's word about one attempt, stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TerminalNote {
    /// The acquirer refused the send because of the terminal (a hint until a query finds no
    /// order).
    Refused(TerminalRefusal),
    /// The payment ended unpaid at the terminal, this way.
    Ended(TerminalResult),
}

impl TerminalNote {
    /// The stored text: `busy`, `busy:<order>`, `unreachable`, `unreachable:<ms>`,
    /// `ended:<result>`.
    pub fn as_db(&self) -> String {
        match self {
            TerminalNote::Refused(TerminalRefusal::Busy { blocking_transaction_id: None }) => {
                "busy".into()
            }
            TerminalNote::Refused(TerminalRefusal::Busy { blocking_transaction_id: Some(id) }) => {
                format!("busy:{id}")
            }
            TerminalNote::Refused(TerminalRefusal::Unreachable { last_seen_ms: None }) => {
                "unreachable".into()
            }
            TerminalNote::Refused(TerminalRefusal::Unreachable { last_seen_ms: Some(ms) }) => {
                format!("unreachable:{ms}")
            }
            TerminalNote::Ended(result) => format!("ended:{}", result.as_str()),
        }
    }

    /// Parses [`TerminalNote::as_db`]; `None` for anything else.
    pub fn parse_db(s: &str) -> Option<TerminalNote> {
        let (head, tail) = match s.split_once(':') {
            Some((head, tail)) => (head, Some(tail)),
            None => (s, None),
        };
        let refusal = match (head, tail) {
            ("busy", None) => TerminalRefusal::Busy { blocking_transaction_id: None },
            ("busy", Some(id)) if !id.is_empty() && id.chars().count() <= MAX_BLOCKING_ID => {
                TerminalRefusal::Busy { blocking_transaction_id: Some(id.into()) }
            }
            ("unreachable", None) => TerminalRefusal::Unreachable { last_seen_ms: None },
            ("unreachable", Some(ms)) => {
                TerminalRefusal::Unreachable { last_seen_ms: Some(ms.parse().ok()?) }
            }
            ("ended", Some(r)) => return TerminalResult::parse(r).map(TerminalNote::Ended),
            _ => return None,
        };
        Some(TerminalNote::Refused(refusal))
    }

    /// Whether this is a refusal hint (not a result).
    pub fn is_refusal(&self) -> bool {
        matches!(self, TerminalNote::Refused(_))
    }
}

/// The event a query's "not found" becomes, given the attempt's note: after a refusal the
/// acquirer did receive the request and made no order, so it ends; otherwise it is only "not
/// seen yet".
pub fn refine(event: AttemptEvent, note: Option<&TerminalNote>) -> AttemptEvent {
    match (event, note) {
        (AttemptEvent::NotFound, Some(n)) if n.is_refusal() => AttemptEvent::NotFoundAfterRefusal,
        (event, _) => event,
    }
}

/// What a step's outcome tells about the terminal, for [`next_note`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteNews {
    /// The step sent the payment request.
    pub sent: bool,
    /// The send was refused because of the terminal.
    pub refusal: Option<TerminalRefusal>,
    /// The acquirer reported a status (answer, query, notification), with the terminal's
    /// result when it gave one.
    pub reported: Option<(PaymentStatus, Option<TerminalResult>)>,
}

/// The attempt's note after an outcome. A settled attempt's note never changes; a send
/// replaces it with what this send was told (a resend's fate is its own); a reported status
/// drops a refusal hint (the acquirer has the order after all) and records a terminal result.
pub fn next_note(
    current: Option<&TerminalNote>,
    attempt: AttemptStatus,
    news: &NoteNews,
) -> Option<TerminalNote> {
    if attempt.is_final() {
        return current.cloned();
    }
    if news.sent {
        return news.refusal.clone().map(TerminalNote::Refused);
    }
    match &news.reported {
        Some((PaymentStatus::Failed, Some(result))) => Some(TerminalNote::Ended(*result)),
        Some(_) if current.is_some_and(TerminalNote::is_refusal) => None,
        _ => current.cloned(),
    }
}

#[cfg(test)]
#[path = "terminal_tests.rs"]
pub(crate) mod tests;
