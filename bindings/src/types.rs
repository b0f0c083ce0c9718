//! The records and enums a cashier's screens show: sales, refunds, the queue, events.
//!
//! Core types whose shape already fits are mirrored with `uniffi::remote` (no conversion code);
//! the rest are FFI records built by one `From` each, with money as [`Money`].

use tillkit_core::engine::{
    CashierEvent as CoreEvent, QueueStatus as CoreQueueStatus, SaleHint as CoreSaleHint,
};
use tillkit_core::store::{RefundRow, SaleRow};

use tillkit_core::acquirer::QrCode as CoreQrCode;
pub use tillkit_core::acquirer::{CardSummary, TerminalId, WalletMethod};
pub use tillkit_core::order::{RefundState, SaleKind};

pub use crate::history::{HistoryFilter, JournalLine};
pub use crate::sale_status::{NextStep, SaleHint, SaleStatus};
pub use tillkit_core::store::Entity;

use crate::attention::AttentionReason;
use crate::ints::{int, long};
use crate::money::Money;

/// A wallet's offline payment method, as the merchant is configured for it.
#[uniffi::remote(Enum)]
pub enum WalletMethod {
    /// WeChat Pay.
    WechatPay,
    /// Alipay, mainland China wallet.
    AlipayCn,
    /// Alipay, Hong Kong wallet.
    AlipayHk,
}

/// A POS terminal card sales are routed to (PingPong routes by serial and model).
#[uniffi::remote(Record)]
pub struct TerminalId {
    /// Serial number (`deviceSn`).
    pub serial: String,
    /// Model (`deviceModel`), e.g. `PAX-A920`.
    pub model: String,
}

/// A QR code for the customer to scan.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrCode {
    /// The text to encode in the QR shown on screen.
    pub content: String,
    /// The acquirer's rendered image, if it sent one.
    pub image_url: Option<String>,
    /// When it stops being payable, ms since the Unix epoch.
    pub expires_at_unix_ms: Option<i64>,
}

impl From<CoreQrCode> for QrCode {
    fn from(q: CoreQrCode) -> Self {
        QrCode {
            content: q.content,
            image_url: q.image_url,
            expires_at_unix_ms: q.expires_at_unix_ms.map(long),
        }
    }
}

/// Masked card data (never a full card number).
#[uniffi::remote(Record)]
pub struct CardSummary {
    /// Card brand.
    pub brand: Option<String>,
    /// Masked card number.
    pub masked_number: Option<String>,
}

/// How the customer pays.
#[uniffi::remote(Enum)]
pub enum SaleKind {
    /// The cashier scans the code the customer's wallet shows.
    CustomerCode,
    /// The customer scans the QR the cashier shows.
    MerchantQr,
    /// A card on a POS terminal.
    Card,
}

/// The state of a refund.
#[uniffi::remote(Enum)]
pub enum RefundState {
    /// Waiting in the outbox, not sent yet.
    Queued,
    /// May have reached the acquirer; being resolved.
    Unknown,
    /// Accepted by the acquirer, not final.
    Processing,
    /// Money returned.
    Succeeded,
    /// Refused by the acquirer.
    Failed,
    /// Waited offline longer than allowed and was dropped; no money moved.
    Expired,
}

/// Sale or refund.
#[uniffi::remote(Enum)]
pub enum Entity {
    /// A sale.
    Sale,
    /// A refund.
    Refund,
}

/// A sale, with what the screen should say about it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Sale {
    /// The sale id (also the acquirer's merchant transaction id).
    pub id: String,
    /// How the customer pays.
    pub kind: SaleKind,
    /// The wallet, for code and QR sales.
    pub wallet: Option<WalletMethod>,
    /// The terminal, for card sales.
    pub terminal: Option<TerminalId>,
    /// What is charged.
    pub amount: Money,
    /// Where it stands.
    pub status: SaleStatus,
    /// What the screen should say.
    pub hint: SaleHint,
    /// What the cashier can do about it now.
    pub next_step: NextStep,
    /// When the cashier abandoned it, ms since the epoch (`null`: not abandoned). An abandoned
    /// sale is off the cashier's list and still resolved.
    pub abandoned_at_ms: Option<i64>,
    /// Whether the status can no longer change (paid or failed).
    pub is_final: bool,
    /// A person should look at it.
    pub attention: bool,
    /// Why, when known.
    pub attention_reason: Option<AttentionReason>,
    /// The cashier asked to cancel it.
    pub cancel_requested: bool,
    /// Free text.
    pub remark: Option<String>,
    /// The QR to show, for QR sales once the acquirer sent it.
    pub qr: Option<QrCode>,
    /// A payment page an app may open instead of showing the QR, when the acquirer sent one
    /// (https, checked by the core).
    pub payment_redirect_url: Option<String>,
    /// The acquirer's transaction id.
    pub acquirer_transaction_id: Option<String>,
    /// The acquirer's last result code.
    pub result_code: Option<String>,
    /// The acquirer's last result text.
    pub result_description: Option<String>,
    /// Masked card data, for card sales.
    pub card: Option<CardSummary>,
    /// Created, ms since the epoch.
    pub created_at_ms: i64,
    /// Last changed, ms since the epoch.
    pub updated_at_ms: i64,
}

