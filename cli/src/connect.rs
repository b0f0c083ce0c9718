//! Where the cashier commands send their sales: any PingPong-v4-compatible (or Oceanpayment)
//! base URL with credentials from a config file, flags or the environment — or, by default,
//! the embedded sandbox acquirer, whose ledger lives beside the cashier's data.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde::Deserialize;
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::engine::{
    AcquirerSettings, AlipayRegion, Cashier, CashierConfig, CashierError, EventListener, KeyStore,
    KeyStoreError, MemoryKeyStore, DB_KEY_NAME,
};
use tillkit_core::sign::pingpong::SignType;
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

/// Which acquirer the cashier talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcquirerKind {
    /// The embedded sandbox (PingPong v4 endpoints), started for the command.
    Sandbox,
    /// A PingPong-v4-compatible service at `--base-url`.
    Pingpong,
}

/// Connection options shared by the cashier commands. Flags override the config file; every
/// flag can also come from the environment.
#[derive(Debug, Args, Clone)]
pub struct ConnectArgs {
    /// Directory of the cashier's data (the SQLite store and its key file).
    #[arg(long, env = "TILLKIT_DATA_DIR", default_value = "tillkit-data", global = true)]
    pub data_dir: PathBuf,
    /// A JSON config file: {"acquirer": "pingpong", "base_url": …, "acc_id": …, "client_id": …,
    /// "salt": …, "sign_type": "SHA256", "cashier_device_id": …, "alipay_region": "hk"}.
    #[arg(long, env = "TILLKIT_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// The acquirer (default: the embedded sandbox).
    #[arg(long, env = "TILLKIT_ACQUIRER", value_enum, global = true)]
    pub acquirer: Option<AcquirerKind>,
    /// Base URL of a PingPong-v4-compatible service.
    #[arg(long, env = "TILLKIT_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Merchant store id (`accId`).
    #[arg(long, env = "TILLKIT_ACC_ID", global = true)]
    pub acc_id: Option<String>,
    /// Merchant id (`clientId`).
    #[arg(long, env = "TILLKIT_CLIENT_ID", global = true)]
    pub client_id: Option<String>,
    /// Signing salt (prefer the environment variable: it stays out of shell history).
    #[arg(long, env = "TILLKIT_PINGPONG_SALT", hide_env_values = true, global = true)]
    pub salt: Option<String>,
    /// This register's id (`cashierDeviceId`).
    #[arg(long, env = "TILLKIT_CASHIER_DEVICE_ID", global = true)]
    pub cashier_device_id: Option<String>,
    /// Charge Alipay codes as AlipayHK instead of AlipayCN.
    #[arg(long, global = true)]
    pub alipay_hk: bool,
    /// Time scale of the embedded sandbox (1.0 = real time).
    #[arg(long, default_value_t = 1.0, global = true)]
    pub sandbox_time_scale: f64,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// How long to wait, in seconds, for another tillkit process using the same data
    /// directory to finish (one process at a time owns a store).
    #[arg(long, env = "TILLKIT_LOCK_WAIT", default_value_t = 30.0, global = true)]
    pub lock_wait: f64,
    /// Go on when the database key (`tillkit.key`) is lost or changed while payment codes are
    /// sealed with it: the unsent sales whose code is lost end "not sent, ask the customer for a
    /// new code". Without it, the command refuses to open the store.
    #[arg(long, global = true)]
    pub accept_new_key: bool,
}

/// Why the cashier could not be opened.
#[derive(Debug)]
pub enum ConnectError {
    /// Another process held the data directory for longer than `--lock-wait`.
    InUse(String),
    /// Anything else (configuration, store, key).
    Other(String),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::InUse(m) | ConnectError::Other(m) => f.write_str(m),
        }
    }
}

impl From<String> for ConnectError {
    fn from(message: String) -> Self {
        ConnectError::Other(message)
    }
}

/// Holds a lock file in the data directory, waiting up to `wait` for another process to let go.
/// The embedded sandbox's ledger is guarded this way before it is opened: two sandboxes on one
/// ledger would answer each other's orders with system errors.
async fn wait_for_lock(
    path: &Path,
    wait: std::time::Duration,
) -> Result<std::fs::File, ConnectError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| ConnectError::Other(format!("{}: {e}", path.display())))?;
    let deadline = std::time::Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => return Err(in_use(path, wait)),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(ConnectError::Other(format!("{}: {e}", path.display())))
            }
        }
    }
}

