//! The payment attempt: one `requestId` sent to the acquirer, and what is known of its fate.
//!
//! The attempt is where "never charge twice" is decided: a new attempt may start only when the
//! previous one is proven not to have charged (see [`AttemptStatus::proves_no_charge`]).

use crate::acquirer::PaymentStatus;

/// What is known about one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttemptStatus {
    /// Committed locally; known not to have reached the acquirer yet (queued, or a send failed
    /// before connecting).
    Prepared,
    /// May have reached the acquirer, nothing is known: resolve by query before anything else.
    Unknown,
    /// Sent with an unknown outcome, and a query since found nothing. That is not proof: the
    /// request may still be on its way (held by the network or at the acquirer), so it is
    /// watched by query for the watch window before it counts as never arrived. It may be
    /// resent (same `requestId`) only while the sale is still wanted and can still be made.
    Unseen,
    /// The acquirer has it and it is not final (user paying, terminal working, QR shown).
    Processing,
    /// Paid.
    Succeeded,
    /// Declined or refused by the acquirer; no charge.
    Failed,
    /// Closed unpaid at expiry; no charge.
    Closed,
    /// Voided; no charge remains.
    Cancelled,
    /// Proven never to have reached the acquirer, and now too old to send (a wallet code's
    /// validity passed). No charge.
    NeverSent,
}

/// What happened to an attempt: the result of an I/O step, fed back to the pure machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptEvent {
    /// The acquirer (answer, query or verified notification) reported this status.
    Reported(PaymentStatus),
    /// The send failed before any byte left (connection refused, no network).
    NotSent,
    /// The request may have left but no trustworthy answer came back.
    OutcomeUnknown,
    /// The acquirer refused the request itself (bad parameters, signature): no charge made.
    Refused,
    /// A query says the acquirer has never seen this attempt.
    NotFound,
    /// A query found no order after the acquirer refused the send because of the terminal
    /// (busy, unreachable): the request did arrive and made no order, so it ends unpaid and
    /// is not resent (the cashier decides whether to try again).
    NotFoundAfterRefusal,
    /// The attempt can no longer be sent (wallet code validity passed).
    TooOld,
    /// The store was opened after a crash: a `Prepared` attempt may have been sent.
    Recovered,
    /// The cashier cancelled an attempt that is known not to have left.
    Withdrawn,
}

/// A transition the machine does not allow. It is refused, logged, and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("attempt transition refused: {from:?} on {event:?}")]
pub struct AttemptTransitionRefused {
    /// The state it was in.
    pub from: AttemptStatus,
    /// The event refused.
    pub event: AttemptEvent,
}

impl AttemptStatus {
    /// Every state, for exhaustive tests.
    pub const ALL: [AttemptStatus; 9] = [
        AttemptStatus::Prepared,
        AttemptStatus::Unknown,
        AttemptStatus::Unseen,
        AttemptStatus::Processing,
        AttemptStatus::Succeeded,
        AttemptStatus::Failed,
        AttemptStatus::Closed,
        AttemptStatus::Cancelled,
        AttemptStatus::NeverSent,
    ];

