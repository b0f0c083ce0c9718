//! One writer per data directory: an operating-system lock on `tillkit.lock`, held for the
//! cashier's life.
//!
//! Two cashiers on one store would each resend the other's due steps and commit against rows
//! the other changed. The lock is advisory (`flock` on Unix, `LockFileEx` on Windows): it is
//! released by the kernel when the process dies, so a crash never leaves a stale lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use super::error::CashierError;

/// The lock file inside the data directory.
pub const LOCK_FILE: &str = "tillkit.lock";

/// A held lock; dropping it releases the directory.
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock, or fails at once with `StoreInUse` (a caller that wants to wait retries).
    pub fn acquire(data_dir: &Path) -> Result<DirLock, CashierError> {
        let path = data_dir.join(LOCK_FILE);
        let unavailable = |e: std::io::Error| {
            CashierError::Store(crate::store::StoreError::Unavailable {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(unavailable)?;
        match file.try_lock() {
            Ok(()) => Ok(DirLock { _file: file }),
            Err(TryLockError::WouldBlock) => {
                Err(CashierError::StoreInUse { path: data_dir.display().to_string() })
            }
            Err(TryLockError::Error(e)) => Err(unavailable(e)),
        }
    }
}
