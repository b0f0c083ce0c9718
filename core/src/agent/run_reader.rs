//! The reader side of the agent's loop: acknowledging and running one transaction on the card
//! reader while the inbox is still polled for a cashier's cancel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::super::channel::{
    ChannelError, InboxKind, InboxMessage, ResultReport, TerminalProgress,
};
use super::super::hooks::AgentEvent;
use super::super::host::ChannelHost;
use super::super::outcome::to_report;
use super::super::store::{TxRecord, TxState};
use super::{terminal_step, AgentError, TerminalAgent};
use crate::reader::machine::ReaderProgress;
use crate::reader::session::{run_transaction, CancelHandle};
use crate::reader::{ReaderRequest, ReaderTxKind};

impl TerminalAgent {
    /// Acknowledges (if needed) and runs a journaled transaction. `Ok(true)`: it ran;
    /// `Ok(false)`: it ended without running; `Err(why)`: the acquirer could not be reached.
    pub(super) async fn start(&self, tx: &TxRecord) -> Result<Result<bool, String>, AgentError> {
        if tx.state == TxState::Received {
            match self.channel.ack(&tx.message_id).await {
                Ok(()) => self.store.set_state(&tx.id, TxState::Acked)?,
                Err(ChannelError::Refused { code, message }) => {
                    log::warn!("transaction {}: ack refused: {code}: {message}", tx.id);
                    self.store.set_state(&tx.id, TxState::Dropped)?;
                    return Ok(Ok(false));
                }
                Err(e) => return Ok(Err(e.to_string())),
            }
        }
        let (amount, kind) = match &tx.kind {
            InboxKind::Sale { amount } => (*amount, ReaderTxKind::Sale),
            InboxKind::Refund { amount, .. } => (*amount, ReaderTxKind::Refund),
            InboxKind::Cancel => return Ok(Ok(false)),
        };
        let request = ReaderRequest { transaction_id: tx.id.clone(), kind, amount };
        // Journaled before the reader is touched: after a crash from here on it is never
        // started again, only reported failed.
        self.store.set_state(&tx.id, TxState::Running)?;
        self.emit(AgentEvent::Started {
            transaction_id: tx.id.clone(),
            amount,
            refund: kind == ReaderTxKind::Refund,
        });
        let report = self.run_on_reader(&request).await?;
        self.store.finish(&report)?;
        self.emit(AgentEvent::Finished {
            transaction_id: report.transaction_id.clone(),
            result: report.result.clone(),
            reason: report.reason.clone(),
        });
        Ok(Ok(true))
    }

    async fn run_on_reader(&self, request: &ReaderRequest) -> Result<ResultReport, AgentError> {
        let cancel = CancelHandle::new();
        let asked = AtomicBool::new(false);
        let host = ChannelHost::new(Arc::clone(&self.channel));
        let (progress_tx, progress_rx) = mpsc::unbounded_channel();
        let listener = self.listener.clone();
        let id = request.transaction_id.clone();
        // The screen hears every step at once; the acquirer, best effort, from `watch`.
        let progress = move |p: ReaderProgress| {
            if let Some(listener) = &listener {
                listener(&AgentEvent::Progress { transaction_id: id.clone(), step: p.clone() });
            }
            if let Some(step) = terminal_step(&p) {
                let _ = progress_tx.send(step);
            }
        };
        let run = run_transaction(
            self.reader.as_ref(),
            &host,
            request,
            &self.config.limits,
            &cancel,
            &progress,
        );
        tokio::pin!(run);
        let watch = self.watch(&request.transaction_id, &cancel, &asked, progress_rx);
        tokio::pin!(watch);
        let mut stopping = false;
        let ran = loop {
            tokio::select! {
                r = &mut run => break r,
                w = &mut watch => return Err(w),
                () = self.shutdown.wait(), if !stopping => {
                    stopping = true;
                    cancel.cancel();
                }
            }
        };
        let sink = self.offline.as_deref();
        Ok(to_report(request, ran, asked.load(Ordering::SeqCst), host.auth_code(), sink))
    }

    /// While a transaction runs: passes its progress to the acquirer (best effort) and polls
    /// for the cashier's cancel. Returns only if the journal fails.
    async fn watch(
        &self,
        id: &str,
        cancel: &CancelHandle,
        asked: &AtomicBool,
        mut progress: mpsc::UnboundedReceiver<TerminalProgress>,
    ) -> AgentError {
        let mut last_sent = None;
        let mut latest = None;
        let mut backoff = self.config.backoff_min;
        loop {
            while let Ok(step) = progress.try_recv() {
                latest = Some(step);
            }
            if let Some(step) = latest.take().filter(|s| last_sent != Some(*s)) {
                last_sent = Some(step);
                let sent = self.channel.progress(id, step);
                if let Ok(Err(e)) = tokio::time::timeout(self.config.busy_poll_wait, sent).await {
                    log::debug!("sale {id}: progress: {e}");
                }
            }
            // The acquirer answers at once while a message waits (another sale, left for
            // later): then pause, so that the inbox is not polled in a tight loop.
            let mut pause = self.config.busy_poll_wait;
            tokio::select! {
                polled = self.channel.poll(self.config.busy_poll_wait) => match polled {
                    Ok(messages) => {
                        backoff = self.config.backoff_min;
                        if messages.is_empty() {
                            pause = Duration::ZERO;
                        }
                        for m in &messages {
                            if let Err(e) = self.on_busy_message(id, m, cancel, asked).await {
                                return e;
                            }
                        }
                    }
                    Err(e) => {
                        log::debug!("sale {id}: poll while running: {e}");
                        pause = backoff;
                        backoff = (backoff * 2).min(self.config.backoff_max);
                    }
                },
                Some(step) = progress.recv() => {
                    latest = Some(step);
                    pause = Duration::ZERO;
                }
            }
            if !pause.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    Some(step) = progress.recv() => latest = Some(step),
                }
            }
        }
    }

    async fn on_busy_message(
        &self,
        id: &str,
        m: &InboxMessage,
        cancel: &CancelHandle,
        asked: &AtomicBool,
    ) -> Result<(), AgentError> {
        match m.kind {
            InboxKind::Cancel => self.on_cancel(m, Some((id, cancel, asked))).await,
            _ if m.transaction_id == id => {
                self.ack_again(m).await;
                Ok(())
            }
            // Another sale waits, unacknowledged, until the reader is free.
            _ => Ok(()),
        }
    }
}
