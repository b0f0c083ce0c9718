//! The receipt's words in English, Simplified and Traditional Chinese.
//!
//! Every non-ASCII character here must be in the embedded bitmap font (`document/font.bin`,
//! made by `scripts/receipt-font.py` from this file); a test checks it.

/// The language of a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    ZhHans,
    /// Traditional Chinese.
    ZhHant,
}

impl Locale {
    /// Every locale.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::ZhHans, Locale::ZhHant];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
        }
    }

    /// The locale for a BCP 47 tag (`en-GB`, `zh-CN`, `zh-Hant-TW`, `zh_TW`, …); an unknown or
    /// empty tag is English, with a warning in the log.
    pub fn from_tag(tag: &str) -> Locale {
        let t = tag.trim().replace('_', "-").to_ascii_lowercase();
        let parts: Vec<&str> = t.split('-').collect();
        let locale = match parts.first().copied() {
            Some("en") => Some(Locale::En),
            Some("zh") => {
                let traditional =
                    parts.iter().skip(1).any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                Some(if traditional { Locale::ZhHant } else { Locale::ZhHans })
            }
            _ => None,
        };
        locale.unwrap_or_else(|| {
            // The tag comes from the app or the command line: shown escaped, never trusted.
            log::warn!(
                "receipt locale {:?} unknown: English is used",
                tag.escape_debug().to_string()
            );
            Locale::En
        })
    }
}

/// A word or phrase on a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Label {
    Sale,
    Refund,
    CustomerCopy,
    MerchantCopy,
    TaxId,
    Register,
    Date,
    SaleId,
    RefundId,
    OriginalSale,
    Method,
    WalletCode,
    MerchantQr,
    Card,
    WechatPay,
    Alipay,
    AlipayHk,
    PaymentCode,
    CardNumber,
    Entry,
    Contactless,
    Chip,
    Swipe,
    Aid,
    Application,
    AuthCode,
    AcquirerRef,
    Total,
    Refunded,
    RefundAmount,
    Status,
    Paid,
    Processing,
    Queued,
    Unknown,
    Cancelling,
    NotPaid,
    RefundDone,
    RefundFailed,
    Expired,
    Signature,
    ScanToLookUp,
    ThankYou,
}

impl Label {
    /// The text in a locale.
    pub fn text(self, locale: Locale) -> &'static str {
        let [en, hans, hant] = self.all();
        match locale {
            Locale::En => en,
            Locale::ZhHans => hans,
            Locale::ZhHant => hant,
        }
    }

    /// English, Simplified and Traditional Chinese.
    fn all(self) -> [&'static str; 3] {
        use Label as L;
        match self {
            L::Sale => ["SALE", "销售", "銷售"],
            L::Refund => ["REFUND", "退款", "退款"],
            L::CustomerCopy => ["Customer copy", "顾客联", "顧客聯"],
            L::MerchantCopy => ["Merchant copy", "商户联", "商戶聯"],
            L::TaxId => ["Tax ID", "税号", "稅號"],
            L::Register => ["Register", "收银机", "收銀機"],
            L::Date => ["Date", "日期", "日期"],
            L::SaleId => ["Sale no.", "交易单号", "交易單號"],
            L::RefundId => ["Refund no.", "退款单号", "退款單號"],
            L::OriginalSale => ["Original sale", "原交易", "原交易"],
            L::Method => ["Method", "支付方式", "付款方式"],
            L::WalletCode => ["Wallet code", "付款码", "付款碼"],
            L::MerchantQr => ["QR code", "收款码", "收款碼"],
            L::Card => ["Card", "银行卡", "銀行卡"],
            L::WechatPay => ["WeChat Pay", "微信支付", "微信支付"],
            L::Alipay => ["Alipay", "支付宝", "支付寶"],
            L::AlipayHk => ["AlipayHK", "支付宝香港", "支付寶香港"],
            L::PaymentCode => ["Code", "付款码", "付款碼"],
            L::CardNumber => ["Card no.", "卡号", "卡號"],
            L::Entry => ["Entry", "读卡方式", "讀卡方式"],
            L::Contactless => ["Contactless", "非接触", "感應"],
            L::Chip => ["Chip", "芯片", "晶片"],
            L::Swipe => ["Swipe", "刷卡", "刷卡"],
            L::Aid => ["AID", "AID", "AID"],
            L::Application => ["Application", "应用", "應用"],
            L::AuthCode => ["Auth code", "授权码", "授權碼"],
            L::AcquirerRef => ["Acquirer ref.", "收单参考号", "收單參考號"],
            L::Total => ["TOTAL", "合计", "合計"],
            L::Refunded => ["Refunded", "已退款", "已退款"],
            L::RefundAmount => ["REFUND", "退款金额", "退款金額"],
            L::Status => ["Status", "状态", "狀態"],
            L::Paid => ["PAID", "已支付", "已支付"],
            L::Processing => ["PROCESSING", "处理中", "處理中"],
            L::Queued => ["QUEUED", "排队中", "排隊中"],
            L::Unknown => {
                ["UNKNOWN: do not charge again", "结果未知：请勿重复收款", "結果未知：請勿重複收款"]
            }
            L::Cancelling => ["CANCELLING", "取消中", "取消中"],
            L::NotPaid => ["NOT PAID", "未支付", "未支付"],
            L::RefundDone => ["REFUNDED", "已退款", "已退款"],
            L::RefundFailed => ["REFUND FAILED", "退款失败", "退款失敗"],
            L::Expired => ["EXPIRED", "已过期", "已過期"],
            L::Signature => ["Signature", "签名", "簽名"],
            L::ScanToLookUp => ["Scan to look up", "扫码查询", "掃碼查詢"],
            L::ThankYou => ["Thank you", "谢谢惠顾", "謝謝惠顧"],
        }
    }

    /// Every label, for tests.
    pub const ALL: [Label; 43] = {
        use Label as L;
        [
            L::Sale,
            L::Refund,
            L::CustomerCopy,
            L::MerchantCopy,
            L::TaxId,
            L::Register,
            L::Date,
            L::SaleId,
            L::RefundId,
            L::OriginalSale,
            L::Method,
            L::WalletCode,
            L::MerchantQr,
            L::Card,
            L::WechatPay,
            L::Alipay,
            L::AlipayHk,
            L::PaymentCode,
            L::CardNumber,
            L::Entry,
            L::Contactless,
            L::Chip,
            L::Swipe,
            L::Aid,
            L::Application,
            L::AuthCode,
            L::AcquirerRef,
            L::Total,
            L::Refunded,
            L::RefundAmount,
            L::Status,
            L::Paid,
            L::Processing,
            L::Queued,
            L::Unknown,
            L::Cancelling,
            L::NotPaid,
            L::RefundDone,
            L::RefundFailed,
            L::Expired,
            L::Signature,
            L::ScanToLookUp,
            L::ThankYou,
        ]
    };
}
