//! The end-of-day (shift) report as it crosses the FFI: records mirroring the core's
//! [`tillkit_core::report`] data, with amounts as [`Money`] (decimal strings at the currency's
//! decimals) and counts and times as `Long`. The calls are in [`crate::report_api`].

use rust_decimal::Decimal;
use tillkit_core::report::{
    CloseInfo as CoreCloseInfo, ClosedShift as CoreClosedShift,
    CurrencySummary as CoreCurrencySummary, LateChange as CoreLateChange,
    MethodTotal as CoreMethodTotal, OpenItem as CoreOpenItem, OutboxSummary as CoreOutbox,
    ReportRange as CoreRange, ReportRequest as CoreRequest, ShiftReport as CoreReport,
    StatusTotal as CoreStatusTotal, Tally as CoreTally,
};

use crate::error::TillKitError;
use crate::ints::{long, ms_arg};
use crate::money::Money;

fn money(amount: Decimal, currency: &str) -> Money {
    // The core keeps report amounts at their currency's decimals ("12.50", "1000" for JPY).
    Money { amount: amount.to_string(), currency: currency.to_string() }
}

/// Which records a report covers. `ReportRequest()`: everything since the last closed shift
/// (or since the beginning when none was closed), up to now.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ReportRequest {
    /// Records taken at or after this time, ms since the epoch (`null`: since the last close).
    #[uniffi(default = None)]
    pub since_ms: Option<i64>,
    /// Records taken before this time, ms since the epoch (`null`: up to now).
    #[uniffi(default = None)]
    pub until_ms: Option<i64>,
}

impl TryFrom<ReportRequest> for CoreRequest {
    type Error = TillKitError;
    fn try_from(r: ReportRequest) -> Result<Self, TillKitError> {
        Ok(CoreRequest {
            since: r.since_ms.map(|v| ms_arg("since_ms", v)).transpose()?,
            until: r.until_ms.map(|v| ms_arg("until_ms", v)).transpose()?,
        })
    }
}

/// The records a report covers. Pass a report's range to `closeShift` as `expected` so that
/// the close is refused (`ShiftAlreadyClosed`) if another close came in since it was shown.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportRange {
    /// Start (inclusive), ms since the epoch: the last close's time, or 0 for the beginning.
    pub since_ms: i64,
    /// End (exclusive), ms since the epoch.
    pub until_ms: i64,
    /// `true`: the records stored since the last close; `false`: those taken in
    /// `[sinceMs, untilMs)`.
    pub since_last_close: bool,
    /// The closed shift this report follows (its number), when there is one.
    pub after_close: Option<i64>,
}

impl From<CoreRange> for ReportRange {
    fn from(r: CoreRange) -> Self {
        ReportRange {
            since_ms: long(r.since_ms),
            until_ms: long(r.until_ms),
            since_last_close: r.since_last_close,
            after_close: r.after_close.map(long),
        }
    }
}

impl TryFrom<ReportRange> for CoreRange {
    type Error = TillKitError;
    fn try_from(r: ReportRange) -> Result<Self, TillKitError> {
        Ok(CoreRange {
            since_ms: ms_arg("since_ms", r.since_ms)?,
            until_ms: ms_arg("until_ms", r.until_ms)?,
            since_last_close: r.since_last_close,
            after_close: r.after_close.map(|v| ms_arg("after_close", v)).transpose()?,
        })
    }
}

/// A count and a sum in one currency.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportTally {
    /// How many.
    pub count: i64,
    /// Their sum.
    pub total: Money,
}

fn tally(t: CoreTally, currency: &str) -> ReportTally {
    ReportTally { count: long(t.count), total: money(t.total, currency) }
}

/// Everything of one currency in a report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CurrencySummary {
    /// ISO 4217 code.
    pub currency: String,
    /// Paid sales.
    pub paid: ReportTally,
    /// Sales that ended without a charge (declined, expired, cancelled, failed).
    pub not_paid: ReportTally,
    /// Sales not final yet (queued, processing, unknown, cancelling): money may still move.
    pub pending: ReportTally,
    /// Refunds that returned money.
    pub refunded: ReportTally,
    /// Refunds refused or expired: no money moved.
    pub refunds_failed: ReportTally,
    /// Refunds not final yet.
    pub refunds_pending: ReportTally,
    /// Paid less refunded, counting only what is final.
    pub net: Money,
}