    /// A stable name for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::Prepared => "prepared",
            AttemptStatus::Unknown => "unknown",
            AttemptStatus::Unseen => "unseen",
            AttemptStatus::Processing => "processing",
            AttemptStatus::Succeeded => "succeeded",
            AttemptStatus::Failed => "failed",
            AttemptStatus::Closed => "closed",
            AttemptStatus::Cancelled => "cancelled",
            AttemptStatus::NeverSent => "never_sent",
        }
    }

    /// Parses [`AttemptStatus::as_str`].
    pub fn parse(s: &str) -> Option<AttemptStatus> {
        AttemptStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the attempt is settled: nothing more will be sent or asked about it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AttemptStatus::Succeeded
                | AttemptStatus::Failed
                | AttemptStatus::Closed
                | AttemptStatus::Cancelled
                | AttemptStatus::NeverSent
        )
    }

    /// Whether the attempt is proven not to have charged, so that a new attempt may start.
    pub fn proves_no_charge(self) -> bool {
        self.is_final() && self != AttemptStatus::Succeeded
    }

    /// The state after `event`, or a refusal. Every allowed transition is listed here; all
    /// others are refused.
    pub fn on(self, event: AttemptEvent) -> Result<AttemptStatus, AttemptTransitionRefused> {
        use AttemptEvent as E;
        use AttemptStatus as S;
        use PaymentStatus as P;
        let next = match (self, event) {
            // The acquirer's word moves any unsettled attempt.
            (S::Prepared | S::Unknown | S::Unseen | S::Processing, E::Reported(p)) => {
                from_payment(p)
            }
            // Already settled: the same news again is harmless (duplicate notification).
            (s, E::Reported(p)) if s.is_final() && from_payment(p) == s => s,
            // A charge the acquirer reports after we thought it failed, closed, never sent or
            // cancelled must be recorded (no lost sale); the engine flags it for attention.
            (S::Failed | S::Closed | S::NeverSent | S::Cancelled, E::Reported(P::Succeeded)) => {
                S::Succeeded
            }
            (S::Prepared, E::NotSent) => S::Prepared,
            (S::Unknown, E::NotSent) => S::Unknown,
            (S::Unseen, E::NotSent) => S::Unseen,
            (S::Processing, E::NotSent) => S::Processing,
            (S::Prepared | S::Unknown | S::Unseen, E::OutcomeUnknown) => S::Unknown,
            // A failed query says nothing new about an attempt the acquirer already has.
            (S::Processing, E::OutcomeUnknown) => S::Processing,
            (S::Prepared | S::Unknown | S::Unseen, E::Refused) => S::Failed,
            // "Not found" after a send that may have left is not proof it never will arrive.
            (S::Unknown | S::Unseen, E::NotFound) => S::Unseen,
            (S::Prepared, E::NotFound) => S::Prepared,
            // The acquirer answered the send (refusing it) and then had no order: no charge.
            (S::Unknown | S::Unseen, E::NotFoundAfterRefusal) => S::Failed,
            // Unseen: only once its watch window has passed.
            (S::Prepared | S::Unseen, E::TooOld) => S::NeverSent,
            (S::Prepared, E::Recovered) => S::Unknown,
            (S::Prepared, E::Withdrawn) => S::Cancelled,
            (s, E::Recovered) if s != S::Prepared => s,
            _ => return Err(AttemptTransitionRefused { from: self, event }),
        };
        Ok(next)
    }
}

