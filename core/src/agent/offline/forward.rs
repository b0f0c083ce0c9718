//! Forwarding stored approvals to the acquirer: one forwarder at a time, oldest first, each by
//! its offline id so that a forward repeated after a crash or a lost answer is recognised by the
//! acquirer and charges nothing more.

use super::queue::{OfflineError, OfflineQueue, OfflineState};
use crate::agent::channel::{DeviceChannel, ForwardAck};

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardSummary {
    /// Recorded by the acquirer now.
    pub forwarded: u32,
    /// Already recorded (a forward repeated after a crash or a lost answer).
    pub duplicates: u32,
    /// Refused by the acquirer: kept, flagged, never resent.
    pub refused: u32,
    /// Still stored (the drain stopped at a failure, or another forwarder holds the lease).
    pub remaining: u32,
    /// Another forwarder was draining: this one did nothing.
    pub lease_busy: bool,
    /// Why the drain stopped early, if it did.
    pub stopped_by: Option<String>,
}

/// How long a forwarder's lease lasts before another may take over (a killed forwarder's lease
/// simply runs out).
pub const LEASE_MS: i64 = 60_000;

/// Forwards every stored approval, oldest first, until done or the channel fails. `holder`
/// names this forwarder (unique per process); `now_ms` is read once per approval from `clock`.
pub async fn forward_pending(
    queue: &OfflineQueue,
    channel: &dyn DeviceChannel,
    holder: &str,
    clock: &(dyn Fn() -> i64 + Send + Sync),
) -> Result<ForwardSummary, OfflineError> {
    let mut summary = ForwardSummary::default();
    let pending = queue.pending()?;
    if pending.is_empty() {
        return Ok(summary);
    }
    if !queue.take_lease(holder, clock(), clock().saturating_add(LEASE_MS))? {
        summary.lease_busy = true;
        summary.remaining = u32::try_from(pending.len()).unwrap_or(u32::MAX);
        return Ok(summary);
    }
    let total = pending.len();
    let mut done = 0usize;
    for approval in &pending {
        // Renew before each send, so a long drain keeps its lease and a dead one loses it.
        let now = clock();
        if !queue.take_lease(holder, now, now.saturating_add(LEASE_MS))? {
            summary.lease_busy = true;
            summary.stopped_by = Some("another forwarder took the lease".into());
            break;
        }
        match channel.forward_offline(approval).await {
            Ok(ForwardAck::Recorded) => {
                queue.settle(&approval.offline_id, OfflineState::Forwarded, None, clock())?;
                summary.forwarded += 1;
            }
            Ok(ForwardAck::Duplicate) => {
                queue.settle(
                    &approval.offline_id,
                    OfflineState::Forwarded,
                    Some("duplicate"),
                    clock(),
                )?;
                summary.duplicates += 1;
            }
            Ok(ForwardAck::Refused { reason }) => {
                log::warn!(
                    "offline approval {} refused by the acquirer: {reason}",
                    approval.offline_id
                );
                queue.settle(
                    &approval.offline_id,
                    OfflineState::Refused,
                    Some(&reason),
                    clock(),
                )?;
                summary.refused += 1;
            }
            Err(e) => {
                // Not forwarded, or the answer was lost: it stays stored and goes again later
                // (the acquirer recognises a repeat by its offline id). The rest wait too: an
                // unreachable acquirer or a refused key will not pass for the next one either.
                let text = e.to_string();
                queue.settle(&approval.offline_id, OfflineState::Stored, Some(&text), clock())?;
                summary.stopped_by = Some(text);
                break;
            }
        }
        done += 1;
    }
    queue.release_lease(holder)?;
    summary.remaining = u32::try_from(total - done).unwrap_or(u32::MAX);
    Ok(summary)
}
