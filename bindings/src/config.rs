//! How an app configures a cashier. Secrets are never here: the config names them, and the core
//! reads them from the app's [`crate::KeyStore`].

use rust_decimal::Decimal;
use tillkit_core::acquirer::pingpong::OrderTerminal;
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::engine::{
    AcquirerSettings, CashierConfig as CoreConfig, OfflineLimits as CoreLimits,
};
use tillkit_core::order::Policy;
use tillkit_core::transport::Transport;

pub use tillkit_core::acquirer::oceanpayment::BillingDefaults;
pub use tillkit_core::engine::AlipayRegion;
pub use tillkit_core::sign::pingpong::SignType;

use crate::error::TillKitError;
use crate::ints::{duration_arg, duration_ms};
use crate::receipt::ReceiptSettings;

/// PingPong's signature digest.
#[uniffi::remote(Enum)]
pub enum SignType {
    /// MD5 (legacy).
    Md5,
    /// SHA-256 (recommended).
    Sha256,
}

/// Which Alipay wallet a scanned Alipay code is charged with (the code cannot tell).
#[uniffi::remote(Enum)]
pub enum AlipayRegion {
    /// AlipayCN.
    Mainland,
    /// AlipayHK.
    HongKong,
}

/// Billing details Oceanpayment requires even in person: the merchant's defaults.
#[uniffi::remote(Record)]
pub struct BillingDefaults {
    /// First name (1–50 characters).
    pub first_name: String,
    /// Last name (1–50 characters).
    pub last_name: String,
    /// E-mail (1–50 characters).
    pub email: String,
    /// ISO 3166 alpha-2 country.
    pub country: String,
    /// State or province.
    pub state: String,
    /// Phone.
    pub phone: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// IP address.
    pub ip: Option<String>,
}

/// The platform the app runs on; PingPong's `device.orderTerminal` reports it (`04` Android,
/// `03` iOS, `02` anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Platform {
    /// An Android app.
    Android,
    /// An iOS app.
    Ios,
    /// Anything else: a desktop register, a JVM test.
    Desktop,
}

impl Platform {
    /// The platform this library was built for.
    fn of_build() -> Self {
        if cfg!(target_os = "android") {
            Platform::Android
        } else if cfg!(target_os = "ios") {
            Platform::Ios
        } else {
            Platform::Desktop
        }
    }
}

impl From<Platform> for OrderTerminal {
    fn from(p: Platform) -> Self {
        match p {
            Platform::Android => OrderTerminal::Android,
            Platform::Ios => OrderTerminal::Ios,
            Platform::Desktop => OrderTerminal::Desktop,
        }
    }
}

/// The acquirer and the merchant's account at it.
// Built once per cashier: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AcquirerConfig {
    /// PingPong Checkout v4.
    PingPong {
        /// Base URL, e.g. `https://acquirer-payment.pingpongx.com`.
        base_url: String,
        /// Merchant store id (`accId`).
        acc_id: String,
        /// Merchant id (`clientId`).
        client_id: String,
        /// Signature digest.
        sign_type: SignType,
        /// Name of the salt in the key store.
        salt_key: String,
    },
    /// Oceanpayment.
    Oceanpayment {
        /// The pay host, e.g. `https://secure.oceanpayment.com` (payments and voids).
        base_url: String,
        /// The query host, e.g. `https://query.oceanpayment.com` (queries, refunds, refund
        /// queries). `null`: Oceanpayment's documented partner of a documented pay host
        /// (`secure` → `query`, `test-secure` → `test-query`), otherwise the pay host itself.
        #[uniffi(default = None)]
        query_url: Option<String>,
        /// Merchant account.
        account: String,
        /// Terminal number.
        terminal: String,
        /// Name of the secure code in the key store.
        secure_code_key: String,
        /// Billing defaults.
        billing: BillingDefaults,
    },
}

