//! TillKit's sandbox acquirer: a local HTTP server that emulates PingPong Checkout v4 and
//! Oceanpayment's in-person APIs, for tests, demos and developers without credentials.
//!
//! Start one with [`Sandbox::start`]; it listens on loopback, keeps its books in SQLite
//! ([`ledger::Ledger`]), plays deterministic scenarios chosen by the amount's cents
//! ([`scenario::Scenario`]) and notifies only receivers on this machine. `README.md` documents
//! the endpoints, the scenarios and the codes.

pub mod clock;
pub mod config;
mod device;
mod inspect;
pub mod ledger;
mod notify;
mod oceanpayment;
mod pingpong;
pub mod proxy;
mod reply;
pub mod scenario;
mod server;
mod state;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    OceanpaymentCredentials, PingPongCredentials, SandboxConfig, SandboxCredentials,
    ScenarioTimings, TerminalMode,
};
pub use device::keys::KeyError;
pub use ledger::model::{Acquirer, Attempt, Flow, PaymentStatus, Reason, Refund, Terminal};
pub use ledger::{Ledger, LedgerError, LedgerRow, Notification, NotificationState, OrderView};

use clock::Clock;
use state::AppState;

/// Terminals every sandbox knows from the start.
pub const DEFAULT_TERMINALS: [(&str, &str); 2] =
    [("SANDBOX-T1", "PAX-A920"), ("SANDBOX-T2", "SUNMI-P2")];

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A configuration value is out of range.
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The ledger could not be opened.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The notification client could not be built.
    #[error("cannot build the notification client: {0}")]
    Client(#[from] reqwest::Error),
    /// The device key master secret could not be loaded or made.
    #[error(transparent)]
    DeviceKeys(#[from] KeyError),
    /// Waiting for Ctrl-C failed.
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(std::io::Error),
}

/// The sandbox acquirer.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Opens the ledger, binds the listener and starts the server and the background worker.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
        if !(config.time_scale.is_finite()
            && config.time_scale > 0.0
            && config.time_scale <= 1000.0)
        {
            return Err(SandboxError::Config(format!(
                "time_scale must be in (0, 1000], got {}",
                config.time_scale
            )));
        }
        if config.tick.is_zero() {
            return Err(SandboxError::Config("tick must be greater than zero".into()));
        }
        // reqwest is built without a default TLS provider; notifications are plain HTTP, but the
        // client still wants one installed. Another part of the process may have done it first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let clock = Clock::new(config.time_scale);
        let ledger = Ledger::open(config.db_path.as_deref(), clock, config.timings.clone())?
            .with_terminal_mode(config.terminals);
        let ledger = Arc::new(ledger);
        let device_master = device::keys::DeviceMaster::load_or_create(config.db_path.as_deref())?;
        for (device_sn, device_model) in DEFAULT_TERMINALS {
            let t = Terminal { device_sn: device_sn.into(), device_model: device_model.into() };
            ledger.register_terminal(&t)?;
        }
        let acceptor = config.tls.as_ref().map(tls::TlsIdentity::acceptor).transpose()?;
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| SandboxError::Bind { addr: config.listen, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr: config.listen, source })?;
        let credentials = SandboxCredentials::default();
        let app = Arc::new(AppState {
            ledger: ledger.clone(),
            credentials: credentials.clone(),
            clock,
            timings: config.timings.clone(),
            base_url: format!("{scheme}://{addr}"),
            device_master: device_master.clone(),
        });
        let router = Router::new()
            .merge(pingpong::routes())
            .merge(oceanpayment::routes())
            .merge(inspect::routes())
            .merge(device::routes())
            .layer(DefaultBodyLimit::max(config.body_limit))
            .with_state(app.clone());
        let client = reqwest::Client::builder().no_proxy().build()?;
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(server::serve(listener, router, acceptor, stopped.clone())),
            tokio::spawn(notify::run(app, client, config.tick, stopped)),
        ];
        let terminals = config.terminals;
        Ok(SandboxHandle {
            addr,
            scheme,
            credentials,
            ledger,
            device_master,
            terminals,
            stop,
            tasks,
        })
    }
}

