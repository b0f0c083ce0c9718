//! The one public error type, and the only place where core errors are mapped into it.
//!
//! The core's errors are rich (for logs); this enum has one variant per thing a cashier's
//! screen can do differently. Ask of every new core error: "would the UI act on it in its own
//! way?" If not, it belongs in an existing variant.

//!
//! The mappings: [`convert`] for the cashier's and the card reader's errors, [`agent`] for the
//! terminal agent's.

mod agent;
mod convert;

/// A TillKit call failed. Nothing was charged or refunded by a call that failed, except where a
/// variant says the outcome is unknown. Kotlin sees `TillKitException`, Swift `TillKitError`;
/// their `toString()` / `description` is the English text below, and [`TillKitError::can_retry`]
/// says whether trying the same call again later can succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
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
    /// The local database cannot be used (unavailable, damaged, read-only, newer version), or a
    /// file the app asked TillKit to write (an export) could not be written.
    #[error("storage: {reason}")]
    Storage {
        /// What failed.
        reason: String,
    },
    /// The cashier was shut down.
    #[error("the cashier is shut down")]
    Closed,
    /// Another close of the shift came in after the report the person looked at (on this or
    /// another register): nothing was closed. Show the report again (`shiftReport`), then close
    /// with its range.
    #[error("the shift was closed meanwhile (close {seq} by register {register}): look at the report again")]
    ShiftAlreadyClosed {
        /// The close that came in between (`closedReport` shows it).
        seq: i64,
        /// The register that closed it.
        register: String,
        /// When, ms since the epoch.
        closed_ms: i64,
    },
    /// A card reader could not be used; `fault` says what the screen can do about it. An app's
    /// `CardReader` throws this too, to tell TillKit what went wrong (any other exception it
    /// throws counts as `Device`).
    #[error("card reader {fault}: {reason}")]
    Reader {
        /// What kind of failure.
        fault: ReaderFault,
        /// Details, in English.
        reason: String,
    },
    /// A receipt printer could not print; `fault` says what the cashier can do about it. The
    /// sale is unchanged: print again once it is fixed. An app's `ReceiptPrinter` throws this
    /// too, to tell TillKit what went wrong.
    #[error("printer {fault}: {reason}")]
    Printer {
        /// What kind of failure.
        fault: PrinterFault,
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

#[uniffi::export]
impl TillKitError {
    /// Whether the same call, made again later, can succeed without the app changing what it
    /// passes: the network comes back, a lock is released, a reader is reconnected, space is
    /// freed. `false` for a refusal (bad input, decline, unknown id), for an outcome that is
    /// unknown (never charge again: TillKit resolves it) and for a bug.
    pub fn can_retry(&self) -> bool {
        use TillKitError as T;
        match self {
            T::Offline { .. }
            | T::OfflineLimit { .. }
            | T::StoreInUse { .. }
            | T::StorageFull
            | T::AppCallback { .. } => true,
            T::Reader { fault, .. } => fault.can_retry(),
            T::Printer { fault, .. } => fault.can_retry(),
            T::InvalidInput { .. }
            | T::UnknownSale { .. }
            | T::UnknownRefund { .. }
            | T::UnknownTerminal { .. }
            | T::IdInUse { .. }
            | T::NotPaid { .. }
            | T::RefundTooLarge { .. }
            | T::CannotCancel { .. }
            | T::CannotAbandon { .. }
            | T::Declined { .. }
            | T::OutcomeUnknown { .. }
            | T::Config { .. }
            | T::NotificationRejected { .. }
            | T::InvalidConfig { .. }
            | T::KeyUnavailable { .. }
            | T::Storage { .. }
            | T::Closed
            | T::ShiftAlreadyClosed { .. }
            | T::Internal { .. } => false,
        }
    }
}

/// What kind of card reader failure: what the cashier's screen can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
#[uniffi::export(Display)]
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

impl ReaderFault {
    /// Whether retrying after the fault's remedy can succeed: not for a protocol or device
    /// failure, which a retry repeats.
    fn can_retry(self) -> bool {
        matches!(self, ReaderFault::Disconnected | ReaderFault::Timeout | ReaderFault::Busy)
    }
}

impl std::fmt::Display for ReaderFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReaderFault::Disconnected => "disconnected",
            ReaderFault::Timeout => "timed out",
            ReaderFault::Busy => "busy",
            ReaderFault::Protocol => "protocol error",
            ReaderFault::Device => "device failure",
        })
    }
}

/// What kind of printer failure: what the cashier can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum PrinterFault {
    /// Out of paper: load a roll, then print again.
    PaperOut,
    /// The cover is open: close it, then print again.
    CoverOpen,
    /// Not reachable or not answering: switch it on or reconnect it, then print again.
    Offline,
    /// The printer or its SDK failed: restart the printer; report if repeated.
    Failed,
}

impl PrinterFault {
    /// Whether printing again after the fault's remedy can succeed: not for a failure, which a
    /// retry repeats.
    fn can_retry(self) -> bool {
        !matches!(self, PrinterFault::Failed)
    }
}

impl std::fmt::Display for PrinterFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PrinterFault::PaperOut => "out of paper",
            PrinterFault::CoverOpen => "cover open",
            PrinterFault::Offline => "offline",
            PrinterFault::Failed => "failure",
        })
    }
}

#[cfg(test)]
mod tests;
