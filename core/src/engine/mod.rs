//! The transaction engine: durable sales and refunds over any [`Acquirer`].
//!
//! Every operation is written ahead to the store before a byte leaves, every acquirer step goes
//! through the outbox, and a background driver takes due steps, polls, backs off while offline,
//! and resolves unknown outcomes by query before anything is resent. Opening the store after a
//! crash resumes everything in flight.

mod abandon;
mod acquirer_time;
mod classify;
mod clock_open;
mod config;
mod dir_lock;
mod driver;
mod error;
mod events;
mod late_charge;
mod locks;
mod mismatch;
mod next_step;
mod notify;
mod open;
mod queue;
mod receipts;
mod refund_step;
mod report_api;
mod sale_api;
mod sale_apply;
mod sale_io;
mod sale_step;
mod terminals;
mod timebase;
mod unconfirmed;
mod validate;

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;

pub use config::{
    AcquirerSettings, AlipayRegion, CashierConfig, Clock, KeyStore, KeyStoreError, MemoryKeyStore,
    OfflineLimits, SteppedClock, SystemClock,
};
pub use error::CashierError;
pub use events::{CashierEvent, EventListener, NoListener, QueueStatus, SaleHint};
pub use next_step::NextStep;
pub use sale_api::{RefundInput, SaleInput, SaleMethodInput};

use crate::acquirer::Acquirer;
use crate::order::Millis;
use crate::store::{Entity, HistoryFilter, JournalLine, RefundRow, SaleRow, Store};

/// The name of the database sealing key in the app's key store.
pub const DB_KEY_NAME: &str = "tillkit.db-key";

pub(crate) struct Inner {
    store: Store,
    acquirer: Arc<dyn Acquirer>,
    config: CashierConfig,
    listener: Arc<dyn EventListener>,
    /// The engine's time line (monotonic, placed on the wall clock at open).
    time: timebase::TimeBase,
    /// The acquirer's clock against that time line.
    acquirer_time: acquirer_time::AcquirerTime,
    locks: locks::EntityLocks,
    wake: tokio::sync::Notify,
    closed: AtomicBool,
    /// 0 unknown, 1 online, 2 offline.
    online: AtomicU8,
    /// The outbox changed since the last `QueueChanged` event; the driver reports it, at most
    /// a few times a second, because computing the status reads the whole queue.
    queue_dirty: AtomicBool,
    /// Records whose last step may have left but whose outcome is not in the store.
    unconfirmed: unconfirmed::Unconfirmed,
    /// The exclusive lock on the data directory, held until `close` (an app may hold a closed
    /// cashier's object for a while; the directory must be free for the next one).
    dir_lock: std::sync::Mutex<Option<dir_lock::DirLock>>,
}

impl Inner {
    fn now(&self) -> Millis {
        self.time.now()
    }

    /// Journals the wall-clock steps noticed since the last call.
    fn journal_clock_steps(&self) {
        let steps = self.time.take_steps();
        if steps.is_empty() {
            return;
        }
        let write = |tx: &rusqlite::Transaction<'_>, _: &crate::store::ColumnCipher| {
            for s in &steps {
                let detail = format!("wall clock stepped by {} ms; timings unaffected", s.by_ms);
                crate::store::journal_clock(tx, s.at, "clock_step", &detail)?;
            }
            Ok(())
        };
        if let Err(e) = self.store.write_relaxed(write) {
            log::warn!("cannot journal a clock step: {e}");
        }
    }

    fn emit(&self, event: CashierEvent) {
        self.listener.on_event(event);
    }

    /// Records what an answer showed about the acquirer's reachability.
    fn note_reach(&self, reach: classify::Reach) {
        match reach {
            classify::Reach::Online => self.set_online(true),
            classify::Reach::Offline => self.set_online(false),
            classify::Reach::Unchanged => {}
        }
    }

    fn set_online(&self, online: bool) {
        let new = if online { 1 } else { 2 };
        if online {
            self.learn_acquirer_clock();
        }
        let old = self.online.swap(new, Ordering::Relaxed);
        if old != new {
            log::info!("acquirer {}", if online { "reachable" } else { "unreachable" });
            self.emit(CashierEvent::ConnectivityChanged { online });
        }
        if online && old == 2 {
            // The acquirer answers again: what was backing off is tried now, not at the end of
            // a backoff of up to a minute (a step asked for too early is only rescheduled).
            let now = self.now();
            match self.store.write_relaxed(|tx, _| crate::store::make_all_due(tx, now)) {
                Ok(_) => self.wake.notify_one(),
                Err(e) => log::warn!("cannot make the waiting steps due: {e}"),
            }
        }
    }

    /// Whether a planned step may run now. The stored schedule decides when a step is due;
    /// giving up also waits for its own deadline. A step asked for too early (a woken driver,
    /// a new jitter) is put back on the schedule instead, so the driver never spins on it.
    /// `done` removes a settled record's outbox row.
    fn step_is_due(
        &self,
        entity: Entity,
        id: &str,
        outbox: Option<crate::store::OutboxRow>,
        plan_at: crate::order::Millis,
        (done, give_up): (bool, bool),
        now: crate::order::Millis,
    ) -> Result<bool, CashierError> {
        if done {
            if outbox.is_some() {
                self.store.write(|tx, _| crate::store::remove_outbox(tx, entity, id))?;
            }
            return Ok(false);
        }
        let due = outbox.as_ref().map_or(plan_at, |o| o.due_at);
        if due > now || (give_up && plan_at > now) {
            if let Some(mut o) = outbox {
                if o.due_at <= now {
                    o.due_at = plan_at;
                    self.store.write_relaxed(|tx, _| crate::store::put_outbox(tx, &o))?;
                }
            }
            return Ok(false);
        }
        Ok(true)
    }

    /// Whether the acquirer can cancel a sale of this kind in progress (PingPong: only a card
    /// sale on a terminal).
    fn can_cancel_kind(&self, kind: crate::order::SaleKind) -> bool {
        self.acquirer.capabilities().cancels(kind == crate::order::SaleKind::Card)
    }

    /// Refuses new work once the cashier is closed.
    fn check_open(&self) -> Result<(), CashierError> {
        if self.closed.load(Ordering::Relaxed) {
            Err(CashierError::Closed)
        } else {
            Ok(())
        }
    }

    fn queue_changed(&self) {
        self.queue_dirty.store(true, Ordering::Relaxed);
    }

    fn online(&self) -> Option<bool> {
        match self.online.load(Ordering::Relaxed) {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }
}

