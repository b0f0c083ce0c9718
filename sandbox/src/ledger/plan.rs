//! What happens to a new attempt, as a pure function of its flow, its scenario and the clock.
//!
//! The ledger stores the plan (first state, next state and when); reading the ledger at any time
//! settles whatever is due, so the state is always a function of (created time, scenario, scaled
//! durations), whether or not the background ticker has run.

use super::model::{Flow, PaymentStatus, Reason};
use crate::clock::Clock;
use crate::config::ScenarioTimings;
use crate::scenario::Scenario;

/// A state change planned for later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// When, epoch ms.
    pub at_ms: i64,
    /// To which state.
    pub status: PaymentStatus,
    /// Why.
    pub reason: Reason,
}

/// The first state of an attempt and what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The state the first answer carries.
    pub status: PaymentStatus,
    /// Its reason.
    pub reason: Reason,
    /// The customer's or terminal's result, if it ever comes.
    pub outcome: Option<Transition>,
}

/// Plans a new attempt created at `now_ms`.
pub fn plan(
    flow: Flow,
    scenario: Scenario,
    code_already_used: bool,
    now_ms: i64,
    clock: &Clock,
    timings: &ScenarioTimings,
) -> Plan {
    let immediate = |status, reason| Plan { status, reason, outcome: None };
    let later = |after, status, reason| Plan {
        status: PaymentStatus::Processing,
        reason: Reason::Pending,
        outcome: Some(Transition { at_ms: clock.after(now_ms, after), status, reason }),
    };
    if code_already_used {
        return immediate(PaymentStatus::Failed, Reason::CodeAlreadyUsed);
    }
    let paying = timings.user_paying;
    match (flow, scenario) {
        // Forwarded after the card approved it: it happened already.
        (Flow::CardOffline, _) => immediate(PaymentStatus::Success, Reason::Approved),
        (_, Scenario::UserPaying) => later(paying, PaymentStatus::Success, Reason::Approved),
        (_, Scenario::UserCancels) => {
            later(paying, PaymentStatus::Failed, Reason::CustomerCancelled)
        }
        (_, Scenario::ProcessingForever) => immediate(PaymentStatus::Processing, Reason::Pending),
        (Flow::Code, Scenario::Decline) => immediate(PaymentStatus::Failed, Reason::Declined),
        (Flow::Code, _) => immediate(PaymentStatus::Success, Reason::Approved),
        (Flow::Qr | Flow::Card, _) => {
            let wait = if flow == Flow::Qr {
                timings.qr_customer_pays_after
            } else {
                timings.card_terminal_takes
            };
            if scenario == Scenario::Decline {
                later(wait, PaymentStatus::Failed, Reason::Declined)
            } else {
                later(wait, PaymentStatus::Success, Reason::Approved)
            }
        }
    }
}

/// The next state change of a PROCESSING attempt: its outcome or its expiry, whichever is first.
pub fn next_transition(outcome: Option<Transition>, expires_ms: Option<i64>) -> Option<Transition> {
    let expiry = expires_ms.map(|at_ms| Transition {
        at_ms,
        status: PaymentStatus::Closed,
        reason: Reason::Expired,
    });
    match (outcome, expiry) {
        (Some(o), Some(e)) => Some(if e.at_ms < o.at_ms { e } else { o }),
        (o, e) => o.or(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(flow: Flow, scenario: Scenario) -> Plan {
        plan(flow, scenario, false, 1_000, &Clock::new(0.001), &ScenarioTimings::default())
    }

    #[test]
    fn codes_settle_at_once_unless_the_customer_is_paying() {
        assert_eq!(run(Flow::Code, Scenario::Success).status, PaymentStatus::Success);
        assert_eq!(run(Flow::Code, Scenario::BadSignature).status, PaymentStatus::Success);
        let declined = run(Flow::Code, Scenario::Decline);
        assert_eq!((declined.status, declined.reason), (PaymentStatus::Failed, Reason::Declined));
        let paying = run(Flow::Code, Scenario::UserPaying);
        assert_eq!(paying.status, PaymentStatus::Processing);
        // 10 s at 1/1000 speed.
        assert_eq!(
            paying.outcome.map(|t| (t.at_ms, t.status)),
            Some((1_010, PaymentStatus::Success))
        );
        assert_eq!(run(Flow::Code, Scenario::ProcessingForever).outcome, None);
    }

    #[test]
    fn qr_and_card_wait_for_the_customer_or_terminal() {
        let qr = run(Flow::Qr, Scenario::Success);
        assert_eq!(qr.status, PaymentStatus::Processing);
        assert_eq!(qr.outcome.map(|t| t.at_ms), Some(1_005));
        let card = run(Flow::Card, Scenario::Decline);
        assert_eq!(card.outcome.map(|t| (t.at_ms, t.reason)), Some((1_003, Reason::Declined)));
        let cancels = run(Flow::Card, Scenario::UserCancels);
        assert_eq!(cancels.outcome.map(|t| t.reason), Some(Reason::CustomerCancelled));
    }

    #[test]
    fn a_used_code_fails_at_once() {
        let p = plan(
            Flow::Code,
            Scenario::Success,
            true,
            0,
            &Clock::new(1.0),
            &ScenarioTimings::default(),
        );
        assert_eq!((p.status, p.reason), (PaymentStatus::Failed, Reason::CodeAlreadyUsed));
    }

    #[test]
    fn expiry_wins_when_it_comes_first() {
        let o = Transition { at_ms: 10, status: PaymentStatus::Success, reason: Reason::Approved };
        assert_eq!(next_transition(Some(o), Some(20)), Some(o));
        assert_eq!(
            next_transition(Some(o), Some(5)).map(|t| t.status),
            Some(PaymentStatus::Closed)
        );
        assert_eq!(next_transition(None, Some(5)).map(|t| t.at_ms), Some(5));
        assert_eq!(next_transition(None, None), None);
    }
}
