//! The ledger's vocabulary, shared by both acquirers' wire layers.

use serde::Serialize;

/// Which emulated acquirer a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Acquirer {
    /// PingPong Checkout v4.
    PingPong,
    /// Oceanpayment.
    Oceanpayment,
}

impl Acquirer {
    /// The name stored in the ledger and shown by the inspection endpoints.
    pub fn as_str(self) -> &'static str {
        match self {
            Acquirer::PingPong => "pingpong",
            Acquirer::Oceanpayment => "oceanpayment",
        }
    }

    /// Parses [`Acquirer::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pingpong" => Some(Acquirer::PingPong),
            "oceanpayment" => Some(Acquirer::Oceanpayment),
            _ => None,
        }
    }
}

/// How the customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Customer-presented wallet code, scanned by the cashier.
    Code,
    /// Merchant-presented QR code, scanned by the customer.
    Qr,
    /// Card on a POS terminal.
    Card,
    /// A card sale the terminal's card approved offline, forwarded later by its agent.
    #[serde(rename = "card_offline")]
    CardOffline,
}

impl Flow {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Code => "code",
            Flow::Qr => "qr",
            Flow::Card => "card",
            Flow::CardOffline => "card_offline",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "qr" => Flow::Qr,
            "card" => Flow::Card,
            "card_offline" => Flow::CardOffline,
            _ => Flow::Code,
        }
    }
}

/// The state of a payment attempt (and of its order: the state of its latest attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PaymentStatus {
    /// Waiting for the customer, the wallet or the terminal.
    Processing,
    /// Paid: one charge exists.
    Success,
    /// Not paid; the order may be tried again with a new request.
    Failed,
    /// Expired unpaid: final.
    Closed,
    /// Voided (Oceanpayment offline void): final.
    Cancel,
}

impl PaymentStatus {
    /// PingPong's name, also the stored one.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Processing => "PROCESSING",
            PaymentStatus::Success => "SUCCESS",
            PaymentStatus::Failed => "FAILED",
            PaymentStatus::Closed => "CLOSED",
            PaymentStatus::Cancel => "CANCEL",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "SUCCESS" => PaymentStatus::Success,
            "FAILED" => PaymentStatus::Failed,
            "CLOSED" => PaymentStatus::Closed,
            "CANCEL" => PaymentStatus::Cancel,
            _ => PaymentStatus::Processing,
        }
    }

    /// True for every state but PROCESSING.
    pub fn is_final(self) -> bool {
        self != PaymentStatus::Processing
    }
}

/// Why an attempt is in its state; each wire layer maps it to its own codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// Waiting.
    Pending,
    /// Paid.
    Approved,
    /// Scenario 51.
    Declined,
    /// Scenario 53.
    CustomerCancelled,
    /// The customer-presented code was used before.
    CodeAlreadyUsed,
    /// The order reached its expiry unpaid.
    Expired,
    /// Voided by the merchant (Oceanpayment offline void).
    Voided,
    /// The terminal did not pick the card sale up by its deadline: nothing was charged.
    Undelivered,
    /// The customer cancelled at the terminal.
    CancelledAtTerminal,
    /// The cashier cancelled the card sale.
    CancelledByCashier,
    /// The terminal saw no card in time.
    TimedOut,
    /// The terminal could not run the sale.
    TerminalFailed,
}

