//! Sandbox time: wall-clock epoch milliseconds, and durations compressed by the time scale.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Converts the simulated world's durations into real ones.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    scale: f64,
}

impl Clock {
    /// A clock whose durations are multiplied by `scale` (validated by the caller).
    pub fn new(scale: f64) -> Self {
        Clock { scale }
    }

    /// Milliseconds since the Unix epoch, now.
    pub fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// The real duration that stands for `simulated`.
    pub fn scaled(&self, simulated: Duration) -> Duration {
        simulated.mul_f64(self.scale)
    }

    /// [`Clock::scaled`] in whole milliseconds, at least 1 so that an order never settles in
    /// the same millisecond it was created.
    pub fn scaled_ms(&self, simulated: Duration) -> i64 {
        i64::try_from(self.scaled(simulated).as_millis()).unwrap_or(i64::MAX).max(1)
    }
}
