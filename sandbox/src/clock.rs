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

    /// The real duration that stands for `simulated` (saturating: configured durations are
    /// not trusted to be small).
    pub fn scaled(&self, simulated: Duration) -> Duration {
        Duration::try_from_secs_f64(simulated.as_secs_f64() * self.scale).unwrap_or(Duration::MAX)
    }

    /// `now_ms + scaled_ms(simulated)`: the epoch-ms instant `simulated` from now.
    pub fn after(&self, now_ms: i64, simulated: Duration) -> i64 {
        now_ms.saturating_add(self.scaled_ms(simulated))
    }

    /// [`Clock::scaled`] in whole milliseconds, at least 1 so that an order never settles in
    /// the same millisecond it was created.
    pub fn scaled_ms(&self, simulated: Duration) -> i64 {
        i64::try_from(self.scaled(simulated).as_millis()).unwrap_or(i64::MAX).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_compresses_and_saturates() {
        let c = Clock::new(0.01);
        assert_eq!(c.scaled(Duration::from_secs(10)), Duration::from_millis(100));
        assert_eq!(c.scaled_ms(Duration::ZERO), 1);
        assert_eq!(Clock::new(1000.0).scaled(Duration::MAX), Duration::MAX);
        assert_eq!(c.after(i64::MAX - 1, Duration::from_secs(1)), i64::MAX);
    }
}
