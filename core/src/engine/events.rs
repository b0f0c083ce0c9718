//! What the engine tells the app, through the listener the app implements.

use crate::order::{FailReason, Millis, SaleKind, SaleStatus};
use crate::store::{Entity, RefundRow, SaleRow};

/// What a cashier's screen should say about a sale: one place decides it for every app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleHint {
    /// Waiting for the network; the sale will be sent (or fail as offline) by itself.
    WaitingForNetwork,
    /// Show the QR code to the customer.
    ShowQr,
    /// The customer is confirming in the wallet, or the card is on the terminal.
    WaitingForCustomer,
    /// The outcome is being resolved: do NOT charge the customer again.
    DoNotChargeAgain,
    /// Cancelling.
    Cancelling,
    /// Paid.
    Paid,
    /// Declined.
    Declined,
    /// Expired unpaid.
    Expired,
    /// Cancelled.
    Cancelled,
    /// Could not reach the acquirer in time; nothing was charged.
    Offline,
}

impl SaleHint {
    /// The hint for a sale.
    pub fn of(sale: &SaleRow) -> SaleHint {
        match sale.status {
            SaleStatus::Queued => SaleHint::WaitingForNetwork,
            // Before the acquirer's answer the sale holds only the QR's expiry, no content.
            SaleStatus::Processing
                if sale.kind == SaleKind::MerchantQr
                    && sale.qr.as_ref().is_some_and(|q| !q.content.is_empty()) =>
            {
                SaleHint::ShowQr
            }
            SaleStatus::Processing => SaleHint::WaitingForCustomer,
            SaleStatus::Unknown => SaleHint::DoNotChargeAgain,
            SaleStatus::Cancelling => SaleHint::Cancelling,
            SaleStatus::Paid => SaleHint::Paid,
            SaleStatus::Failed(FailReason::Declined) => SaleHint::Declined,
            SaleStatus::Failed(FailReason::Expired) => SaleHint::Expired,
            SaleStatus::Failed(FailReason::Cancelled) => SaleHint::Cancelled,
            SaleStatus::Failed(FailReason::Offline) => SaleHint::Offline,
        }
    }

    /// A short English text for the command line and logs (apps localise from the enum).
    pub fn text(self) -> &'static str {
        match self {
            SaleHint::WaitingForNetwork => "waiting for network",
            SaleHint::ShowQr => "show the QR code to the customer",
            SaleHint::WaitingForCustomer => "waiting for customer",
            SaleHint::DoNotChargeAgain => "unknown: do not charge again",
            SaleHint::Cancelling => "cancelling",
            SaleHint::Paid => "paid",
            SaleHint::Declined => "declined",
            SaleHint::Expired => "expired",
            SaleHint::Cancelled => "cancelled",
            SaleHint::Offline => "offline: not charged",
        }
    }
}

/// Totals of what waits in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueStatus {
    /// Unsettled sales.
    pub sales: u32,
    /// Unsettled refunds.
    pub refunds: u32,
    /// Of those, how many have an unknown outcome.
    pub unknown: u32,
    /// Of those, how many have never reached the acquirer.
    pub unsent: u32,
    /// Sum of unsettled amounts per currency, as (code, major-unit decimal string).
    pub totals: Vec<(String, String)>,
    /// Age of the oldest entry, in milliseconds.
    pub oldest_age_ms: Option<Millis>,
    /// When the next step is due.
    pub next_due_at: Option<Millis>,
    /// Whether the acquirer answered the last request (`None` before any request).
    pub online: Option<bool>,
}

/// An event for the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CashierEvent {
    /// A sale changed (status, QR, attention, result).
    SaleChanged(SaleRow),
    /// A refund changed.
    RefundChanged(RefundRow),
    /// One outbox step went to the acquirer.
    Forwarded {
        /// Sale or refund.
        entity: Entity,
        /// Its id.
        id: String,
        /// The step (`send`, `query`, `cancel`).
        step: &'static str,
        /// Whether the acquirer answered (`false`: a transport failure, will retry).
        answered: bool,
    },
    /// The outbox changed size.
    QueueChanged(QueueStatus),
    /// The acquirer became reachable or unreachable.
    ConnectivityChanged {
        /// Reachable.
        online: bool,
    },
    /// A sale the cashier had cancelled was charged after all (its request reached the
    /// acquirer late). It is recorded as paid and flagged: refund it or keep it (refunded
    /// automatically where `CashierConfig::refund_charged_after_cancel` is set).
    ChargedAfterCancel {
        /// The sale.
        sale_id: String,
    },
}

/// Receives events. Called from the engine's tasks: return quickly.
pub trait EventListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: CashierEvent);
}

/// A listener that drops everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoListener;

impl EventListener for NoListener {
    fn on_event(&self, _event: CashierEvent) {}
}
