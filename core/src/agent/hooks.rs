//! What an app plugs into the agent: where offline approvals go, who hears about each step,
//! and how to stop it.

use std::sync::Arc;

use super::channel::{OfflineApproval, ResultAck, TerminalResult};
use crate::money::Amount;
use crate::reader::machine::ReaderProgress;
use crate::reader::session::CancelHandle;

/// Keeps an approval the card made offline until it is forwarded to the acquirer (the
/// store-and-forward queue). The agent reports `approved_offline` only once `store` returned
/// `Ok`: the approval is then the queue's to forward, exactly once, by its offline id.
pub trait OfflineSink: Send + Sync {
    /// Keeps `approval` durably; an error means it was not kept (the sale is then declined).
    fn store(&self, approval: OfflineApproval) -> Result<(), String>;
}

/// A step of the agent's work, for a screen or a log line. Never holds card data beyond the
/// masked PAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentEvent {
    /// The acquirer answered a poll after being unreachable (or for the first time).
    Connected,
    /// The acquirer could not be reached; the agent tries again after `retry_ms`.
    Unreachable {
        /// Why.
        reason: String,
        /// When it tries again.
        retry_ms: u64,
    },
    /// A sale or refund was received and acknowledged: it runs now.
    Started {
        /// The transaction.
        transaction_id: String,
        /// Its amount.
        amount: Amount,
        /// A refund rather than a sale.
        refund: bool,
    },
    /// What the terminal's screen says for the running transaction.
    Progress {
        /// The transaction.
        transaction_id: String,
        /// The step.
        step: ReaderProgress,
    },
    /// The cashier's cancel reached the running transaction.
    CancelAsked {
        /// The transaction.
        transaction_id: String,
    },
    /// The transaction ended; its result is journaled.
    Finished {
        /// The transaction.
        transaction_id: String,
        /// How.
        result: TerminalResult,
        /// Why, when there is more to say.
        reason: Option<String>,
    },
    /// The acquirer acknowledged the result.
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
        /// What the drain did.
        summary: crate::agent::offline::ForwardSummary,
    },
    /// A transaction received before a restart was not run again.
    Recovered {
        /// The transaction.
        transaction_id: String,
        /// What the agent does with it.
        note: String,
    },
}

/// Hears the agent's events. Called on the agent's task: it must return quickly.
pub type EventListener = Arc<dyn Fn(&AgentEvent) + Send + Sync>;

/// Stops a running agent from another task or a signal handler. A transaction on the reader
/// is cancelled and its result journaled (and reported if the acquirer answers at once);
/// anything unreported is reported at the next start.
#[derive(Debug, Clone, Default)]
pub struct ShutdownHandle(CancelHandle);

impl ShutdownHandle {
    /// A handle not yet triggered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the agent to stop.
    pub fn shutdown(&self) {
        self.0.cancel();
    }

    /// Whether a stop was asked for.
    pub fn is_shutdown(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves once a stop is asked for.
    pub async fn wait(&self) {
        self.0.cancelled().await;
    }
}
