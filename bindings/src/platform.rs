//! What the app implements: its key store (Android Keystore, iOS Keychain) and its logger
//! (Logcat, os_log). The card-reader traits (`CardReader`, `AuthorizationHost`,
//! `ReaderProgressListener`) live with the transaction that uses them, in [`crate::reader`].
//!
//! Every foreign method returns `Result`, so an exception thrown by app code comes back as
//! [`TillKitError::AppCallback`] instead of a panic inside the engine.

use std::sync::{Arc, LazyLock, RwLock};

use tillkit_core::engine::{KeyStore as CoreKeyStore, KeyStoreError};

use crate::error::TillKitError;

/// Where the app keeps secrets: the acquirer's salt or secure code (stored by the app under the
/// name the config gives) and the database key (created by TillKit on first open).
#[uniffi::export(foreign)]
pub trait KeyStore: Send + Sync {
    /// The secret stored under `name`, or `null` if there is none.
    fn get(&self, name: String) -> Result<Option<Vec<u8>>, TillKitError>;
    /// Stores a secret under `name`, replacing any previous one.
    fn put(&self, name: String, value: Vec<u8>) -> Result<(), TillKitError>;
}

/// The app's key store as the core sees it.
pub(crate) struct KeyStoreBridge(pub Arc<dyn KeyStore>);

impl CoreKeyStore for KeyStoreBridge {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
        Ok(self.0.get(name.to_string())?)
    }

    fn put(&self, name: &str, value: &[u8]) -> Result<(), KeyStoreError> {
        Ok(self.0.put(name.to_string(), value.to_vec())?)
    }
}

/// How important a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something unexpected that TillKit handled.
    Warn,
    /// A milestone (a sale paid, the acquirer unreachable).
    Info,
    /// Details for developers.
    Debug,
    /// Everything.
    Trace,
}

impl From<log::Level> for LogLevel {
    fn from(l: log::Level) -> Self {
        match l {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        }
    }
}

impl From<LogLevel> for log::LevelFilter {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }
}

/// Receives TillKit's log lines (never secrets: codes are masked, salts never logged). Called
/// from any thread; return quickly.
#[uniffi::export(foreign)]
pub trait Logger: Send + Sync {
    /// One line. `target` is the Rust module (`tillkit_core::engine`), usable as a tag.
    fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), TillKitError>;
}

static LOGGER: LazyLock<RwLock<Option<Arc<dyn Logger>>>> = LazyLock::new(|| RwLock::new(None));

struct LogBridge;

static BRIDGE: LogBridge = LogBridge;

/// Whether our bridge is the process's Rust logger (it can be installed only once).
static BRIDGE_INSTALLED: LazyLock<bool> = LazyLock::new(|| log::set_logger(&BRIDGE).is_ok());

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        let logger = LOGGER.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let (Some(logger), true) = (logger, self.enabled(record.metadata())) {
            // A logger that throws must not take the engine down; there is nowhere to report it.
            let _ = logger.log(
                record.level().into(),
                record.target().to_string(),
                record.args().to_string(),
            );
        }
    }

    fn flush(&self) {}
}

/// Sends TillKit's logs at `level` and above to `logger`, replacing any previous logger.
/// Fails with `Config` if something else in the process installed a Rust logger first.
#[uniffi::export]
pub fn set_logger(logger: Arc<dyn Logger>, level: LogLevel) -> Result<(), TillKitError> {
    *LOGGER.write().unwrap_or_else(|p| p.into_inner()) = Some(logger);
    if !*BRIDGE_INSTALLED {
        return Err(TillKitError::Config { reason: "another Rust logger is installed".into() });
    }
    log::set_max_level(level.into());
    Ok(())
}
