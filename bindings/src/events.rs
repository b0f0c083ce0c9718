//! Events from the engine to the app: the listener trait the app implements, and subscriptions
//! (a screen listens while it is shown and cancels its handle when it goes away).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tillkit_core::engine::{CashierEvent as CoreEvent, EventListener as CoreListener};

use crate::error::TillKitError;
use crate::types::CashierEvent;

/// Receives a cashier's events. Called from TillKit's threads: return quickly (post to the UI
/// thread or a channel). An exception thrown here is logged and dropped.
#[uniffi::export(foreign)]
pub trait EventListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: CashierEvent) -> Result<(), TillKitError>;
}

type Entry = (u64, Arc<dyn EventListener>);

/// Every listener of one cashier; the core sees it as its one listener.
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: AtomicU64,
    entries: Mutex<Vec<Entry>>,
}

impl Listeners {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn add(self: &Arc<Self>, listener: Arc<dyn EventListener>) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().push((id, listener));
        Subscription { listeners: Arc::downgrade(self), id }
    }

    fn remove(&self, id: u64) {
        self.lock().retain(|(i, _)| *i != id);
    }
}

impl CoreListener for Listeners {
    fn on_event(&self, event: CoreEvent) {
        let event = CashierEvent::from(event);
        // Call outside the lock: a listener may subscribe or cancel from inside on_event.
        let listeners: Vec<_> = self.lock().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            if let Err(e) = listener.on_event(event.clone()) {
                log::warn!("event listener failed: {e}");
            }
        }
    }
}

/// A listener's registration. Events stop after [`Subscription::cancel`] or when the handle is
/// closed (Kotlin `close()`/`use {}`, Swift deinit).
#[derive(uniffi::Object)]
pub struct Subscription {
    listeners: Weak<Listeners>,
    id: u64,
}

#[uniffi::export]
impl Subscription {
    /// Stops the events. Calling it again does nothing.
    pub fn cancel(&self) {
        if let Some(listeners) = self.listeners.upgrade() {
            listeners.remove(self.id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Count(Mutex<u32>);

    impl EventListener for Count {
        fn on_event(&self, _event: CashierEvent) -> Result<(), TillKitError> {
            *self.0.lock().expect("lock") += 1;
            Ok(())
        }
    }

    struct Throws;

    impl EventListener for Throws {
        fn on_event(&self, _event: CashierEvent) -> Result<(), TillKitError> {
            Err(TillKitError::AppCallback { reason: "boom".into() })
        }
    }

    fn event() -> CoreEvent {
        CoreEvent::ConnectivityChanged { online: true }
    }

    #[test]
    fn cancelled_subscriptions_get_nothing_and_a_failing_one_does_not_stop_others() {
        let listeners = Arc::new(Listeners::default());
        let kept = Arc::new(Count::default());
        let dropped = Arc::new(Count::default());
        let _throws = listeners.add(Arc::new(Throws));
        let _kept = listeners.add(kept.clone());
        let sub = listeners.add(dropped.clone());
        listeners.on_event(event());
        sub.cancel();
        listeners.on_event(event());
        drop(sub);
        assert_eq!(*kept.0.lock().expect("lock"), 2);
        assert_eq!(*dropped.0.lock().expect("lock"), 1);
    }

    #[test]
    fn dropping_the_handle_unsubscribes() {
        let listeners = Arc::new(Listeners::default());
        let count = Arc::new(Count::default());
        drop(listeners.add(count.clone()));
        listeners.on_event(event());
        assert_eq!(*count.0.lock().expect("lock"), 0);
    }
}
