//! Where the cashier commands send their sales: any PingPong-v4-compatible base URL or
//! Oceanpayment pay and query hosts, with credentials from a config file, flags or the
//! environment (see [`crate::settings`]) — or, by default, the embedded sandbox acquirer, whose
//! ledger lives beside the cashier's data.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde::Deserialize;
use tillkit_core::engine::{
    AcquirerSettings, AlipayRegion, Cashier, CashierConfig, CashierError, EventListener, KeyStore,
    KeyStoreError, MemoryKeyStore, DB_KEY_NAME,
};
use tillkit_core::sign::pingpong::SignType;
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

use crate::out::CliError;
use crate::settings;

/// Which acquirer the cashier talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcquirerKind {
    /// The embedded sandbox (PingPong v4 endpoints), started for the command.
    Sandbox,
    /// A PingPong-v4-compatible service at `--base-url`.
    Pingpong,
    /// Oceanpayment: the pay host at `--base-url`, the query host at `--query-url`.
    Oceanpayment,
}

/// Connection options shared by the cashier commands (only those: `sandbox`, `sign`, `scan`,
/// … refuse them). Flags override the config file; most can also come from the environment.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Connection options (also before the command)")]
pub struct ConnectArgs {
    /// Directory of the cashier's data (the SQLite store and its key file).
    #[arg(long, env = "TILLKIT_DATA_DIR", default_value = "tillkit-data", global = true)]
    pub data_dir: PathBuf,
    /// A JSON config file: {"acquirer": "pingpong", "base_url": …, "acc_id": …, "client_id": …,
    /// "salt": …, "sign_type": "SHA256", "cashier_device_id": …, "alipay_region": "hk",
    /// "ca_certs": ["ca.pem"]}, or for Oceanpayment {"acquirer": "oceanpayment", "base_url": …,
    /// "query_url": …, "account": …, "terminal": …, "secure_code": …, "billing": {"first_name":
    /// …, "last_name": …, "email": …, "country": …, "state": …}}.
    #[arg(long, env = "TILLKIT_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// The acquirer (default: the embedded sandbox).
    #[arg(long, env = "TILLKIT_ACQUIRER", value_enum, global = true)]
    pub acquirer: Option<AcquirerKind>,
    /// Base URL of a PingPong-v4-compatible service, or Oceanpayment's pay host
    /// (`https://secure.oceanpayment.com`).
    #[arg(long, env = "TILLKIT_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Oceanpayment's query host for queries, refunds and refund queries
    /// (`https://query.oceanpayment.com`). Default: the documented partner of a documented pay
    /// host (`secure` → `query`, `test-secure` → `test-query`), otherwise `--base-url`.
    #[arg(long, env = "TILLKIT_QUERY_URL", global = true)]
    pub query_url: Option<String>,
    /// Oceanpayment merchant account (`account`).
    #[arg(long, env = "TILLKIT_OCEANPAYMENT_ACCOUNT", global = true)]
    pub account: Option<String>,
    /// Oceanpayment terminal number (`terminal`).
    #[arg(long, env = "TILLKIT_OCEANPAYMENT_TERMINAL", global = true)]
    pub terminal: Option<String>,
    /// Oceanpayment signing secret (prefer the environment variable: it stays out of shell
    /// history).
    #[arg(long, env = "TILLKIT_OCEANPAYMENT_SECURE_CODE", hide_env_values = true, global = true)]
    pub secure_code: Option<String>,
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
    /// Print JSON instead of text (errors too: one object on standard output).
    #[arg(long, global = true)]
    pub json: bool,
    /// A CA certificate (PEM file) to trust for the acquirer's HTTPS besides Mozilla's public
    /// roots; repeatable.
    #[arg(long = "ca-cert", value_name = "FILE", global = true)]
    pub ca_certs: Vec<PathBuf>,
    /// How long `pay`, `refund` and `cancel` wait for a final state, in seconds (then they
    /// print the state and what to do next). The command returns within about this time.
    #[arg(long, default_value_t = 90, value_name = "SECS", global = true)]
    pub max_wait: u64,
    /// How long to wait for one acquirer answer, in seconds (then the outcome is unknown and
    /// is resolved by query).
    #[arg(long, default_value_t = 20, value_name = "SECS", global = true)]
    pub request_timeout: u64,
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

/// Holds a lock file in the data directory, waiting up to `wait` for another process to let go.
/// The embedded sandbox's ledger is guarded this way before it is opened: two sandboxes on one
/// ledger would answer each other's orders with system errors.
async fn wait_for_lock(path: &Path, wait: std::time::Duration) -> Result<std::fs::File, CliError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| CliError::internal(format!("{}: {e}", path.display())))?;
    let deadline = std::time::Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => return Err(in_use(path, wait)),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(CliError::internal(format!("{}: {e}", path.display())))
            }
        }
    }
}

