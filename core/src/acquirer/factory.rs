//! Builds the adapter the settings name, with its secret from the app's key store. The only
//! place that knows every concrete adapter: the engine asks here and sees an [`Acquirer`].

use std::sync::Arc;

use secrecy::SecretString;

use super::oceanpayment::{Oceanpayment, OceanpaymentConfig};
use super::pingpong::{PingPong, PingPongConfig, PingPongCredentials};
use super::settings::AcquirerSettings;
use super::{Acquirer, AcquirerError};
use crate::engine::KeyStore;

/// Why an adapter could not be built. Nothing has been sent or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactoryError {
    /// A setting or secret is unusable; `field` names it (never a secret's value).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The setting or secret (`salt`, `secure_code`, `base_url`, `account`, …).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The key store failed.
    #[error("{0}")]
    KeyStore(String),
    /// The adapter refused its configuration for another reason.
    #[error("{0}")]
    Adapter(String),
}

impl From<AcquirerError> for FactoryError {
    /// A setting the adapter refused (its base URL, say) names the field.
    fn from(e: AcquirerError) -> Self {
        match e {
            AcquirerError::InvalidRequest { field, reason } => {
                FactoryError::Invalid { field, reason }
            }
            other => FactoryError::Adapter(other.to_string()),
        }
    }
}

/// A secret from the key store; `field` names it in errors (never its value).
fn secret(
    keys: &dyn KeyStore,
    name: &str,
    field: &'static str,
) -> Result<SecretString, FactoryError> {
    let invalid = |reason: String| FactoryError::Invalid { field, reason };
    let bytes = keys
        .get(name)
        .map_err(|e| FactoryError::KeyStore(e.to_string()))?
        .ok_or_else(|| invalid(format!("the key store has no secret {name:?}")))?;
    let text =
        String::from_utf8(bytes).map_err(|_| invalid(format!("secret {name:?} is not UTF-8")))?;
    if text.trim().is_empty() {
        return Err(invalid(format!("secret {name:?} is empty")));
    }
    Ok(SecretString::from(text))
}

/// Builds the configured acquirer adapter, reading its secret from the key store.
pub fn acquirer_from_settings(
    settings: &AcquirerSettings,
    keys: &dyn KeyStore,
) -> Result<Arc<dyn Acquirer>, FactoryError> {
    Ok(match settings {
        AcquirerSettings::PingPong {
            http,
            acc_id,
            client_id,
            sign_type,
            salt_key,
            order_terminal,
        } => Arc::new(
            PingPong::new(PingPongConfig {
                http: http.clone(),
                credentials: PingPongCredentials {
                    acc_id: acc_id.clone(),
                    client_id: client_id.clone(),
                    salt: secret(keys, salt_key, "salt")?,
                    sign_type: *sign_type,
                },
            })?
            .with_order_terminal(*order_terminal),
        ),
        AcquirerSettings::Oceanpayment {
            http,
            account,
            terminal,
            secure_code_key,
            billing,
            ..
        } => {
            let query_http = settings.oceanpayment_query_http().unwrap_or_else(|| http.clone());
            Arc::new(
                Oceanpayment::new(OceanpaymentConfig {
                    http: http.clone(),
                    account: account.clone(),
                    terminal: terminal.clone(),
                    secure_code: secret(keys, secure_code_key, "secure_code")?,
                    billing: billing.clone(),
                })?
                .with_query_http(&query_http)?,
            )
        }
    })
}

// The composition root: the one place that turns settings into a concrete adapter and opens a
// cashier on it, so that the engine itself names no acquirer.

/// The one place where a failure to build the adapter becomes a cashier error: a setting or
/// secret it refused is a configuration error naming the field, reported before anything is
/// written.
impl From<FactoryError> for crate::engine::CashierError {
    fn from(e: FactoryError) -> Self {
        match e {
            FactoryError::Invalid { field, reason } => {
                crate::engine::CashierError::InvalidConfig { field, reason }
            }
            FactoryError::KeyStore(reason) | FactoryError::Adapter(reason) => {
                crate::engine::CashierError::Config(reason)
            }
        }
    }
}

impl crate::engine::Cashier {
    /// Opens the cashier on `data_dir` (created if missing) with the configured acquirer.
    /// Must be called inside a tokio runtime: the driver runs on it.
    pub async fn open(
        config: crate::engine::CashierConfig,
        data_dir: &std::path::Path,
        keys: Arc<dyn KeyStore>,
        listener: Arc<dyn crate::engine::EventListener>,
    ) -> Result<crate::engine::Cashier, crate::engine::CashierError> {
        let acquirer = acquirer_from_settings(&config.acquirer, keys.as_ref())?;
        Self::open_with(
            config,
            data_dir,
            keys,
            listener,
            acquirer,
            Arc::new(crate::engine::SystemClock),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquirer::HttpSettings;
    use crate::engine::MemoryKeyStore;
    use crate::sign::pingpong::SignType;

    fn pingpong(salt_key: &str, base_url: &str) -> AcquirerSettings {
        AcquirerSettings::PingPong {
            http: HttpSettings::new(base_url),
            acc_id: "A1".into(),
            client_id: "C1".into(),
            sign_type: SignType::Sha256,
            salt_key: salt_key.into(),
            order_terminal: Default::default(),
        }
    }

    fn field(e: Result<Arc<dyn Acquirer>, FactoryError>) -> Option<&'static str> {
        match e {
            Err(FactoryError::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn a_missing_empty_or_binary_secret_is_named_and_not_shown() {
        let keys = MemoryKeyStore::new();
        keys.put("blank", b"  ").ok();
        keys.put("binary", &[0xff, 0xfe]).ok();
        for name in ["absent", "blank", "binary"] {
            let built = acquirer_from_settings(&pingpong(name, "http://127.0.0.1:1"), &keys);
            assert_eq!(field(built), Some("salt"), "{name}");
        }
    }

    #[test]
    fn an_unusable_url_is_named() {
        let keys = MemoryKeyStore::with("salt", b"s3cret");
        let built = acquirer_from_settings(&pingpong("salt", "ftp://x"), &keys);
        assert!(field(built).is_some());
        let built = acquirer_from_settings(&pingpong("salt", "http://127.0.0.1:1"), &keys);
        assert_eq!(built.map(|a| a.name()).ok(), Some("pingpong"));
    }
}
