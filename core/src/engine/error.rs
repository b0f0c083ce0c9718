//! The engine's errors: rich, for logs and for the FFI layer to map into what a UI can act on.

use crate::acquirer::AcquirerError;
use crate::money::{Amount, MoneyError};
use crate::paycode::PaymentCodeError;
use crate::store::StoreError;

/// A cashier operation failed. Nothing was charged or refunded by a failed call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CashierError {
    /// An argument is invalid; `field` names it.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The amount is not acceptable.
    #[error("invalid amount: {0}")]
    Amount(#[from] MoneyError),
    /// The scanned or typed payment code is not chargeable.
    #[error("invalid payment code: {0}")]
    PaymentCode(#[from] PaymentCodeError),
    /// No sale with this id.
    #[error("no sale {0}")]
    UnknownSale(String),
    /// No refund with this id.
    #[error("no refund {0}")]
    UnknownRefund(String),
    /// No paired terminal with this serial (or no default terminal): pair it first.
    #[error("terminal {0} is not paired with this cashier")]
    UnknownTerminal(String),
    /// The id is taken by a different sale or refund (integrator-controlled idempotency).
    #[error("{entity} id {id} is already used for a different {entity}")]
    IdInUse {
        /// Sale or refund.
        entity: &'static str,
        /// The id.
        id: String,
    },
    /// The sale is not paid, so it cannot be refunded.
    #[error("sale {0} is not paid")]
    NotPaid(String),
    /// More than what remains refundable: nothing was sent.
    #[error("refund of {requested} exceeds the {remaining} that remains refundable")]
    RefundTooLarge {
        /// Asked.
        requested: Amount,
        /// What remains (may be zero: then `remaining` is the sale's currency with 0).
        remaining: String,
    },
    /// The operation would exceed an offline limit while the acquirer is unreachable.
    #[error("offline limit: {0}")]
    OfflineLimit(String),
    /// The sale cannot be cancelled (already final, or the acquirer has no cancel).
    #[error("cannot cancel sale {id}: {reason}")]
    CannotCancel {
        /// The sale.
        id: String,
        /// Why.
        reason: String,
    },
    /// The sale cannot be abandoned: it has already ended (paid or failed).
    #[error("cannot abandon sale {id}: {reason}")]
    CannotAbandon {
        /// The sale.
        id: String,
        /// Why.
        reason: String,
    },
    /// The acquirer's configuration or a secret is missing or invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// The notification was rejected (bad signature, malformed, another merchant): no state
    /// changed.
    #[error("notification rejected: {0}")]
    Notification(String),
    /// A verified notification is about something else than the stored sale or refund (another
    /// amount or currency): it was not applied and must not be acknowledged. The record is
    /// flagged for attention.
    #[error("notification does not match the stored record ({field}): {detail}")]
    AnswerMismatch {
        /// The field that differs (`amount`, `currency`, `merchantTransactionId`).
        field: &'static str,
        /// What differs.
        detail: String,
    },
    /// A verified notification whose news the engine could not apply (a transition the
    /// machines refuse, or another attempt's news): nothing changed and it must not be
    /// acknowledged, so that the acquirer sends it again.
    #[error("notification for {id} not applied: {reason}")]
    NotificationNotApplied {
        /// The sale or refund.
        id: String,
        /// The refused transition.
        reason: String,
    },
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The acquirer failed in a way the caller must see (the engine handles the others).
    #[error(transparent)]
    Acquirer(#[from] AcquirerError),
    /// A request may have reached the acquirer but what followed could not be recorded (the
    /// store failed after it left). Do not charge again: the engine resolves it by query, now
    /// or at the next open.
    #[error("outcome of {id} unknown, do not charge again: {reason}")]
    OutcomeUnknown {
        /// The sale or refund.
        id: String,
        /// What failed.
        reason: String,
    },
    /// Another cashier (this process or another) holds the data directory.
    #[error("the store at {path} is in use by another cashier")]
    StoreInUse {
        /// The data directory.
        path: String,
    },
    /// The configuration is invalid; `field` names the setting.
    #[error("invalid configuration {field}: {reason}")]
    InvalidConfig {
        /// The setting.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The key that seals payment codes in the store is missing or not the one they were
    /// sealed with. Nothing was changed; see `CashierConfig::accept_new_key`.
    #[error("the database key is unavailable: {reason}")]
    KeyUnavailable {
        /// What was found.
        reason: String,
    },
    /// The cashier was closed.
    #[error("the cashier is closed")]
    Closed,
}