impl From<SaleRow> for Sale {
    fn from(s: SaleRow) -> Self {
        let hint = CoreSaleHint::of(&s);
        Sale {
            next_step: NextStep::of(s.status),
            abandoned_at_ms: s.abandoned_at.map(long),
            is_final: s.status.is_final(),
            id: s.id,
            kind: s.kind,
            wallet: s.wallet,
            terminal: s.terminal,
            amount: s.amount.into(),
            status: s.status,
            hint,
            attention: s.attention,
            attention_reason: s.attention_reason,
            cancel_requested: s.cancel_requested,
            remark: s.remark,
            qr: s.qr.map(QrCode::from),
            payment_redirect_url: s.payment_redirect_url,
            acquirer_transaction_id: s.acquirer_transaction_id,
            result_code: s.result_code,
            result_description: s.result_description,
            card: s.card,
            created_at_ms: long(s.created_at),
            updated_at_ms: long(s.updated_at),
        }
    }
}

/// A refund of all or part of a sale.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Refund {
    /// The refund id.
    pub id: String,
    /// The refunded sale.
    pub sale_id: String,
    /// How much.
    pub amount: Money,
    /// Where it stands.
    pub state: RefundState,
    /// Whether the state can no longer change.
    pub is_final: bool,
    /// It refunds the whole sale.
    pub full: bool,
    /// Why.
    pub reason: Option<String>,
    /// The acquirer's refund id.
    pub acquirer_refund_id: Option<String>,
    /// The acquirer's last result code.
    pub result_code: Option<String>,
    /// The acquirer's last result text.
    pub result_description: Option<String>,
    /// A person should look at it.
    pub attention: bool,
    /// Why, when known.
    pub attention_reason: Option<AttentionReason>,
    /// Created, ms since the epoch.
    pub created_at_ms: i64,
    /// Last changed, ms since the epoch.
    pub updated_at_ms: i64,
}

impl From<RefundRow> for Refund {
    fn from(r: RefundRow) -> Self {
        Refund {
            is_final: r.state.is_final(),
            id: r.id,
            sale_id: r.sale_id,
            amount: r.amount.into(),
            state: r.state,
            full: r.full,
            reason: r.reason,
            acquirer_refund_id: r.acquirer_refund_id,
            result_code: r.result_code,
            result_description: r.result_description,
            attention: r.attention,
            attention_reason: r.attention_reason,
            created_at_ms: long(r.created_at),
            updated_at_ms: long(r.updated_at),
        }
    }
}

/// What waits in the outbox (the queue badge).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QueueStatus {
    /// Unsettled sales.
    pub sales: i32,
    /// Unsettled refunds.
    pub refunds: i32,
    /// Of those, how many have an unknown outcome.
    pub unknown: i32,
    /// Of those, how many never reached the acquirer.
    pub unsent: i32,
    /// Sum of unsettled amounts, one per currency.
    pub totals: Vec<Money>,
    /// Age of the oldest entry, ms.
    pub oldest_age_ms: Option<i64>,
    /// When the next step is due, ms since the epoch.
    pub next_due_at_ms: Option<i64>,
    /// Whether the acquirer answered the last request (`null` before any request).
    pub online: Option<bool>,
}

impl From<CoreQueueStatus> for QueueStatus {
    fn from(q: CoreQueueStatus) -> Self {
        QueueStatus {
            sales: int(q.sales),
            refunds: int(q.refunds),
            unknown: int(q.unknown),
            unsent: int(q.unsent),
            totals: q
                .totals
                .into_iter()
                .map(|(currency, amount)| Money { amount, currency })
                .collect(),
            oldest_age_ms: q.oldest_age_ms.map(long),
            next_due_at_ms: q.next_due_at.map(long),
            online: q.online,
        }
    }
}

/// Something the app may want to show, pushed to its [`crate::EventListener`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CashierEvent {
    /// A sale changed (status, QR, attention, result).
    SaleChanged {
        /// The sale as it is now.
        sale: Sale,
    },
    /// A refund changed.
    RefundChanged {
        /// The refund as it is now.
        refund: Refund,
    },
    /// One outbox step went to the acquirer.
    Forwarded {
        /// Sale or refund.
        entity: Entity,
        /// Its id.
        id: String,
        /// The step (`send`, `query`, `cancel`).
        step: String,
        /// Whether the acquirer answered (`false`: transport failure, will retry).
        answered: bool,
    },
    /// The outbox changed.
    QueueChanged {
        /// The queue as it is now.
        status: QueueStatus,
    },
    /// The acquirer became reachable or unreachable.
    ConnectivityChanged {
        /// Reachable.
        online: bool,
    },
    /// A sale (or one of its refunds) needs a person to look at it.
    AttentionNeeded {
        /// The sale.
        sale_id: String,
        /// The refund, when it is a refund that needs attention.
        refund_id: Option<String>,
        /// Why.
        reason: AttentionReason,
    },
}

impl From<CoreEvent> for CashierEvent {
    fn from(e: CoreEvent) -> Self {
        match e {
            CoreEvent::SaleChanged(sale) => CashierEvent::SaleChanged { sale: sale.into() },
            CoreEvent::RefundChanged(r) => CashierEvent::RefundChanged { refund: r.into() },
            CoreEvent::Forwarded { entity, id, step, answered } => {
                CashierEvent::Forwarded { entity, id, step: step.to_string(), answered }
            }
            CoreEvent::QueueChanged(q) => CashierEvent::QueueChanged { status: q.into() },
            CoreEvent::ConnectivityChanged { online } => {
                CashierEvent::ConnectivityChanged { online }
            }
            CoreEvent::AttentionNeeded { sale_id, refund_id, reason } => {
                CashierEvent::AttentionNeeded { sale_id, refund_id, reason }
            }
        }
    }
}
