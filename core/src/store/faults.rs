//! Injected write failures, for tests of what the engine tells when a commit fails.

use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

#[derive(Default)]
pub(super) struct WriteFaults {
    skip: AtomicU64,
    fail: AtomicU64,
}

impl WriteFaults {
    pub fn set(&self, skip: u64, fail: u64) {
        self.skip.store(skip, Ordering::SeqCst);
        self.fail.store(fail, Ordering::SeqCst);
    }

    /// Called inside a write transaction just before its commit; an error rolls it back.
    pub fn before_commit(&self) -> Result<(), StoreError> {
        if self.fail.load(Ordering::SeqCst) == 0 {
            return Ok(());
        }
        if self.skip.load(Ordering::SeqCst) > 0 {
            self.skip.fetch_sub(1, Ordering::SeqCst);
            return Ok(());
        }
        self.fail.fetch_sub(1, Ordering::SeqCst);
        Err(StoreError::Full)
    }
}
