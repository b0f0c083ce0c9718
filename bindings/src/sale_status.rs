//! Where a sale stands and what the cashier can do about it: the core's status, reason, hint
//! and next step, mirrored as they are (the core decides; apps only localise).

pub use tillkit_core::engine::{NextStep, SaleHint};
pub use tillkit_core::order::{FailReason, SaleStatus};

/// Why a sale ended without a charge.
#[uniffi::remote(Enum)]
pub enum FailReason {
    /// The acquirer, wallet or card declined.
    Declined,
    /// The QR or the order expired unpaid.
    Expired,
    /// Cancelled before it was paid.
    Cancelled,
    /// The acquirer could not be reached in time; nothing was charged.
    Offline,
    /// The terminal was taking another payment; no order was made. Use another terminal, or
    /// try again when it is free.
    TerminalBusy,
    /// The terminal was not in touch with the acquirer; no order was made. Check the terminal.
    TerminalUnreachable,
    /// The customer or a clerk cancelled on the terminal; nothing was charged.
    CancelledAtTerminal,
    /// The terminal gave up waiting for the card; nothing was charged.
    TimedOutAtTerminal,
    /// The order closed before the terminal picked it up; nothing was charged.
    Undelivered,
    /// The terminal failed (not a decline of the card); nothing was charged.
    FailedAtTerminal,
}

/// What the cashier can do about a sale now (`Sale.nextStep`), decided by the core.
#[uniffi::remote(Enum)]
pub enum NextStep {
    /// Wait: the sale is under way or being resolved (never charge again meanwhile).
    Wait,
    /// Nothing: the sale is settled.
    Done,
    /// Start a new sale the same way (nothing was charged).
    TryAgain,
    /// The terminal is busy: use another terminal, or try again once it is free.
    UseAnotherTerminal,
    /// Check the terminal (power, network, pairing), then try again.
    CheckTerminal,
    /// The card or wallet declined: ask for another card or payment method.
    AnotherPaymentMethod,
}

/// The state of a sale.
#[uniffi::remote(Enum)]
pub enum SaleStatus {
    /// Accepted locally, waiting for the network.
    Queued,
    /// At the acquirer, waiting for the customer, the wallet or the terminal.
    Processing,
    /// The outcome is unknown and being resolved. Do not charge again.
    Unknown,
    /// A cancel is being sent.
    Cancelling,
    /// Paid. Final.
    Paid,
    /// Ended without a charge. Final.
    Failed(FailReason),
}

/// What the screen should say about a sale. The core decides it; apps only localise it.
#[uniffi::remote(Enum)]
pub enum SaleHint {
    /// Waiting for the network; the sale goes out (or fails as offline) by itself.
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

/// A short English text for a next step (apps localise from the enum).
#[uniffi::export]
pub fn next_step_text(step: NextStep) -> String {
    step.text().to_string()
}

/// A short English text for a hint (apps localise from the enum; this is for logs and demos).
#[uniffi::export]
pub fn sale_hint_text(hint: SaleHint) -> String {
    hint.text().to_string()
}
