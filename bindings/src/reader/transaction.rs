//! One card sale or refund on a reader, run by the core's session.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tillkit_core::reader::session::{run_transaction, CancelHandle, ReaderLimits as CoreLimits};
use tillkit_core::reader::ReaderRequest as CoreRequest;

use tillkit_core::reader::machine::ReaderProgress as CoreProgress;

use super::types::{ReaderLimits, ReaderRequest, ReaderResult};
use super::{AuthorizationHost, CardReader, CardReaderBridge, HostBridge, ReaderProgressListener};
use crate::error::TillKitError;
use crate::runtime;

/// One card transaction: TillKit drives the reader through it, asks the host, tells the
/// listener what the screen should say, and applies the time limits. Run it once with `run`;
/// `cancel` (from the cashier's button, any thread) stops it at whatever step it is.
#[derive(uniffi::Object)]
pub struct CardTransaction {
    reader: Arc<CardReaderBridge>,
    host: Arc<HostBridge>,
    listener: Arc<dyn ReaderProgressListener>,
    request: CoreRequest,
    limits: CoreLimits,
    cancel: CancelHandle,
    started: AtomicBool,
}

#[uniffi::export(async_runtime = "tokio")]
impl CardTransaction {
    /// Prepares a transaction of `request` on `reader`, authorised by `host`, with `listener`
    /// told each screen change. `limits` defaults to `defaultReaderLimits()`. Fails with
    /// `InvalidInput` on a bad id, amount or limit; nothing starts until `run`.
    #[uniffi::constructor(default(limits = None))]
    pub fn new(
        reader: Arc<dyn CardReader>,
        host: Box<dyn AuthorizationHost>,
        listener: Box<dyn ReaderProgressListener>,
        request: ReaderRequest,
        limits: Option<ReaderLimits>,
    ) -> Result<Arc<Self>, TillKitError> {
        Ok(Arc::new(CardTransaction {
            reader: Arc::new(CardReaderBridge(reader)),
            host: Arc::new(HostBridge(host)),
            listener: Arc::from(listener),
            request: CoreRequest::try_from(request)?,
            limits: CoreLimits::try_from(limits.unwrap_or_default())?,
            cancel: CancelHandle::new(),
            started: AtomicBool::new(false),
        }))
    }

    /// The transaction's id.
    pub fn transaction_id(&self) -> String {
        self.request.transaction_id.clone()
    }

    /// Runs the transaction to its end and says how it ended (a cancel, a timeout, a lost
    /// reader are outcomes, not errors). Fails only when it could not start: the reader is
    /// busy, disconnected or failed (`Reader`; nothing happened, retry), or `run` was already
    /// called (`InvalidInput`). Stopping to wait (a cancelled coroutine or task) does not stop
    /// the transaction: use `cancel`.
    pub async fn run(&self) -> Result<ReaderResult, TillKitError> {
        if self.started.swap(true, Ordering::SeqCst) {
            return Err(TillKitError::InvalidInput {
                field: "transaction".into(),
                reason: "run was already called; create a new CardTransaction".into(),
            });
        }
        let (reader, host, listener) =
            (self.reader.clone(), self.host.clone(), self.listener.clone());
        let (request, limits, cancel) =
            (self.request.clone(), self.limits.clone(), self.cancel.clone());
        runtime::run(async move {
            let id = request.transaction_id.clone();
            let progress = move |p: CoreProgress| {
                if let Err(e) = listener.on_progress(id.clone(), p.into()) {
                    log::warn!("reader progress listener failed: {e}");
                }
            };
            let finish = run_transaction(
                reader.as_ref(),
                host.as_ref(),
                &request,
                &limits,
                &cancel,
                &progress,
            )
            .await?;
            Ok(ReaderResult::from(finish))
        })
        .await
    }

    /// Asks the transaction to stop (the cashier's cancel button). It still ends through the
    /// reader, so `run` returns the outcome (usually `Cancelled`; an approval that the card
    /// then could not complete comes back with `needsReversal`). Works before `run` too: the
    /// transaction then stops as soon as it has started. Calling it again does nothing.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}
