//! What crosses the FFI about the terminal agent: its configuration, its events and its offline
//! queue. Core types whose shape fits are mirrored with `uniffi::remote`; the rest convert once.

use rust_decimal::Decimal;
use tillkit_core::agent::offline::{
    CurrencyLimit, OfflineLimits as CoreOfflineLimits, QueuedApproval,
};
use tillkit_core::agent::AgentEvent as CoreEvent;
use tillkit_core::money::Currency;

use tillkit_core::agent::offline::ForwardSummary as CoreSummary;
pub use tillkit_core::agent::offline::OfflineState;
pub use tillkit_core::agent::{ResultAck, TerminalResult};

use crate::error::TillKitError;
use crate::ints::{count_arg, duration_arg, duration_ms, int, long};
use crate::money::Money;
use crate::reader::{ReaderLimits, ReaderProgress};

/// Offline card approvals in one currency: how much one may be, and how much may wait
/// unforwarded. Decimal strings in major units (`"50.00"`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OfflineCurrencyLimit {
    /// ISO 4217 code (`"CNY"`).
    pub currency: String,
    /// Largest amount one offline approval may have.
    pub per_transaction: String,
    /// Largest sum of approvals stored and not yet forwarded.
    pub total_stored: String,
}

/// The limits on card approvals taken offline (store and forward). A currency without a limit
/// is never approved offline: the default declines every offline approval.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OfflineCardLimits {
    /// Per-currency amounts; empty: offline approvals are off.
    #[uniffi(default = [])]
    pub currencies: Vec<OfflineCurrencyLimit>,
    /// Most approvals stored and not yet forwarded.
    #[uniffi(default = 100)]
    pub max_count: i32,
    /// Oldest an unforwarded approval may be before the terminal stops approving offline.
    #[uniffi(default = 86400000)]
    pub max_age_ms: i64,
}

impl Default for OfflineCardLimits {
    fn default() -> Self {
        let core = CoreOfflineLimits::default();
        OfflineCardLimits {
            currencies: Vec::new(),
            max_count: int(core.max_count),
            max_age_ms: duration_ms(core.max_age),
        }
    }
}

fn decimal(field: String, text: &str) -> Result<Decimal, TillKitError> {
    match text.trim().parse::<Decimal>() {
        Ok(d) if d > Decimal::ZERO => Ok(d),
        Ok(_) => Err(TillKitError::InvalidInput { field, reason: format!("{text:?} is not > 0") }),
        Err(e) => Err(TillKitError::InvalidInput {
            field,
            reason: format!("{text:?} is not a decimal amount: {e}"),
        }),
    }
}

impl TryFrom<OfflineCardLimits> for CoreOfflineLimits {
    type Error = TillKitError;
    fn try_from(l: OfflineCardLimits) -> Result<Self, TillKitError> {
        let mut currencies = Vec::with_capacity(l.currencies.len());
        for (i, c) in l.currencies.into_iter().enumerate() {
            let field = |name: &str| format!("offline_limits.currencies[{i}].{name}");
            let currency = Currency::from_code(&c.currency).map_err(|e| {
                TillKitError::InvalidInput { field: field("currency"), reason: e.to_string() }
            })?;
            currencies.push(CurrencyLimit {
                currency,
                per_transaction: decimal(field("per_transaction"), &c.per_transaction)?,
                total_stored: decimal(field("total_stored"), &c.total_stored)?,
            });
        }
        Ok(CoreOfflineLimits {
            currencies,
            max_count: count_arg("offline_limits.max_count", l.max_count)?,
            max_age: duration_arg("offline_limits.max_age_ms", l.max_age_ms)?,
        })
    }
}