/// Timings of the engine, in milliseconds. Start from [`default_policy`] and change fields.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PolicySettings {
    /// Shortest pause between two queries of a payment in progress.
    pub poll_min_ms: i64,
    /// Longest pause between two queries.
    pub poll_max_ms: i64,
    /// Pause between queries once a sale needs attention.
    pub slow_poll_ms: i64,
    /// How long a scanned customer code stays valid.
    pub code_validity_ms: i64,
    /// How long a code sale may wait for the customer before it is voided or flagged.
    pub user_paying_budget_ms: i64,
    /// How long a QR stays payable.
    pub qr_lifetime_ms: i64,
    /// Extra time after QR expiry before an unclosed order needs attention.
    pub qr_grace_ms: i64,
    /// How long a card sale may take on the terminal before it needs attention.
    pub terminal_timeout_ms: i64,
    /// How long a QR or card sale may wait to reach the acquirer before it fails as offline.
    pub sale_offline_budget_ms: i64,
    /// First retry delay after a transport failure.
    pub backoff_min_ms: i64,
    /// Largest retry delay.
    pub backoff_max_ms: i64,
    /// Longest a refund may wait unsent before it is dropped (no money moved).
    pub refund_max_offline_age_ms: i64,
    /// How long a sale that may have been sent but that the acquirer has not seen is still
    /// watched for a late charge (see docs/engine.md).
    #[uniffi(default = 1200000)]
    pub unseen_watch_ms: i64,
}

/// The default engine timings.
#[uniffi::export]
pub fn default_policy() -> PolicySettings {
    let p = Policy::default();
    let ms = duration_ms;
    PolicySettings {
        poll_min_ms: ms(p.poll_min),
        poll_max_ms: ms(p.poll_max),
        slow_poll_ms: ms(p.slow_poll),
        code_validity_ms: ms(p.code_validity),
        user_paying_budget_ms: ms(p.user_paying_budget),
        qr_lifetime_ms: ms(p.qr_lifetime),
        qr_grace_ms: ms(p.qr_grace),
        terminal_timeout_ms: ms(p.terminal_timeout),
        sale_offline_budget_ms: ms(p.sale_offline_budget),
        backoff_min_ms: ms(p.backoff_min),
        backoff_max_ms: ms(p.backoff_max),
        refund_max_offline_age_ms: ms(p.refund_max_offline_age),
        unseen_watch_ms: ms(p.unseen_watch),
    }
}

impl TryFrom<PolicySettings> for Policy {
    type Error = TillKitError;
    fn try_from(p: PolicySettings) -> Result<Self, TillKitError> {
        let d = duration_arg;
        Ok(Policy {
            poll_min: d("poll_min_ms", p.poll_min_ms)?,
            poll_max: d("poll_max_ms", p.poll_max_ms)?,
            slow_poll: d("slow_poll_ms", p.slow_poll_ms)?,
            code_validity: d("code_validity_ms", p.code_validity_ms)?,
            user_paying_budget: d("user_paying_budget_ms", p.user_paying_budget_ms)?,
            qr_lifetime: d("qr_lifetime_ms", p.qr_lifetime_ms)?,
            qr_grace: d("qr_grace_ms", p.qr_grace_ms)?,
            terminal_timeout: d("terminal_timeout_ms", p.terminal_timeout_ms)?,
            sale_offline_budget: d("sale_offline_budget_ms", p.sale_offline_budget_ms)?,
            backoff_min: d("backoff_min_ms", p.backoff_min_ms)?,
            backoff_max: d("backoff_max_ms", p.backoff_max_ms)?,
            refund_max_offline_age: d("refund_max_offline_age_ms", p.refund_max_offline_age_ms)?,
            unseen_watch: d("unseen_watch_ms", p.unseen_watch_ms)?,
        })
    }
}

/// Limits on refunds while the acquirer cannot be reached; amounts are decimal strings in major
/// units of the refund's currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct OfflineLimits {
    /// Largest single refund accepted while offline.
    #[uniffi(default = None)]
    pub max_refund_amount: Option<String>,
    /// Largest total of refunds waiting unsent, per currency.
    #[uniffi(default = None)]
    pub max_queued_total: Option<String>,
}

