//! Store errors, sorted by what the app can do about them.

use rusqlite::ErrorCode;

/// A store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The data directory or file cannot be created or opened.
    #[error("cannot open the store at {path}: {reason}")]
    Unavailable {
        /// The path.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The file is damaged, truncated, or not a TillKit store. It is never reset silently.
    #[error("the store at {path} is damaged or not a TillKit store: {reason}")]
    Corrupt {
        /// The path.
        path: String,
        /// What was found.
        reason: String,
    },
    /// The store was written by a newer TillKit.
    #[error("the store has schema version {found}; this build knows up to {supported}")]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Newest this build knows.
        supported: i64,
    },
    /// The disk (or the store's size limit) is full: nothing was written.
    #[error("the disk is full: nothing was written")]
    Full,
    /// The store is read-only (file or directory permissions).
    #[error("the store is read-only: {0}")]
    ReadOnly(String),
    /// A record with this id exists already.
    #[error("{entity} {id} exists already")]
    Duplicate {
        /// Sale or refund.
        entity: &'static str,
        /// Its id.
        id: String,
    },
    /// A stored value does not parse (a bug or tampering); the row is left as it is.
    #[error("stored {what} is invalid: {reason}")]
    BadRow {
        /// Which value.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A sealed column could not be decrypted (wrong key or altered).
    #[error("a sealed value failed to open: {0}")]
    Sealed(String),
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
            let detail = msg.clone().unwrap_or_else(|| f.to_string());
            return match f.code {
                ErrorCode::DiskFull => StoreError::Full,
                ErrorCode::ReadOnly => StoreError::ReadOnly(detail),
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                    StoreError::Corrupt { path: String::new(), reason: detail }
                }
                _ => StoreError::Sqlite(detail),
            };
        }
        StoreError::Sqlite(e.to_string())
    }
}

impl From<super::crypto::CryptoError> for StoreError {
    fn from(e: super::crypto::CryptoError) -> Self {
        StoreError::Sealed(e.to_string())
    }
}
