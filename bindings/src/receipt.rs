//! Receipts across the FFI: the settings of the merchant header ([`ReceiptSettings`]), the
//! receipt's data for a screen ([`Receipt`]) and its renderings (text, ESC/POS, PNG), as calls
//! of [`Cashier`] taking the sale's id. The layout stays in the core: no document crosses.

use tillkit_core::document::escpos::{render_escpos, Charset, EscPosOptions};
use tillkit_core::document::png::{render_png, PngOptions};
use tillkit_core::document::{render_text, Document, Paper};
use tillkit_core::receipt::{
    Locale, MerchantInfo, Receipt as CoreReceipt, ReceiptCard as CoreCard, ReceiptCopy,
    ReceiptRefund as CoreRefund, ReceiptSettings as CoreSettings,
};

use crate::cashier::Cashier;
use crate::error::TillKitError;
use crate::ints::long;
use crate::money::Money;
use crate::reader::EntryMode;
use crate::types::{RefundState, SaleKind, SaleStatus, WalletMethod};

type Result<T> = std::result::Result<T, TillKitError>;

/// Whose copy of a receipt.
#[uniffi::remote(Enum)]
pub enum ReceiptCopy {
    /// The customer's.
    Customer,
    /// The merchant's (with a signature line for card sales).
    Merchant,
}

/// The paper roll a receipt is laid out for.
#[uniffi::remote(Enum)]
pub enum Paper {
    /// 58 mm: 32 columns.
    Mm58,
    /// 80 mm: 48 columns.
    Mm80,
}

/// The character set an ESC/POS printer is set up for.
#[uniffi::remote(Enum)]
pub enum Charset {
    /// GB18030 (mainland printers, Sunmi's and PAX's built-in ones): every character.
    Gb18030,
    /// Big5 (Hong Kong and Taiwan printers): other characters print as `?`.
    Big5,
    /// ASCII only: other characters print as `?`.
    Ascii,
}

/// The merchant header, clock and default language of receipts.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct ReceiptSettings {
    /// The shop's name (at most 64 characters; empty: no name line).
    #[uniffi(default = "")]
    pub merchant_name: String,
    /// The address, one line (at most 160 characters).
    #[uniffi(default = None)]
    pub merchant_address: Option<String>,
    /// The tax or business registration number (1–32 letters, digits, spaces and `-./`).
    #[uniffi(default = None)]
    pub merchant_tax_id: Option<String>,
    /// The merchant's offset from UTC in minutes (UTC+8: 480), at most ±14 hours. A fixed
    /// offset: where summer time applies, the app passes the current one at open.
    #[uniffi(default = 0)]
    pub utc_offset_minutes: i32,
    /// The language of receipts when a call names none, a BCP 47 tag (`en`, `zh-Hans`,
    /// `zh-Hant`, `zh-TW`…); an unknown tag is English, with a warning in the log.
    #[uniffi(default = "en")]
    pub locale: String,
}

impl TryFrom<ReceiptSettings> for CoreSettings {
    type Error = TillKitError;
    /// Only the conversion: the core checks every field at open (`InvalidConfig` naming it).
    fn try_from(s: ReceiptSettings) -> Result<Self> {
        let utc_offset_minutes =
            i16::try_from(s.utc_offset_minutes).map_err(|_| TillKitError::InvalidConfig {
                field: "receipt.utc_offset_minutes".into(),
                reason: "between -840 and 840 (±14 hours)".into(),
            })?;
        Ok(CoreSettings {
            merchant: MerchantInfo {
                name: s.merchant_name,
                address: s.merchant_address,
                tax_id: s.merchant_tax_id,
            },
            utc_offset_minutes,
            locale: Locale::from_tag(&s.locale),
        })
    }
}

/// The card a sale was paid with, as far as it may be shown.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<CoreCard> for ReceiptCard {
    fn from(c: CoreCard) -> Self {
        ReceiptCard {
            brand: c.brand,
            last4: c.last4,
            entry_mode: c.entry_mode,
            aid: c.aid,
            application_label: c.application_label,
            auth_code: c.auth_code,
        }
    }
}

/// The refund a refund receipt is for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptRefund {
    /// The refund's id.
    pub id: String,
    /// How much.
    pub amount: Money,
    /// Its state.
    pub state: RefundState,
    /// The acquirer's refund id.
    pub acquirer_refund_id: Option<String>,
    /// When it was made, ms since the epoch.
    pub at_ms: i64,
}

impl From<CoreRefund> for ReceiptRefund {
    fn from(r: CoreRefund) -> Self {
        ReceiptRefund {
            id: r.id,
            amount: r.amount.into(),
            state: r.state,
            acquirer_refund_id: r.acquirer_refund_id,
            at_ms: long(r.at_ms),
        }
    }
}

/// Everything a receipt shows, for a screen that draws its own (the renderings draw the same).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Receipt {
    /// The shop's name (may be empty).
    pub merchant_name: String,
    /// The shop's address.
    pub merchant_address: Option<String>,
    /// The shop's tax id.
    pub merchant_tax_id: Option<String>,
    /// The register (`cashierDeviceId`).
    pub register: String,
    /// Whose copy.
    pub copy: ReceiptCopy,
    /// The language's tag (`en`, `zh-Hans`, `zh-Hant`).
    pub locale: String,
    /// The receipt's time (the refund's for a refund receipt) in the merchant's offset, as
    /// printed: `2026-12-07 09:30:05 +08:00`.
    pub time_text: String,
    /// The sale id.
    pub sale_id: String,
    /// When the sale was made, ms since the epoch.
    pub sale_at_ms: i64,
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
    pub amount: Money,
    /// What succeeded refunds gave back so far; `null` when nothing was.
    pub refunded: Option<Money>,
    /// The sale's state.
    pub status: SaleStatus,
    /// For a refund receipt: the refund (the receipt refers to its sale by `saleId`).
    pub refund: Option<ReceiptRefund>,
    /// What the receipt's QR code holds (the sale id, for look-ups).
    pub qr_content: String,
}

