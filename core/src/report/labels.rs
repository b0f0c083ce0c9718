//! The printed report's words in English, Simplified and Traditional Chinese (methods, wallets
//! and most statuses come from the receipt's [`crate::receipt::Label`]).
//!
//! Every non-ASCII character here must be in the embedded bitmap font (`document/font.bin`,
//! made by `scripts/receipt-font.py` from this file and the receipt's labels); a test checks it.

use crate::receipt::Locale;

/// A word or phrase of the printed shift report. Texts with `{n}` take a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ReportLabel {
    Title,
    NotClosed,
    ShiftNo,
    Register,
    From,
    To,
    TheBeginning,
    AfterClose,
    ClosedAt,
    Operator,
    Generated,
    NoRecords,
    PaidSales,
    NotPaid,
    SalesNotFinal,
    Refunded,
    RefundsNotMade,
    RefundsNotFinal,
    Net,
    PaidByMethod,
    RefundedByMethod,
    OpenItems,
    EarlierShift,
    NeedsAttention,
    AndMore,
    LateChanges,
    NotInTotals,
    Taken,
    Changed,
    Outbox,
    Sales,
    Refunds,
    UnknownOutcome,
    NeverSent,
    Oldest,
    Count,
    Sale,
    Refund,
    Unknown,
    Declined,
    Cancelled,
}

impl ReportLabel {
    /// The text in a locale.
    pub fn text(self, locale: Locale) -> &'static str {
        let [en, hans, hant] = self.all();
        match locale {
            Locale::En => en,
            Locale::ZhHans => hans,
            Locale::ZhHant => hant,
        }
    }

    /// The text with `{n}` replaced by `n`.
    pub fn with(self, locale: Locale, n: impl std::fmt::Display) -> String {
        self.text(locale).replace("{n}", &n.to_string())
    }

    /// English, Simplified and Traditional Chinese.
    fn all(self) -> [&'static str; 3] {
        use ReportLabel as L;
        match self {
            L::Title => ["SHIFT REPORT", "交班报表", "交班報表"],
            L::NotClosed => ["Not closed", "未交班", "未交班"],
            L::ShiftNo => ["Closed shift", "交班号", "交班號"],
            L::Register => ["Register", "收银机", "收銀機"],
            L::From => ["From", "开始", "開始"],
            L::To => ["To", "结束", "結束"],
            L::TheBeginning => ["the beginning", "最初", "最初"],
            L::AfterClose => ["After close", "上次交班", "上次交班"],
            L::ClosedAt => ["Closed", "交班时间", "交班時間"],
            L::Operator => ["Operator", "操作员", "操作員"],
            L::Generated => ["Made", "生成时间", "產生時間"],
            L::NoRecords => ["No sales or refunds", "此时段无交易", "此時段無交易"],
            L::PaidSales => ["Paid sales", "已支付", "已支付"],
            L::NotPaid => ["Not paid", "未支付", "未支付"],
            L::SalesNotFinal => ["Sales not final", "未完成交易", "未完成交易"],
            L::Refunded => ["Refunded", "已退款", "已退款"],
            L::RefundsNotMade => ["Refunds not made", "退款失败", "退款失敗"],
            L::RefundsNotFinal => ["Refunds not final", "未完成退款", "未完成退款"],
            L::Net => ["NET", "净额", "淨額"],
            L::PaidByMethod => ["Paid by method", "按支付方式收款", "按付款方式收款"],
            L::RefundedByMethod => ["Refunded by method", "按支付方式退款", "按付款方式退款"],
            L::OpenItems => ["NEEDS ATTENTION OR NOT FINAL", "待处理", "待處理"],
            L::EarlierShift => ["earlier shift", "前班次", "前班次"],
            L::NeedsAttention => ["needs attention", "需关注", "需關注"],
            L::AndMore => ["… and {n} more", "另有 {n} 笔", "另有 {n} 筆"],
            L::LateChanges => ["LATE CHANGES", "延迟变更", "延遲變更"],
            L::NotInTotals => [
                "taken earlier: not in the totals",
                "前班次交易，不计入合计",
                "前班次交易，不計入合計",
            ],
            L::Taken => ["Taken", "交易时间", "交易時間"],
            L::Changed => ["Changed", "变更时间", "變更時間"],
            L::Outbox => ["Outbox now", "待发送", "待發送"],
            L::Sales => ["Sales", "销售", "銷售"],
            L::Refunds => ["Refunds", "退款", "退款"],
            L::UnknownOutcome => ["Unknown outcome", "结果未知", "結果未知"],
            L::NeverSent => ["Never sent", "未发送", "未發送"],
            L::Oldest => ["Oldest", "最早", "最早"],
            L::Count => ["{n} ×", "{n} 笔", "{n} 筆"],
            L::Sale => ["Sale", "销售", "銷售"],
            L::Refund => ["Refund", "退款", "退款"],
            L::Unknown => ["UNKNOWN", "结果未知", "結果未知"],
            L::Declined => ["DECLINED", "已拒绝", "已拒絕"],
            L::Cancelled => ["CANCELLED", "已取消", "已取消"],
        }
    }

    /// Every label, for tests.
    pub const ALL: [ReportLabel; 41] = {
        use ReportLabel as L;
        [
            L::Title,
            L::NotClosed,
            L::ShiftNo,
            L::Register,
            L::From,
            L::To,
            L::TheBeginning,
            L::AfterClose,
            L::ClosedAt,
            L::Operator,
            L::Generated,
            L::NoRecords,
            L::PaidSales,
            L::NotPaid,
            L::SalesNotFinal,
            L::Refunded,
            L::RefundsNotMade,
            L::RefundsNotFinal,
            L::Net,
            L::PaidByMethod,
            L::RefundedByMethod,
            L::OpenItems,
            L::EarlierShift,
            L::NeedsAttention,
            L::AndMore,
            L::LateChanges,
            L::NotInTotals,
            L::Taken,
            L::Changed,
            L::Outbox,
            L::Sales,
            L::Refunds,
            L::UnknownOutcome,
            L::NeverSent,
            L::Oldest,
            L::Count,
            L::Sale,
            L::Refund,
            L::Unknown,
            L::Declined,
            L::Cancelled,
        ]
    };
}