/// A running sandbox. Dropping it stops the sandbox too (without waiting).
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    scheme: &'static str,
    credentials: SandboxCredentials,
    ledger: Arc<Ledger>,
    device_master: device::keys::DeviceMaster,
    terminals: TerminalMode,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT` (`https://` when serving TLS), without a trailing slash.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The test credentials the sandbox accepts and signs with.
    pub fn credentials(&self) -> &SandboxCredentials {
        &self.credentials
    }

    /// Direct access to the books.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// An order with its attempts, charges and refunds.
    pub fn order(
        &self,
        acquirer: Acquirer,
        merchant_transaction_id: &str,
    ) -> Result<Option<OrderView>, LedgerError> {
        self.ledger.order(acquirer, merchant_transaction_id)
    }

    /// Every order with its number of successful charges and its totals.
    pub fn ledger_rows(&self) -> Result<Vec<LedgerRow>, LedgerError> {
        self.ledger.rows()
    }

    /// Every refund and void reversal, oldest first.
    pub fn refunds(&self) -> Result<Vec<Refund>, LedgerError> {
        self.ledger.refunds()
    }

    /// Every queued, delivered or failed notification.
    pub fn notifications(&self) -> Result<Vec<Notification>, LedgerError> {
        self.ledger.notifications()
    }

    /// Registers another simulated card terminal.
    pub fn register_terminal(
        &self,
        device_sn: &str,
        device_model: &str,
    ) -> Result<(), LedgerError> {
        let t = Terminal { device_sn: device_sn.into(), device_model: device_model.into() };
        self.ledger.register_terminal(&t)
    }

    /// Registers a terminal served through the device channel and issues its key, revoking any
    /// previous one: returns the key id and the key's 64 hex digits (hand them to the agent).
    pub fn register_device(
        &self,
        device_sn: &str,
        device_model: &str,
    ) -> Result<(String, SecretString), SandboxError> {
        let t = Terminal { device_sn: device_sn.into(), device_model: device_model.into() };
        let key = device::keys::issue(&self.ledger, &self.device_master, &t)?;
        Ok((key.key_id.clone(), key.secret_hex()))
    }

    /// Stops accepting, closes every connection, stops the worker and waits for both.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// The text `tillkit sandbox` prints: where the sandbox listens and the credentials to use.
pub fn banner(handle: &SandboxHandle) -> String {
    let c = handle.credentials();
    let url = handle.url();
    format!(
        "TillKit sandbox acquirer listening on {url}\n\
         \n\
         PingPong Checkout v4   base URL {url}\n\
         \x20 accId     {}\n\
         \x20 clientId  {}\n\
         \x20 salt      {}\n\
         Oceanpayment           base URL {url}\n\
         \x20 account      {}\n\
         \x20 terminal     {}\n\
         \x20 secure code  {}\n\
         \n\
         Card terminals: {}\n\
         {}\n\
         Scenarios by the amount's cents: 51 decline, 52 customer paying, 53 customer cancels,\n\
         54 processing forever, 55 slow answer, 56 dropped connection, 57 HTTP 500,\n\
         58 garbled answer, 59 bad signature; anything else succeeds.\n\
         Inspect: {url}/sandbox/ledger, {url}/sandbox/orders/ID, {url}/sandbox/notifications\n",
        c.pingpong.acc_id,
        c.pingpong.client_id,
        c.pingpong.salt.expose_secret(),
        c.oceanpayment.account,
        c.oceanpayment.terminal,
        c.oceanpayment.secure_code.expose_secret(),
        DEFAULT_TERMINALS.iter().map(|(sn, m)| format!("{sn}/{m}")).collect::<Vec<_>>().join(", "),
        match handle.terminals {
            TerminalMode::Agent => format!(
                "Card sales wait for a terminal agent polling {url}/device/v1/inbox (register a \
                 terminal's key: POST {url}/sandbox/terminals)."
            ),
            TerminalMode::AutoSettle => "Card sales on terminals without a device key settle by \
                themselves (--auto-settle-cards)."
                .to_string(),
        },
    )
}

/// Runs a sandbox until Ctrl-C: prints the [`banner`] to stdout, then waits.
pub async fn run_until_ctrl_c(config: SandboxConfig) -> Result<(), SandboxError> {
    let handle = Sandbox::start(config).await?;
    println!("{}", banner(&handle));
    let waited = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    waited.map_err(SandboxError::Signal)
}
