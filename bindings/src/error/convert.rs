//! From the core's errors (cashier, acquirer, store, money, payment codes, card reader) and the
//! app's callbacks into [`TillKitError`].

use tillkit_core::acquirer::AcquirerError;
use tillkit_core::engine::{CashierError, KeyStoreError};
use tillkit_core::money::MoneyError;
use tillkit_core::paycode::PaymentCodeError;
use tillkit_core::printer::PrinterError;
use tillkit_core::reader::ReaderError;
use tillkit_core::report::ReportError;
use tillkit_core::store::StoreError;

use super::{PrinterFault, ReaderFault, TillKitError};
use crate::ints::long;

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

impl From<PrinterError> for TillKitError {
    fn from(e: PrinterError) -> Self {
        let fault = match e {
            PrinterError::PaperOut => PrinterFault::PaperOut,
            PrinterError::CoverOpen => PrinterFault::CoverOpen,
            PrinterError::Offline(_) => PrinterFault::Offline,
            PrinterError::Failed(_) => PrinterFault::Failed,
        };
        TillKitError::Printer { fault, reason: e.to_string() }
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

impl From<ReportError> for TillKitError {
    fn from(e: ReportError) -> Self {
        use TillKitError as T;
        match e {
            ReportError::Store(e) => e.into(),
            ReportError::InvalidRange { field, reason } => {
                T::InvalidInput { field: field.into(), reason }
            }
            ReportError::AlreadyClosed { seq, register, closed_ms } => {
                T::ShiftAlreadyClosed { seq: long(seq), register, closed_ms: long(closed_ms) }
            }
            // Only an app that made up a number sees this: nothing for a screen to act on.
            ReportError::UnknownClose(_) => {
                T::InvalidInput { field: "seq".into(), reason: e.to_string() }
            }
            ReportError::Write(_) => T::Storage { reason: e.to_string() },
            ReportError::Closed => T::Closed,
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
