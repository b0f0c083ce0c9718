//! The agent's side of the queue: where a card's offline approval is kept (within the limits),
//! and the drain the agent runs whenever the acquirer answers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::forward::{forward_pending, ForwardSummary};
use super::limits::OfflineLimits;
use super::queue::{OfflineQueue, StoreOutcome};
use crate::agent::channel::{DeviceChannel, OfflineApproval};
use crate::agent::hooks::OfflineSink;

/// Store and forward for one agent: the queue, its limits and this process's forwarder name.
#[derive(Debug, Clone)]
pub struct StoreAndForward {
    queue: Arc<OfflineQueue>,
    limits: OfflineLimits,
    holder: String,
}

impl StoreAndForward {
    /// Keeps approvals in `queue` within `limits`.
    pub fn new(queue: Arc<OfflineQueue>, limits: OfflineLimits) -> Self {
        // Unique per instance, not just per process and millisecond: two forwarders of one
        // process (the agent's, and one draining on demand) must not share a lease.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let holder = format!("agent-{}-{}-{n}", std::process::id(), crate::agent::store::now_ms());
        StoreAndForward { queue, limits, holder }
    }

    /// Forwards under `holder`, a name the agent keeps across restarts: a restarted agent then
    /// takes back at once the lease its killed predecessor held mid-drain, instead of waiting
    /// [`super::LEASE_MS`] for it to run out (with its results unreportable meanwhile, since an
    /// `approved_offline` result is accepted only once forwarded). Another process forwarding
    /// the same queue under another name is still kept out.
    pub fn with_holder(mut self, holder: impl Into<String>) -> Self {
        self.holder = holder.into();
        self
    }

    /// The queue (to list it, or show what is stored).
    pub fn queue(&self) -> &OfflineQueue {
        &self.queue
    }

    /// The limits.
    pub fn limits(&self) -> &OfflineLimits {
        &self.limits
    }

    /// Forwards what is stored, if anything. `Err` only when the queue itself fails.
    pub async fn drain(
        &self,
        channel: &dyn DeviceChannel,
    ) -> Result<ForwardSummary, super::OfflineError> {
        if self.queue.totals()?.count == 0 {
            return Ok(ForwardSummary::default());
        }
        forward_pending(&self.queue, channel, &self.holder, &crate::agent::store::now_ms).await
    }
}

impl OfflineSink for StoreAndForward {
    fn store(&self, approval: OfflineApproval) -> Result<(), String> {
        match self.queue.store(&approval, &self.limits, crate::agent::store::now_ms()) {
            Ok(StoreOutcome::Stored | StoreOutcome::AlreadyStored) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}
