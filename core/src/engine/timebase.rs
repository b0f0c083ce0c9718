//! The engine's time line: placed on the wall clock once, at open, then advanced by the
//! monotonic clock only. Every duration, deadline and due date the engine computes is on it,
//! so a wall clock set back or forward while the cashier runs changes none of them; the steps
//! are noticed (the wall clock moved differently from the monotonic one) and journaled.

use std::sync::{Arc, Mutex};

use super::config::Clock;
use crate::order::Millis;

/// A wall clock that moves this much further than the monotonic one (either way) between two
/// readings has been stepped: more than scheduling delays and clock slewing ever cause.
pub(crate) const STEP_TOLERANCE_MS: i128 = 2_000;

/// A detected step of the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClockStep {
    /// Engine time when it was noticed.
    pub at: Millis,
    /// How far the wall clock jumped (negative: back), beyond the time that passed.
    pub by_ms: i64,
}

struct Reading {
    engine: Millis,
    wall: Millis,
    mono: Millis,
}

pub(crate) struct TimeBase {
    clock: Arc<dyn Clock>,
    last: Mutex<Reading>,
    steps: Mutex<Vec<ClockStep>>,
}

impl TimeBase {
    /// A time line starting at `start` (engine time) now.
    pub fn new(clock: Arc<dyn Clock>, start: Millis) -> Self {
        let last = Reading { engine: start, wall: clock.now_ms(), mono: clock.mono_ms() };
        TimeBase { clock, last: Mutex::new(last), steps: Mutex::new(Vec::new()) }
    }

    /// Engine time now: never goes back, advances with the monotonic clock.
    pub fn now(&self) -> Millis {
        let (wall, mono) = (self.clock.now_ms(), self.clock.mono_ms());
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let dm = mono.saturating_sub(last.mono);
        let dw = i128::from(wall) - i128::from(last.wall);
        let drift = dw - i128::from(dm);
        if drift.abs() > STEP_TOLERANCE_MS {
            let by_ms = i64::try_from(drift).unwrap_or(if drift < 0 { i64::MIN } else { i64::MAX });
            let at = last.engine.saturating_add(dm);
            log::warn!("the wall clock was stepped by {by_ms} ms; engine time is unaffected");
            self.steps.lock().unwrap_or_else(|p| p.into_inner()).push(ClockStep { at, by_ms });
        }
        last.engine = last.engine.saturating_add(dm);
        last.wall = wall;
        last.mono = last.mono.max(mono);
        last.engine
    }

    /// The steps noticed since the last call.
    pub fn take_steps(&self) -> Vec<ClockStep> {
        std::mem::take(&mut *self.steps.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Where the time line starts at open: the wall clock, unless it is behind the last time the
/// store recorded, which means it was set back while the cashier was closed. Then the line
/// continues from the last record, moved on by `unknown_gap` (the longest send budget): the
/// time the cashier was closed is unknown, so every send deadline that was pending counts as
/// passed (a sale is never sent outside its validity). Returns the start and the step seen.
pub(crate) fn start_at(
    wall: Millis,
    last_recorded: Option<Millis>,
    unknown_gap: Millis,
) -> (Millis, Option<i64>) {
    match last_recorded {
        Some(last) if i128::from(wall) + STEP_TOLERANCE_MS < i128::from(last) => {
            let by = i64::try_from(i128::from(wall) - i128::from(last)).unwrap_or(i64::MIN);
            (last.saturating_add(unknown_gap), Some(by))
        }
        _ => (wall, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

    /// A wall clock and a monotonic clock moved by hand.
    #[derive(Default)]
    struct HandClock {
        wall: AtomicI64,
        mono: AtomicU64,
    }

    impl Clock for HandClock {
        fn now_ms(&self) -> Millis {
            u64::try_from(self.wall.load(Ordering::SeqCst).max(0)).unwrap_or(0)
        }
        fn mono_ms(&self) -> Millis {
            self.mono.load(Ordering::SeqCst)
        }
    }

    const YEAR: i64 = 365 * 24 * 3_600_000;

    #[test]
    fn steps_of_any_size_either_way_leave_engine_time_monotonic_and_exact() {
        let steps =
            [-60_000, 120_000, -3_600_000, 86_400_000 * 2, -YEAR * 30, YEAR * 80, -YEAR * 200];
        let clock = Arc::new(HandClock::default());
        clock.wall.store(1_700_000_000_000, Ordering::SeqCst);
        let base = TimeBase::new(clock.clone(), 1_700_000_000_000);
        let mut expected = 1_700_000_000_000u64;
        for by in steps {
            clock.mono.fetch_add(1_000, Ordering::SeqCst);
            expected += 1_000;
            clock.wall.fetch_add(1_000 + by, Ordering::SeqCst);
            assert_eq!(base.now(), expected, "step {by}");
            let seen = base.take_steps();
            assert_eq!(seen.len(), 1, "step {by} noticed");
            // Before 1970 the wall clock reads 0: the step seen is what the clock could show.
            assert_eq!(seen[0].by_ms.signum(), by.signum(), "step {by}");
        }
        // Small jitter is no step.
        clock.mono.fetch_add(500, Ordering::SeqCst);
        clock.wall.fetch_add(1_500, Ordering::SeqCst);
        base.now();
        assert!(base.take_steps().is_empty());
    }

    #[test]
    fn clocks_at_the_edges_never_panic() {
        for wall in [0i64, -1, i64::MAX, 4_102_444_800_000, 253_402_300_799_000] {
            let clock = Arc::new(HandClock::default());
            clock.wall.store(wall, Ordering::SeqCst);
            clock.mono.store(u64::MAX - 5, Ordering::SeqCst);
            let base = TimeBase::new(clock.clone(), u64::MAX - 10);
            clock.mono.store(u64::MAX, Ordering::SeqCst);
            clock.wall.store(0, Ordering::SeqCst);
            assert!(base.now() >= u64::MAX - 10);
        }
    }

    #[test]
    fn opening_behind_the_last_record_continues_past_every_send_deadline() {
        assert_eq!(start_at(10_000, None, 60_000), (10_000, None));
        assert_eq!(start_at(10_000, Some(9_000), 60_000), (10_000, None));
        assert_eq!(start_at(10_000, Some(11_000), 60_000), (10_000, None), "within tolerance");
        let (start, step) = start_at(1_000, Some(3_601_000), 60_000);
        assert_eq!((start, step), (3_661_000, Some(-3_600_000)));
        assert_eq!(start_at(0, Some(u64::MAX), 60_000).0, u64::MAX);
    }
}
