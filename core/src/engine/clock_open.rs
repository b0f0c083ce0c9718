//! The clocks at open: where the engine's time line starts, the acquirer's offset an earlier
//! open learned, and the re-planning of due dates a step of the wall clock left too far ahead.

use std::sync::Arc;

use super::acquirer_time::AcquirerTime;
use super::config::{CashierConfig, Clock};
use super::error::CashierError;
use super::timebase::{self, TimeBase};
use super::Inner;
use crate::order::{Millis, Policy};
use crate::store::{self, Store};

/// The longest any planned step may lie ahead of its planning: a due date further ahead was
/// planned on a clock that has since been set back.
fn longest_wait(p: &Policy) -> Millis {
    let longest = [
        p.backoff_max,
        p.slow_poll,
        p.poll_max,
        p.qr_lifetime + p.qr_grace,
        p.code_validity,
        p.sale_offline_budget,
    ]
    .into_iter()
    .max()
    .unwrap_or_default();
    u64::try_from(longest.as_millis()).unwrap_or(u64::MAX)
}

/// The engine's time line and the acquirer's clock for this open, and the step of the wall
/// clock seen since the store last recorded anything (negative: set back).
pub(crate) fn time_line(
    store: &Store,
    config: &CashierConfig,
    clock: Arc<dyn Clock>,
) -> Result<(TimeBase, AcquirerTime, Option<i64>), CashierError> {
    let (last, previous) = store.read(|c, _| {
        Ok((store::last_recorded_at(c)?, store::clock_value(c, store::ACQUIRER_OFFSET)?))
    })?;
    let policy = &config.policy;
    let gap = u64::try_from(policy.code_validity.max(policy.sale_offline_budget).as_millis())
        .unwrap_or(u64::MAX);
    let (start, step) = timebase::start_at(clock.now_ms(), last, gap);
    Ok((TimeBase::new(clock, start), AcquirerTime::new(previous, start), step))
}

/// Journals a step seen at open and makes due now every step planned further ahead than any
/// plan reaches (its due date was set on a clock that has since gone back).
pub(crate) fn replan(inner: &Inner, step: Option<i64>) -> Result<(), CashierError> {
    let now = inner.now();
    let horizon = now.saturating_add(longest_wait(&inner.config.policy));
    let moved = inner.store.write(|tx, _| {
        if let Some(by) = step {
            let detail = format!("wall clock {by} ms behind the last record: time line continued");
            store::journal_clock(tx, now, "clock_step", &detail)?;
        }
        let moved = store::bring_forward(tx, now, horizon)?;
        if moved > 0 {
            let detail = format!("{moved} steps were due further ahead than any plan: due now");
            store::journal_clock(tx, now, "clock_replanned", &detail)?;
        }
        Ok(moved)
    })?;
    if moved > 0 || step.is_some() {
        log::warn!("clock: step {step:?} ms at open, {moved} steps re-planned");
    }
    Ok(())
}
