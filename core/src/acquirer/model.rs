//! The unified payment model every acquirer adapter speaks.
//!
//! One request and one result shape for the three in-person methods (customer-presented wallet
//! code, merchant-presented QR, card on a POS terminal), and one status enum, so that the engine
//! runs one state machine whatever the acquirer.

use crate::money::Amount;
use crate::paycode::PaymentCode;

/// A wallet's offline payment method, as the merchant is configured for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WalletMethod {
    /// WeChat Pay offline.
    WechatPay,
    /// Alipay, mainland China wallet.
    AlipayCn,
    /// Alipay, Hong Kong wallet.
    AlipayHk,
}

/// How the customer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentMethod {
    /// The cashier scanned the code the customer's wallet shows.
    CustomerCode {
        /// The validated code.
        code: PaymentCode,
        /// Which offline method to charge it with (CN vs HK Alipay comes from configuration).
        wallet: WalletMethod,
    },
    /// The cashier shows a QR code that the customer scans with the wallet.
    MerchantQr {
        /// The wallet the QR is for.
        wallet: WalletMethod,
    },
    /// A card payment routed to a POS terminal.
    CardOnTerminal {
        /// The terminal to route to.
        terminal: TerminalId,
    },
}

/// A POS terminal's routing identity: PingPong routes card payments by serial and model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TerminalId {
    /// Serial number (`deviceSn`).
    pub serial: String,
    /// Model (`deviceModel`).
    pub model: String,
}

/// A payment attempt, as sent to the acquirer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRequest {
    /// The merchant's order id (one per sale, reused by every attempt).
    pub merchant_transaction_id: String,
    /// The attempt id; resending the same attempt reuses it, so the acquirer charges once.
    pub request_id: String,
    /// What to charge.
    pub amount: Amount,
    /// How.
    pub method: PaymentMethod,
    /// The cashier device (the register) making the request.
    pub cashier_device_id: String,
    /// Where the acquirer posts the asynchronous result, if anywhere.
    pub notification_url: Option<String>,
    /// When an unpaid order closes, in Unix seconds (QR validity).
    pub expires_at_unix: Option<u64>,
    /// Free text echoed by the acquirer.
    pub remark: Option<String>,
}

/// What identifies a payment when asking for its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentQuery {
    /// The merchant's order id.
    pub merchant_transaction_id: String,
    /// The attempt, when a specific one is asked about.
    pub request_id: Option<String>,
    /// The acquirer's id, when known.
    pub acquirer_transaction_id: Option<String>,
    /// The sale's amount: the answer must be about it (a sale id reused at the acquirer for
    /// another amount is a mismatch, never this sale's result).
    pub amount: Amount,
}

/// A request to cancel (void) an unfinished payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRequest {
    /// The merchant's order id.
    pub merchant_transaction_id: String,
    /// The acquirer's id, when known.
    pub acquirer_transaction_id: Option<String>,
    /// The sale's amount, which the answer must match.
    pub amount: Amount,
}

/// The acquirer's view of a payment, in unified terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Not final: created, user paying, waiting on the terminal.
    Processing,
    /// Paid. Final.
    Succeeded,
    /// This attempt failed; with PingPong's default mode the order may be paid again.
    Failed,
    /// Expired or closed unpaid by the acquirer. Final.
    Closed,
    /// Voided or reversed. Final.
    Cancelled,
}

impl PaymentStatus {
    /// Whether no further change is expected for this attempt.
    pub fn is_final(self) -> bool {
        !matches!(self, PaymentStatus::Processing)
    }
}

/// A merchant-presented QR code to show to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    /// The content to render as a QR code.
    pub content: String,
    /// An image URL of the same code, when the acquirer gives one.
    pub image_url: Option<String>,
    /// When the code stops being payable, in Unix milliseconds.
    pub expires_at_unix_ms: Option<u64>,
}

/// What may be shown or stored of a card: never the full number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSummary {
    /// The scheme (Visa, Mastercard, UnionPay, …) when known.
    pub brand: Option<String>,
    /// The masked number, e.g. `520474******1002`.
    pub masked_number: Option<String>,
}

/// What the terminal and the issuer said about a card payment, for the receipt: never card
/// data beyond what [`CardSummary`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardDetails {
    /// The issuer's authorisation code.
    pub auth_code: Option<String>,
    /// How the card was read.
    pub entry_mode: Option<crate::reader::EntryMode>,
    /// The card application's AID (upper-case hex).
    pub aid: Option<String>,
    /// The application label (`VISA CREDIT`).
    pub application_label: Option<String>,
}

impl CardDetails {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self == &CardDetails::default()
    }
}

