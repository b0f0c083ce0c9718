//! Oceanpayment's wire vocabulary, and the choices TillKit made where its documentation is silent.
//!
//! The choices (O1–O9) are listed in docs/acquirer-choices.md; the sandbox acquirer follows the
//! same page. The signature orders live in [`crate::sign::oceanpayment`]; everything else is here,
//! so that a confirmation from Oceanpayment changes one place.

use crate::acquirer::WalletMethod;

/// API paths, relative to the base URL.
pub mod paths {
    /// Pay, both in-person modes (`secure` host).
    pub const PAY: &str = "/gateway/directservice/pay";
    /// Order status query (`query` host).
    pub const QUERY: &str = "/service/check/normal";
    /// Refund (`query` host).
    pub const REFUND: &str = "/service/applyRefund";
    /// Refund status query (`query` host).
    pub const REFUND_QUERY: &str = "/service/queryRefund";
    /// Capture and void; the offline void uses `payment_authType=3` (`secure` host).
    pub const AUTH: &str = "/gateway/service/auth";
}

/// Every request is a form.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// `methods` for a customer-presented code: empty, the wallet follows from the code (O2).
pub const CUSTOMER_CODE_METHODS: &str = "";

/// `methods` asking for a merchant-presented WeChat Pay QR (O2).
pub const WECHAT_QR_METHODS: &str = "WeChatPay_Offline";

/// `methods` asking for a merchant-presented Alipay QR (O2). Oceanpayment names no separate
/// Hong Kong method, so both Alipay wallets use it.
pub const ALIPAY_QR_METHODS: &str = "Alipay_Offline";

/// `payment_authType` of the offline void of a WeChat Pay / Alipay order (O8).
pub const VOID_AUTH_TYPE: &str = "3";

/// `refund_type` of a full refund (O7).
pub const REFUND_TYPE_FULL: &str = "1";

/// `refund_type` of a partial refund (O7).
pub const REFUND_TYPE_PARTIAL: &str = "2";

// Result codes and what they mean are in `codes`.

/// `response_type` of an asynchronous notification (`0` is a browser return) (O9).
pub const NOTIFICATION_RESPONSE_TYPE: &str = "1";

/// `notice_type` of a payment notification.
pub const PAYMENT_NOTICE_TYPE: &str = "transaction";

/// `notice_type` of the notifications about a full and a partial refund (O12).
pub const REFUND_NOTICE_TYPES: [&str; 2] = ["refund", "partialRefund"];

/// The body that acknowledges a notification (O9).
pub const NOTIFICATION_ACK: &str = "receive-ok";

/// The `methods` value asking for a merchant-presented QR of this wallet.
pub fn qr_methods(wallet: WalletMethod) -> &'static str {
    match wallet {
        WalletMethod::WechatPay => WECHAT_QR_METHODS,
        WalletMethod::AlipayCn | WalletMethod::AlipayHk => ALIPAY_QR_METHODS,
    }
}

/// Oceanpayment's three-valued result: `payment_status`, `payment_results`, `refund_results`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// `1`
    Success,
    /// `0`
    Failure,
    /// `-1`: not final, wait for the notification or query.
    Pending,
}

impl Outcome {
    /// `Ok(None)` for an empty value (an answer that carries no result); any value other than
    /// `1`, `0`, `-1` is an error: the query docs call "0 or other" a failure, but reading an
    /// unknown value as a decline could lose a paid sale.
    pub(super) fn parse(value: &str) -> Result<Option<Outcome>, String> {
        match value {
            "" => Ok(None),
            "1" => Ok(Some(Outcome::Success)),
            "0" => Ok(Some(Outcome::Failure)),
            "-1" => Ok(Some(Outcome::Pending)),
            other => Err(format!(
                "unknown result value {:?}",
                other.chars().take(16).collect::<String>()
            )),
        }
    }
}

/// Splits `payment_details` (`code:message`) into its code and its message.
pub(super) fn split_details(details: &str) -> (Option<String>, Option<String>) {
    let non_empty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    match details.split_once(':') {
        Some((code, message)) => (non_empty(code), non_empty(message)),
        None => (non_empty(details), None),
    }
}

/// Keeps the first six and last four characters of a card number: `520474******1002`.
/// Numbers too short to keep both are hidden completely.
pub(super) fn mask_card_number(number: &str) -> String {
    let chars: Vec<char> = number.trim().chars().collect();
    let n = chars.len();
    if n <= 10 {
        return "*".repeat(n);
    }
    chars.iter().enumerate().map(|(i, c)| if i < 6 || i >= n - 4 { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_read_strictly() {
        assert_eq!(Outcome::parse("1"), Ok(Some(Outcome::Success)));
        assert_eq!(Outcome::parse("0"), Ok(Some(Outcome::Failure)));
        assert_eq!(Outcome::parse("-1"), Ok(Some(Outcome::Pending)));
        assert_eq!(Outcome::parse(""), Ok(None));
        for bad in ["2", "01", "success", " 1", "-0"] {
            assert!(Outcome::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn details_split_at_the_first_colon() {
        assert_eq!(
            split_details("20068:Order does not exist"),
            (Some("20068".into()), Some("Order does not exist".into()))
        );
        assert_eq!(split_details("80000:a:b"), (Some("80000".into()), Some("a:b".into())));
        assert_eq!(split_details("20000"), (Some("20000".into()), None));
        assert_eq!(split_details(""), (None, None));
    }

    #[test]
    fn card_numbers_keep_six_and_four() {
        assert_eq!(mask_card_number("5204740000001002"), "520474******1002");
        assert_eq!(mask_card_number("520474******1002"), "520474******1002");
        assert_eq!(mask_card_number("1234567890"), "**********");
        assert_eq!(mask_card_number(""), "");
    }

    #[test]
    fn qr_methods_per_wallet() {
        assert_eq!(qr_methods(WalletMethod::WechatPay), "WeChatPay_Offline");
        assert_eq!(qr_methods(WalletMethod::AlipayCn), "Alipay_Offline");
        assert_eq!(qr_methods(WalletMethod::AlipayHk), "Alipay_Offline");
    }
}