fn in_use(path: &Path, wait: std::time::Duration) -> ConnectError {
    ConnectError::InUse(format!(
        "{} is in use by another tillkit process (waited {:.0} s; see --lock-wait)",
        path.display(),
        wait.as_secs_f64()
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    acquirer: Option<AcquirerKind>,
    base_url: Option<String>,
    acc_id: Option<String>,
    client_id: Option<String>,
    salt: Option<String>,
    sign_type: Option<String>,
    cashier_device_id: Option<String>,
    alipay_region: Option<String>,
}

/// The cashier's database key, kept in a file of its own beside the store (never inside it),
/// readable by the owner only. On a phone this is the Keystore/Keychain's job.
struct FileKeyStore {
    dir: PathBuf,
    memory: MemoryKeyStore,
}

impl KeyStore for FileKeyStore {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
        if name != DB_KEY_NAME {
            return self.memory.get(name);
        }
        match std::fs::read(self.dir.join("tillkit.key")) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(KeyStoreError(e.to_string())),
        }
    }

    fn put(&self, name: &str, value: &[u8]) -> Result<(), KeyStoreError> {
        if name != DB_KEY_NAME {
            return self.memory.put(name, value);
        }
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::create_dir_all(&self.dir).map_err(|e| KeyStoreError(e.to_string()))?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(self.dir.join("tillkit.key"))
            .map_err(|e| KeyStoreError(e.to_string()))?;
        file.write_all(value)
            .and_then(|_| file.sync_all())
            .map_err(|e| KeyStoreError(e.to_string()))
    }
}

/// An open cashier, and the embedded sandbox when it is the acquirer.
pub struct Connected {
    /// The engine.
    pub cashier: Cashier,
    /// The embedded sandbox, if used.
    pub sandbox: Option<SandboxHandle>,
    /// The embedded sandbox's ledger lock, released when the command ends.
    _ledger_lock: Option<std::fs::File>,
}

impl Connected {
    /// Stops the engine and the sandbox; unsettled work stays in the store.
    pub async fn close(self) {
        self.cashier.close().await;
        if let Some(sb) = self.sandbox {
            sb.shutdown().await;
        }
    }
}

fn read_config(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Opens the cashier as the options say.
pub async fn connect(
    args: &ConnectArgs,
    listener: Arc<dyn EventListener>,
) -> Result<Connected, ConnectError> {
    let wait = std::time::Duration::try_from_secs_f64(args.lock_wait.max(0.0))
        .map_err(|e| ConnectError::Other(format!("--lock-wait: {e}")))?;
    let file = match &args.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    let kind = args.acquirer.or(file.acquirer).unwrap_or(AcquirerKind::Sandbox);
    let keys = FileKeyStore { dir: args.data_dir.clone(), memory: MemoryKeyStore::new() };
    let mut ledger_lock = None;
    let (settings, sandbox) = match kind {
        AcquirerKind::Sandbox => {
            let config = SandboxConfig {
                listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                db_path: Some(args.data_dir.join("sandbox-ledger.db")),
                time_scale: args.sandbox_time_scale,
                ..SandboxConfig::default()
            };
            std::fs::create_dir_all(&args.data_dir).map_err(|e| e.to_string())?;
            ledger_lock =
                Some(wait_for_lock(&args.data_dir.join("sandbox-ledger.lock"), wait).await?);
            let sb = Sandbox::start(config).await.map_err(|e| format!("embedded sandbox: {e}"))?;
            let c = &sb.credentials().pingpong;
            use secrecy::ExposeSecret;
            keys.memory
                .put("pingpong.salt", c.salt.expose_secret().as_bytes())
                .map_err(|e| e.to_string())?;
            let settings = AcquirerSettings::PingPong {
                http: HttpSettings::new(sb.url()),
                acc_id: c.acc_id.clone(),
                client_id: c.client_id.clone(),
                sign_type: SignType::Sha256,
                salt_key: "pingpong.salt".into(),
            };
            (settings, Some(sb))
        }
        AcquirerKind::Pingpong => {
            let need = |v: Option<String>, what: &str| {
                v.ok_or_else(|| format!("--{what} is required for --acquirer pingpong"))
            };
            let salt = need(args.salt.clone().or(file.salt), "salt")?;
            keys.memory.put("pingpong.salt", salt.as_bytes()).map_err(|e| e.to_string())?;
            let sign_type = match file.sign_type.as_deref() {
                None => SignType::Sha256,
                Some(s) => SignType::parse(s).map_err(|e| e.to_string())?,
            };
            let settings = AcquirerSettings::PingPong {
                http: HttpSettings::new(need(args.base_url.clone().or(file.base_url), "base-url")?),
                acc_id: need(args.acc_id.clone().or(file.acc_id), "acc-id")?,
                client_id: need(args.client_id.clone().or(file.client_id), "client-id")?,
                sign_type,
                salt_key: "pingpong.salt".into(),
            };
            (settings, None)
        }
    };
    let device = args
        .cashier_device_id
        .clone()
        .or(file.cashier_device_id)
        .unwrap_or_else(|| "TILLKIT-CLI".into());
    let mut config = CashierConfig::new(settings, device);
    if args.alipay_hk || file.alipay_region.as_deref() == Some("hk") {
        config.alipay_region = AlipayRegion::HongKong;
    }
    config.accept_new_key = args.accept_new_key;
    let keys: Arc<dyn KeyStore> = Arc::new(keys);
    let deadline = std::time::Instant::now() + wait;
    let cashier = loop {
        match Cashier::open(config.clone(), &args.data_dir, keys.clone(), listener.clone()).await {
            Ok(cashier) => break cashier,
            Err(CashierError::StoreInUse { .. }) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(CashierError::StoreInUse { .. }) => return Err(in_use(&args.data_dir, wait)),
            Err(e) => return Err(ConnectError::Other(e.to_string())),
        }
    };
    Ok(Connected { cashier, sandbox, _ledger_lock: ledger_lock })
}
