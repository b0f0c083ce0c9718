//! The exit codes of `tillkit`, in one place: scripts branch on them, so they never change
//! meaning. `README.md` and `tillkit --help` list them (from [`HELP`]).

use tillkit_core::acquirer::AcquirerError;
use tillkit_core::engine::CashierError;
use tillkit_core::order::{FailReason, RefundState, SaleStatus};

/// Paid, refund succeeded, or the command did what it was asked.
pub const OK: u8 = 0;
/// An internal or store error.
pub const INTERNAL: u8 = 1;
/// Bad input: usage, an invalid amount or code, an invalid configuration.
pub const BAD_INPUT: u8 = 2;
/// Declined, refund failed, or cancelled: nothing was charged (or refunded).
pub const DECLINED: u8 = 3;
/// The outcome is unknown and still being resolved: do not charge again.
pub const UNKNOWN: u8 = 4;
/// Offline or queued: not sent to the acquirer (yet); nothing was charged.
pub const OFFLINE: u8 = 5;
/// The data directory is in use by another process (after waiting `--lock-wait`).
pub const STORE_IN_USE: u8 = 6;

/// The table shown by `tillkit --help`.
pub const HELP: &str = "\
Exit codes:
  0  paid / refund succeeded / command OK
  1  internal or store error
  2  bad input (usage, invalid amount or code, invalid configuration)
  3  declined / refund failed / cancelled / terminal busy, unreachable or failed
     (nothing charged; the JSON `next_step` says what to do)
  4  unknown: do NOT charge again (still being resolved; see `tillkit sale ID`)
  5  offline / queued: not sent yet (nothing charged)
  6  store in use by another process";

/// The exit code a sale's state calls for.
pub fn for_sale(status: SaleStatus) -> u8 {
    match status {
        SaleStatus::Paid => OK,
        SaleStatus::Queued | SaleStatus::Failed(FailReason::Offline) => OFFLINE,
        SaleStatus::Failed(_) => DECLINED,
        // At the acquirer and not final when the wait ended: the customer may still pay.
        SaleStatus::Processing | SaleStatus::Unknown | SaleStatus::Cancelling => UNKNOWN,
    }
}

/// The exit code a refund's state calls for.
pub fn for_refund(state: RefundState) -> u8 {
    match state {
        RefundState::Succeeded => OK,
        RefundState::Failed | RefundState::Expired => DECLINED,
        RefundState::Queued => OFFLINE,
        RefundState::Unknown | RefundState::Processing => UNKNOWN,
    }
}

/// The exit code and the JSON `kind` of an engine error.
pub fn for_error(e: &CashierError) -> (u8, &'static str) {
    match e {
        CashierError::InvalidInput { .. } => (BAD_INPUT, "invalid_input"),
        CashierError::Amount(_) => (BAD_INPUT, "invalid_amount"),
        CashierError::PaymentCode(_) => (BAD_INPUT, "invalid_payment_code"),
        CashierError::UnknownSale(_) => (BAD_INPUT, "unknown_sale"),
        CashierError::UnknownTerminal(_) => (BAD_INPUT, "unknown_terminal"),
        CashierError::UnknownRefund(_) => (BAD_INPUT, "unknown_refund"),
        CashierError::IdInUse { .. } => (BAD_INPUT, "id_in_use"),
        CashierError::NotPaid(_) => (BAD_INPUT, "not_paid"),
        CashierError::RefundTooLarge { .. } => (BAD_INPUT, "refund_too_large"),
        CashierError::CannotCancel { .. } => (BAD_INPUT, "cannot_cancel"),
        CashierError::CannotAbandon { .. } => (BAD_INPUT, "cannot_abandon"),
        CashierError::Config(_) => (BAD_INPUT, "config"),
        CashierError::OfflineLimit(_) => (OFFLINE, "offline_limit"),
        CashierError::Notification(_) => (INTERNAL, "notification"),
        CashierError::NotificationNotApplied { .. } => (INTERNAL, "notification_not_applied"),
        CashierError::Store(_) => (INTERNAL, "store"),
        CashierError::Closed => (INTERNAL, "closed"),
        CashierError::OutcomeUnknown { .. } => (UNKNOWN, "outcome_unknown"),
        CashierError::AnswerMismatch { .. } => (UNKNOWN, "answer_mismatch"),
        CashierError::StoreInUse { .. } => (STORE_IN_USE, "store_in_use"),
        CashierError::InvalidConfig { .. } => (BAD_INPUT, "invalid_config"),
        CashierError::KeyUnavailable { .. } => (INTERNAL, "key_unavailable"),
        CashierError::Acquirer(a) => match a {
            AcquirerError::InvalidRequest { .. } => (BAD_INPUT, "invalid_config"),
            AcquirerError::Unsupported { .. } => (BAD_INPUT, "unsupported"),
            AcquirerError::NotSent { .. } => (OFFLINE, "not_sent"),
            AcquirerError::OutcomeUnknown { .. } => (UNKNOWN, "outcome_unknown"),
            AcquirerError::Rejected { .. } => (DECLINED, "rejected"),
            AcquirerError::Refused { .. } => (DECLINED, "refused"),
            AcquirerError::NotFound { .. } => (UNKNOWN, "not_found"),
            AcquirerError::RetryLater { .. } => (UNKNOWN, "retry_later"),
            AcquirerError::AnswerMismatch { .. } => (UNKNOWN, "answer_mismatch"),
            AcquirerError::Unresolvable { .. } => (UNKNOWN, "unresolvable"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sale_state_has_a_documented_code() {
        for status in SaleStatus::ALL {
            let code = for_sale(status);
            assert!(HELP.contains(&format!("  {code}  ")), "{status:?} -> {code}");
        }
        assert_eq!(for_sale(SaleStatus::Paid), OK);
        assert_eq!(for_sale(SaleStatus::Unknown), UNKNOWN);
        assert_eq!(for_sale(SaleStatus::Failed(FailReason::Offline)), OFFLINE);
        assert_eq!(for_sale(SaleStatus::Failed(FailReason::Declined)), DECLINED);
    }
}
