//! Offline card approvals, stored and forwarded: when the card approves a sale without the
//! issuer (chip, under the floor limit, host unreachable), the agent keeps the approval in a
//! durable queue within limits, and forwards it once the acquirer is reachable, exactly once
//! per offline id.

mod forward;
mod key;
mod limits;
mod queue;
mod sink;

#[cfg(test)]
mod tests;

pub use forward::{forward_pending, ForwardSummary, LEASE_MS};
pub use key::open_with_key_store;
pub use limits::{CurrencyLimit, OfflineLimits, OfflineRefusal, StoredTotals};
pub use queue::{OfflineError, OfflineQueue, OfflineState, QueuedApproval, StoreOutcome};
pub use sink::StoreAndForward;
