//! The shift report as data: what a renderer (text, ESC/POS, PNG), the JSON export and a closed
//! shift's snapshot all take. Amounts are decimals at their currency's exponent, serialised as
//! strings ("12.50", "1000" for JPY), never floats.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::order::Millis;

/// Which records a report covers.
///
/// A record (sale or refund) is placed by when it was *taken*: its `created_at` on the engine's
/// time line, not when it completed. A refund is its own record: refunding yesterday's sale
/// today is in today's refunds. `since_last_close` reports place records by the order they were
/// stored instead (after the last close's high-water mark), so a record whose time is older than
/// the close but that was stored after it still lands in exactly one closed shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRange {
    /// Start (inclusive), ms since the epoch: the last close's time for `since_last_close`,
    /// 0 for "since the beginning".
    pub since_ms: Millis,
    /// End (exclusive), ms since the epoch: the report's time when not given.
    pub until_ms: Millis,
    /// `true`: records stored after the last close (see above); `false`: records whose
    /// `created_at` is in `[since_ms, until_ms)`.
    pub since_last_close: bool,
    /// The close this report follows (its sequence number), when there is one.
    pub after_close: Option<u64>,
}

/// Paid sales (or succeeded refunds) of one method, wallet and currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// `code` (customer-presented), `qr` (merchant-presented) or `card`.
    pub method: String,
    /// `wechat`, `alipay_cn`, `alipay_hk`; none for cards.
    pub wallet: Option<String>,
    /// How many.
    pub count: u64,
    /// Their sum.
    pub total: Decimal,
}

/// Records of one state (or status) and currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// The stored status name (`paid`, `declined`, `unknown`, …; refunds: `succeeded`, …).
    pub status: String,
    /// How many.
    pub count: u64,
    /// Their sum.
    pub total: Decimal,
}

/// A count and a sum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// How many.
    pub count: u64,
    /// Their sum.
    pub total: Decimal,
}

/// Everything of one currency in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencySummary {
    /// ISO 4217 code.
    pub currency: String,
    /// Paid sales.
    pub paid: Tally,
    /// Sales that ended without a charge: declined, expired, cancelled (voided), offline,
    /// terminal failures. No money moved.
    pub not_paid: Tally,
    /// Sales not final yet (queued, processing, unknown, cancelling): money may still move.
    pub pending: Tally,
    /// Refunds that returned money.
    pub refunded: Tally,
    /// Refunds refused or expired: no money moved.
    pub refunds_failed: Tally,
    /// Refunds not final yet (queued, unknown, processing).
    pub refunds_pending: Tally,
    /// `paid.total - refunded.total`: what the range leaves with the merchant, counting only
    /// what is final.
    pub net: Decimal,
}

/// A sale or refund a person should know about: not final, or flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    /// `sale` or `refund`.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// For a refund, its sale.
    pub sale_id: Option<String>,
    /// When it was taken.
    pub created_ms: Millis,
    /// ISO 4217 code.
    pub currency: String,
    /// Amount.
    pub amount: Decimal,
    /// Stored status (sale) or state (refund).
    pub status: String,
    /// Why it is listed, in English (apps localise from `status` and `attention_reason`).
    pub why: String,
    /// The stored attention reason, when it is flagged.
    pub attention_reason: Option<String>,
    /// Taken in this report's range (`false`: earlier, and still not final).
    pub in_range: bool,
}

/// A record taken before the range that changed within it: a late resolution. Not counted in
/// this range's totals (it belongs to the shift it was taken in, whose closed report stays as
/// printed); listed so the change can be posted as an adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateChange {
    /// `sale` or `refund`.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// When it was taken.
    pub created_ms: Millis,
    /// When it last changed.
    pub changed_ms: Millis,
    /// ISO 4217 code.
    pub currency: String,
    /// Amount.
    pub amount: Decimal,
    /// Its status now.
    pub status: String,
    /// Its status in the previous close's snapshot, when that listed it.
    pub status_at_close: Option<String>,
}

/// What waits in the outbox when the report is made (not bound to the range).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxSummary {
    /// Sales waiting.
    pub sales: u64,
    /// Refunds waiting.
    pub refunds: u64,
    /// Of those, with an unknown outcome.
    pub unknown: u64,
    /// Of those, never sent.
    pub unsent: u64,
    /// Sums per currency.
    pub totals: Vec<CurrencyAmount>,
    /// When the oldest entered the queue.
    pub oldest_queued_ms: Option<Millis>,
}

/// An amount in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyAmount {
    /// ISO 4217 code.
    pub currency: String,
    /// Amount.
    pub amount: Decimal,
}

/// Who closed a shift, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseInfo {
    /// The close's sequence number (1 for the first).
    pub seq: u64,
    /// When, ms since the epoch (also the range's end).
    pub closed_ms: Millis,
    /// The register (`cashierDeviceId`).
    pub register: String,
    /// The person, when the app names one.
    pub operator: Option<String>,
}

/// The end-of-day (shift) report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftReport {
    /// Which records it covers.
    pub range: ReportRange,
    /// The register (`cashierDeviceId`).
    pub register: String,
    /// When it was made.
    pub generated_ms: Millis,
    /// Set when this is a closed shift's snapshot.
    pub closed: Option<CloseInfo>,
    /// Per currency, sorted by code.
    pub currencies: Vec<CurrencySummary>,
    /// Paid sales by currency, method and wallet.
    pub paid_by_method: Vec<MethodTotal>,
    /// Succeeded refunds by currency and the method and wallet of their sale.
    pub refunded_by_method: Vec<MethodTotal>,
    /// Every sale by currency and status.
    pub sales_by_status: Vec<StatusTotal>,
    /// Every refund by currency and state.
    pub refunds_by_state: Vec<StatusTotal>,
    /// Sales and refunds still unknown, in progress or needing attention, oldest first: those
    /// in the range, and older ones still not final.
    pub open_items: Vec<OpenItem>,
    /// How many more there are than listed (the list is capped).
    pub open_items_more: u64,
    /// Records taken before the range that changed in it.
    pub late_changes: Vec<LateChange>,
    /// How many more there are than listed.
    pub late_changes_more: u64,
    /// What waits in the outbox now.
    pub outbox: OutboxSummary,
}
