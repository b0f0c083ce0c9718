//! Which acquirer a cashier talks to, and every endpoint it needs. Secrets are not here: they
//! are named, and read from the app's key store when the adapter is built (see
//! [`super::factory`]).

use super::HttpSettings;
use crate::sign::pingpong::SignType;

/// Billing details sent with every payment. Oceanpayment requires them even in person, where
/// the customer is anonymous, so they are the merchant's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingDefaults {
    /// `billing_firstName` (1–50 characters).
    pub first_name: String,
    /// `billing_lastName` (1–50 characters).
    pub last_name: String,
    /// `billing_email` (1–50 characters).
    pub email: String,
    /// `billing_country`, ISO 3166 alpha-2 (1–100 characters).
    pub country: String,
    /// `billing_state` (1–100 characters).
    pub state: String,
    /// `billing_phone`, when set.
    pub phone: Option<String>,
    /// `billing_city`, when set.
    pub city: Option<String>,
    /// `billing_address`, when set.
    pub address: Option<String>,
    /// `billing_zip`, when set.
    pub zip: Option<String>,
    /// `billing_ip`, when set.
    pub ip: Option<String>,
}

impl BillingDefaults {
    /// An anonymous in-person customer in `country` / `state`: "Walk-in Customer" with an
    /// address under `.invalid`, which cannot reach anyone. A merchant whose account wants real
    /// values sets them instead.
    pub fn walk_in(country: &str, state: &str) -> Self {
        BillingDefaults {
            first_name: "Walk-in".into(),
            last_name: "Customer".into(),
            email: "in-person@tillkit.invalid".into(),
            country: country.into(),
            state: state.into(),
            phone: None,
            city: None,
            address: None,
            zip: None,
            ip: None,
        }
    }
}

/// What PingPong's `device.orderTerminal` says about the client (API notes §1: `01` mobile
/// browser, `02` PC browser, `03` SDK iOS, `04` SDK Android). TillKit is an SDK inside an iOS
/// or Android app, or a desktop program that is neither (choice P16).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum OrderTerminal {
    /// A desktop register, a server or the command line: `02`.
    #[default]
    Desktop,
    /// An iOS app: `03`.
    Ios,
    /// An Android app: `04`.
    Android,
}

/// Which acquirer, and where.
// Built once per cashier: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum AcquirerSettings {
    /// PingPong Checkout v4.
    PingPong {
        /// Base URL and timeouts.
        http: HttpSettings,
        /// Merchant store id.
        acc_id: String,
        /// Merchant id.
        client_id: String,
        /// Digest.
        sign_type: SignType,
        /// Name of the salt in the key store.
        salt_key: String,
        /// What `device.orderTerminal` says: the app's platform (`04` Android, `03` iOS,
        /// `02` anything else; docs/acquirer-choices.md P16).
        order_terminal: OrderTerminal,
    },
    /// Oceanpayment.
    Oceanpayment {
        /// The pay host (`https://secure.oceanpayment.com`): payments and voids; its timeouts
        /// and extra roots are also those of the query host when `query_http` is `None`.
        http: HttpSettings,
        /// The query host (`https://query.oceanpayment.com`): order queries, refunds and refund
        /// queries. `None`: see [`oceanpayment_query_url`].
        query_http: Option<HttpSettings>,
        /// Merchant account.
        account: String,
        /// Terminal number.
        terminal: String,
        /// Name of the secure code in the key store.
        secure_code_key: String,
        /// Billing fields the pay request requires even in person.
        billing: BillingDefaults,
    },
}

/// Oceanpayment's documented host pairs (API notes §2.1): pay host → query host.
const OCEANPAYMENT_HOSTS: [(&str, &str); 2] = [
    ("https://secure.oceanpayment.com", "https://query.oceanpayment.com"),
    ("https://test-secure.oceanpayment.com", "https://test-query.oceanpayment.com"),
];

/// The query host used when only the pay host is configured: Oceanpayment's documented
/// partner of a documented pay host (`secure` → `query`, `test-secure` → `test-query`), and
/// otherwise the pay host itself (the sandbox and compatible services serve every endpoint on
/// one host).
pub fn oceanpayment_query_url(pay_url: &str) -> String {
    let trimmed = pay_url.trim_end_matches('/');
    OCEANPAYMENT_HOSTS
        .iter()
        .find(|(pay, _)| trimmed.eq_ignore_ascii_case(pay))
        .map_or_else(|| pay_url.to_string(), |(_, query)| (*query).to_string())
}

impl AcquirerSettings {
    /// Oceanpayment's query host as configured, or derived from the pay host; `None` for
    /// another acquirer.
    pub fn oceanpayment_query_http(&self) -> Option<HttpSettings> {
        match self {
            AcquirerSettings::Oceanpayment { http, query_http, .. } => {
                Some(query_http.clone().unwrap_or_else(|| HttpSettings {
                    base_url: oceanpayment_query_url(&http.base_url),
                    ..http.clone()
                }))
            }
            AcquirerSettings::PingPong { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_pay_hosts_pair_with_their_query_hosts() {
        let q = oceanpayment_query_url;
        assert_eq!(q("https://secure.oceanpayment.com"), "https://query.oceanpayment.com");
        assert_eq!(q("https://secure.oceanpayment.com/"), "https://query.oceanpayment.com");
        assert_eq!(
            q("https://test-secure.oceanpayment.com"),
            "https://test-query.oceanpayment.com"
        );
        // Anything else (the sandbox, a gateway) serves queries itself.
        assert_eq!(q("http://127.0.0.1:8787"), "http://127.0.0.1:8787");
        assert_eq!(
            q("https://secure.oceanpayment.com.example"),
            "https://secure.oceanpayment.com.example"
        );
    }

    fn billing() -> BillingDefaults {
        BillingDefaults::walk_in("CN", "GD")
    }

    #[test]
    fn a_derived_query_host_keeps_the_pay_hosts_timeouts() {
        let mut pay = HttpSettings::new("https://test-secure.oceanpayment.com");
        pay.request_timeout = std::time::Duration::from_secs(7);
        let s = AcquirerSettings::Oceanpayment {
            http: pay,
            query_http: None,
            account: "995378".into(),
            terminal: "99537801".into(),
            secure_code_key: "sc".into(),
            billing: billing(),
        };
        let query = s.oceanpayment_query_http().unwrap_or_else(|| HttpSettings::new(""));
        assert_eq!(query.base_url, "https://test-query.oceanpayment.com");
        assert_eq!(query.request_timeout, std::time::Duration::from_secs(7));
    }

    #[test]
    fn an_explicit_query_host_wins_and_keeps_its_own_timeouts() {
        let mut query = HttpSettings::new("https://query.example");
        query.request_timeout = std::time::Duration::from_secs(3);
        let s = AcquirerSettings::Oceanpayment {
            http: HttpSettings::new("https://secure.oceanpayment.com"),
            query_http: Some(query.clone()),
            account: "995378".into(),
            terminal: "99537801".into(),
            secure_code_key: "sc".into(),
            billing: billing(),
        };
        assert_eq!(s.oceanpayment_query_http(), Some(query));
    }
}
