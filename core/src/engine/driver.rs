//! The background driver: takes due outbox steps, runs a bounded number at once, and sleeps
//! until the next one is due or it is woken.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::error::CashierError;
use super::Inner;
use crate::store::{self, Entity};

/// The longest the driver sleeps without looking (it is woken earlier by new work).
const MAX_SLEEP: Duration = Duration::from_millis(500);

/// `QueueChanged` events are at most this often.
const QUEUE_EVENT_EVERY_MS: u64 = 200;

pub(crate) struct DriverHandle {
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl DriverHandle {
    pub async fn stop(&self) {
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

pub(crate) fn spawn(inner: Arc<Inner>) -> Result<DriverHandle, CashierError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
        CashierError::Config("the cashier must be opened inside a tokio runtime".into())
    })?;
    let task = runtime.spawn(run(inner));
    Ok(DriverHandle { task: std::sync::Mutex::new(Some(task)) })
}

async fn run(inner: Arc<Inner>) {
    let permits = Arc::new(Semaphore::new(inner.config.max_parallel_steps.max(1)));
    let mut running: tokio::task::JoinSet<()> = tokio::task::JoinSet::new();
    let mut last_queue_event = 0;
    while !inner.closed.load(Ordering::Relaxed) {
        while running.try_join_next().is_some() {}
        if permits.available_permits() == 0 {
            // Every permit is taken: a finishing step wakes the driver.
            inner.wake.notified().await;
            continue;
        }
        let now = inner.now();
        inner.journal_clock_steps();
        if now.saturating_sub(last_queue_event) >= QUEUE_EVENT_EVERY_MS
            && inner.queue_dirty.swap(false, Ordering::Relaxed)
        {
            last_queue_event = now;
            match super::queue::status(&inner) {
                Ok(status) => inner.emit(super::CashierEvent::QueueChanged(status)),
                Err(e) => log::warn!("queue status: {e}"),
            }
        }
        let horizon = now + MAX_SLEEP.as_millis() as u64;
        // Enough rows to fill the free permits, with room for the rows being worked on.
        let want = (permits.available_permits() + running.len()) as u32 + 8;
        let soon = match inner.store.read(|c, _| store::due_outbox(c, horizon, want)) {
            Ok(rows) => rows,
            Err(e) => {
                log::error!("driver cannot read the outbox: {e}");
                tokio::time::sleep(MAX_SLEEP).await;
                continue;
            }
        };
        let mut next_wake = horizon;
        for row in soon {
            // Records being worked on are skipped: a finishing step wakes the driver.
            if inner.locks.is_locked(row.entity, &row.entity_id) {
                continue;
            }
            if row.due_at > now {
                next_wake = next_wake.min(row.due_at);
                continue;
            }
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                // All permits taken: a finishing step wakes the driver.
                break;
            };
            let inner = inner.clone();
            running.spawn(async move {
                let Some(_guard) = inner.locks.try_lock(row.entity, &row.entity_id) else { return };
                let result = match row.entity {
                    Entity::Sale => super::sale_step::run_locked(&inner, &row.entity_id).await,
                    Entity::Refund => super::refund_step::run_locked(&inner, &row.entity_id).await,
                };
                if let Err(e) = result {
                    log::error!("{:?} {}: step failed: {e}", row.entity, row.entity_id);
                }
                drop(permit);
                inner.wake.notify_one();
            });
        }
        let sleep = Duration::from_millis(next_wake.saturating_sub(now).max(1));
        tokio::select! {
            _ = inner.wake.notified() => {}
            _ = tokio::time::sleep(sleep) => {}
        }
    }
    while running.join_next().await.is_some() {}
}