/// A cashier: the durable engine for one register. Cheap to clone; all clones share one engine.
#[derive(Clone)]
pub struct Cashier {
    inner: Arc<Inner>,
    driver: Arc<driver::DriverHandle>,
}

impl Cashier {
    /// The sale with this id.
    pub fn sale(&self, id: &str) -> Result<Option<SaleRow>, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::load_sale(c, id))?)
    }

    /// The refunds of a sale, oldest first.
    pub fn refunds(&self, sale_id: &str) -> Result<Vec<RefundRow>, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::refunds_of(c, sale_id))?)
    }

    /// The refunds of each of these sales, oldest first, read at once (a sale without refunds
    /// has no entry).
    pub fn refunds_of_sales(
        &self,
        sale_ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Vec<RefundRow>>, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::refunds_of_sales(c, sale_ids))?)
    }

    /// The refund with this id.
    pub fn refund_by_id(&self, id: &str) -> Result<Option<RefundRow>, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::load_refund(c, id))?)
    }

    /// Sales, newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<SaleRow>, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::list_sales(c, filter))?)
    }

    /// How many sales are in `status`, abandoned ones included: a count, for screens that poll.
    pub fn count_sales(&self, status: crate::order::SaleStatus) -> Result<u64, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::count_sales(c, status))?)
    }

    /// The journal of a sale (every change, oldest first).
    pub fn journal(&self, sale_id: &str) -> Result<Vec<JournalLine>, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::journal_of(c, Entity::Sale, sale_id))?)
    }

    /// The clock lines of the journal (steps of the wall clock noticed), oldest first.
    pub fn clock_journal(&self) -> Result<Vec<JournalLine>, CashierError> {
        Ok(self.inner.store.read(|c, _| crate::store::clock_journal(c))?)
    }

    /// What waits in the outbox.
    pub fn queue_status(&self) -> Result<QueueStatus, CashierError> {
        queue::status(&self.inner)
    }

    /// Makes every waiting step due now and wakes the driver (e.g. when the app sees the
    /// network come back).
    pub fn forward_now(&self) -> Result<usize, CashierError> {
        self.inner.check_open()?;
        let now = self.inner.now();
        let n = self.inner.store.write(|tx, _| crate::store::make_all_due(tx, now))?;
        self.inner.wake.notify_one();
        Ok(n)
    }

    /// What remains refundable of a sale: its amount less every refund not failed (those
    /// waiting count). Zero for a sale that is not paid.
    pub fn refundable(&self, sale_id: &str) -> Result<rust_decimal::Decimal, CashierError> {
        let sale = self.sale(sale_id)?.ok_or_else(|| CashierError::UnknownSale(sale_id.into()))?;
        self.refundable_of(&sale)
    }

    /// What remains refundable of a sale already read (as [`Cashier::refundable`]), so that a
    /// caller that needs the row too reads it once.
    pub fn refundable_of(&self, sale: &SaleRow) -> Result<rust_decimal::Decimal, CashierError> {
        if sale.status != crate::order::SaleStatus::Paid {
            return Ok(rust_decimal::Decimal::ZERO);
        }
        let held = self.inner.store.read(|c, _| crate::store::refunds_held(c, &sale.id))?;
        Ok((sale.amount.value() - held).max(rust_decimal::Decimal::ZERO))
    }

    /// Whether `cancel` can stop this sale now: an unsent or unknown sale always (nothing is
    /// sent again), one in progress only where the acquirer has a cancel.
    pub fn can_cancel(&self, sale: &SaleRow) -> bool {
        use crate::order::SaleStatus as S;
        match sale.status {
            // Unknown: the cancel stops every resend; the sale stays watched.
            S::Queued | S::Unknown => true,
            S::Processing | S::Cancelling => self.inner.can_cancel_kind(sale.kind),
            S::Paid | S::Failed(_) => false,
        }
    }

    /// How many durable commits (flushed to disk before returning) this cashier has made.
    pub fn commits(&self) -> u64 {
        self.inner.store.commits()
    }

    /// How many relaxed commits (the acquirer's answers, recoverable by query) it has made.
    pub fn relaxed_commits(&self) -> u64 {
        self.inner.store.relaxed_commits()
    }

    /// Test hook: the `skip` next store commits succeed, the `fail` after them fail as on a
    /// full disk.
    #[doc(hidden)]
    pub fn inject_store_full(&self, skip: u64, fail: u64) {
        self.inner.store.inject_full(skip, fail);
    }

    /// Whether the acquirer answered the last request.
    pub fn online(&self) -> Option<bool> {
        self.inner.online()
    }

    /// Stops the background driver and releases the data directory for another cashier.
    /// Everything in flight stays in the store and resumes at the next open.
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::Relaxed);
        self.inner.wake.notify_one();
        self.driver.stop().await;
        self.inner.dir_lock.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}
