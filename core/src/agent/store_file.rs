//! The agent's journal as a file: created private, WAL with `synchronous = FULL`, its schema,
//! and the run lock that keeps a second agent off it.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

use super::{AgentStore, AgentStoreError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS agent_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS agent_tx (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    original_id TEXT,
    state TEXT NOT NULL,
    cancel_asked INTEGER NOT NULL DEFAULT 0,
    result TEXT, auth_code TEXT, offline_id TEXT, reason TEXT,
    masked_pan TEXT, aid TEXT, label TEXT, entry TEXT,
    note TEXT,
    received_seq INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
";

impl AgentStore {
    /// Opens (or creates) the journal at `path`.
    pub fn open(path: &Path) -> Result<AgentStore, AgentStoreError> {
        let shown = path.display().to_string();
        let err = |e: rusqlite::Error| AgentStoreError::Sqlite {
            path: shown.clone(),
            reason: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::store::create_private_dir(dir).map_err(|e| AgentStoreError::Sqlite {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        }
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err)?;
        let mode: String =
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(err)?;
        log::debug!("agent journal {shown}: journal_mode {mode}");
        conn.execute_batch("PRAGMA synchronous = FULL;").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        crate::store::restrict_file(path)
            .map_err(|e| AgentStoreError::Sqlite { path: shown.clone(), reason: e.to_string() })?;
        Ok(AgentStore { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    /// Takes the journal's run lock (`agent.lock` beside it), held while the returned file
    /// lives: one agent at a time per journal. The kernel releases it when the process dies, so
    /// a killed agent never leaves it stale.
    pub fn run_lock(&self) -> Result<std::fs::File, crate::agent::run::AgentError> {
        let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        let in_use = || crate::agent::run::AgentError::InUse { path: dir.display().to_string() };
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(dir.join("agent.lock")).map_err(|e| {
            crate::agent::run::AgentError::Store(AgentStoreError::Sqlite {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })
        })?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(in_use()),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(crate::agent::run::AgentError::Store(AgentStoreError::Sqlite {
                    path: dir.display().to_string(),
                    reason: e.to_string(),
                }))
            }
        }
    }
}
