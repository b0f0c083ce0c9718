//! The SQLite store: sales and their attempts (`sales`), refunds (`refunds`), the outbox of
//! acquirer steps (`outbox`) and the journal (`journal`), one file each.
//!
//! WAL mode with `synchronous = FULL` (a commit is on disk when it returns), foreign keys on,
//! numbered migrations. Every state change is one transaction that updates the record, its
//! outbox row and the journal together. The store never recreates or resets an existing file:
//! anything it cannot read is an error at open.

mod clock;
mod codes;
pub(crate) mod crypto;
mod error;
mod faults;
mod journal;
mod outbox;
mod outbox_view;
pub(crate) mod perms;
mod refunds;
mod sales;
mod schema;
mod terminals;
mod values;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use clock::*;
pub use crypto::{new_key, ColumnCipher, CryptoError};
pub use error::StoreError;
pub use journal::*;
pub use outbox::*;
pub use outbox_view::*;
pub use perms::{create_private_dir, create_private_file, restrict_file};
pub use refunds::*;
pub use sales::*;
pub use terminals::*;
pub(crate) use values::{db_ms, ms};

/// The SQLite store.
pub struct Store {
    conn: Mutex<Connection>,
    cipher: ColumnCipher,
    path: PathBuf,
    commits: AtomicU64,
    relaxed_commits: AtomicU64,
    faults: faults::WriteFaults,
}

/// See [`Store::stamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    others: i64,
    own: u64,
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens (or creates, when the file does not exist) the store at `path`, sealing sensitive
    /// columns with `key` (32 bytes).
    pub fn open(path: &Path, key: &[u8]) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        let corrupt = |reason: String| StoreError::Corrupt { path: shown.clone(), reason };
        if !path.exists() {
            create_fresh(path, key)?;
        }
        check_header(path).map_err(&corrupt)?;
        restrict_file(path)
            .map_err(|e| StoreError::Unavailable { path: shown.clone(), reason: e.to_string() })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::Unavailable { path: shown.clone(), reason: e.to_string() })?;
        let store = Store {
            conn: Mutex::new(conn),
            cipher: ColumnCipher::new(key)?,
            path: path.to_path_buf(),
            commits: AtomicU64::new(0),
            relaxed_commits: AtomicU64::new(0),
            faults: Default::default(),
        };
        store.configure().map_err(|e| store.with_path(e))?;
        store.migrate().map_err(|e| store.with_path(e))?;
        Ok(store)
    }

    fn with_path(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Corrupt { reason, .. } => {
                StoreError::Corrupt { path: self.path.display().to_string(), reason }
            }
            other => other,
        }
    }

    fn configure(&self) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(64);
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::ReadOnly(format!("cannot enable WAL (journal_mode={mode})")));
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        // A damaged or truncated file must fail here, at open, not halfway through a sale.
        let check: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt { path: String::new(), reason: check });
        }
        Ok(())
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > schema::VERSION {
            return Err(StoreError::NewerSchema { found: version, supported: schema::VERSION });
        }
        if version == 0 {
            let objects: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if objects > 0 {
                return Err(StoreError::Corrupt {
                    path: String::new(),
                    reason: "a SQLite database that is not a TillKit store".into(),
                });
            }
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (an open
        // transaction rolls back on drop), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in one immediate transaction and commits it: one durable commit.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &ColumnCipher) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, &self.cipher)?;
        self.faults.before_commit()?;
        tx.commit()?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(out)
    }

    /// Like [`Store::write`], for changes that need not survive a power cut (a poll's new due
    /// time): the commit is not flushed to disk before returning. A later durable commit flushes
    /// it along.
    pub fn write_relaxed<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &ColumnCipher) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        let result = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx, &self.cipher)?;
            self.faults.before_commit()?;
            tx.commit()?;
            Ok(out)
        })();
        conn.execute_batch("PRAGMA synchronous = FULL")?;
        if result.is_ok() {
            self.relaxed_commits.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    /// Runs a read.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection, &ColumnCipher) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.lock();
        f(&conn, &self.cipher)
    }

    /// A mark of the store's state, taken inside a read or a write: two equal marks mean that
    /// nothing was committed in between, by this handle or by any other connection (SQLite's
    /// `data_version` counts the others' commits). A step uses it to skip reading its rows again
    /// inside its write transaction when nobody can have changed them.
    pub fn stamp(&self, c: &Connection) -> Result<Stamp, StoreError> {
        let others: i64 = c.prepare_cached("PRAGMA data_version")?.query_row([], |r| r.get(0))?;
        let own = self.commits.load(Ordering::SeqCst) + self.relaxed_commits.load(Ordering::SeqCst);
        Ok(Stamp { others, own })
    }

    /// How many write transactions this handle has committed (each one durable commit).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// How many relaxed write transactions (not flushed before returning) it has committed.
    pub fn relaxed_commits(&self) -> u64 {
        self.relaxed_commits.load(Ordering::Relaxed)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Test hook: the `skip` next write transactions commit, the `fail` after them fail as a
    /// full disk does (rolled back whole, `StoreError::Full`). Reaches every commit point in
    /// turn, which a size cap cannot (an update in place needs no new page).
    #[doc(hidden)]
    pub fn inject_full(&self, skip: u64, fail: u64) {
        self.faults.set(skip, fail);
    }

    /// Test hook: caps the database size in pages, to simulate a full disk.
    pub fn set_max_pages(&self, pages: u64) -> Result<(), StoreError> {
        let conn = self.lock();
        let _: i64 =
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| r.get(0))?;
        Ok(())
    }
}

/// Creates a new store beside `path` and renames it into place only once its schema is
/// committed, so that a crash during creation never leaves an empty file that would later look
/// like a damaged store.
fn create_fresh(path: &Path, key: &[u8]) -> Result<(), StoreError> {
    let unavailable = |e: &dyn std::fmt::Display| StoreError::Unavailable {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".creating");
    let tmp = PathBuf::from(tmp);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = tmp.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    // Owner-only from the first byte; SQLite gives its -wal and -shm files the same mode.
    create_private_file(&tmp).map_err(|e| unavailable(&e))?;
    {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&tmp, flags).map_err(|e| unavailable(&e))?;
        let store = Store {
            conn: Mutex::new(conn),
            cipher: ColumnCipher::new(key)?,
            path: tmp.clone(),
            commits: AtomicU64::new(0),
            relaxed_commits: AtomicU64::new(0),
            faults: Default::default(),
        };
        store.configure()?;
        store.migrate()?;
        // Fold the WAL back into the main file so the rename moves everything.
        store.lock().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    std::fs::rename(&tmp, path).map_err(|e| unavailable(&e))?;
    let mut wal = tmp.as_os_str().to_owned();
    wal.push("-wal");
    let _ = std::fs::remove_file(PathBuf::from(wal));
    Ok(())
}

fn check_header(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut header = [0u8; 16];
    match file.read_exact(&mut header) {
        Ok(()) if &header == SQLITE_HEADER => Ok(()),
        Ok(()) => Err("not a SQLite file".into()),
        Err(_) => Err("the file is empty or truncated".into()),
    }
}

#[cfg(test)]
mod tests;