impl Reason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Pending => "pending",
            Reason::Approved => "approved",
            Reason::Declined => "declined",
            Reason::CustomerCancelled => "customerCancelled",
            Reason::CodeAlreadyUsed => "codeAlreadyUsed",
            Reason::Expired => "expired",
            Reason::Voided => "voided",
            Reason::Undelivered => "undelivered",
            Reason::CancelledAtTerminal => "cancelledAtTerminal",
            Reason::CancelledByCashier => "cancelledByCashier",
            Reason::TimedOut => "timedOut",
            Reason::TerminalFailed => "terminalFailed",
        }
    }

    /// The device channel's name of a card sale's end at (or before) the terminal
    /// (`bizContent.terminalResult`), when the reason is one.
    pub fn terminal_result(self) -> Option<&'static str> {
        match self {
            Reason::Declined => Some("declined"),
            Reason::Undelivered => Some("undelivered"),
            Reason::CancelledAtTerminal => Some("cancelled_at_terminal"),
            Reason::CancelledByCashier => Some("cancelled_by_cashier"),
            Reason::TimedOut => Some("timed_out"),
            Reason::TerminalFailed => Some("failed"),
            _ => None,
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "approved" => Reason::Approved,
            "declined" => Reason::Declined,
            "customerCancelled" => Reason::CustomerCancelled,
            "codeAlreadyUsed" => Reason::CodeAlreadyUsed,
            "expired" => Reason::Expired,
            "voided" => Reason::Voided,
            "undelivered" => Reason::Undelivered,
            "cancelledAtTerminal" => Reason::CancelledAtTerminal,
            "cancelledByCashier" => Reason::CancelledByCashier,
            "timedOut" => Reason::TimedOut,
            "terminalFailed" => Reason::TerminalFailed,
            _ => Reason::Pending,
        }
    }
}

/// What a terminal reported about the card of a card sale, shown in the payment's answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardOnFile {
    /// The masked card number the terminal reported.
    pub masked_pan: String,
    /// The authorisation code given to the terminal.
    pub auth_code: Option<String>,
    /// The card application's AID, as the terminal reported it.
    pub aid: Option<String>,
    /// The application label.
    pub label: Option<String>,
    /// `contactless`, `chip` or `swipe`.
    pub entry_mode: Option<String>,
}

/// One payment request (PingPong `requestId`, Oceanpayment `order_number`) as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// Which acquirer.
    pub acquirer: Acquirer,
    /// The request's idempotency key.
    pub request_id: String,
    /// The order it pays.
    pub merchant_transaction_id: String,
    /// The acquirer's id (PingPong `transactionId`, Oceanpayment `payment_id`).
    pub transaction_id: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// How the customer pays.
    pub flow: Flow,
    /// The payment method as the request named it (`Wechat-Offline`, `scheme`, `WeChatPay_Offline`…).
    pub method: String,
    /// The customer-presented code, masked.
    pub code_masked: Option<String>,
    /// Terminal serial number (card flow).
    pub device_sn: Option<String>,
    /// Terminal model (card flow).
    pub device_model: Option<String>,
    /// The cashier's device id.
    pub cashier_device_id: Option<String>,
    /// The scenario number (0 = plain success).
    pub scenario: i64,
    /// Current state.
    pub status: PaymentStatus,
    /// Why.
    pub reason: Reason,
    /// The state of the first answer (replays answer with it).
    pub initial_status: PaymentStatus,
    /// The reason of the first answer.
    pub initial_reason: Reason,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// When the state became final, epoch ms.
    pub final_ms: Option<i64>,
    /// When an unpaid QR or card order closes, epoch ms.
    pub expires_ms: Option<i64>,
    /// Asynchronous notification URL.
    pub notify_url: Option<String>,
    /// PingPong's `closeNotificationUrl`.
    pub close_notify_url: Option<String>,
    /// Echoed remark / order notes.
    pub remark: Option<String>,
    /// The card, for a card sale whose terminal reported it.
    pub card: Option<CardOnFile>,
}

/// A refund (or the reversal of an Oceanpayment void) as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// Which acquirer.
    pub acquirer: Acquirer,
    /// The merchant's refund id (idempotency key).
    pub merchant_refund_id: String,
    /// The acquirer's refund id.
    pub refund_id: String,
    /// The refunded order.
    pub merchant_transaction_id: String,
    /// The refunded payment's acquirer id.
    pub transaction_id: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// `SUCCESS`, `PROCESSING` or `FAILED` (refund scenarios 51 and 52).
    pub status: PaymentStatus,
    /// The state of the first answer (replays answer with it).
    pub initial_status: PaymentStatus,
    /// `refund` or `void`.
    pub kind: String,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Asynchronous notification URL.
    pub notify_url: Option<String>,
    /// Echoed remark / refund description.
    pub remark: Option<String>,
}

/// A simulated card terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Terminal {
    /// `deviceSn`.
    pub device_sn: String,
    /// `deviceModel`.
    pub device_model: String,
}
