//! Pairing a terminal with the sandbox acquirer (cargo feature `sandbox`, never shipped): a
//! real acquirer issues device keys its own way, and the app stores them in its key store.

use std::sync::Arc;

use secrecy::ExposeSecret;
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::engine::KeyStore as _;

use crate::error::TillKitError;
use crate::http::HttpTransport;
use crate::platform::{KeyStore, KeyStoreBridge};
use crate::runtime::run;

/// Registers the terminal `device_sn`/`device_model` with the sandbox at `base_url` (which
/// issues a new device key and revokes any older one), stores the 32-byte key in `key_store`
/// under `device_key_name`, and returns the key's id (for `TerminalAgentConfig.keyId`). The key
/// itself never crosses to Kotlin or Swift. `http_transport` as for `TerminalAgent.open`.
#[uniffi::export(async_runtime = "tokio", default(extra_roots = [], http_transport = None))]
pub async fn register_with_sandbox(
    base_url: String,
    device_sn: String,
    device_model: String,
    key_store: Arc<dyn KeyStore>,
    device_key_name: String,
    extra_roots: Vec<String>,
    http_transport: Option<Arc<dyn HttpTransport>>,
) -> Result<String, TillKitError> {
    let transport = crate::http::transport(http_transport);
    run(async move {
        let settings = HttpSettings { extra_roots, transport, ..HttpSettings::new(base_url) };
        let registered =
            tillkit_core::agent::register_with_sandbox(&settings, &device_sn, &device_model)
                .await?;
        let key = hex::decode(registered.key.secret_hex().expose_secret())
            .map_err(|e| TillKitError::Internal { reason: format!("device key: {e}") })?;
        KeyStoreBridge(key_store).put(&device_key_name, &key).map_err(|e| {
            TillKitError::Config { reason: format!("key store: {device_key_name}: {e}") }
        })?;
        Ok(registered.key.key_id)
    })
    .await
}