impl From<CoreReceipt> for Receipt {
    fn from(r: CoreReceipt) -> Self {
        let (time_text, qr_content) = (r.time_text(), r.qr_content().to_owned());
        Receipt {
            time_text,
            merchant_name: r.merchant.name,
            merchant_address: r.merchant.address,
            merchant_tax_id: r.merchant.tax_id,
            register: r.register,
            copy: r.copy,
            locale: r.locale.tag().into(),
            qr_content,
            sale_id: r.sale_id,
            sale_at_ms: long(r.sale_at_ms),
            method: r.method,
            wallet: r.wallet,
            payment_code: r.payment_code,
            card: r.card.map(ReceiptCard::from),
            acquirer_transaction_id: r.acquirer_transaction_id,
            amount: r.amount.into(),
            refunded: r.refunded.map(Money::from),
            status: r.status,
            refund: r.refund.map(ReceiptRefund::from),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Cashier {
    /// The receipt of a sale, or of its refund `refund_id`, as the store has them now (a
    /// reprint is the same call). `copy`: `null` is the customer's. `locale`: a BCP 47 tag,
    /// `null` for the configured one; an unknown tag is English. Unknown ids are `UnknownSale`
    /// / `UnknownRefund`. The renderings below take the same arguments.
    #[uniffi::method(default(refund_id = None, copy = None, locale = None))]
    pub async fn receipt(
        &self,
        sale_id: String,
        refund_id: Option<String>,
        copy: Option<ReceiptCopy>,
        locale: Option<String>,
    ) -> Result<Receipt> {
        self.receipt_call(sale_id, refund_id, copy, locale, |r| Ok(r.into())).await
    }

    /// The receipt as plain text (logs, e-mail), with the columns of `paper` (`null`: 80 mm).
    #[uniffi::method(default(refund_id = None, copy = None, locale = None, paper = None))]
    pub async fn receipt_text(
        &self,
        sale_id: String,
        refund_id: Option<String>,
        copy: Option<ReceiptCopy>,
        locale: Option<String>,
        paper: Option<Paper>,
    ) -> Result<String> {
        self.document_call(sale_id, refund_id, copy, locale, move |d| {
            Ok(render_text(&d, paper.unwrap_or_default().columns()))
        })
        .await
    }

    /// The receipt as ESC/POS bytes for a printer on `paper` (`null`: 80 mm) set up for
    /// `charset` (`null`: GB18030). Starts with `ESC @`, ends with a feed and cut; the QR is
    /// the printer's own `GS ( k`.
    #[uniffi::method(default(refund_id = None, copy = None, locale = None, paper = None, charset = None))]
    pub async fn receipt_esc_pos(
        &self,
        sale_id: String,
        refund_id: Option<String>,
        copy: Option<ReceiptCopy>,
        locale: Option<String>,
        paper: Option<Paper>,
        charset: Option<Charset>,
    ) -> Result<Vec<u8>> {
        self.document_call(sale_id, refund_id, copy, locale, move |d| {
            Ok(esc_pos(&d, paper.unwrap_or_default(), charset.unwrap_or_default()))
        })
        .await
    }

    /// The receipt as a PNG image (black on white) to share or to print as a bitmap, as wide
    /// as `paper` (`null`: 80 mm).
    #[uniffi::method(default(refund_id = None, copy = None, locale = None, paper = None))]
    pub async fn receipt_png(
        &self,
        sale_id: String,
        refund_id: Option<String>,
        copy: Option<ReceiptCopy>,
        locale: Option<String>,
        paper: Option<Paper>,
    ) -> Result<Vec<u8>> {
        self.document_call(sale_id, refund_id, copy, locale, move |d| {
            png(&d, paper.unwrap_or_default())
        })
        .await
    }
}

/// ESC/POS bytes of a document, cut at the end.
pub(crate) fn esc_pos(d: &Document, paper: Paper, charset: Charset) -> Vec<u8> {
    render_escpos(d, &EscPosOptions { paper, charset, ..EscPosOptions::default() })
}

/// PNG bytes of a document at the default scale.
pub(crate) fn png(d: &Document, paper: Paper) -> Result<Vec<u8>> {
    render_png(d, &PngOptions { paper, ..PngOptions::default() })
        .map(|(bytes, _, _)| bytes)
        .map_err(|e| TillKitError::Internal { reason: e.to_string() })
}

impl Cashier {
    /// Builds a receipt from the store off the caller's thread and hands it to `f`.
    async fn receipt_call<T, F>(
        &self,
        sale_id: String,
        refund_id: Option<String>,
        copy: Option<ReceiptCopy>,
        locale: Option<String>,
        f: F,
    ) -> Result<T>
    where
        F: FnOnce(CoreReceipt) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let locale = locale.as_deref().map(Locale::from_tag);
        let copy = copy.unwrap_or_default();
        self.store_call(move |c| f(c.receipt(&sale_id, refund_id.as_deref(), copy, locale)?)).await
    }

    /// Builds a receipt's document off the caller's thread and hands it to `f`.
    pub(crate) async fn document_call<T, F>(
        &self,
        sale_id: String,
        refund_id: Option<String>,
        copy: Option<ReceiptCopy>,
        locale: Option<String>,
        f: F,
    ) -> Result<T>
    where
        F: FnOnce(Document) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.receipt_call(sale_id, refund_id, copy, locale, move |r| f(r.document())).await
    }
}
