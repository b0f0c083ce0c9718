//! Customer-presented payment codes: the digits an Alipay or WeChat Pay wallet shows as a
//! barcode, classified by the wallets' published rules.
//!
//! WeChat Pay: 18 digits, prefix 10–15. Alipay: 16–24 digits, prefix 25–30 (CN vs HK comes from
//! the merchant's configuration, never from the code). Alipay+ partner wallets: 24 digits with an
//! issuer prefix outside Alipay's own range. UnionPay (19 digits, prefix 62) is recognised and
//! refused: neither acquirer takes it offline.

use std::fmt;

/// The wallet family a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WalletFamily {
    /// WeChat Pay (18 digits, 10–15).
    WechatPay,
    /// Alipay (16–24 digits, 25–30).
    Alipay,
    /// An Alipay+ partner wallet (24 digits, other issuer prefix).
    AlipayPlus,
}

impl WalletFamily {
    /// A human name for messages.
    pub fn name(self) -> &'static str {
        match self {
            WalletFamily::WechatPay => "WeChat Pay",
            WalletFamily::Alipay => "Alipay",
            WalletFamily::AlipayPlus => "Alipay+",
        }
    }
}

/// Why a scanned or typed code is not a payment code TillKit can charge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentCodeError {
    /// Nothing was given.
    #[error("the payment code is empty")]
    Empty,
    /// A character other than a digit (after whitespace was removed).
    #[error("the payment code must be digits only (character {position} is not)")]
    NotDigits {
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// Longer than any wallet's code.
    #[error("the payment code is too long ({length} digits, at most 32)")]
    TooLong {
        /// Its length.
        length: usize,
    },
    /// A UnionPay code: recognised, but no supported acquirer accepts it offline.
    #[error("UnionPay payment codes are not accepted")]
    UnionPay,
    /// Digits, but no wallet's length and prefix rule fits.
    #[error("not a WeChat Pay or Alipay payment code ({length} digits, prefix {prefix})")]
    UnknownWallet {
        /// Its length.
        length: usize,
        /// Its first two digits.
        prefix: String,
    },
}

/// A validated customer-presented payment code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PaymentCode {
    digits: String,
    family: WalletFamily,
}

impl PaymentCode {
    /// Validates and classifies a code: ASCII whitespace is removed, then the wallet rules apply.
    pub fn parse(input: &str) -> Result<Self, PaymentCodeError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.is_empty() {
            return Err(PaymentCodeError::Empty);
        }
        if let Some(i) = digits.chars().position(|c| !c.is_ascii_digit()) {
            return Err(PaymentCodeError::NotDigits { position: i + 1 });
        }
        let len = digits.len();
        if len > 32 {
            return Err(PaymentCodeError::TooLong { length: len });
        }
        let prefix: u32 = if len >= 2 { digits[..2].parse().unwrap_or(0) } else { 0 };
        let family = match (len, prefix) {
            (18, 10..=15) => WalletFamily::WechatPay,
            (16..=24, 25..=30) => WalletFamily::Alipay,
            (19, 62) => return Err(PaymentCodeError::UnionPay),
            (24, _) => WalletFamily::AlipayPlus,
            _ => {
                return Err(PaymentCodeError::UnknownWallet {
                    length: len,
                    prefix: digits.chars().take(2).collect(),
                })
            }
        };
        Ok(PaymentCode { digits, family })
    }

    /// The digits, as sent to the acquirer.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The wallet family.
    pub fn family(&self) -> WalletFamily {
        self.family
    }

    /// The code with all but the first and last four digits hidden, for logs and screens.
    pub fn masked(&self) -> String {
        mask_digits(&self.digits)
    }
}

/// Hides all but the first four and last four characters: `1346**********1395`.
pub fn mask_digits(digits: &str) -> String {
    let n = digits.chars().count();
    if n <= 8 {
        return "*".repeat(n);
    }
    digits.chars().enumerate().map(|(i, c)| if i < 4 || i >= n - 4 { c } else { '*' }).collect()
}

impl fmt::Debug for PaymentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A code is a bearer token for about a minute: keep it out of debug output.
        f.debug_struct("PaymentCode")
            .field("digits", &self.masked())
            .field("family", &self.family)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallet_rules() {
        assert_eq!(
            PaymentCode::parse("134650720866361395").unwrap().family(),
            WalletFamily::WechatPay
        );
        assert_eq!(
            PaymentCode::parse("154650720866361395").unwrap().family(),
            WalletFamily::WechatPay
        );
        assert_eq!(PaymentCode::parse("2865072086636139").unwrap().family(), WalletFamily::Alipay);
        assert_eq!(
            PaymentCode::parse("302865072086636139123456").unwrap().family(),
            WalletFamily::Alipay
        );
        assert_eq!(
            PaymentCode::parse("251001020123456789012345").unwrap().family(),
            WalletFamily::Alipay
        );
        assert_eq!(
            PaymentCode::parse("211001020123456789012345").unwrap().family(),
            WalletFamily::AlipayPlus
        );
        assert_eq!(
            PaymentCode::parse(" 1346 5072 0866 3613 95\n").unwrap().digits(),
            "134650720866361395"
        );
    }

    #[test]
    fn refusals_are_typed() {
        assert_eq!(PaymentCode::parse(""), Err(PaymentCodeError::Empty));
        assert_eq!(PaymentCode::parse("  "), Err(PaymentCodeError::Empty));
        assert_eq!(PaymentCode::parse("13465a"), Err(PaymentCodeError::NotDigits { position: 6 }));
        assert_eq!(PaymentCode::parse("6212345678901234567"), Err(PaymentCodeError::UnionPay));
        assert!(matches!(
            PaymentCode::parse("164650720866361395"),
            Err(PaymentCodeError::UnknownWallet { .. })
        ));
        assert!(matches!(
            PaymentCode::parse("13465072086636139"),
            Err(PaymentCodeError::UnknownWallet { .. })
        ));
        assert!(matches!(
            PaymentCode::parse("2865072086636"),
            Err(PaymentCodeError::UnknownWallet { .. })
        ));
        assert!(matches!(
            PaymentCode::parse(&"1".repeat(33)),
            Err(PaymentCodeError::TooLong { length: 33 })
        ));
        assert!(matches!(PaymentCode::parse("1"), Err(PaymentCodeError::UnknownWallet { .. })));
    }

    #[test]
    fn debug_and_mask_hide_the_middle() {
        let code = PaymentCode::parse("134650720866361395").unwrap();
        assert_eq!(code.masked(), "1346**********1395");
        assert!(!format!("{code:?}").contains("134650720866361395"));
        assert_eq!(mask_digits("1234"), "****");
    }
}
