//! The one public error type, and the only place where core errors are mapped into it.
//!
//! The core's errors are rich (for logs); this enum has one variant per thing a cashier's
//! screen can do differently. Ask of every new core error: "would the UI act on it in its own
//! way?" If not, it belongs in an existing variant.

use tillkit_core::acquirer::AcquirerError;
use tillkit_core::engine::{CashierError, KeyStoreError};
use tillkit_core::money::MoneyError;
use tillkit_core::paycode::PaymentCodeError;
use tillkit_core::reader::ReaderError;
use tillkit_core::store::StoreError;

/// A TillKit call failed. Nothing was charged or refunded by a call that failed, except where a
/// variant says the outcome is unknown. Kotlin sees `TillKitException`, Swift `TillKitError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TillKitError {
    /// An argument is invalid; `field` names it (`amount`, `payment_code`, `sale_id`, …) so the
    /// screen can point at it.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument's name.
        field: String,
        /// What is wrong, in English.
        reason: String,
    },
    /// No sale with this id on this device.
    #[error("no sale {id}")]
    UnknownSale {
        /// The id asked for.
        id: String,
    },
    /// No refund with this id on this device.
    #[error("no refund {id}")]
    UnknownRefund {
        /// The id asked for.
        id: String,
    },
    /// No paired terminal with this serial (or no default terminal): pair it first.
    #[error("terminal {serial} is not paired with this cashier")]
    UnknownTerminal {
        /// The serial asked for (`(default)` when none was given).
        serial: String,
    },
    /// The id is already used by a different sale or refund: pick another id.
    #[error("id {id} is already used by a different {entity}")]
    IdInUse {
        /// `sale` or `refund`.
        entity: String,
        /// The id.
        id: String,
    },
    /// Only a paid sale can be refunded.
    #[error("sale {sale_id} is not paid")]
    NotPaid {
        /// The sale.
        sale_id: String,
    },
    /// More than what remains refundable; nothing was sent.
    #[error("refund of {requested} exceeds the {remaining} that remains refundable")]
    RefundTooLarge {
        /// The amount asked for, e.g. `12.50 CNY`.
        requested: String,
        /// What remains refundable, e.g. `2.50 CNY` (may be zero).
        remaining: String,
    },
    /// The sale cannot be cancelled (already final, or the acquirer has no cancel).
    #[error("cannot cancel sale {sale_id}: {reason}")]
    CannotCancel {
        /// The sale.
        sale_id: String,
        /// Why, in English.
        reason: String,
    },
    /// The sale cannot be abandoned: it has already ended.
    #[error("cannot abandon sale {sale_id}: {reason}")]
    CannotAbandon {
        /// The sale.
        sale_id: String,
        /// Why, in English.
        reason: String,
    },
    /// The acquirer answered no.
    #[error("declined: {code} {description}")]
    Declined {
        /// The acquirer's code.
        code: String,
        /// The acquirer's text.
        description: String,
    },
    /// The acquirer cannot be reached and the request was not sent; it is safe to try again.
    #[error("offline: {reason}")]
    Offline {
        /// What failed.
        reason: String,
    },
    /// The request may have reached the acquirer: do NOT charge again. TillKit resolves it.
    #[error("outcome unknown, do not charge again: {detail}")]
    OutcomeUnknown {
        /// Details for logs.
        detail: String,
    },
    /// The operation would pass an offline limit while the acquirer is unreachable.
    #[error("offline limit: {reason}")]
    OfflineLimit {
        /// Which limit.
        reason: String,
    },
    /// The configuration or a secret in the key store is missing or invalid.
    #[error("configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// A notification was rejected (bad signature, malformed, another merchant); nothing changed.
    #[error("notification rejected: {reason}")]
    NotificationRejected {
        /// Why.
        reason: String,
    },
    /// A setting of the configuration is invalid (`field` names it); nothing was written.
    #[error("invalid configuration {field}: {reason}")]
    InvalidConfig {
        /// The setting.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// Another cashier holds this data directory (another process, or a cashier of this app
    /// not shut down). Shut it down, or wait and try again.
    #[error("the store at {path} is in use by another cashier")]
    StoreInUse {
        /// The data directory.
        path: String,
    },
    /// The key store lost the database key (or holds another one) while payment codes are
    /// sealed with it. Restore the key, or open with `acceptNewKey` to go on without those
    /// codes (their sales end "not sent, ask for a new code").
    #[error("the database key is unavailable: {reason}")]
    KeyUnavailable {
        /// What was found.
        reason: String,
    },
    /// The device's storage is full: nothing was written. Free some space.
    #[error("storage full: nothing was written")]
    StorageFull,
    /// The local database cannot be used (unavailable, damaged, read-only, newer version).
    #[error("storage: {reason}")]
    Storage {
        /// What failed.
        reason: String,
    },
    /// The cashier was shut down.
    #[error("the cashier is shut down")]
    Closed,
    /// A card reader could not be used; `fault` says what the screen can do about it. An app's
    /// `CardReader` throws this too, to tell TillKit what went wrong (any other exception it
    /// throws counts as `Device`).
    #[error("card reader ({fault:?}): {reason}")]
    Reader {
        /// What kind of failure.
        fault: ReaderFault,
        /// Details, in English.
        reason: String,
    },
    /// The app's own `KeyStore`, `EventListener`, `Logger` or reader progress listener threw.
    #[error("app callback failed: {reason}")]
    AppCallback {
        /// The exception's text.
        reason: String,
    },
    /// A bug in TillKit (it never panics on purpose); please report it.
    #[error("internal error: {reason}")]
    Internal {
        /// What happened.
        reason: String,
    },
}

