//! What the engine tells the app, through the listener the app implements.

use crate::order::{AttentionReason, FailReason, Millis, SaleKind, SaleStatus};
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
    /// The terminal was busy with another payment; nothing was charged.
    TerminalBusy,
    /// The terminal could not be reached; nothing was charged.
    TerminalUnreachable,
    /// Cancelled on the terminal; nothing was charged.
    CancelledAtTerminal,
    /// The terminal timed out waiting for the card; nothing was charged.
    TimedOutAtTerminal,
    /// The terminal never picked the sale up; nothing was charged.
    Undelivered,
    /// The terminal failed (not a decline); nothing was charged.
    FailedAtTerminal,
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
            SaleStatus::Failed(FailReason::TerminalBusy) => SaleHint::TerminalBusy,
            SaleStatus::Failed(FailReason::TerminalUnreachable) => SaleHint::TerminalUnreachable,
            SaleStatus::Failed(FailReason::CancelledAtTerminal) => SaleHint::CancelledAtTerminal,
            SaleStatus::Failed(FailReason::TimedOutAtTerminal) => SaleHint::TimedOutAtTerminal,
            SaleStatus::Failed(FailReason::Undelivered) => SaleHint::Undelivered,
            SaleStatus::Failed(FailReason::FailedAtTerminal) => SaleHint::FailedAtTerminal,
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
            SaleHint::TerminalBusy => "terminal busy: not charged",
            SaleHint::TerminalUnreachable => "terminal unreachable: not charged",
            SaleHint::CancelledAtTerminal => "cancelled at the terminal: not charged",
            SaleHint::TimedOutAtTerminal => "timed out at the terminal: not charged",
            SaleHint::Undelivered => "never reached the terminal: not charged",
            SaleHint::FailedAtTerminal => "failed at the terminal: not charged",
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
// Events go one at a time to the listener, never in bulk: a sale row's size costs nothing
// worth boxing it for (and every app would see the box).
#[allow(clippy::large_enum_variant)]
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
    /// A sale (or one of its refunds) was flagged for a person to look at, or its reason
    /// changed. The sale or refund itself also comes in `SaleChanged` / `RefundChanged`.
    AttentionNeeded {
        /// The sale.
        sale_id: String,
        /// The refund, when it is a refund that needs attention.
        refund_id: Option<String>,
        /// Why.
        reason: AttentionReason,
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
