//! Records whose last step may have reached the acquirer but whose outcome could not be
//! committed (a full disk, a failing store).
//!
//! The store still says "prepared" (or "unseen") / "queued" for them, which would let the
//! driver send them as if they had never left. This process therefore treats them as unknown (query first)
//! until a commit about them succeeds; a new process does the same through recovery, which
//! turns every prepared attempt and queued refund into unknown at open.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use super::error::CashierError;
use crate::order::{AttemptStatus, RefundState};
use crate::store::Entity;

#[derive(Default)]
pub(crate) struct Unconfirmed {
    set: Mutex<HashSet<(Entity, String)>>,
}

impl Unconfirmed {
    fn lock(&self) -> MutexGuard<'_, HashSet<(Entity, String)>> {
        self.set.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn contains(&self, entity: Entity, id: &str) -> bool {
        self.lock().contains(&(entity, id.to_string()))
    }

    /// The attempt status this process must assume.
    pub fn attempt(&self, sale_id: &str, stored: AttemptStatus) -> AttemptStatus {
        let sendable = matches!(stored, AttemptStatus::Prepared | AttemptStatus::Unseen);
        if sendable && self.contains(Entity::Sale, sale_id) {
            AttemptStatus::Unknown
        } else {
            stored
        }
    }

    /// The refund state this process must assume.
    pub fn refund(&self, refund_id: &str, stored: RefundState) -> RefundState {
        if stored == RefundState::Queued && self.contains(Entity::Refund, refund_id) {
            RefundState::Unknown
        } else {
            stored
        }
    }

    /// A commit about the record succeeded: the store is the truth again.
    pub fn confirmed(&self, entity: Entity, id: &str) {
        let mut set = self.lock();
        if !set.is_empty() {
            set.remove(&(entity, id.to_string()));
        }
    }

    /// The commit after a step that talked to the acquirer failed. The caller is told the
    /// truth: the request may have reached the acquirer, so this is "outcome unknown, do not
    /// charge again", never "nothing was written".
    pub fn failed(&self, entity: Entity, id: &str, sent: bool, e: CashierError) -> CashierError {
        if sent {
            self.lock().insert((entity, id.to_string()));
        }
        log::error!("{entity:?} {id}: the step's outcome could not be recorded: {e}");
        CashierError::OutcomeUnknown { id: id.to_string(), reason: e.to_string() }
    }
}