impl From<CoreCurrencySummary> for CurrencySummary {
    fn from(s: CoreCurrencySummary) -> Self {
        let c = s.currency.as_str();
        CurrencySummary {
            paid: tally(s.paid, c),
            not_paid: tally(s.not_paid, c),
            pending: tally(s.pending, c),
            refunded: tally(s.refunded, c),
            refunds_failed: tally(s.refunds_failed, c),
            refunds_pending: tally(s.refunds_pending, c),
            net: money(s.net, c),
            currency: s.currency,
        }
    }
}

/// Paid sales (or succeeded refunds) of one method, wallet and currency.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MethodTotal {
    /// `code` (customer-presented), `qr` (merchant-presented) or `card`.
    pub method: String,
    /// `wechat`, `alipay_cn`, `alipay_hk`; `null` for cards.
    pub wallet: Option<String>,
    /// How many.
    pub count: i64,
    /// Their sum (its currency is the group's).
    pub total: Money,
}

impl From<CoreMethodTotal> for MethodTotal {
    fn from(m: CoreMethodTotal) -> Self {
        MethodTotal {
            total: money(m.total, &m.currency),
            method: m.method,
            wallet: m.wallet,
            count: long(m.count),
        }
    }
}

/// Sales (or refunds) of one status and currency.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StatusTotal {
    /// The stored status name (`paid`, `declined`, `unknown`, …; refunds: `succeeded`, …).
    pub status: String,
    /// How many.
    pub count: i64,
    /// Their sum.
    pub total: Money,
}

impl From<CoreStatusTotal> for StatusTotal {
    fn from(s: CoreStatusTotal) -> Self {
        StatusTotal { total: money(s.total, &s.currency), status: s.status, count: long(s.count) }
    }
}

/// A sale or refund someone should look at: not final yet, or flagged for attention.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenItem {
    /// `sale` or `refund`.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// For a refund, its sale.
    pub sale_id: Option<String>,
    /// When it was taken, ms since the epoch.
    pub created_ms: i64,
    /// Its amount.
    pub amount: Money,
    /// Stored status (sale) or state (refund), e.g. `unknown`.
    pub status: String,
    /// Why it is listed, in English (localise from `status` and `attentionReason`).
    pub why: String,
    /// The stored attention reason, when it is flagged.
    pub attention_reason: Option<String>,
    /// Taken in this report's range (`false`: earlier, and still not final).
    pub in_range: bool,
}

impl From<CoreOpenItem> for OpenItem {
    fn from(i: CoreOpenItem) -> Self {
        OpenItem {
            amount: money(i.amount, &i.currency),
            entity: i.entity,
            id: i.id,
            sale_id: i.sale_id,
            created_ms: long(i.created_ms),
            status: i.status,
            why: i.why,
            attention_reason: i.attention_reason,
            in_range: i.in_range,
        }
    }
}

/// A record taken before the range that changed within it (a late resolution): not in this
/// range's totals, listed so that it can be posted as an adjustment.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LateChange {
    /// `sale` or `refund`.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// When it was taken, ms since the epoch.
    pub created_ms: i64,
    /// When it last changed, ms since the epoch.
    pub changed_ms: i64,
    /// Its amount.
    pub amount: Money,
    /// Its status now.
    pub status: String,
    /// Its status in the previous closed shift's report, when that listed it.
    pub status_at_close: Option<String>,
}

impl From<CoreLateChange> for LateChange {
    fn from(l: CoreLateChange) -> Self {
        LateChange {
            amount: money(l.amount, &l.currency),
            entity: l.entity,
            id: l.id,
            created_ms: long(l.created_ms),
            changed_ms: long(l.changed_ms),
            status: l.status,
            status_at_close: l.status_at_close,
        }
    }
}