/// How a terminal agent reaches the acquirer and which key it signs with. No secret is here:
/// the device key is read from the app's `KeyStore` under `deviceKeyName`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TerminalAgentConfig {
    /// The acquirer's base URL (https, or http to this machine), e.g. the sandbox's.
    pub base_url: String,
    /// This terminal's serial number (`deviceSn`), as registered with the acquirer.
    pub device_sn: String,
    /// This terminal's model (`deviceModel`).
    pub device_model: String,
    /// The device key's id, issued with the key when the terminal was registered.
    pub key_id: String,
    /// The name under which the app's key store holds the 32-byte device key.
    pub device_key_name: String,
    /// The name under which the key store holds the key sealing stored offline approvals
    /// (made by TillKit on first open). Not the device key: registering again keeps the queue.
    #[uniffi(default = "tillkit.agent.offline_queue_key")]
    pub offline_key_name: String,
    /// Offline approval limits; the default declines every offline approval.
    #[uniffi(default)]
    pub offline_limits: OfflineCardLimits,
    /// CA certificates (PEM text) to trust besides Mozilla's public roots, as for the cashier.
    #[uniffi(default = [])]
    pub extra_roots: Vec<String>,
    /// How long to wait for a connection to the acquirer.
    #[uniffi(default = 5000)]
    pub connect_timeout_ms: i64,
    /// How long to wait for an answer (an inbox poll waits `pollWaitMs` longer).
    #[uniffi(default = 20000)]
    pub request_timeout_ms: i64,
    /// How long an idle inbox poll waits for a sale (the long poll; at most 30 000).
    #[uniffi(default = 25000)]
    pub poll_wait_ms: i64,
    /// The card reader's time limits; `null` for `defaultReaderLimits()`.
    #[uniffi(default = None)]
    pub reader_limits: Option<ReaderLimits>,
}

/// How a transaction ended at the terminal.
#[uniffi::remote(Enum)]
pub enum TerminalResult {
    /// Approved online: the acquirer charges (or refunds).
    Approved {
        /// The issuer's authorisation code.
        auth_code: Option<String>,
    },
    /// Approved by the card offline: stored, and forwarded once the acquirer answers.
    ApprovedOffline {
        /// The approval's id (the forward's idempotency key).
        offline_id: String,
    },
    /// The issuer or the card declined.
    Declined,
    /// The customer cancelled at the terminal, or took the card away.
    CancelledAtTerminal,
    /// The cashier's cancel reached the terminal in time.
    CancelledByCashier,
    /// No card in time, or the card stopped answering.
    TimedOut,
    /// The terminal could not run it (reader failed, agent stopped or restarted mid-way):
    /// nothing charged.
    Failed {
        /// Why, for people (never card data).
        reason: String,
    },
}

/// What the acquirer did with a reported result.
#[uniffi::remote(Enum)]
pub enum ResultAck {
    /// Recorded now.
    Recorded,
    /// The same result was already recorded (a retry): nothing changed.
    AlreadyRecorded,
    /// Another result is recorded for this transaction; this one was not applied.
    Conflict {
        /// The recorded one, as the acquirer names it.
        recorded: String,
    },
}

/// What one forwarding of the stored offline approvals did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ForwardSummary {
    /// Recorded by the acquirer now.
    pub forwarded: i32,
    /// Already recorded (a forward repeated after a crash or a lost answer).
    pub duplicates: i32,
    /// Refused by the acquirer: kept, flagged, never resent.
    pub refused: i32,
    /// Still stored (the acquirer could not be reached, or another forwarder was at work).
    pub remaining: i32,
    /// Another forwarder (the running agent) was forwarding: this call did nothing.
    pub lease_busy: bool,
    /// Why forwarding stopped early, if it did.
    pub stopped_by: Option<String>,
}

impl From<CoreSummary> for ForwardSummary {
    fn from(s: CoreSummary) -> Self {
        ForwardSummary {
            forwarded: int(s.forwarded),
            duplicates: int(s.duplicates),
            refused: int(s.refused),
            remaining: int(s.remaining),
            lease_busy: s.lease_busy,
            stopped_by: s.stopped_by,
        }
    }
}

/// Where a stored offline approval stands.
#[uniffi::remote(Enum)]
pub enum OfflineState {
    /// Stored, not yet accepted by the acquirer.
    Stored,
    /// Accepted by the acquirer.
    Forwarded,
    /// Refused by the acquirer: never resent; a person must look.
    Refused,
}