/// Everything a cashier needs besides its data directory and the app's capabilities.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CashierConfig {
    /// The acquirer.
    pub acquirer: AcquirerConfig,
    /// This register's id (`cashierDeviceId`).
    pub cashier_device_id: String,
    /// Alipay wallet for scanned Alipay codes.
    pub alipay_region: AlipayRegion,
    /// Where the acquirer posts asynchronous results (the app's server), if anywhere.
    #[uniffi(default = None)]
    pub notification_url: Option<String>,
    /// Engine timings; `null` for [`default_policy`].
    #[uniffi(default = None)]
    pub policy: Option<PolicySettings>,
    /// Offline limits.
    #[uniffi(default)]
    pub limits: OfflineLimits,
    /// How long to wait for a connection to the acquirer (failing here means "not sent").
    #[uniffi(default = 5000)]
    pub connect_timeout_ms: i64,
    /// How long to wait for an answer (failing here means "outcome unknown").
    #[uniffi(default = 20000)]
    pub request_timeout_ms: i64,
    /// When the key store lost the database key (or holds another one) while payment codes are
    /// sealed with it: `false` refuses to open (`TillKitError.KeyUnavailable`) so the app can
    /// restore it; `true` goes on with a new key, and the unsent sales whose code is lost end
    /// "not sent, ask the customer for a new code".
    #[uniffi(default = false)]
    pub accept_new_key: bool,
    /// CA certificates (PEM text) to trust besides Mozilla's public roots: a private gateway,
    /// a test CA. On Android this is the only way to add a root (see `docs/transport.md`).
    #[uniffi(default = [])]
    pub extra_roots: Vec<String>,
    /// Refund a sale charged after the cashier cancelled it, automatically (once, with a
    /// refund id derived from the sale). Off: the sale is flagged for a person to decide.
    #[uniffi(default = false)]
    pub refund_charged_after_cancel: bool,
    /// The app's platform (the Kotlin wrapper passes `ANDROID`, the Swift one `.ios`); `null`:
    /// the platform the library was built for.
    #[uniffi(default = None)]
    pub platform: Option<Platform>,
    /// The merchant header, time offset and default language of receipts; `null`: no header,
    /// UTC, English. A bad setting fails `open` with `InvalidConfig` naming it
    /// (`receipt.merchant.name`, …).
    #[uniffi(default = None)]
    pub receipt: Option<ReceiptSettings>,
}

fn decimal(field: &str, text: Option<String>) -> Result<Option<Decimal>, TillKitError> {
    text.map(|t| {
        t.trim().parse::<Decimal>().map_err(|e| TillKitError::InvalidInput {
            field: field.into(),
            reason: format!("{t:?} is not a decimal amount: {e}"),
        })
    })
    .transpose()
}

impl CashierConfig {
    /// The core's configuration, sending through `transport`.
    pub(crate) fn into_core(self, transport: Transport) -> Result<CoreConfig, TillKitError> {
        let c = self;
        let connect_timeout = duration_arg("connect_timeout_ms", c.connect_timeout_ms)?;
        let request_timeout = duration_arg("request_timeout_ms", c.request_timeout_ms)?;
        let http = |base_url: String| HttpSettings {
            base_url,
            connect_timeout,
            request_timeout,
            extra_roots: c.extra_roots.clone(),
            transport: transport.clone(),
        };
        let platform = c.platform.unwrap_or_else(Platform::of_build);
        let acquirer = match c.acquirer {
            AcquirerConfig::PingPong { base_url, acc_id, client_id, sign_type, salt_key } => {
                AcquirerSettings::PingPong {
                    http: http(base_url),
                    acc_id,
                    client_id,
                    sign_type,
                    salt_key,
                    order_terminal: platform.into(),
                }
            }
            AcquirerConfig::Oceanpayment {
                base_url,
                query_url,
                account,
                terminal,
                secure_code_key,
                billing,
            } => AcquirerSettings::Oceanpayment {
                http: http(base_url),
                query_http: query_url.map(http),
                account,
                terminal,
                secure_code_key,
                billing,
            },
        };
        let mut core = CoreConfig::new(acquirer, c.cashier_device_id);
        core.alipay_region = c.alipay_region;
        core.notification_url = c.notification_url;
        core.accept_new_key = c.accept_new_key;
        core.policy = c.policy.map(Policy::try_from).transpose()?.unwrap_or_default();
        core.refund_charged_after_cancel = c.refund_charged_after_cancel;
        if let Some(receipt) = c.receipt {
            core.receipt = receipt.try_into()?;
        }
        core.limits = CoreLimits {
            max_refund_amount: decimal("max_refund_amount", c.limits.max_refund_amount)?,
            max_queued_total: decimal("max_queued_total", c.limits.max_queued_total)?,
        };
        Ok(core)
    }
}

impl TryFrom<CashierConfig> for CoreConfig {
    type Error = TillKitError;
    /// With the bundled HTTP client.
    fn try_from(c: CashierConfig) -> Result<Self, TillKitError> {
        c.into_core(Transport::Bundled)
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
