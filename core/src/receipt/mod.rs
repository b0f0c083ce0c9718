//! Receipts: what a sale's or a refund's slip says ([`Receipt`], built from the store by
//! [`build`]), and how it is laid out as a [`Document`] for the text, ESC/POS and PNG
//! renderings of [`crate::document`].
//!
//! A receipt is a pure value: building one reads nothing but the rows given, and printing it
//! (see [`crate::printer`]) happens after the sale and never changes it.

mod build;
mod labels;
mod layout;
mod merchant;

pub use crate::wall_time::local_time;
pub use build::{refund_receipt, sale_receipt, ReceiptError};
pub use labels::{Label, Locale};
pub(crate) use layout::method_label;
pub use merchant::{InvalidReceiptSetting, MerchantInfo, ReceiptSettings};

use crate::acquirer::WalletMethod;
use crate::document::Document;
use crate::money::Amount;
use crate::order::{Millis, RefundState, SaleKind, SaleStatus};
use crate::reader::EntryMode;

/// Whose copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReceiptCopy {
    /// The customer's.
    #[default]
    Customer,
    /// The merchant's (with a signature line for card sales).
    Merchant,
}

/// The card a sale was paid with, as far as it may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiptCard {
    /// The scheme (`VISA`, `MASTERCARD`, `UNIONPAY`…).
    pub brand: Option<String>,
    /// The last four digits.
    pub last4: Option<String>,
    /// How the card was read.
    pub entry_mode: Option<EntryMode>,
    /// The application's AID (hex).
    pub aid: Option<String>,
    /// The application label (`VISA CREDIT`).
    pub application_label: Option<String>,
    /// The issuer's authorisation code.
    pub auth_code: Option<String>,
}

/// The refund a refund receipt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRefund {
    /// The refund's id.
    pub id: String,
    /// How much.
    pub amount: Amount,
    /// Its state.
    pub state: RefundState,
    /// The acquirer's refund id.
    pub acquirer_refund_id: Option<String>,
    /// When it was made.
    pub at_ms: Millis,
}

/// Everything a receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The header.
    pub merchant: MerchantInfo,
    /// The register (`cashierDeviceId`).
    pub register: String,
    /// Whose copy.
    pub copy: ReceiptCopy,
    /// The language.
    pub locale: Locale,
    /// The merchant's UTC offset, minutes.
    pub utc_offset_minutes: i16,
    /// The sale id (also in the QR code, for look-ups).
    pub sale_id: String,
    /// When the sale was made.
    pub sale_at_ms: Millis,
    /// How it was paid.
    pub method: SaleKind,
    /// The wallet, for wallet sales.
    pub wallet: Option<WalletMethod>,
    /// The customer's payment code, masked (`1346**********1395`).
    pub payment_code: Option<String>,
    /// The card, for card sales.
    pub card: Option<ReceiptCard>,
    /// The acquirer's transaction id.
    pub acquirer_transaction_id: Option<String>,
    /// The sale's amount.
    pub amount: Amount,
    /// What refunds gave back so far (succeeded ones); `None` when nothing was.
    pub refunded: Option<Amount>,
    /// The sale's state.
    pub status: SaleStatus,
    /// For a refund receipt: the refund.
    pub refund: Option<ReceiptRefund>,
}

impl Receipt {
    /// The receipt as a document, ready for any rendering.
    pub fn document(&self) -> Document {
        layout::document(self)
    }

    /// The receipt's time as printed — the refund's for a refund receipt, else the sale's — in
    /// the merchant's offset: `2026-12-07 09:30:05 +08:00`.
    pub fn time_text(&self) -> String {
        let at = self.refund.as_ref().map_or(self.sale_at_ms, |f| f.at_ms);
        local_time(at, self.utc_offset_minutes)
    }

    /// What the receipt's QR code holds: the sale id, for look-ups.
    pub fn qr_content(&self) -> &str {
        &self.sale_id
    }
}
