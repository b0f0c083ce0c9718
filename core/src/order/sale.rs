//! The sale as the cashier sees it, derived from its current attempt, and the table of the
//! changes a sale may go through.

use super::attempt::AttemptStatus;
use super::terminal::TerminalNote;
use crate::acquirer::{TerminalRefusal, TerminalResult};

/// Why a sale ended without a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailReason {
    /// The acquirer or the customer's wallet or card declined.
    Declined,
    /// The QR or the order expired unpaid.
    Expired,
    /// Cancelled (voided) before it was paid.
    Cancelled,
    /// The acquirer could not be reached while the sale could still be made.
    Offline,
    /// The terminal was taking another payment; the acquirer made no order. Nothing charged.
    TerminalBusy,
    /// The terminal was not in touch with the acquirer; no order was made. Nothing charged.
    TerminalUnreachable,
    /// The customer or a clerk cancelled on the terminal. Nothing charged.
    CancelledAtTerminal,
    /// The terminal gave up waiting for the card. Nothing charged.
    TimedOutAtTerminal,
    /// The order closed before the terminal picked it up. Nothing charged.
    Undelivered,
    /// The terminal failed (card read error, terminal fault, or a result this version does not
    /// know). Nothing charged; not a decline of the card.
    FailedAtTerminal,
}

impl FailReason {
    /// Every reason, for exhaustive tests.
    pub const ALL: [FailReason; 10] = [
        FailReason::Declined,
        FailReason::Expired,
        FailReason::Cancelled,
        FailReason::Offline,
        FailReason::TerminalBusy,
        FailReason::TerminalUnreachable,
        FailReason::CancelledAtTerminal,
        FailReason::TimedOutAtTerminal,
        FailReason::Undelivered,
        FailReason::FailedAtTerminal,
    ];

    /// A stable name for storage and the FFI.
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::Declined => "declined",
            FailReason::Expired => "expired",
            FailReason::Cancelled => "cancelled",
            FailReason::Offline => "offline",
            FailReason::TerminalBusy => "terminal_busy",
            FailReason::TerminalUnreachable => "terminal_unreachable",
            FailReason::CancelledAtTerminal => "cancelled_at_terminal",
            FailReason::TimedOutAtTerminal => "timed_out_at_terminal",
            FailReason::Undelivered => "undelivered",
            FailReason::FailedAtTerminal => "failed_at_terminal",
        }
    }

    /// Why a failed attempt failed, given what the terminal said about it.
    fn of_failed(note: Option<&TerminalNote>) -> FailReason {
        match note {
            None | Some(TerminalNote::Ended(TerminalResult::Declined)) => FailReason::Declined,
            Some(TerminalNote::Refused(TerminalRefusal::Busy { .. })) => FailReason::TerminalBusy,
            Some(TerminalNote::Refused(TerminalRefusal::Unreachable { .. })) => {
                FailReason::TerminalUnreachable
            }
            Some(TerminalNote::Ended(TerminalResult::CancelledAtTerminal)) => {
                FailReason::CancelledAtTerminal
            }
            Some(TerminalNote::Ended(TerminalResult::CancelledByCashier)) => FailReason::Cancelled,
            Some(TerminalNote::Ended(TerminalResult::TimedOut)) => FailReason::TimedOutAtTerminal,
            Some(TerminalNote::Ended(TerminalResult::Undelivered)) => FailReason::Undelivered,
            Some(TerminalNote::Ended(TerminalResult::Failed)) => FailReason::FailedAtTerminal,
        }
    }
}

/// The state of a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleStatus {
    /// Accepted locally, not yet at the acquirer (waiting for the network).
    Queued,
    /// At the acquirer, not final: waiting for the customer, the wallet or the terminal.
    Processing,
    /// The outcome is unknown and being resolved. Do not charge again.
    Unknown,
    /// A cancel is being sent.
    Cancelling,
    /// Paid. Final (refunds are tracked beside it).
    Paid,
    /// Ended without a charge. Final, apart from a late success reported by the acquirer.
    Failed(FailReason),
}

/// A sale change the table does not allow. It is refused and logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sale transition refused: {from:?} -> {to:?}")]
pub struct SaleTransitionRefused {
    /// From.
    pub from: SaleStatus,
    /// To.
    pub to: SaleStatus,
}

