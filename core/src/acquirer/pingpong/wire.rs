//! PingPong v4 business payloads (the JSON inside `bizContent`).
//!
//! Field placements the documentation leaves open are decided here and listed in
//! docs/acquirer-choices.md (P1–P7): in-person device fields at the top level of `bizContent`,
//! the QR answer in `action`, amounts sent as strings.

use serde::{Deserialize, Serialize};

use crate::acquirer::model::WalletMethod;

/// `paymentMethod.type` of each wallet's offline method.
pub fn wallet_method_type(wallet: WalletMethod) -> &'static str {
    match wallet {
        WalletMethod::WechatPay => "Wechat-Offline",
        WalletMethod::AlipayCn => "AlipayCN-Offline",
        WalletMethod::AlipayHk => "AlipayHK-Offline",
    }
}

/// `paymentMethod.type` of a card payment on a POS terminal (choice P3).
pub const CARD_METHOD_TYPE: &str = "scheme";

/// `device.orderTerminal` when the platform is not an Android or iOS app (a desktop register,
/// the command line): `02`, as every documented in-person example sends (choice P16).
pub const ORDER_TERMINAL: &str = "02";

pub use crate::acquirer::settings::OrderTerminal;

impl OrderTerminal {
    /// The wire value.
    pub fn code(self) -> &'static str {
        match self {
            OrderTerminal::Desktop => ORDER_TERMINAL,
            OrderTerminal::Ios => "03",
            OrderTerminal::Android => "04",
        }
    }
}

/// `paymentMethod` of a request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodWire {
    /// `Wechat-Offline`, `AlipayCN-Offline`, `AlipayHK-Offline` or `scheme`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The customer-presented code; absent for a merchant-presented QR (choice P2).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub scan_code_id: Option<String>,
}

/// `device` of a request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeviceWire {
    /// `02`, `03` or `04`, see [`OrderTerminal`].
    pub order_terminal: String,
}

/// `bizContent` of `unifiedPay`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UnifiedPayBiz {
    /// Amount as a string with the currency's exponent (choice P7).
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The order.
    pub merchant_transaction_id: String,
    /// The attempt.
    pub request_id: String,
    /// `0`: capture at once.
    pub capture_delay_hours: i32,
    /// Method.
    pub payment_method: PaymentMethodWire,
    /// Device info.
    pub device: DeviceWire,
    /// Card routing (choice P1).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub device_sn: Option<String>,
    /// Card routing (choice P1).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub device_model: Option<String>,
    /// The register (choice P1).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cashier_device_id: Option<String>,
    /// Order closing time, Unix seconds as a string (choice P6).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub time_expire: Option<String>,
    /// Asynchronous result URL.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notification_url: Option<String>,
    /// Echoed text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remark: Option<String>,
}

/// `bizContent` of `query`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct QueryBiz {
    /// The order.
    pub merchant_transaction_id: String,
    /// The acquirer's id, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub transaction_id: Option<String>,
    /// The attempt, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
}

/// `bizContent` of `payment/cancel`, TillKit's extension for a card sale on a terminal (choice
/// P8 in docs/acquirer-choices.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CancelBiz {
    /// The order.
    pub merchant_transaction_id: String,
}

/// `bizContent` of `refund`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RefundBiz {
    /// The paid order.
    pub merchant_transaction_id: String,
    /// The refund's id.
    pub merchant_refund_id: String,
    /// Amount as a string (choice P7).
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Card refunds are routed to the terminal (choice P1).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub device_sn: Option<String>,
    /// Card refunds are routed to the terminal (choice P1).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub device_model: Option<String>,
    /// The register.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cashier_device_id: Option<String>,
    /// Asynchronous result URL.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notification_url: Option<String>,
    /// Reason.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remark: Option<String>,
}

/// `bizContent` of `refund/query`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RefundQueryBiz {
    /// The paid order.
    pub merchant_transaction_id: String,
    /// The refund's id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub merchant_refund_id: Option<String>,
    /// The acquirer's refund id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub refund_id: Option<String>,
}

/// A string field that some answers send as a JSON number.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Loose {
    /// As a string.
    Text(String),
    /// As a number (kept as its JSON text).
    Number(serde_json::Number),
}

