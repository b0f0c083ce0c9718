//! One async lock per sale or refund, so that the driver, an inline first step and a
//! notification never work on the same record at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::store::Entity;

type Key = (Entity, String);

#[derive(Default)]
pub(crate) struct EntityLocks {
    map: Mutex<HashMap<Key, Arc<AsyncMutex<()>>>>,
}

/// Held while a record is worked on; the map entry is dropped with the last user.
pub(crate) struct EntityGuard<'a> {
    locks: &'a EntityLocks,
    key: Key,
    _guard: OwnedMutexGuard<()>,
}

impl EntityLocks {
    fn entry(&self, key: &Key) -> Arc<AsyncMutex<()>> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.clone()).or_default().clone()
    }

    /// Waits for the record.
    pub async fn lock(&self, entity: Entity, id: &str) -> EntityGuard<'_> {
        let key = (entity, id.to_string());
        let guard = self.entry(&key).lock_owned().await;
        EntityGuard { locks: self, key, _guard: guard }
    }

    /// Takes the record if nobody works on it.
    pub fn try_lock(&self, entity: Entity, id: &str) -> Option<EntityGuard<'_>> {
        let key = (entity, id.to_string());
        let guard = self.entry(&key).try_lock_owned().ok()?;
        Some(EntityGuard { locks: self, key, _guard: guard })
    }

    /// Whether someone works on the record now.
    pub fn is_locked(&self, entity: Entity, id: &str) -> bool {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&(entity, id.to_string())).is_some_and(|m| m.try_lock().is_err())
    }
}

impl Drop for EntityGuard<'_> {
    fn drop(&mut self) {
        let mut map = self.locks.map.lock().unwrap_or_else(|p| p.into_inner());
        // Two references: the map's and ours (released right after this drop).
        if map.get(&self.key).is_some_and(|m| Arc::strong_count(m) <= 2) {
            map.remove(&self.key);
        }
    }
}
