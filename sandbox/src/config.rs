//! How a sandbox is started: where it listens, where it keeps its ledger, how fast time runs,
//! and the test credentials it accepts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

/// Everything [`crate::Sandbox::start`] needs.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to listen on; `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// SQLite ledger file. `None` keeps the ledger in memory (lost at shutdown).
    pub db_path: Option<PathBuf>,
    /// Multiplies every sandbox duration: `1.0` is real time, `0.01` runs 100 times faster.
    /// Must be greater than zero and at most 1000.
    pub time_scale: f64,
    /// Unscaled durations of the simulated world.
    pub timings: ScenarioTimings,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// How often the background ticker settles due payments and sends notifications (real time,
    /// not scaled).
    pub tick: Duration,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<crate::tls::TlsIdentity>,
    /// Who takes the card sales of terminals registered without a key (the built-in ones).
    pub terminals: TerminalMode,
}

/// How the sandbox's card terminals take card sales (docs/terminal-channel.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TerminalMode {
    /// Every card sale waits for a terminal agent polling the device channel; a terminal whose
    /// agent has not polled recently is unreachable.
    #[default]
    Agent,
    /// Terminals without a device key settle card sales by themselves after
    /// [`ScenarioTimings::card_terminal_takes`]; terminals registered with a key still go
    /// through the device channel.
    AutoSettle,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_path: None,
            time_scale: 1.0,
            timings: ScenarioTimings::default(),
            body_limit: 64 * 1024,
            tick: Duration::from_millis(50),
            tls: None,
            terminals: TerminalMode::default(),
        }
    }
}

/// Durations of the simulated customer, terminal and network, before scaling by
/// [`SandboxConfig::time_scale`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioTimings {
    /// How long the sandbox customer takes to scan and pay a merchant-presented QR code.
    pub qr_customer_pays_after: Duration,
    /// How long a simulated card terminal takes for a tap or insert.
    pub card_terminal_takes: Duration,
    /// Scenarios 52 and 53: how long the customer is "paying" (entering a password).
    pub user_paying: Duration,
    /// Scenario 55: how long the answer is held back after the order is committed.
    pub slow_response: Duration,
    /// Lifetime of a QR or card order when the request has no `timeExpire`.
    pub default_expiry: Duration,
}

impl Default for ScenarioTimings {
    fn default() -> Self {
        ScenarioTimings {
            qr_customer_pays_after: Duration::from_secs(5),
            card_terminal_takes: Duration::from_secs(3),
            user_paying: Duration::from_secs(10),
            slow_response: Duration::from_secs(5),
            default_expiry: Duration::from_secs(5 * 60),
        }
    }
}

/// The published test accounts the sandbox accepts, and signs its answers with.
#[derive(Debug, Clone)]
pub struct SandboxCredentials {
    /// PingPong Checkout v4 credentials.
    pub pingpong: PingPongCredentials,
    /// Oceanpayment credentials.
    pub oceanpayment: OceanpaymentCredentials,
}

/// PingPong's store id, merchant id and signing salt.
#[derive(Debug, Clone)]
pub struct PingPongCredentials {
    /// `accId` (merchant store id).
    pub acc_id: String,
    /// `clientId` (merchant id).
    pub client_id: String,
    /// The signing salt.
    pub salt: SecretString,
}

/// Oceanpayment's account, terminal and secure code.
#[derive(Debug, Clone)]
pub struct OceanpaymentCredentials {
    /// `account`.
    pub account: String,
    /// `terminal`.
    pub terminal: String,
    /// The secure code that ends every `signValue`.
    pub secure_code: SecretString,
}

impl Default for SandboxCredentials {
    /// PingPong's published Sandbox-accId-A and Oceanpayment's public Postman test account.
    fn default() -> Self {
        SandboxCredentials {
            pingpong: PingPongCredentials {
                acc_id: "2018092714313010016291".into(),
                client_id: "2018092714313010016".into(),
                salt: SecretString::from("F78BC96A55548B2319EE68E0".to_string()),
            },
            oceanpayment: OceanpaymentCredentials {
                account: "995378".into(),
                terminal: "99537801".into(),
                secure_code: SecretString::from("12345678".to_string()),
            },
        }
    }
}
