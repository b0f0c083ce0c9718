//! Opening a cashier: the store, the secrets, the acquirer, recovery, and the driver.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU8};
use std::sync::Arc;

use secrecy::SecretString;

use super::config::{AcquirerSettings, CashierConfig, Clock, KeyStore, SystemClock};
use super::error::CashierError;
use super::events::EventListener;
use super::{driver, locks, Cashier, Inner, DB_KEY_NAME};
use crate::acquirer::oceanpayment::{Oceanpayment, OceanpaymentConfig};
use crate::acquirer::pingpong::{PingPong, PingPongConfig, PingPongCredentials};
use crate::acquirer::Acquirer;
use crate::order::{AttemptEvent, AttemptStatus, RefundEvent, RefundState, SaleStatus};
use crate::store::{self, Entity, Store};

/// The database file inside the data directory.
pub const DB_FILE: &str = "tillkit.db";

fn secret(keys: &dyn KeyStore, name: &str) -> Result<SecretString, CashierError> {
    let bytes = keys
        .get(name)
        .map_err(|e| CashierError::Config(e.to_string()))?
        .ok_or_else(|| CashierError::Config(format!("the key store has no secret {name:?}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CashierError::Config(format!("secret {name:?} is not UTF-8")))?;
    Ok(SecretString::from(text))
}

/// Builds the configured acquirer adapter, reading its secret from the key store.
pub fn acquirer_from_settings(
    settings: &AcquirerSettings,
    keys: &dyn KeyStore,
) -> Result<Arc<dyn Acquirer>, CashierError> {
    Ok(match settings {
        AcquirerSettings::PingPong { http, acc_id, client_id, sign_type, salt_key } => {
            Arc::new(PingPong::new(PingPongConfig {
                http: http.clone(),
                credentials: PingPongCredentials {
                    acc_id: acc_id.clone(),
                    client_id: client_id.clone(),
                    salt: secret(keys, salt_key)?,
                    sign_type: *sign_type,
                },
            })?)
        }
        AcquirerSettings::Oceanpayment { http, account, terminal, secure_code_key, billing } => {
            Arc::new(Oceanpayment::new(OceanpaymentConfig {
                http: http.clone(),
                account: account.clone(),
                terminal: terminal.clone(),
                secure_code: secret(keys, secure_code_key)?,
                billing: billing.clone(),
            })?)
        }
    })
}

fn database_key(keys: &dyn KeyStore) -> Result<Vec<u8>, CashierError> {
    let config = |e: &dyn std::fmt::Display| CashierError::Config(e.to_string());
    match keys.get(DB_KEY_NAME).map_err(|e| config(&e))? {
        Some(key) if key.len() == 32 => Ok(key),
        Some(_) => Err(CashierError::Config(format!("{DB_KEY_NAME} must be 32 bytes"))),
        None => {
            let key = store::new_key().map_err(|e| config(&e))?;
            keys.put(DB_KEY_NAME, &key).map_err(|e| config(&e))?;
            Ok(key.to_vec())
        }
    }
}

impl Cashier {
    /// Opens the cashier on `data_dir` (created if missing) with the configured acquirer.
    /// Must be called inside a tokio runtime: the driver runs on it.
    pub async fn open(
        config: CashierConfig,
        data_dir: &Path,
        keys: Arc<dyn KeyStore>,
        listener: Arc<dyn EventListener>,
    ) -> Result<Cashier, CashierError> {
        let acquirer = acquirer_from_settings(&config.acquirer, keys.as_ref())?;
        Self::open_with(config, data_dir, keys, listener, acquirer, Arc::new(SystemClock)).await
    }

    /// Opens the cashier with an explicit acquirer and clock (tests, custom acquirers).
    pub async fn open_with(
        config: CashierConfig,
        data_dir: &Path,
        keys: Arc<dyn KeyStore>,
        listener: Arc<dyn EventListener>,
        acquirer: Arc<dyn Acquirer>,
        clock: Arc<dyn Clock>,
    ) -> Result<Cashier, CashierError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            CashierError::Store(store::StoreError::Unavailable {
                path: data_dir.display().to_string(),
                reason: e.to_string(),
            })
        })?;
        let key = database_key(keys.as_ref())?;
        let store = Store::open(&data_dir.join(DB_FILE), &key)?;
        let (time, acquirer_time, step) = super::clock_open::time_line(&store, &config, clock)?;
        let inner = Arc::new(Inner {
            store,
            acquirer,
            config,
            listener,
            time,
            acquirer_time,
            locks: locks::EntityLocks::default(),
            wake: tokio::sync::Notify::new(),
            closed: AtomicBool::new(false),
            online: AtomicU8::new(0),
            queue_dirty: AtomicBool::new(false),
        });
        super::clock_open::replan(&inner, step)?;
        recover(&inner)?;
        let driver = Arc::new(driver::spawn(inner.clone())?);
        Ok(Cashier { inner, driver })
    }
}

/// After a crash, an attempt or refund committed but maybe sent is "unknown": it is resolved
/// by query before anything is resent. Everything unsettled becomes due at once.
fn recover(inner: &Inner) -> Result<(), CashierError> {
    let now = inner.now();
    let (sales, refunds) = inner.store.read(|c, _| {
        Ok((
            store::attempts_in(c, AttemptStatus::Prepared)?,
            store::refunds_in(c, RefundState::Queued)?,
        ))
    })?;
    if sales.is_empty() && refunds.is_empty() {
        return Ok(());
    }
    log::info!("recovering {} attempts and {} refunds", sales.len(), refunds.len());
    inner.store.write(|tx, _| {
        for request_id in &sales {
            let status = AttemptStatus::Prepared
                .on(AttemptEvent::Recovered)
                .unwrap_or(AttemptStatus::Unknown);
            store::update_attempt(tx, request_id, status, now)?;
            let sale_id: String = tx.query_row(
                "SELECT sale_id FROM attempts WHERE request_id = ?1",
                [request_id],
                |r| r.get(0),
            )?;
            if let Some(mut sale) = store::load_sale(tx, &sale_id)? {
                let to = SaleStatus::derive(status, sale.cancel_requested);
                if sale.status.check(to).is_ok() {
                    sale.status = to;
                    sale.updated_at = now;
                    store::update_sale(tx, &sale)?;
                }
            }
            store::journal(
                tx,
                now,
                Entity::Sale,
                &sale_id,
                "recovered",
                "attempt may have been sent: query first",
            )?;
        }
        for id in &refunds {
            if let Some(mut refund) = store::load_refund(tx, id)? {
                refund.state =
                    refund.state.on(RefundEvent::Recovered).unwrap_or(RefundState::Unknown);
                refund.updated_at = now;
                store::update_refund(tx, &refund)?;
                store::journal(
                    tx,
                    now,
                    Entity::Refund,
                    id,
                    "recovered",
                    "refund may have been sent: query first",
                )?;
            }
        }
        store::make_all_due(tx, now)?;
        Ok(())
    })?;
    Ok(())
}