impl Loose {
    /// The value as text.
    pub fn text(&self) -> String {
        match self {
            Loose::Text(s) => s.clone(),
            Loose::Number(n) => n.to_string(),
        }
    }
}

/// `action` of a QR answer (choice P4).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct ActionWire {
    /// `QR_CODE`, `QR_URL`, `PAYMENT_REDIRECT_URL`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// QR content.
    pub qr_code: Option<String>,
    /// QR image URL.
    pub qr_url: Option<String>,
    /// QR content, the non-hosted APM name (choice P17).
    pub payment_qr_code: Option<String>,
    /// Page of the payment channel to open (choice P17).
    pub payment_redirect_url: Option<String>,
    /// Expiry, epoch ms (choice P5).
    pub qr_code_expired: Option<Loose>,
}

/// `cardInfo` of an answer: only the masked parts are read.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct CardInfoWire {
    /// First six digits (BIN).
    pub first_six_digits: Option<String>,
    /// Last four digits.
    pub last_four_digits: Option<String>,
    /// Scheme.
    pub payment_brand: Option<String>,
    /// How the card was read at the terminal: `CONTACTLESS`, `CHIP`, `SWIPE` (TillKit's
    /// terminal channel, docs/terminal-channel.md).
    pub entry_mode: Option<String>,
    /// The card application's AID, hex (TillKit's terminal channel).
    pub aid: Option<String>,
    /// The application label (TillKit's terminal channel).
    pub application_label: Option<String>,
}

/// `bizContent` of a payment answer (unifiedPay, query, payment notification).
/// Unknown keys are ignored (they were still covered by the signature check).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentBiz {
    /// The acquirer's id.
    pub transaction_id: Option<String>,
    /// The order.
    pub merchant_transaction_id: Option<String>,
    /// The attempt.
    pub request_id: Option<String>,
    /// Amount, "100.000000".
    pub amount: Option<Loose>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// INIT, PROCESSING, SUCCESS, FAILED, CLOSED, AUTH_SUCCESS, CANCEL.
    pub status: Option<String>,
    /// Query result code.
    pub result_code: Option<String>,
    /// Query result text.
    pub result_description: Option<String>,
    /// QR answer (choice P4).
    pub action: Option<ActionWire>,
    /// QR content at the top level (also accepted, choice P4).
    pub qr_code: Option<String>,
    /// QR image URL at the top level.
    pub qr_url: Option<String>,
    /// QR expiry at the top level.
    pub qr_code_expired: Option<Loose>,
    /// QR content at the top level, the non-hosted APM name.
    pub payment_qr_code: Option<String>,
    /// Page of the payment channel at the top level.
    pub payment_redirect_url: Option<String>,
    /// Masked card data.
    pub card_info: Option<CardInfoWire>,
    /// The issuer's authorisation code of a card payment on a terminal (TillKit's terminal
    /// channel, docs/terminal-channel.md).
    pub auth_code: Option<String>,
    /// `RECHARGE` in payment notifications.
    pub notify_type: Option<String>,
    /// How a FAILED card payment ended at the terminal (`declined`, `cancelled_at_terminal`,
    /// `cancelled_by_cashier`, `timed_out`, `failed`, `undelivered`), see
    /// docs/terminal-channel.md.
    pub terminal_result: Option<String>,
    /// On a `500000` refusal of a card sale: `BUSY` or `UNREACHABLE`.
    pub terminal_state: Option<String>,
    /// With `BUSY`: the order the terminal is taking.
    pub blocking_transaction_id: Option<Loose>,
    /// With `UNREACHABLE`: when the terminal was last seen, epoch ms.
    pub last_seen_ms: Option<Loose>,
}

/// `bizContent` of a refund answer (refund, refund/query, refund notification).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct RefundBizAnswer {
    /// The paid order.
    pub merchant_transaction_id: Option<String>,
    /// The refund's id.
    pub merchant_refund_id: Option<String>,
    /// The acquirer's refund id.
    pub refund_id: Option<String>,
    /// Amount.
    pub amount: Option<Loose>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// SUCCESS, FAILED, PROCESSING.
    pub status: Option<String>,
    /// Result code.
    pub result_code: Option<String>,
    /// Result text.
    pub result_description: Option<String>,
    /// `REFUND` in refund notifications.
    pub notify_type: Option<String>,
}
