//! The device channel: how requests the acquirer routes to this terminal reach the agent, and
//! how the agent answers. A trait, so that a vendor's real channel can replace TillKit's
//! (docs/terminal-channel.md describes the HTTP channel the sandbox serves).
//!
//! Delivery is at least once: a message not yet acknowledged comes again on the next poll, and
//! the agent recognises a transaction it already knows by its id.

use std::time::Duration;

use crate::money::Amount;
use crate::reader::session::CardRead;
use crate::reader::{EmvData, OnlineResponse, ReaderRequest};

/// What the acquirer asks the terminal to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxKind {
    /// Take a card payment of `amount`.
    Sale {
        /// The amount to charge.
        amount: Amount,
    },
    /// Refund `amount` to a card presented at the terminal.
    Refund {
        /// The amount to refund.
        amount: Amount,
        /// The sale being refunded.
        original_transaction_id: String,
    },
    /// Stop the running transaction with this id (the cashier cancelled it).
    Cancel,
}

/// One message from the terminal's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxMessage {
    /// The message's id, acknowledged with [`DeviceChannel::ack`].
    pub id: String,
    /// The acquirer's sequence number for this terminal: strictly increasing.
    pub seq: u64,
    /// The transaction (the cashier's `merchantTransactionId`, or the refund's id).
    pub transaction_id: String,
    /// What to do.
    pub kind: InboxKind,
    /// When the request stops being worth starting, Unix ms: a sale picked up later is
    /// refused by the acquirer anyway.
    pub deadline_ms: Option<i64>,
}

/// A step of a running transaction, shown to the cashier through the acquirer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TerminalProgress {
    /// The terminal waits for a card.
    WaitingForCard,
    /// A card is being read.
    Reading,
    /// The cardholder is entering a PIN.
    Pin,
    /// The issuer is being asked.
    Authorizing,
}

/// How a transaction ended at the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalResult {
    /// Approved online: the acquirer charges (or refunds).
    Approved {
        /// The issuer's authorisation code.
        auth_code: Option<String>,
    },
    /// Approved by the card offline: forwarded with [`DeviceChannel::forward_offline`].
    ApprovedOffline {
        /// The approval's id, made by the agent (idempotency key of the forward).
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
    /// The terminal could not run it (reader failed, agent restarted mid-way): nothing charged.
    Failed {
        /// Why, for people (never card data).
        reason: String,
    },
}

impl TerminalResult {
    /// The result's name on the device channel (`approved_offline`, `timed_out`, ...).
    pub fn wire_name(&self) -> &'static str {
        match self {
            TerminalResult::Approved { .. } => "approved",
            TerminalResult::ApprovedOffline { .. } => "approved_offline",
            TerminalResult::Declined => "declined",
            TerminalResult::CancelledAtTerminal => "cancelled_at_terminal",
            TerminalResult::CancelledByCashier => "cancelled_by_cashier",
            TerminalResult::TimedOut => "timed_out",
            TerminalResult::Failed { .. } => "failed",
        }
    }
}

/// The result the agent reports for a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultReport {
    /// The transaction.
    pub transaction_id: String,
    /// How it ended.
    pub result: TerminalResult,
    /// The card, masked, when one was read.
    pub card: Option<CardRead>,
    /// Why, for people, when the result is not [`TerminalResult::Failed`] (which carries its
    /// own): "offline approvals not enabled", a card that declined after the issuer approved.
    pub reason: Option<String>,
}

/// What the acquirer did with a result.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A card approval made offline, to be forwarded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineApproval {
    /// The approval's id, made by the agent: the forward's idempotency key.
    pub offline_id: String,
    /// The sale's id.
    pub transaction_id: String,
    /// The amount approved.
    pub amount: Amount,
    /// When the card approved, Unix ms.
    pub approved_at_ms: i64,
    /// The card, masked.
    pub card: CardRead,
    /// The card's cryptogram data for clearing (BER-TLV, with the PAN and track data removed).
    pub clearing_tlv: Vec<u8>,
}

/// What the acquirer did with a forwarded approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardAck {
    /// Recorded now.
    Recorded,
    /// Already recorded under this offline id: nothing changed.
    Duplicate,
    /// Refused (too old, over a limit, unknown card data): nothing charged, never resent.
    Refused {
        /// Why.
        reason: String,
    },
}

/// Why a channel call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The acquirer could not be reached, or the answer was lost: try again later.
    #[error("device channel unreachable: {0}")]
    Unreachable(String),
    /// The acquirer refused the request (unknown or revoked key, replay, bad input).
    #[error("device channel refused the request: {code}: {message}")]
    Refused {
        /// The acquirer's error code.
        code: String,
        /// Its explanation.
        message: String,
    },
    /// The answer did not verify or did not parse: it is not believed.
    #[error("device channel answer not believed: {0}")]
    BadAnswer(String),
}

/// The terminal's side of the device channel.
#[async_trait::async_trait]
pub trait DeviceChannel: Send + Sync {
    /// Waits up to `wait` for messages; returns those not yet acknowledged (possibly none).
    async fn poll(&self, wait: Duration) -> Result<Vec<InboxMessage>, ChannelError>;
    /// Acknowledges a message: the terminal has it and will report an end for it.
    async fn ack(&self, message_id: &str) -> Result<(), ChannelError>;
    /// Reports a step of a running transaction (best effort).
    async fn progress(
        &self,
        transaction_id: &str,
        step: TerminalProgress,
    ) -> Result<(), ChannelError>;
    /// Asks the issuer, through the acquirer, to authorise the card's request online.
    async fn authorize(
        &self,
        request: &ReaderRequest,
        emv: &EmvData,
    ) -> Result<OnlineResponse, ChannelError>;
    /// Reports how a transaction ended. Idempotent: the same report may be sent again.
    async fn report(&self, report: &ResultReport) -> Result<ResultAck, ChannelError>;
    /// Forwards an offline approval. Idempotent by [`OfflineApproval::offline_id`].
    async fn forward_offline(&self, approval: &OfflineApproval)
        -> Result<ForwardAck, ChannelError>;
}
