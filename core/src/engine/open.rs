//! Opening a cashier: the store, the secrets, the acquirer, recovery, and the driver.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU8};
use std::sync::Arc;

use super::config::{CashierConfig, Clock, KeyStore, SystemClock};
use super::error::CashierError;
use super::events::EventListener;
use super::{driver, locks, Cashier, Inner, DB_KEY_NAME};
use crate::acquirer::Acquirer;
use crate::order::{AttemptEvent, AttemptStatus, RefundEvent, RefundState, SaleStatus};
use crate::store::{self, Entity, Store};

/// The database file inside the data directory.
pub const DB_FILE: &str = "tillkit.db";

/// The key that seals payment codes, and whether it was just made (not yet in the key store).
fn database_key(keys: &dyn KeyStore) -> Result<(Vec<u8>, bool), CashierError> {
    let config = |e: &dyn std::fmt::Display| CashierError::Config(e.to_string());
    match keys.get(DB_KEY_NAME).map_err(|e| config(&e))? {
        Some(key) if key.len() == 32 => Ok((key, false)),
        Some(_) => Err(CashierError::KeyUnavailable {
            reason: format!("{DB_KEY_NAME} in the key store is not 32 bytes"),
        }),
        None => Ok((store::new_key().map_err(|e| config(&e))?.to_vec(), true)),
    }
}

/// Opens the store with the key store's key. A key that is missing or changed while sealed
/// codes exist is an error, never a silent new key: those codes belong to sales that may
/// still have to be sent. With `accept_new_key` the app chooses to go on with a new key; the
/// codes that cannot be opened are erased and their unsent sales end "not sent, ask for a new
/// code" (see `sale_io`).
fn open_store(
    path: &Path,
    keys: &dyn KeyStore,
    accept_new_key: bool,
) -> Result<Store, CashierError> {
    let config = |e: &dyn std::fmt::Display| CashierError::Config(e.to_string());
    let (key, fresh) = database_key(keys)?;
    let store = Store::open(path, &key)?;
    store.purge_settled_codes()?;
    let unreadable = store.unreadable_codes()?;
    if unreadable > 0 {
        let reason = if fresh {
            format!("the key store has no {DB_KEY_NAME}, and {unreadable} payment codes are sealed")
        } else {
            format!("{DB_KEY_NAME} does not open the {unreadable} sealed payment codes")
        };
        if !accept_new_key {
            return Err(CashierError::KeyUnavailable { reason });
        }
        log::warn!("{reason}: erasing them (accept_new_key)");
        store.erase_unreadable_codes(SystemClock.now_ms())?;
    }
    if fresh {
        keys.put(DB_KEY_NAME, &key).map_err(|e| config(&e))?;
    }
    Ok(store)
}

impl Cashier {
    /// Opens the cashier with an explicit acquirer and clock (tests, custom acquirers).
    pub async fn open_with(
        config: CashierConfig,
        data_dir: &Path,
        keys: Arc<dyn KeyStore>,
        listener: Arc<dyn EventListener>,
        acquirer: Arc<dyn Acquirer>,
        clock: Arc<dyn Clock>,
    ) -> Result<Cashier, CashierError> {
        super::validate::config(&config)?;
        store::create_private_dir(data_dir).map_err(|e| {
            CashierError::Store(store::StoreError::Unavailable {
                path: data_dir.display().to_string(),
                reason: e.to_string(),
            })
        })?;
        let dir_lock = super::dir_lock::DirLock::acquire(data_dir)?;
        let store = open_store(&data_dir.join(DB_FILE), keys.as_ref(), config.accept_new_key)?;
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
            unconfirmed: Default::default(),
            dir_lock: std::sync::Mutex::new(Some(dir_lock)),
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
        Ok((store::attempts_in(c, AttemptStatus::Prepared)?, store::queued_refunds_maybe_sent(c)?))
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
            let Some(sale_id) = store::sale_of_attempt(tx, request_id)? else { continue };
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