fn from_payment(p: PaymentStatus) -> AttemptStatus {
    match p {
        PaymentStatus::Processing => AttemptStatus::Processing,
        PaymentStatus::Succeeded => AttemptStatus::Succeeded,
        PaymentStatus::Failed => AttemptStatus::Failed,
        PaymentStatus::Closed => AttemptStatus::Closed,
        PaymentStatus::Cancelled => AttemptStatus::Cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttemptEvent as E;
    use AttemptStatus as S;

    const ALLOWED_PAIRS: usize = 56;

    fn all_events() -> Vec<AttemptEvent> {
        let mut v: Vec<_> = [
            PaymentStatus::Processing,
            PaymentStatus::Succeeded,
            PaymentStatus::Failed,
            PaymentStatus::Closed,
            PaymentStatus::Cancelled,
        ]
        .into_iter()
        .map(E::Reported)
        .collect();
        v.extend([
            E::NotSent,
            E::OutcomeUnknown,
            E::Refused,
            E::NotFound,
            E::NotFoundAfterRefusal,
            E::TooOld,
            E::Recovered,
            E::Withdrawn,
        ]);
        v
    }

    #[test]
    fn every_pair_is_decided_and_the_invariants_hold() {
        let mut allowed = 0;
        for s in S::ALL {
            for e in all_events() {
                let Ok(n) = s.on(e) else { continue };
                allowed += 1;
                // Paid stays paid, whatever arrives.
                if s == S::Succeeded {
                    assert_eq!(n, S::Succeeded, "{s:?} on {e:?}");
                }
                // Settled attempts never become unsettled again.
                if s.is_final() {
                    assert!(n.is_final(), "{s:?} on {e:?} -> {n:?}");
                }
                // Only the acquirer's own word can settle an attempt as paid.
                if n == S::Succeeded && s != S::Succeeded {
                    assert_eq!(e, E::Reported(PaymentStatus::Succeeded));
                }
                // Cancelled without the acquirer only for an attempt known not to have left.
                if n == S::Cancelled && e == E::Withdrawn {
                    assert_eq!(s, S::Prepared);
                }
                // NeverSent only from an attempt known not to have left.
                // (and the only way out of NeverSent is the acquirer reporting a charge)
                if n == S::NeverSent && s != S::NeverSent {
                    assert!(matches!(s, S::Prepared | S::Unseen) && e == E::TooOld, "{s:?}");
                }
                // "Not found" never makes a maybe-sent attempt look never sent.
                if e == E::NotFound && s != S::Prepared {
                    assert_ne!(n, S::Prepared, "{s:?}");
                }
                // An attempt the acquirer has (Processing) never falls back to "resendable".
                if s == S::Processing {
                    assert_ne!(n, S::Prepared);
                }
            }
        }
        // 9 states x 13 events; the table allows exactly this many pairs (a change to the table
        // must change this number on purpose).
        assert_eq!(allowed, ALLOWED_PAIRS);
    }

    #[test]
    fn recovery_makes_prepared_unknown_and_keeps_the_rest() {
        assert_eq!(S::Prepared.on(E::Recovered), Ok(S::Unknown));
        for s in S::ALL.into_iter().filter(|s| *s != S::Prepared) {
            assert_eq!(s.on(E::Recovered), Ok(s));
        }
    }

    #[test]
    fn paid_never_becomes_failed() {
        for p in [PaymentStatus::Failed, PaymentStatus::Closed, PaymentStatus::Processing] {
            assert!(S::Succeeded.on(E::Reported(p)).is_err());
        }
        assert!(S::Succeeded.on(E::Refused).is_err());
        assert!(S::Succeeded.on(E::NotFound).is_err());
    }

    #[test]
    fn unknown_resolves_only_by_the_acquirer_or_not_found() {
        assert_eq!(S::Unknown.on(E::NotFound), Ok(S::Unseen));
        assert_eq!(S::Unseen.on(E::NotFound), Ok(S::Unseen));
        assert!(S::Unknown.on(E::TooOld).is_err());
        assert!(!S::Unseen.proves_no_charge());
        assert!(!S::Unknown.proves_no_charge());
        assert!(!S::Prepared.proves_no_charge());
        assert!(S::NeverSent.proves_no_charge());
        assert!(!S::Succeeded.proves_no_charge());
    }

    #[test]
    fn not_found_after_a_terminal_refusal_ends_unpaid_and_only_from_unresolved() {
        for s in S::ALL {
            let n = s.on(E::NotFoundAfterRefusal);
            match s {
                S::Unknown | S::Unseen => assert_eq!(n, Ok(S::Failed), "{s:?}"),
                _ => assert!(n.is_err(), "{s:?}"),
            }
        }
        // Ended, yet a charge reported later is still recorded.
        assert_eq!(S::Failed.on(E::Reported(PaymentStatus::Succeeded)), Ok(S::Succeeded));
    }

    #[test]
    fn late_success_is_recorded() {
        assert_eq!(S::Failed.on(E::Reported(PaymentStatus::Succeeded)), Ok(S::Succeeded));
        assert_eq!(S::Closed.on(E::Reported(PaymentStatus::Succeeded)), Ok(S::Succeeded));
        // A charge after a cancel (the request arrived late) is recorded too.
        assert_eq!(S::Cancelled.on(E::Reported(PaymentStatus::Succeeded)), Ok(S::Succeeded));
        assert_eq!(S::Unseen.on(E::Reported(PaymentStatus::Succeeded)), Ok(S::Succeeded));
        assert_eq!(S::NeverSent.on(E::Reported(PaymentStatus::Succeeded)), Ok(S::Succeeded));
    }
}