/// What kind of card reader failure: what the cashier's screen can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ReaderFault {
    /// Not connected, or the link dropped: reconnect the reader (Bluetooth, USB), then retry.
    Disconnected,
    /// The reader did not answer in time: retry; if it persists, restart the reader.
    Timeout,
    /// The reader is running another transaction: wait for it to end, then retry.
    Busy,
    /// The reader answered something out of protocol: restart the reader; report if repeated.
    Protocol,
    /// The reader or the app's SDK around it failed: restart the reader; report if repeated.
    Device,
}

impl From<ReaderError> for TillKitError {
    fn from(e: ReaderError) -> Self {
        let fault = match e {
            ReaderError::Disconnected(_) => ReaderFault::Disconnected,
            ReaderError::Timeout => ReaderFault::Timeout,
            ReaderError::Busy => ReaderFault::Busy,
            ReaderError::Protocol(_) => ReaderFault::Protocol,
            ReaderError::Device(_) => ReaderFault::Device,
        };
        TillKitError::Reader { fault, reason: e.to_string() }
    }
}

/// An app's `CardReader` or `AuthorizationHost` failed: its `Reader` error keeps its kind,
/// anything else (an unexpected exception included) is a device failure.
impl From<TillKitError> for ReaderError {
    fn from(e: TillKitError) -> Self {
        match e {
            TillKitError::Reader { fault, reason } => match fault {
                ReaderFault::Disconnected => ReaderError::Disconnected(reason),
                ReaderFault::Timeout => ReaderError::Timeout,
                ReaderFault::Busy => ReaderError::Busy,
                ReaderFault::Protocol => ReaderError::Protocol(reason),
                ReaderFault::Device => ReaderError::Device(reason),
            },
            other => ReaderError::Device(other.to_string()),
        }
    }
}

impl From<CashierError> for TillKitError {
    fn from(e: CashierError) -> Self {
        use TillKitError as T;
        match e {
            CashierError::InvalidInput { field, reason } => {
                T::InvalidInput { field: field.into(), reason }
            }
            CashierError::Amount(e) => e.into(),
            CashierError::PaymentCode(e) => e.into(),
            CashierError::UnknownSale(id) => T::UnknownSale { id },
            CashierError::UnknownRefund(id) => T::UnknownRefund { id },
            CashierError::UnknownTerminal(serial) => T::UnknownTerminal { serial },
            CashierError::IdInUse { entity, id } => T::IdInUse { entity: entity.into(), id },
            CashierError::NotPaid(sale_id) => T::NotPaid { sale_id },
            CashierError::RefundTooLarge { requested, remaining } => {
                T::RefundTooLarge { requested: requested.to_string(), remaining }
            }
            CashierError::OfflineLimit(reason) => T::OfflineLimit { reason },
            CashierError::CannotCancel { id, reason } => T::CannotCancel { sale_id: id, reason },
            CashierError::CannotAbandon { id, reason } => T::CannotAbandon { sale_id: id, reason },
            CashierError::Config(reason) => T::Config { reason },
            CashierError::Notification(reason) => T::NotificationRejected { reason },
            // Not applied and not to be acknowledged, like any rejected notification.
            e @ (CashierError::AnswerMismatch { .. }
            | CashierError::NotificationNotApplied { .. }) => {
                T::NotificationRejected { reason: e.to_string() }
            }
            CashierError::Store(e) => e.into(),
            CashierError::Acquirer(e) => e.into(),
            CashierError::OutcomeUnknown { .. } => T::OutcomeUnknown { detail: e.to_string() },
            CashierError::StoreInUse { path } => T::StoreInUse { path },
            CashierError::InvalidConfig { field, reason } => {
                T::InvalidConfig { field: field.into(), reason }
            }
            CashierError::KeyUnavailable { reason } => T::KeyUnavailable { reason },
            CashierError::Closed => T::Closed,
        }
    }
}

