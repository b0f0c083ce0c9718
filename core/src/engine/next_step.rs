//! What the cashier can do about a sale now: one place decides it for every app, so that a
//! busy terminal, a cancel on the terminal and a decline each lead somewhere different.

use crate::order::{FailReason, SaleStatus};

/// The cashier's next move for a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextStep {
    /// Wait: the sale is under way or being resolved (never charge again meanwhile).
    Wait,
    /// Nothing: the sale is settled.
    Done,
    /// Start a new sale the same way (nothing was charged; the cause has passed or may have).
    TryAgain,
    /// The terminal is taking another payment: use another terminal, or try again once it is
    /// free.
    UseAnotherTerminal,
    /// The terminal is off, offline or did not take the sale: check it (power, network,
    /// pairing), then try again.
    CheckTerminal,
    /// The card or wallet declined: ask for another card or payment method.
    AnotherPaymentMethod,
}

impl NextStep {
    /// The next step for a sale in this state.
    pub fn of(status: SaleStatus) -> NextStep {
        match status {
            SaleStatus::Queued
            | SaleStatus::Processing
            | SaleStatus::Unknown
            | SaleStatus::Cancelling => NextStep::Wait,
            SaleStatus::Paid | SaleStatus::Failed(FailReason::Cancelled) => NextStep::Done,
            SaleStatus::Failed(FailReason::Declined) => NextStep::AnotherPaymentMethod,
            SaleStatus::Failed(
                FailReason::Expired
                | FailReason::Offline
                | FailReason::CancelledAtTerminal
                | FailReason::TimedOutAtTerminal
                | FailReason::FailedAtTerminal,
            ) => NextStep::TryAgain,
            SaleStatus::Failed(FailReason::TerminalBusy) => NextStep::UseAnotherTerminal,
            SaleStatus::Failed(FailReason::TerminalUnreachable | FailReason::Undelivered) => {
                NextStep::CheckTerminal
            }
        }
    }

    /// A short English text for the command line and logs (apps localise from the enum).
    pub fn text(self) -> &'static str {
        match self {
            NextStep::Wait => "wait",
            NextStep::Done => "nothing to do",
            NextStep::TryAgain => "try again",
            NextStep::UseAnotherTerminal => "use another terminal, or try again when it is free",
            NextStep::CheckTerminal => "check the terminal (power, network), then try again",
            NextStep::AnotherPaymentMethod => "ask for another card or payment method",
        }
    }

    /// A stable name for JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            NextStep::Wait => "wait",
            NextStep::Done => "done",
            NextStep::TryAgain => "try_again",
            NextStep::UseAnotherTerminal => "use_another_terminal",
            NextStep::CheckTerminal => "check_terminal",
            NextStep::AnotherPaymentMethod => "another_payment_method",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_settled_sales_ask_for_a_move_and_terminal_troubles_are_not_declines() {
        for s in SaleStatus::ALL {
            let step = NextStep::of(s);
            assert_eq!(step == NextStep::Wait, !s.is_final(), "{s:?}");
        }
        let of = |r| NextStep::of(SaleStatus::Failed(r));
        for r in FailReason::ALL.into_iter().filter(|r| *r != FailReason::Declined) {
            assert_ne!(of(r), NextStep::AnotherPaymentMethod, "{r:?}");
        }
        assert_eq!(of(FailReason::TerminalBusy), NextStep::UseAnotherTerminal);
        assert_eq!(of(FailReason::TerminalUnreachable), NextStep::CheckTerminal);
    }
}
