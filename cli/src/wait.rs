//! Bounded waits for `pay`, `refund` and `cancel`: a spinner with the time left, and an end
//! within `--max-wait` whatever the acquirer does. The engine goes on in the background of
//! later commands; the command only stops watching.

use std::time::{Duration, Instant};

use tillkit_core::order::{Policy, SaleKind, SaleStatus};
use tillkit_core::store::{RefundRow, SaleRow};

use crate::connect::Connected;
use crate::out::{self, CliError};
use crate::render;

/// When a command must stop watching: `--max-wait` after it started, less the time closing
/// may take (an answer in flight is awaited for up to one request timeout).
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    /// The deadline for a command that started at `start`.
    pub fn new(start: Instant, max_wait: u64, request_timeout: u64) -> Self {
        let watch = max_wait.saturating_sub(request_timeout.max(1)).max(1);
        Deadline(start + Duration::from_secs(watch))
    }

    /// True once the command must stop watching.
    pub fn passed(&self) -> bool {
        Instant::now() >= self.0
    }

    /// Milliseconds until then.
    pub fn left_ms(&self) -> u64 {
        self.0.saturating_duration_since(Instant::now()).as_millis() as u64
    }
}

/// Milliseconds left in the sale's current wait, as the default policy counts them.
fn policy_left(sale: &SaleRow, now: u64) -> Option<u64> {
    let p = Policy::default();
    let deadline = match (sale.status, sale.kind) {
        (SaleStatus::Processing, SaleKind::MerchantQr) => sale.qr.as_ref()?.expires_at_unix_ms?,
        (SaleStatus::Processing, SaleKind::CustomerCode) => {
            sale.created_at + p.user_paying_budget.as_millis() as u64
        }
        (SaleStatus::Processing, SaleKind::Card) => {
            sale.created_at + p.terminal_timeout.as_millis() as u64
        }
        (SaleStatus::Queued, SaleKind::CustomerCode) => {
            sale.created_at + p.code_validity.as_millis() as u64
        }
        _ => return None,
    };
    Some(deadline.saturating_sub(now))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Watches a sale until it is final or the deadline passes, drawing its QR once.
pub async fn sale(
    connected: &Connected,
    json: bool,
    id: &str,
    deadline: Deadline,
) -> Result<SaleRow, CliError> {
    let mut progress = render::Progress::new();
    let mut qr_drawn = false;
    loop {
        let sale = connected
            .cashier
            .sale(id)?
            .ok_or_else(|| CliError::internal(format!("sale {id} vanished from the store")))?;
        if !json && !qr_drawn && sale.qr.as_ref().is_some_and(|q| !q.content.is_empty()) {
            progress.finish();
            qr_drawn = draw_qr(&sale);
        }
        if sale.status.is_final() || deadline.passed() {
            progress.finish();
            return Ok(sale);
        }
        let left =
            policy_left(&sale, now_ms()).map_or(deadline.left_ms(), |l| l.min(deadline.left_ms()));
        progress.show(&render::sale_progress(&sale), Some(left));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Draws the sale's QR for the customer, with its content below; false when it has none yet.
pub fn draw_qr(sale: &SaleRow) -> bool {
    let Some(qr) = sale.qr.as_ref().filter(|q| !q.content.is_empty()) else { return false };
    if let Some(text) = render::qr_text(&qr.content) {
        out::line(text);
    }
    out::line(format!("QR: {}", qr.content));
    true
}

/// Watches a refund until it is final or the deadline passes.
pub async fn refund(
    connected: &Connected,
    mut refund: RefundRow,
    deadline: Deadline,
) -> Result<RefundRow, CliError> {
    let mut progress = render::Progress::new();
    while !refund.state.is_final() && !deadline.passed() {
        progress.show(&render::refund_progress(&refund), Some(deadline.left_ms()));
        tokio::time::sleep(Duration::from_millis(100)).await;
        refund = connected.cashier.refund_by_id(&refund.id)?.ok_or_else(|| {
            CliError::internal(format!("refund {} vanished from the store", refund.id))
        })?;
    }
    progress.finish();
    Ok(refund)
}