/// An offline approval in the terminal's queue. Card data only masked; the clearing data stays
/// sealed in the core.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OfflineApproval {
    /// The approval's id.
    pub offline_id: String,
    /// The sale's id.
    pub transaction_id: String,
    /// The amount approved.
    pub amount: Money,
    /// When the card approved it, Unix ms.
    pub approved_at_ms: i64,
    /// The card number, first 6 and last 4 digits.
    pub masked_pan: String,
    /// Where it stands.
    pub state: OfflineState,
    /// Forward attempts so far.
    pub attempts: i32,
    /// The last forward's failure, or the acquirer's refusal.
    pub last_error: Option<String>,
}

impl From<QueuedApproval> for OfflineApproval {
    fn from(a: QueuedApproval) -> Self {
        OfflineApproval {
            offline_id: a.offline_id,
            transaction_id: a.transaction_id,
            amount: a.amount.into(),
            approved_at_ms: a.approved_at_ms,
            masked_pan: a.masked_pan,
            state: a.state,
            attempts: int(a.attempts),
            last_error: a.last_error,
        }
    }
}

/// A step of the terminal agent's work, for the terminal's screen or a log line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AgentEvent {
    /// The acquirer answered (first poll, or after being unreachable).
    Connected,
    /// The acquirer could not be reached; the agent tries again after `retryMs`.
    Unreachable {
        /// Why.
        reason: String,
        /// When it tries again, in ms from now.
        retry_ms: i64,
    },
    /// A sale or refund was received and acknowledged: it runs on the reader now.
    Started {
        /// The transaction.
        transaction_id: String,
        /// Its amount.
        amount: Money,
        /// A refund rather than a sale.
        refund: bool,
    },
    /// What the terminal's screen should say for the running transaction.
    Progress {
        /// The transaction.
        transaction_id: String,
        /// The step (localise it like a cashier's `ReaderProgress`).
        progress: ReaderProgress,
    },
    /// The cashier's cancel reached the running transaction.
    CancelAsked {
        /// The transaction.
        transaction_id: String,
    },
    /// The transaction ended; its result is journaled and is reported next.
    Finished {
        /// The transaction.
        transaction_id: String,
        /// How it ended.
        result: TerminalResult,
        /// Why, when there is more to say.
        reason: Option<String>,
    },
    /// The acquirer has the result.
    Reported {
        /// The transaction.
        transaction_id: String,
        /// What it said.
        ack: ResultAck,
    },
    /// The acquirer would not take the result: a person should look at it.
    Flagged {
        /// The transaction.
        transaction_id: String,
        /// Why.
        note: String,
    },
    /// Stored offline approvals were forwarded (some or all).
    OfflineForwarded {
        /// What forwarding did.
        summary: ForwardSummary,
    },
    /// A transaction received before the agent last stopped was not run again.
    Recovered {
        /// The transaction.
        transaction_id: String,
        /// What the agent does with it.
        note: String,
    },
}

impl From<&CoreEvent> for AgentEvent {
    fn from(e: &CoreEvent) -> Self {
        match e.clone() {
            CoreEvent::Connected => AgentEvent::Connected,
            CoreEvent::Unreachable { reason, retry_ms } => {
                AgentEvent::Unreachable { reason, retry_ms: long(retry_ms) }
            }
            CoreEvent::Started { transaction_id, amount, refund } => {
                AgentEvent::Started { transaction_id, amount: amount.into(), refund }
            }
            CoreEvent::Progress { transaction_id, step } => {
                AgentEvent::Progress { transaction_id, progress: step.into() }
            }
            CoreEvent::CancelAsked { transaction_id } => AgentEvent::CancelAsked { transaction_id },
            CoreEvent::Finished { transaction_id, result, reason } => {
                AgentEvent::Finished { transaction_id, result, reason }
            }
            CoreEvent::Reported { transaction_id, ack } => {
                AgentEvent::Reported { transaction_id, ack }
            }
            CoreEvent::Flagged { transaction_id, note } => {
                AgentEvent::Flagged { transaction_id, note }
            }
            CoreEvent::OfflineForwarded { summary } => {
                AgentEvent::OfflineForwarded { summary: summary.into() }
            }
            CoreEvent::Recovered { transaction_id, note } => {
                AgentEvent::Recovered { transaction_id, note }
            }
        }
    }
}