impl SaleStatus {
    /// Every state, for exhaustive tests.
    pub const ALL: [SaleStatus; 15] = [
        SaleStatus::Queued,
        SaleStatus::Processing,
        SaleStatus::Unknown,
        SaleStatus::Cancelling,
        SaleStatus::Paid,
        SaleStatus::Failed(FailReason::Declined),
        SaleStatus::Failed(FailReason::Expired),
        SaleStatus::Failed(FailReason::Cancelled),
        SaleStatus::Failed(FailReason::Offline),
        SaleStatus::Failed(FailReason::TerminalBusy),
        SaleStatus::Failed(FailReason::TerminalUnreachable),
        SaleStatus::Failed(FailReason::CancelledAtTerminal),
        SaleStatus::Failed(FailReason::TimedOutAtTerminal),
        SaleStatus::Failed(FailReason::Undelivered),
        SaleStatus::Failed(FailReason::FailedAtTerminal),
    ];

    /// The sale's status given its current attempt and whether a cancel was asked for.
    pub fn derive(attempt: AttemptStatus, cancel_requested: bool) -> SaleStatus {
        SaleStatus::derive_noted(attempt, cancel_requested, None)
    }

    /// [`SaleStatus::derive`], with what the terminal said about the attempt: it names why a
    /// failed attempt failed (busy, cancelled at the terminal, …) and nothing else.
    pub fn derive_noted(
        attempt: AttemptStatus,
        cancel_requested: bool,
        note: Option<&TerminalNote>,
    ) -> SaleStatus {
        match attempt {
            AttemptStatus::Prepared => SaleStatus::Queued,
            // Unseen: the acquirer has not seen it yet, but it may still arrive.
            AttemptStatus::Unknown | AttemptStatus::Unseen => SaleStatus::Unknown,
            AttemptStatus::Processing if cancel_requested => SaleStatus::Cancelling,
            AttemptStatus::Processing => SaleStatus::Processing,
            AttemptStatus::Succeeded => SaleStatus::Paid,
            AttemptStatus::Failed => SaleStatus::Failed(FailReason::of_failed(note)),
            AttemptStatus::Closed => SaleStatus::Failed(FailReason::Expired),
            AttemptStatus::Cancelled => SaleStatus::Failed(FailReason::Cancelled),
            // Never reached the acquirer: the cashier's cancel if there was one, else offline.
            AttemptStatus::NeverSent if cancel_requested => {
                SaleStatus::Failed(FailReason::Cancelled)
            }
            AttemptStatus::NeverSent => SaleStatus::Failed(FailReason::Offline),
        }
    }

    /// Whether the sale has ended.
    pub fn is_final(self) -> bool {
        matches!(self, SaleStatus::Paid | SaleStatus::Failed(_))
    }

    /// Checks a change against the table of allowed sale transitions.
    pub fn check(self, to: SaleStatus) -> Result<(), SaleTransitionRefused> {
        use SaleStatus as S;
        let allowed = match (self, to) {
            (a, b) if a == b => true,
            // A paid sale never changes: refunds live beside it.
            (S::Paid, _) => false,
            // An ended sale only changes when the acquirer reports a charge after all.
            (S::Failed(_), S::Paid) => true,
            (S::Failed(_), _) => false,
            // Back to Queued only when a query proves the acquirer never saw the attempt.
            (S::Unknown, S::Queued) => true,
            (_, S::Queued) => false,
            // Processing never falls back to Unknown: a failed query changes no knowledge.
            (S::Processing | S::Cancelling, S::Unknown) => false,
            // Offline only for a sale known never to have reached the acquirer: unsent, or
            // unknown and watched by query for longer than its request could live.
            (S::Queued | S::Unknown, S::Failed(FailReason::Offline)) => true,
            (_, S::Failed(FailReason::Offline)) => false,
            _ => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(SaleTransitionRefused { from: self, to })
        }
    }

