//! The acquirer settings of the cashier commands: the JSON config file, the flags and the
//! `TILLKIT_*` variables (flags win over the file), for PingPong and Oceanpayment.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tillkit_core::acquirer::oceanpayment::BillingDefaults;
use tillkit_core::acquirer::pingpong::OrderTerminal;
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::engine::{AcquirerSettings, KeyStore, MemoryKeyStore};
use tillkit_core::sign::pingpong::SignType;

use crate::connect::{AcquirerKind, ConnectArgs};
use crate::out::CliError;

/// The key-store names under which the command line keeps the secrets it was given.
pub const SALT_KEY: &str = "pingpong.salt";
/// See [`SALT_KEY`].
pub const SECURE_CODE_KEY: &str = "oceanpayment.secure_code";

/// The JSON config file (`--config`). Secrets may be here, or better in the environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Which acquirer, like `--acquirer`.
    pub acquirer: Option<AcquirerKind>,
    /// PingPong's base URL, or Oceanpayment's pay host.
    pub base_url: Option<String>,
    /// Oceanpayment's query host (queries, refunds, refund queries).
    pub query_url: Option<String>,
    /// PingPong's store id.
    pub acc_id: Option<String>,
    /// PingPong's merchant id.
    pub client_id: Option<String>,
    /// PingPong's signing salt.
    pub salt: Option<String>,
    /// PingPong's digest, `SHA256` (default) or `MD5`.
    pub sign_type: Option<String>,
    /// Oceanpayment's merchant account.
    pub account: Option<String>,
    /// Oceanpayment's terminal number.
    pub terminal: Option<String>,
    /// Oceanpayment's signing secret.
    pub secure_code: Option<String>,
    /// Oceanpayment's billing defaults.
    pub billing: Option<FileBilling>,
    /// This register's id.
    pub cashier_device_id: Option<String>,
    /// `hk` charges Alipay codes as AlipayHK.
    pub alipay_region: Option<String>,
    /// PEM files of extra CA certificates, like `--ca-cert`.
    #[serde(default)]
    pub ca_certs: Vec<PathBuf>,
    /// The receipt header: {"name", "address", "tax_id"}.
    pub merchant: Option<FileMerchant>,
    /// The merchant's UTC offset in minutes (480 for UTC+8), for receipt times.
    pub utc_offset_minutes: Option<i16>,
    /// The default receipt language: en, zh-Hans, zh-Hant.
    pub receipt_locale: Option<String>,
}

/// The merchant's receipt header in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMerchant {
    /// The shop's name.
    #[serde(default)]
    pub name: String,
    /// The address, one line.
    pub address: Option<String>,
    /// The tax or business registration number.
    pub tax_id: Option<String>,
}

/// The billing fields Oceanpayment requires even in person (the customer is anonymous, so they
/// are the merchant's); any left out takes [`default_billing`]'s value.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileBilling {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    country: Option<String>,
    state: Option<String>,
    phone: Option<String>,
    city: Option<String>,
    address: Option<String>,
    zip: Option<String>,
    ip: Option<String>,
}

/// Billing for an anonymous in-person customer when the config names none. The `.invalid`
/// address cannot reach anyone; a merchant whose account wants real values sets `billing`.
fn default_billing() -> BillingDefaults {
    BillingDefaults::walk_in("CN", "NA")
}

fn billing(file: Option<FileBilling>) -> BillingDefaults {
    let d = default_billing();
    let Some(f) = file else { return d };
    BillingDefaults {
        first_name: f.first_name.unwrap_or(d.first_name),
        last_name: f.last_name.unwrap_or(d.last_name),
        email: f.email.unwrap_or(d.email),
        country: f.country.unwrap_or(d.country),
        state: f.state.unwrap_or(d.state),
        phone: f.phone,
        city: f.city,
        address: f.address,
        zip: f.zip,
        ip: f.ip,
    }
}

/// Reads `--config`.
pub fn read_config(path: &Path) -> Result<FileConfig, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::bad_input("config", format!("cannot read {}: {e}", path.display()))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::bad_input("config", format!("{}: {e}", path.display())))
}

/// The acquirer's HTTP settings as the options say.
pub fn http_settings(args: &ConnectArgs, base_url: String, extra_roots: &[String]) -> HttpSettings {
    let mut http = HttpSettings::new(base_url);
    http.request_timeout = std::time::Duration::from_secs(args.request_timeout.max(1));
    http.extra_roots = extra_roots.to_vec();
    http
}

/// A required value, or a usage error naming its flag (and variable, for secrets).
fn need(value: Option<String>, flag: &str, acquirer: &str) -> Result<String, CliError> {
    value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        let env = match flag {
            "salt" => " (or TILLKIT_PINGPONG_SALT)",
            "secure-code" => " (or TILLKIT_OCEANPAYMENT_SECURE_CODE)",
            _ => "",
        };
        CliError::bad_input("usage", format!("--{flag}{env} is required for --acquirer {acquirer}"))
    })
}

fn keep(keys: &MemoryKeyStore, name: &str, secret: &str) -> Result<(), CliError> {
    keys.put(name, secret.as_bytes()).map_err(|e| CliError::internal(e.to_string()))
}

/// PingPong at `--base-url`; the salt goes into `keys`.
pub fn pingpong(
    args: &ConnectArgs,
    file: FileConfig,
    keys: &MemoryKeyStore,
    extra_roots: &[String],
) -> Result<AcquirerSettings, CliError> {
    let p = "pingpong";
    let salt = need(args.salt.clone().or(file.salt), "salt", p)?;
    keep(keys, SALT_KEY, &salt)?;
    let sign_type = match file.sign_type.as_deref() {
        None => SignType::Sha256,
        Some(s) => SignType::parse(s)
            .map_err(|e| CliError::bad_input("config", format!("sign_type: {e}")))?,
    };
    let base_url = need(args.base_url.clone().or(file.base_url), "base-url", p)?;
    Ok(AcquirerSettings::PingPong {
        http: http_settings(args, base_url, extra_roots),
        acc_id: need(args.acc_id.clone().or(file.acc_id), "acc-id", p)?,
        client_id: need(args.client_id.clone().or(file.client_id), "client-id", p)?,
        sign_type,
        salt_key: SALT_KEY.into(),
        // A command line is neither an iOS nor an Android app.
        order_terminal: OrderTerminal::Desktop,
    })
}

/// Oceanpayment with its pay host at `--base-url` and its query host at `--query-url`; the
/// secure code goes into `keys`.
pub fn oceanpayment(
    args: &ConnectArgs,
    file: FileConfig,
    keys: &MemoryKeyStore,
    extra_roots: &[String],
) -> Result<AcquirerSettings, CliError> {
    let o = "oceanpayment";
    let base_url = need(args.base_url.clone().or(file.base_url), "base-url", o)?;
    let account = need(args.account.clone().or(file.account), "account", o)?;
    let terminal = need(args.terminal.clone().or(file.terminal), "terminal", o)?;
    let secure_code = need(args.secure_code.clone().or(file.secure_code), "secure-code", o)?;
    keep(keys, SECURE_CODE_KEY, &secure_code)?;
    let query_url = args.query_url.clone().or(file.query_url);
    Ok(AcquirerSettings::Oceanpayment {
        http: http_settings(args, base_url, extra_roots),
        query_http: query_url.map(|url| http_settings(args, url, extra_roots)),
        account,
        terminal,
        secure_code_key: SECURE_CODE_KEY.into(),
        billing: billing(file.billing),
    })
}
