//! The refund machine: one `merchantRefundId`, never silently dropped.

use crate::acquirer::RefundStatus as AcquirerRefundStatus;

/// What is known about a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundState {
    /// Committed locally, known not to have reached the acquirer yet (waiting in the outbox).
    Queued,
    /// May have reached the acquirer; resolve by refund query before resending.
    Unknown,
    /// Accepted by the acquirer, not final.
    Processing,
    /// Money returned.
    Succeeded,
    /// Refused by the acquirer.
    Failed,
    /// Never sent and older than the offline limit: dropped before any money moved.
    Expired,
}

/// What happened to a refund (results of I/O, fed to the pure machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundEvent {
    /// The acquirer reported this status (answer, query or notification).
    Reported(AcquirerRefundStatus),
    /// The send failed before any byte left.
    NotSent,
    /// Sent, no trustworthy answer.
    OutcomeUnknown,
    /// The acquirer refused the request itself.
    Refused,
    /// A refund query says the acquirer never saw it.
    NotFound,
    /// Waited offline longer than allowed.
    TooOld,
    /// Reopened after a crash.
    Recovered,
}

/// A refused refund transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("refund transition refused: {from:?} on {event:?}")]
pub struct RefundTransitionRefused {
    /// From.
    pub from: RefundState,
    /// The event.
    pub event: RefundEvent,
}

impl RefundState {
    /// Every state, for exhaustive tests.
    pub const ALL: [RefundState; 6] = [
        RefundState::Queued,
        RefundState::Unknown,
        RefundState::Processing,
        RefundState::Succeeded,
        RefundState::Failed,
        RefundState::Expired,
    ];

    /// Whether nothing more will happen.
    pub fn is_final(self) -> bool {
        matches!(self, RefundState::Succeeded | RefundState::Failed | RefundState::Expired)
    }

    /// Whether this refund's amount counts against what remains refundable.
    pub fn holds_amount(self) -> bool {
        !matches!(self, RefundState::Failed | RefundState::Expired)
    }

    /// The state after `event`, or a refusal.
    pub fn on(self, event: RefundEvent) -> Result<RefundState, RefundTransitionRefused> {
        use AcquirerRefundStatus as A;
        use RefundEvent as E;
        use RefundState as S;
        let reported = |a: A| match a {
            A::Processing => S::Processing,
            A::Succeeded => S::Succeeded,
            A::Failed => S::Failed,
        };
        let next = match (self, event) {
            (S::Queued | S::Unknown | S::Processing, E::Reported(a)) => reported(a),
            (s, E::Reported(a)) if s.is_final() && reported(a) == s => s,
            // Money the acquirer says it returned is recorded, whatever we believed.
            (S::Failed | S::Expired, E::Reported(A::Succeeded)) => S::Succeeded,
            (S::Queued, E::NotSent) => S::Queued,
            (S::Unknown, E::NotSent) => S::Unknown,
            (S::Processing, E::NotSent | E::OutcomeUnknown) => S::Processing,
            (S::Queued | S::Unknown, E::OutcomeUnknown) => S::Unknown,
            (S::Queued | S::Unknown, E::Refused) => S::Failed,
            (S::Queued | S::Unknown, E::NotFound) => S::Queued,
            (S::Queued, E::TooOld) => S::Expired,
            (S::Queued, E::Recovered) => S::Unknown,
            (s, E::Recovered) if s != S::Queued => s,
            _ => return Err(RefundTransitionRefused { from: self, event }),
        };
        Ok(next)
    }

    /// A stable name for storage and the FFI.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundState::Queued => "queued",
            RefundState::Unknown => "unknown",
            RefundState::Processing => "processing",
            RefundState::Succeeded => "succeeded",
            RefundState::Failed => "failed",
            RefundState::Expired => "expired",
        }
    }

    /// Parses [`RefundState::as_str`].
    pub fn parse(s: &str) -> Option<RefundState> {
        RefundState::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AcquirerRefundStatus as A;
    use RefundEvent as E;
    use RefundState as S;

    const EVENTS: [RefundEvent; 9] = [
        E::Reported(A::Processing),
        E::Reported(A::Succeeded),
        E::Reported(A::Failed),
        E::NotSent,
        E::OutcomeUnknown,
        E::Refused,
        E::NotFound,
        E::TooOld,
        E::Recovered,
    ];

    #[test]
    fn every_pair_is_decided_and_the_invariants_hold() {
        for s in S::ALL {
            for e in EVENTS {
                let Ok(n) = s.on(e) else { continue };
                if s == S::Succeeded {
                    assert_eq!(n, S::Succeeded);
                }
                if s.is_final() {
                    assert!(n.is_final(), "{s:?} on {e:?}");
                }
                if n == S::Succeeded && s != S::Succeeded {
                    assert_eq!(e, E::Reported(A::Succeeded));
                }
                if n == S::Expired && s != S::Expired {
                    assert_eq!((s, e), (S::Queued, E::TooOld));
                }
                // A refund the acquirer has is never resent.
                if s == S::Processing {
                    assert_ne!(n, S::Queued);
                }
            }
        }
    }

    #[test]
    fn refunds_are_never_silently_dropped() {
        assert!(S::Unknown.on(E::TooOld).is_err());
        assert!(S::Processing.on(E::TooOld).is_err());
        assert_eq!(S::Queued.on(E::Recovered), Ok(S::Unknown));
        assert!(S::Unknown.holds_amount() && S::Queued.holds_amount());
        assert!(!S::Failed.holds_amount());
    }

    #[test]
    fn names_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }
}
