//! The runtime the engine runs on, and how an exported `async fn` hands work to it.
//!
//! Every core future runs as a task on this multi-threaded runtime; the exported function only
//! awaits the task. So when Kotlin cancels a suspended call (or Swift a `Task`), the caller stops
//! waiting but the operation goes on: a sale that was committed is driven to its end, and its
//! outcome arrives as events. Cancelling a sale is [`crate::Cashier::cancel`], never a dropped
//! future. A panic in a task becomes [`TillKitError::Internal`] instead of crossing the FFI.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use tokio::runtime::Runtime;

use crate::error::TillKitError;

static RUNTIME: LazyLock<Result<Runtime, String>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tillkit")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
});

fn runtime() -> Result<&'static Runtime, TillKitError> {
    RUNTIME.as_ref().map_err(|reason| TillKitError::Internal {
        reason: format!("cannot start the runtime: {reason}"),
    })
}

/// Runs `work` to completion on the runtime, even if the caller stops waiting.
pub(crate) async fn run<T, F>(work: F) -> Result<T, TillKitError>
where
    F: Future<Output = Result<T, TillKitError>> + Send + 'static,
    T: Send + 'static,
{
    let task = runtime()?.spawn(Box::pin(async move { Box::new(work.await) as Erased }) as Task);
    unerase(task.await)
}

/// Runs a blocking call (a database read or write) on the runtime's blocking pool and awaits
/// it, so that an exported `async fn` never blocks the caller's thread (on Android, the main
/// thread). Like [`run`], it goes on if the caller stops waiting.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, TillKitError>
where
    F: FnOnce() -> Result<T, TillKitError> + Send + 'static,
    T: Send + 'static,
{
    let task = runtime()?.spawn_blocking(Box::new(move || Box::new(work()) as Erased) as Call);
    unerase(task.await)
}

// Every exported call hands the runtime a task of one of these two types, not a type of its
// own: Tokio's task machinery is then built twice instead of once per call (about 100 KB of
// the shipped library).
type Erased = Box<dyn Any + Send>;
type Task = Pin<Box<dyn Future<Output = Erased> + Send>>;
type Call = Box<dyn FnOnce() -> Erased + Send>;

fn unerase<T: 'static>(joined: Result<Erased, tokio::task::JoinError>) -> Result<T, TillKitError> {
    let erased =
        joined.map_err(|e| TillKitError::Internal { reason: format!("task failed: {e}") })?;
    match erased.downcast::<Result<T, TillKitError>>() {
        Ok(result) => *result,
        // Unreachable: the task above boxed exactly this type.
        Err(_) => Err(TillKitError::Internal { reason: "task result of another type".into() }),
    }
}

/// Calls `f` inside the runtime, for constructors that start tasks of their own.
pub(crate) fn within<T>(f: impl FnOnce() -> T) -> Result<T, TillKitError> {
    let _entered = runtime()?.enter();
    Ok(f())
}

/// Starts `work` on the runtime without waiting for it.
pub(crate) fn detach<F>(work: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    match runtime() {
        Ok(rt) => drop(rt.spawn(work)),
        Err(e) => log::error!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_task_is_an_error() {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let result: Result<(), _> = rt.block_on(run(async { panic!("boom") }));
        assert!(matches!(result, Err(TillKitError::Internal { .. })));
    }

    #[test]
    fn a_panic_in_a_blocking_call_is_an_error() {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let result: Result<(), _> = rt.block_on(blocking(|| panic!("boom")));
        assert!(matches!(result, Err(TillKitError::Internal { .. })));
        assert_eq!(rt.block_on(blocking(|| Ok(7))), Ok(7));
    }

    #[test]
    fn a_dropped_caller_does_not_stop_the_work() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        let (tx, rx) = std::sync::mpsc::channel();
        let call = run(async move {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            tx.send(()).map_err(|e| TillKitError::Internal { reason: e.to_string() })
        });
        // Poll the call once, then drop it, as a cancelled coroutine does.
        rt.block_on(async {
            let _ = tokio::time::timeout(std::time::Duration::from_millis(1), call).await;
        });
        assert!(rx.recv_timeout(std::time::Duration::from_secs(5)).is_ok());
    }
}
