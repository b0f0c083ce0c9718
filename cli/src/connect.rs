//! Where the cashier commands send their sales: any PingPong-v4-compatible (or Oceanpayment)
//! base URL with credentials from a config file, flags or the environment — or, by default,
//! the embedded sandbox acquirer, whose ledger lives beside the cashier's data.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde::Deserialize;
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::engine::{
    AcquirerSettings, AlipayRegion, Cashier, CashierConfig, EventListener, KeyStore, KeyStoreError,
    MemoryKeyStore, DB_KEY_NAME,
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
) -> Result<Connected, String> {
    let file = match &args.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    let kind = args.acquirer.or(file.acquirer).unwrap_or(AcquirerKind::Sandbox);
    let keys = FileKeyStore { dir: args.data_dir.clone(), memory: MemoryKeyStore::new() };
    let (settings, sandbox) = match kind {
        AcquirerKind::Sandbox => {
            let config = SandboxConfig {
                listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                db_path: Some(args.data_dir.join("sandbox-ledger.db")),
                time_scale: args.sandbox_time_scale,
                ..SandboxConfig::default()
            };
            std::fs::create_dir_all(&args.data_dir).map_err(|e| e.to_string())?;
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
    let cashier = Cashier::open(config, &args.data_dir, Arc::new(keys), listener)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Connected { cashier, sandbox })
}