    /// A stable name for storage and the FFI.
    pub fn as_str(self) -> &'static str {
        match self {
            SaleStatus::Queued => "queued",
            SaleStatus::Processing => "processing",
            SaleStatus::Unknown => "unknown",
            SaleStatus::Cancelling => "cancelling",
            SaleStatus::Paid => "paid",
            SaleStatus::Failed(reason) => reason.as_str(),
        }
    }

    /// Parses [`SaleStatus::as_str`].
    pub fn parse(s: &str) -> Option<SaleStatus> {
        SaleStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::attempt::AttemptEvent;

    #[test]
    fn every_attempt_transition_gives_an_allowed_sale_transition() {
        // The sale table must accept whatever the attempt machine can do, so that the two
        // machines never disagree.
        let events = [
            AttemptEvent::Reported(crate::acquirer::PaymentStatus::Processing),
            AttemptEvent::Reported(crate::acquirer::PaymentStatus::Succeeded),
            AttemptEvent::Reported(crate::acquirer::PaymentStatus::Failed),
            AttemptEvent::Reported(crate::acquirer::PaymentStatus::Closed),
            AttemptEvent::Reported(crate::acquirer::PaymentStatus::Cancelled),
            AttemptEvent::NotSent,
            AttemptEvent::OutcomeUnknown,
            AttemptEvent::Refused,
            AttemptEvent::NotFound,
            AttemptEvent::NotFoundAfterRefusal,
            AttemptEvent::TooOld,
            AttemptEvent::Recovered,
            AttemptEvent::Withdrawn,
        ];
        let notes = crate::order::terminal::tests::all_notes();
        for a in AttemptStatus::ALL {
            for e in events {
                let Ok(b) = a.on(e) else { continue };
                for (cancel, na, nb) in notes.iter().flat_map(|na| {
                    notes.iter().flat_map(move |nb| [(false, na, nb), (true, na, nb)])
                }) {
                    // A settled attempt's note never changes (see `next_note`).
                    if a.is_final() && na != nb {
                        continue;
                    }
                    let from = SaleStatus::derive_noted(a, cancel, na.as_ref());
                    let to = SaleStatus::derive_noted(b, cancel, nb.as_ref());
                    assert!(from.check(to).is_ok(), "{a:?} -{e:?}-> {b:?}: {from:?} -> {to:?}");
                }
            }
        }
    }

    #[test]
    fn paid_is_forever_and_failed_only_becomes_paid() {
        for to in SaleStatus::ALL {
            assert_eq!(SaleStatus::Paid.check(to).is_ok(), to == SaleStatus::Paid);
            let declined = SaleStatus::Failed(FailReason::Declined);
            assert_eq!(declined.check(to).is_ok(), to == declined || to == SaleStatus::Paid);
        }
    }

    #[test]
    fn offline_only_from_queued() {
        for from in SaleStatus::ALL {
            let ok = from.check(SaleStatus::Failed(FailReason::Offline)).is_ok();
            let expected = matches!(
                from,
                SaleStatus::Queued | SaleStatus::Unknown | SaleStatus::Failed(FailReason::Offline)
            );
            assert_eq!(ok, expected, "{from:?}");
        }
    }

    #[test]
    fn a_failed_attempt_is_named_by_the_terminal_and_nothing_else_is() {
        use crate::order::terminal::TerminalNote as N;
        let busy = N::Refused(TerminalRefusal::Busy { blocking_transaction_id: None });
        let gone = N::Refused(TerminalRefusal::Unreachable { last_seen_ms: Some(1) });
        let cases = [
            (None, FailReason::Declined),
            (Some(busy.clone()), FailReason::TerminalBusy),
            (Some(gone), FailReason::TerminalUnreachable),
            (Some(N::Ended(TerminalResult::Declined)), FailReason::Declined),
            (Some(N::Ended(TerminalResult::CancelledAtTerminal)), FailReason::CancelledAtTerminal),
            (Some(N::Ended(TerminalResult::CancelledByCashier)), FailReason::Cancelled),
            (Some(N::Ended(TerminalResult::TimedOut)), FailReason::TimedOutAtTerminal),
            (Some(N::Ended(TerminalResult::Undelivered)), FailReason::Undelivered),
            (Some(N::Ended(TerminalResult::Failed)), FailReason::FailedAtTerminal),
        ];
        for (note, reason) in cases {
            let derived = SaleStatus::derive_noted(AttemptStatus::Failed, false, note.as_ref());
            assert_eq!(derived, SaleStatus::Failed(reason), "{note:?}");
        }
        // The note names a failure only: every other attempt state ignores it.
        for a in AttemptStatus::ALL.into_iter().filter(|a| *a != AttemptStatus::Failed) {
            for cancel in [false, true] {
                assert_eq!(
                    SaleStatus::derive_noted(a, cancel, Some(&busy)),
                    SaleStatus::derive(a, cancel)
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in SaleStatus::ALL {
            assert_eq!(SaleStatus::parse(s.as_str()), Some(s));
        }
        for r in FailReason::ALL {
            assert!(SaleStatus::ALL.contains(&SaleStatus::Failed(r)), "{r:?}");
        }
    }
}