impl From<AcquirerError> for TillKitError {
    fn from(e: AcquirerError) -> Self {
        match e {
            AcquirerError::InvalidRequest { field, reason } => {
                TillKitError::InvalidInput { field: field.into(), reason }
            }
            AcquirerError::NotSent { reason } => TillKitError::Offline { reason },
            AcquirerError::OutcomeUnknown { .. } => {
                TillKitError::OutcomeUnknown { detail: e.to_string() }
            }
            AcquirerError::Rejected { code, description }
            | AcquirerError::Refused { code, description }
            | AcquirerError::NotFound { code, description } => {
                TillKitError::Declined { code, description }
            }
            AcquirerError::RetryLater { .. } => TillKitError::Offline { reason: e.to_string() },
            // A signed answer about something else: the request may have acted.
            AcquirerError::AnswerMismatch { .. } | AcquirerError::Unresolvable { .. } => {
                TillKitError::OutcomeUnknown { detail: e.to_string() }
            }
            AcquirerError::Unsupported { .. } => TillKitError::Config { reason: e.to_string() },
        }
    }
}

impl From<StoreError> for TillKitError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Full => TillKitError::StorageFull,
            other => TillKitError::Storage { reason: other.to_string() },
        }
    }
}

impl From<MoneyError> for TillKitError {
    fn from(e: MoneyError) -> Self {
        let field = match e {
            MoneyError::UnknownCurrency { .. } => "currency",
            _ => "amount",
        };
        TillKitError::InvalidInput { field: field.into(), reason: e.to_string() }
    }
}

impl From<PaymentCodeError> for TillKitError {
    fn from(e: PaymentCodeError) -> Self {
        TillKitError::InvalidInput { field: "payment_code".into(), reason: e.to_string() }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TillKitError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TillKitError::AppCallback { reason: e.reason }
    }
}

impl From<TillKitError> for KeyStoreError {
    fn from(e: TillKitError) -> Self {
        KeyStoreError(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tillkit_core::money::Amount;

    #[test]
    fn invalid_input_names_the_field() {
        let e: TillKitError = Amount::parse("1.234", "CNY").map(|_| ()).unwrap_err().into();
        assert!(matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "amount"));
        let e: TillKitError = Amount::parse("1", "XXX").map(|_| ()).unwrap_err().into();
        assert!(matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "currency"));
        let e: TillKitError = PaymentCodeError::Empty.into();
        assert!(
            matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "payment_code")
        );
    }

    #[test]
    fn acquirer_errors_keep_the_never_charge_twice_distinction() {
        let sent = AcquirerError::NotSent { reason: "no route".into() };
        assert!(matches!(TillKitError::from(sent), TillKitError::Offline { .. }));
        let unknown = AcquirerError::OutcomeUnknown {
            cause: tillkit_core::acquirer::UnknownCause::Timeout,
            detail: "20 s".into(),
        };
        let mapped = TillKitError::from(CashierError::Acquirer(unknown));
        assert!(matches!(mapped, TillKitError::OutcomeUnknown { .. }));
        assert!(mapped.to_string().contains("do not charge again"));
        let no = AcquirerError::Rejected { code: "104000".into(), description: "no".into() };
        assert_eq!(
            TillKitError::from(no),
            TillKitError::Declined { code: "104000".into(), description: "no".into() }
        );
    }

    #[test]
    fn reader_faults_survive_the_round_trip_and_app_exceptions_are_device_failures() {
        for e in [
            ReaderError::Disconnected("ble".into()),
            ReaderError::Timeout,
            ReaderError::Busy,
            ReaderError::Protocol("bad".into()),
            ReaderError::Device("sdk".into()),
        ] {
            let ffi = TillKitError::from(e.clone());
            let TillKitError::Reader { fault, .. } = &ffi else { panic!("not a reader error") };
            let back =
                ReaderError::from(TillKitError::Reader { fault: *fault, reason: "x".into() });
            assert_eq!(std::mem::discriminant(&back), std::mem::discriminant(&e));
        }
        let busy = TillKitError::from(ReaderError::Busy);
        assert!(matches!(busy, TillKitError::Reader { fault: ReaderFault::Busy, .. }));
        let thrown = TillKitError::from(uniffi::UnexpectedUniFFICallbackError {
            reason: "NullPointerException".into(),
        });
        assert!(
            matches!(ReaderError::from(thrown), ReaderError::Device(r) if r.contains("NullPointer"))
        );
    }

    #[test]
    fn a_full_disk_is_its_own_variant() {
        let e = TillKitError::from(CashierError::Store(StoreError::Full));
        assert_eq!(e, TillKitError::StorageFull);
        let e = TillKitError::from(CashierError::Store(StoreError::ReadOnly("ro".into())));
        assert!(matches!(e, TillKitError::Storage { .. }));
    }

    #[test]
    fn refund_too_large_shows_amounts_as_text() {
        let requested = Amount::parse("12.5", "CNY").expect("valid");
        let e = TillKitError::from(CashierError::RefundTooLarge {
            requested,
            remaining: "2.50 CNY".into(),
        });
        assert_eq!(
            e,
            TillKitError::RefundTooLarge {
                requested: "12.50 CNY".into(),
                remaining: "2.50 CNY".into()
            }
        );
    }
}