/// What waits in the outbox when the report is made (whatever the range).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutboxSummary {
    /// Sales waiting.
    pub sales: i64,
    /// Refunds waiting.
    pub refunds: i64,
    /// Of those, with an unknown outcome.
    pub unknown: i64,
    /// Of those, never sent.
    pub unsent: i64,
    /// Their sums, one per currency.
    pub totals: Vec<Money>,
    /// When the oldest entered the queue, ms since the epoch.
    pub oldest_queued_ms: Option<i64>,
}

impl From<CoreOutbox> for OutboxSummary {
    fn from(o: CoreOutbox) -> Self {
        OutboxSummary {
            sales: long(o.sales),
            refunds: long(o.refunds),
            unknown: long(o.unknown),
            unsent: long(o.unsent),
            totals: o.totals.into_iter().map(|t| money(t.amount, &t.currency)).collect(),
            oldest_queued_ms: o.oldest_queued_ms.map(long),
        }
    }
}

/// Who closed a shift, and when.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CloseInfo {
    /// The close's number (1 for the first); `closedReport` takes it.
    pub seq: i64,
    /// When, ms since the epoch (also the end of its range).
    pub closed_ms: i64,
    /// The register (`cashierDeviceId`).
    pub register: String,
    /// The person who closed it, when the app named one.
    pub operator: Option<String>,
}

impl From<CoreCloseInfo> for CloseInfo {
    fn from(c: CoreCloseInfo) -> Self {
        CloseInfo {
            seq: long(c.seq),
            closed_ms: long(c.closed_ms),
            register: c.register,
            operator: c.operator,
        }
    }
}

/// A closed shift in the list of closes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClosedShift {
    /// Who closed it, and when.
    pub info: CloseInfo,
    /// Its start, ms since the epoch (the previous close's time, 0 for the first).
    pub since_ms: i64,
}

impl From<CoreClosedShift> for ClosedShift {
    fn from(c: CoreClosedShift) -> Self {
        ClosedShift { info: c.info.into(), since_ms: long(c.since_ms) }
    }
}

/// The end-of-day (shift) report: counts and totals by currency, method, wallet and status,
/// refunds, net, what is still open, late changes and the outbox.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShiftReport {
    /// Which records it covers.
    pub range: ReportRange,
    /// The register (`cashierDeviceId`).
    pub register: String,
    /// When it was made, ms since the epoch.
    pub generated_ms: i64,
    /// Set when this is a closed shift's report.
    pub closed: Option<CloseInfo>,
    /// One summary per currency, sorted by code.
    pub currencies: Vec<CurrencySummary>,
    /// Paid sales by currency, method and wallet.
    pub paid_by_method: Vec<MethodTotal>,
    /// Succeeded refunds by currency and their sale's method and wallet.
    pub refunded_by_method: Vec<MethodTotal>,
    /// Every sale by currency and status.
    pub sales_by_status: Vec<StatusTotal>,
    /// Every refund by currency and state.
    pub refunds_by_state: Vec<StatusTotal>,
    /// Sales and refunds still unknown, in progress or needing attention, oldest first.
    pub open_items: Vec<OpenItem>,
    /// How many more open items there are than listed (the list is capped).
    pub open_items_more: i64,
    /// Records taken before the range that changed in it.
    pub late_changes: Vec<LateChange>,
    /// How many more late changes there are than listed.
    pub late_changes_more: i64,
    /// What waits in the outbox now.
    pub outbox: OutboxSummary,
}

fn all<C, F: From<C>>(v: Vec<C>) -> Vec<F> {
    v.into_iter().map(F::from).collect()
}

impl From<CoreReport> for ShiftReport {
    fn from(r: CoreReport) -> Self {
        ShiftReport {
            range: r.range.into(),
            register: r.register,
            generated_ms: long(r.generated_ms),
            closed: r.closed.map(CloseInfo::from),
            currencies: all(r.currencies),
            paid_by_method: all(r.paid_by_method),
            refunded_by_method: all(r.refunded_by_method),
            sales_by_status: all(r.sales_by_status),
            refunds_by_state: all(r.refunds_by_state),
            open_items: all(r.open_items),
            open_items_more: long(r.open_items_more),
            late_changes: all(r.late_changes),
            late_changes_more: long(r.late_changes_more),
            outbox: r.outbox.into(),
        }
    }
}
