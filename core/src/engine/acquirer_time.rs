//! The acquirer's clock, the reference for what the acquirer enforces: learned from the `Date`
//! header of its answers as an offset from the engine's time line, kept in the store, and used
//! for the QR expiry sent (`timeExpire`) and the age of a refund waiting unsent.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::CashierError;
use super::Inner;
use crate::order::Millis;
use crate::store;

/// An offset change smaller than this (the `Date` header has whole seconds) is not stored.
const OFFSET_NOISE_MS: i64 = 1_500;

pub(crate) struct AcquirerTime {
    /// Acquirer minus engine time, learned since this open.
    learned: Mutex<Option<i64>>,
    /// The offset an earlier open stored: the acquirer against that open's time line.
    previous: Option<i64>,
    /// Engine time at open: records older than this were stamped on an earlier time line.
    opened_at: Millis,
    last_seen: Mutex<Option<Instant>>,
}

impl AcquirerTime {
    pub fn new(previous: Option<i64>, opened_at: Millis) -> Self {
        AcquirerTime { learned: Mutex::new(None), previous, opened_at, last_seen: Mutex::new(None) }
    }

    /// The offset learned since this open, if any answer carried the acquirer's clock.
    pub fn offset(&self) -> Option<i64> {
        *self.learned.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn add(t: Millis, offset: i64) -> Millis {
    u64::try_from((i128::from(t) + i128::from(offset)).max(0)).unwrap_or(u64::MAX)
}

impl Inner {
    /// Reads the acquirer's clock from its latest answer (called on every answer).
    pub(crate) fn learn_acquirer_clock(&self) {
        let Some(date) = self.acquirer.last_answer_date() else { return };
        {
            let mut seen = self.acquirer_time.last_seen.lock().unwrap_or_else(|p| p.into_inner());
            if *seen == Some(date.received) {
                return;
            }
            *seen = Some(date.received);
        }
        let elapsed = u64::try_from(date.received.elapsed().as_millis()).unwrap_or(0);
        let engine_then = self.now().saturating_sub(elapsed);
        let offset = i64::try_from(i128::from(date.unix_ms) - i128::from(engine_then)).unwrap_or(0);
        let before =
            self.acquirer_time.learned.lock().unwrap_or_else(|p| p.into_inner()).replace(offset);
        if before.is_none_or(|b| (b - offset).abs() > OFFSET_NOISE_MS) {
            if offset.abs() > 60_000 {
                log::warn!("the acquirer's clock is {offset} ms from this device's");
            }
            let write = |tx: &rusqlite::Transaction<'_>, _: &store::ColumnCipher| {
                store::set_clock_value(tx, store::ACQUIRER_OFFSET, offset)
            };
            if let Err(e) = self.store.write_relaxed(write) {
                log::warn!("cannot store the acquirer's clock offset: {e}");
            }
        }
    }

    /// The acquirer's time now, when its clock is known since this open.
    pub(crate) fn acquirer_now(&self, now: Millis) -> Option<Millis> {
        self.acquirer_time.offset().map(|o| add(now, o))
    }

    /// `timeExpire` (Unix seconds, on the acquirer's clock) for a QR that stops being payable
    /// at `expires_at` (engine time). The lifetime left is carried over to the acquirer's
    /// clock, shortened to what it accepts; too little left to meet its minimum is an error,
    /// never a longer life.
    pub(crate) fn time_expire(&self, expires_at: Millis, now: Millis) -> Result<u64, CashierError> {
        let mut left = Duration::from_millis(expires_at.saturating_sub(now));
        if let Some(range) = self.config.acquirer.qr_lifetime_range() {
            if left < *range.start() {
                return Err(CashierError::InvalidInput {
                    field: "time_expire",
                    reason: format!(
                        "{left:?} of QR lifetime left, the acquirer needs at least {:?}",
                        range.start()
                    ),
                });
            }
            left = left.min(*range.end());
        }
        let acquirer_now = self.acquirer_now(now).unwrap_or_else(|| {
            log::warn!("the acquirer's clock is unknown: timeExpire from this device's");
            now
        });
        let millis = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
        Ok(acquirer_now.saturating_add(millis) / 1000)
    }

    /// How long a record created at `created_at` has existed, on the acquirer's clock: exact
    /// for records of this open (one monotonic time line); for older ones, through the offsets
    /// of both time lines, so `None` until the acquirer's clock is known since this open.
    pub(crate) fn age_on_acquirer_clock(&self, created_at: Millis, now: Millis) -> Option<Millis> {
        if created_at >= self.acquirer_time.opened_at {
            return Some(now.saturating_sub(created_at));
        }
        let now_there = add(now, self.acquirer_time.offset()?);
        let created_there = add(created_at, self.acquirer_time.previous.unwrap_or(0));
        Some(now_there.saturating_sub(created_there))
    }
}