fn in_use(path: &Path, wait: std::time::Duration) -> CliError {
    CliError {
        exit: crate::exit::STORE_IN_USE,
        kind: "store_in_use",
        message: format!(
            "{} is in use by another tillkit process (waited {:.0} s; see --lock-wait)",
            path.display(),
            wait.as_secs_f64()
        ),
    }
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
        tillkit_core::store::create_private_dir(&self.dir)
            .map_err(|e| KeyStoreError(e.to_string()))?;
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

/// Reads the PEM files of `--ca-cert` and the config's `ca_certs`; the engine checks that
/// they hold certificates.
fn read_ca_certs(paths: &[PathBuf]) -> Result<Vec<String>, CliError> {
    paths
        .iter()
        .map(|p| {
            std::fs::read_to_string(p).map_err(|e| {
                CliError::bad_input("ca_cert", format!("--ca-cert {}: {e}", p.display()))
            })
        })
        .collect()
}

/// Opens the cashier as the options say.
pub async fn connect(
    args: &ConnectArgs,
    listener: Arc<dyn EventListener>,
) -> Result<Connected, CliError> {
    let wait = std::time::Duration::try_from_secs_f64(args.lock_wait.max(0.0))
        .map_err(|e| CliError::bad_input("lock_wait", format!("--lock-wait: {e}")))?;
    let mut file = match &args.config {
        Some(path) => settings::read_config(path)?,
        None => settings::FileConfig::default(),
    };
    let file_device = file.cashier_device_id.take();
    let (file_merchant, file_offset, file_locale) =
        (file.merchant.take(), file.utc_offset_minutes, file.receipt_locale.take());
    let alipay_hk = args.alipay_hk || file.alipay_region.as_deref() == Some("hk");
    let mut ca_paths = file.ca_certs.clone();
    ca_paths.extend(args.ca_certs.iter().cloned());
    let extra_roots = read_ca_certs(&ca_paths)?;
    let kind = args.acquirer.or(file.acquirer).unwrap_or(AcquirerKind::Sandbox);
    let keys = FileKeyStore { dir: args.data_dir.clone(), memory: MemoryKeyStore::new() };
    let mut ledger_lock = None;
    let (settings, sandbox) = match kind {
        AcquirerKind::Sandbox => {
            let config = SandboxConfig {
                listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                db_path: Some(args.data_dir.join("sandbox-ledger.db")),
                time_scale: args.sandbox_time_scale,
                // No terminal agent can reach a sandbox that lives as long as one command.
                terminals: tillkit_sandbox::TerminalMode::AutoSettle,
                ..SandboxConfig::default()
            };
            tillkit_core::store::create_private_dir(&args.data_dir)
                .map_err(|e| CliError::internal(format!("{}: {e}", args.data_dir.display())))?;
            ledger_lock =
                Some(wait_for_lock(&args.data_dir.join("sandbox-ledger.lock"), wait).await?);
            let sb = Sandbox::start(config)
                .await
                .map_err(|e| CliError::internal(format!("embedded sandbox: {e}")))?;
            let c = &sb.credentials().pingpong;
            use secrecy::ExposeSecret;
            keys.memory
                .put(settings::SALT_KEY, c.salt.expose_secret().as_bytes())
                .map_err(|e| CliError::internal(e.to_string()))?;
            let settings = AcquirerSettings::PingPong {
                http: settings::http_settings(args, sb.url(), &extra_roots),
                acc_id: c.acc_id.clone(),
                client_id: c.client_id.clone(),
                sign_type: SignType::Sha256,
                salt_key: settings::SALT_KEY.into(),
                order_terminal: Default::default(),
            };
            (settings, Some(sb))
        }
        AcquirerKind::Pingpong => {
            (settings::pingpong(args, file, &keys.memory, &extra_roots)?, None)
        }
        AcquirerKind::Oceanpayment => {
            (settings::oceanpayment(args, file, &keys.memory, &extra_roots)?, None)
        }
    };
    let device =
        args.cashier_device_id.clone().or(file_device).unwrap_or_else(|| "TILLKIT-CLI".into());
    let mut config = CashierConfig::new(settings, device);
    if alipay_hk {
        config.alipay_region = AlipayRegion::HongKong;
    }
    config.accept_new_key = args.accept_new_key;
    if let Some(m) = file_merchant {
        config.receipt.merchant = tillkit_core::receipt::MerchantInfo {
            name: m.name,
            address: m.address,
            tax_id: m.tax_id,
        };
    }
    config.receipt.utc_offset_minutes = file_offset.unwrap_or(0);
    if let Some(tag) = &file_locale {
        config.receipt.locale = tillkit_core::receipt::Locale::from_tag(tag);
    }
    let keys: Arc<dyn KeyStore> = Arc::new(keys);
    let deadline = std::time::Instant::now() + wait;
    let cashier = loop {
        match Cashier::open(config.clone(), &args.data_dir, keys.clone(), listener.clone()).await {
            Ok(cashier) => break cashier,
            Err(CashierError::StoreInUse { .. }) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(CashierError::StoreInUse { .. }) => return Err(in_use(&args.data_dir, wait)),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(Connected { cashier, sandbox, _ledger_lock: ledger_lock })
}
