//! How a cashier is set up: the acquirer, the device, the policies, and the capabilities the
//! app provides (key store, event listener, clock).

use std::time::Duration;

use rust_decimal::Decimal;

/// Which acquirer, and where: kept beside the adapters, named here as the engine's setting.
pub use crate::acquirer::settings::AcquirerSettings;
use crate::order::{Millis, Policy};
use crate::receipt::ReceiptSettings;

/// Which Alipay wallet method a scanned Alipay code is charged with: the code cannot tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlipayRegion {
    /// AlipayCN-Offline.
    Mainland,
    /// AlipayHK-Offline.
    HongKong,
}

/// Limits on what may wait in the outbox while the acquirer cannot be reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfflineLimits {
    /// Largest single refund accepted while offline (major units of its currency).
    pub max_refund_amount: Option<Decimal>,
    /// Largest total of refunds waiting unsent, per currency (major units).
    pub max_queued_total: Option<Decimal>,
}

/// Everything a cashier needs besides its data directory and the app's capabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct CashierConfig {
    /// The acquirer.
    pub acquirer: AcquirerSettings,
    /// This register's id (`cashierDeviceId`).
    pub cashier_device_id: String,
    /// Alipay wallet choice for scanned Alipay codes.
    pub alipay_region: AlipayRegion,
    /// Where the acquirer should post asynchronous results (the app's server), if anywhere.
    pub notification_url: Option<String>,
    /// Timings.
    pub policy: Policy,
    /// Offline limits.
    pub limits: OfflineLimits,
    /// How many acquirer steps may run at once.
    pub max_parallel_steps: usize,
    /// What to do when the key store's database key is missing or changed while the store
    /// holds sealed payment codes: `false` (the default) refuses to open with
    /// `CashierError::KeyUnavailable`, so that the app can restore the key; `true` goes on
    /// with a new key, and the sales whose code is lost end "not sent, ask the customer for a
    /// new code" (never "declined").
    pub accept_new_key: bool,
    /// A sale charged after the cashier cancelled it (the request arrived late) is refunded
    /// automatically, once, with a refund id derived from the sale. Off: it is flagged for a
    /// person to refund or keep.
    pub refund_charged_after_cancel: bool,
    /// The merchant header, time zone and default language of receipts.
    pub receipt: ReceiptSettings,
}

impl CashierConfig {
    /// A configuration with default policy and limits.
    pub fn new(acquirer: AcquirerSettings, cashier_device_id: impl Into<String>) -> Self {
        CashierConfig {
            acquirer,
            cashier_device_id: cashier_device_id.into(),
            alipay_region: AlipayRegion::Mainland,
            notification_url: None,
            policy: Policy::default(),
            limits: OfflineLimits::default(),
            max_parallel_steps: 16,
            accept_new_key: false,
            refund_charged_after_cancel: false,
            receipt: ReceiptSettings::default(),
        }
    }
}

/// Why the key store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key store: {0}")]
pub struct KeyStoreError(pub String);

/// Where the app keeps secrets (Android Keystore, iOS Keychain): acquirer salts and secure
/// codes, and the key that seals sensitive database columns.
pub trait KeyStore: Send + Sync {
    /// The secret stored under `name`, if any.
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError>;
    /// Stores a secret under `name`.
    fn put(&self, name: &str, value: &[u8]) -> Result<(), KeyStoreError>;
}

/// The clock the engine reads. Tests may inject their own.
///
/// The wall clock (`now_ms`) may jump: the user sets it, time zones and network time correct
/// it. The engine measures durations on `mono_ms`, which never goes back, and uses the wall
/// clock only to place its own time line at open (see `docs/engine.md`, "Time").
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch (0 for a clock set before 1970).
    fn now_ms(&self) -> Millis;

    /// Milliseconds on a clock that never goes back and is not set by anyone (its origin is
    /// arbitrary). The default is the process's monotonic clock.
    fn mono_ms(&self) -> Millis {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        u64::try_from(ORIGIN.get_or_init(std::time::Instant::now).elapsed().as_millis())
            .unwrap_or(u64::MAX)
    }
}

/// The system's wall clock shifted by an amount that can be changed at any time, with the
/// process's monotonic clock beside it: a phone whose user sets the time. For tests and demos.
#[derive(Debug, Default)]
pub struct SteppedClock {
    shift_ms: std::sync::atomic::AtomicI64,
}

impl SteppedClock {
    /// A clock shifted by `shift_ms` from the system's (negative: behind).
    pub fn new(shift_ms: i64) -> Self {
        SteppedClock { shift_ms: std::sync::atomic::AtomicI64::new(shift_ms) }
    }

    /// Steps the wall clock by `by_ms` (negative: back); the monotonic clock does not move.
    pub fn step(&self, by_ms: i64) {
        self.shift_ms.fetch_add(by_ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for SteppedClock {
    fn now_ms(&self) -> Millis {
        let wall = i128::from(SystemClock.now_ms());
        let shifted = wall + i128::from(self.shift_ms.load(std::sync::atomic::Ordering::SeqCst));
        // A clock set before 1970 reads 0, one past the range of u64 saturates.
        u64::try_from(shifted.max(0)).unwrap_or(u64::MAX)
    }
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_millis() as Millis
    }
}

/// A key store in memory, for tests and the command line (which reads secrets from flags,
/// files or the environment).
#[derive(Debug, Default)]
pub struct MemoryKeyStore {
    values: std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

impl MemoryKeyStore {
    /// An empty key store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A key store holding one secret.
    pub fn with(name: &str, value: &[u8]) -> Self {
        let ks = Self::new();
        ks.lock().insert(name.to_string(), value.to_vec());
        ks
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Vec<u8>>> {
        self.values.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl KeyStore for MemoryKeyStore {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
        Ok(self.lock().get(name).cloned())
    }

    fn put(&self, name: &str, value: &[u8]) -> Result<(), KeyStoreError> {
        self.lock().insert(name.to_string(), value.to_vec());
        Ok(())
    }
}