/// The result of a pay, query or cancel call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentResult {
    /// Unified status.
    pub status: PaymentStatus,
    /// The merchant's order id, as echoed.
    pub merchant_transaction_id: String,
    /// The attempt id, when the acquirer returns it.
    pub request_id: Option<String>,
    /// The acquirer's transaction id (PingPong `transactionId`, Oceanpayment `payment_id`).
    pub acquirer_transaction_id: Option<String>,
    /// The amount, when the acquirer returns it.
    pub amount: Option<Amount>,
    /// The acquirer's result code (`301002`, `80000`, …).
    pub result_code: Option<String>,
    /// The acquirer's result text.
    pub result_description: Option<String>,
    /// The QR to show, for merchant-presented payments.
    pub qr: Option<QrCode>,
    /// A page of the wallet or payment channel for an app that opens it instead of showing a
    /// QR (PingPong `paymentRedirectUrl`); checked as external input (see `acquirer::url`).
    pub payment_redirect_url: Option<String>,
    /// Masked card data, for card payments.
    pub card: Option<CardSummary>,
    /// Authorisation code and how the card was read, for card payments, when the acquirer says.
    /// (Boxed: most payments have none, and the result travels in enums.)
    pub card_details: Option<Box<CardDetails>>,
    /// How a card payment ended unpaid at the terminal, when the acquirer says (beside a
    /// failed status only).
    pub terminal_result: Option<super::TerminalResult>,
}

/// A refund request. Refunds are bounded by what was paid and may be partial and repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The paid order.
    pub merchant_transaction_id: String,
    /// The acquirer's id of the paid transaction (Oceanpayment needs it).
    pub acquirer_transaction_id: Option<String>,
    /// The refund's own id: resending the same refund reuses it.
    pub merchant_refund_id: String,
    /// How much to give back.
    pub amount: Amount,
    /// Whether this refunds the whole payment (Oceanpayment's `refund_type`).
    pub full: bool,
    /// Why (shown in the acquirer's portal).
    pub reason: Option<String>,
    /// The terminal a card payment was taken on (PingPong routes card refunds to it).
    pub terminal: Option<TerminalId>,
    /// The cashier device making the request.
    pub cashier_device_id: String,
    /// Where the acquirer posts the asynchronous result.
    pub notification_url: Option<String>,
}

/// What identifies a refund when asking for its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundQuery {
    /// The paid order.
    pub merchant_transaction_id: String,
    /// The refund's own id.
    pub merchant_refund_id: String,
    /// The acquirer's refund id, when known.
    pub acquirer_refund_id: Option<String>,
    /// The refund's amount, which the answer must match.
    pub amount: Amount,
}

/// The acquirer's view of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    /// Accepted, not final.
    Processing,
    /// Money returned. Final.
    Succeeded,
    /// Refused. Final.
    Failed,
}

impl RefundStatus {
    /// Whether no further change is expected.
    pub fn is_final(self) -> bool {
        !matches!(self, RefundStatus::Processing)
    }
}

/// The result of a refund or refund query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundResult {
    /// Unified status.
    pub status: RefundStatus,
    /// The merchant's refund id, as echoed.
    pub merchant_refund_id: Option<String>,
    /// The acquirer's refund id.
    pub acquirer_refund_id: Option<String>,
    /// The amount, when returned.
    pub amount: Option<Amount>,
    /// The acquirer's result code.
    pub result_code: Option<String>,
    /// The acquirer's result text.
    pub result_description: Option<String>,
}

/// A verified asynchronous notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A payment reached a state.
    Payment(PaymentResult),
    /// A refund reached a state.
    Refund {
        /// The paid order the refund belongs to.
        merchant_transaction_id: String,
        /// The refund's state.
        result: RefundResult,
    },
}

/// Which operations an acquirer offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Card payments routed to a POS terminal.
    pub card_on_terminal: bool,
    /// Merchant-presented QR.
    pub merchant_qr: bool,
    /// Cancel/void of an unfinished payment.
    pub cancel: bool,
    /// Cancel of an unfinished card sale on a terminal, where `cancel` is false for the other
    /// methods: the terminal decides, so the answer may still be "processing" and the sale ends
    /// only when a later answer says how.
    pub cancel_card_on_terminal: bool,
}

impl Capabilities {
    /// Whether a payment in progress can be cancelled: any with `cancel`, a card sale on a
    /// terminal also with `cancel_card_on_terminal`.
    pub fn cancels(&self, card_on_terminal: bool) -> bool {
        self.cancel || (card_on_terminal && self.cancel_card_on_terminal)
    }
}
