//! Money and payment codes as they cross the FFI: decimal strings and currency codes, never
//! floats; every rule (decimals per currency, wallet code shapes) stays in the core.

use tillkit_core::money::{Amount, Currency};
use tillkit_core::paycode::PaymentCode;
pub use tillkit_core::paycode::WalletFamily;

use crate::error::TillKitError;

/// An amount of money: a decimal string in major units with exactly the currency's decimals
/// (`"12.50"`, `"1000"` for JPY) and an ISO 4217 code (`"CNY"`). Never a float.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Money {
    /// Major units as a plain decimal string.
    pub amount: String,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

impl From<Amount> for Money {
    fn from(a: Amount) -> Self {
        Money { amount: a.to_major_string(), currency: a.currency().code().to_string() }
    }
}

impl TryFrom<Money> for Amount {
    type Error = TillKitError;
    fn try_from(m: Money) -> Result<Self, TillKitError> {
        Ok(Amount::parse(&m.amount, &m.currency)?)
    }
}

/// The wallet family of a customer-presented payment code.
#[uniffi::remote(Enum)]
pub enum WalletFamily {
    /// WeChat Pay (18 digits, 10–15).
    WechatPay,
    /// Alipay (16–24 digits, 25–30).
    Alipay,
    /// An Alipay+ partner wallet (24 digits, other issuer prefix).
    AlipayPlus,
}

/// What a scanned or typed payment code is, without its digits.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentCodeInfo {
    /// The wallet that issued it.
    pub family: WalletFamily,
    /// The wallet's name for the screen (`WeChat Pay`, `Alipay`, `Alipay+`).
    pub wallet_name: String,
    /// The code with all but the first and last four digits hidden.
    pub masked: String,
}

/// Validates a typed amount (`"12.5"`) in a currency and returns it normalised (`"12.50"`).
/// Errors name the field: `amount` or `currency`.
#[uniffi::export]
pub fn parse_money(amount: String, currency: String) -> Result<Money, TillKitError> {
    Ok(Amount::parse(&amount, &currency)?.into())
}

/// The amount for a number of minor units (what an amount keypad holds): 1250 CNY → `"12.50"`.
#[uniffi::export]
pub fn money_from_minor_units(units: i64, currency: String) -> Result<Money, TillKitError> {
    Ok(Amount::from_minor_units(units, Currency::from_code(&currency)?)?.into())
}

/// How many decimals a currency has (2 for CNY, 0 for JPY, 3 for KWD).
#[uniffi::export]
pub fn currency_decimals(currency: String) -> Result<i32, TillKitError> {
    Ok(crate::ints::int(Currency::from_code(&currency)?.exponent()))
}

/// Classifies a customer-presented payment code (whitespace ignored). Errors name the field
/// `payment_code` and say why (not digits, UnionPay, no wallet's shape, …).
#[uniffi::export]
pub fn classify_payment_code(code: String) -> Result<PaymentCodeInfo, TillKitError> {
    let code = PaymentCode::parse(&code)?;
    Ok(PaymentCodeInfo {
        family: code.family(),
        wallet_name: code.family().name().to_string(),
        masked: code.masked(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_round_trips_with_the_currency_decimals() {
        let m = parse_money("12.5".into(), "CNY".into()).expect("valid");
        assert_eq!(m, Money { amount: "12.50".into(), currency: "CNY".into() });
        let a = Amount::try_from(m.clone()).expect("valid");
        assert_eq!(Money::from(a), m);
        let yen = money_from_minor_units(1000, "JPY".into()).expect("valid");
        assert_eq!(yen.amount, "1000");
    }

    #[test]
    fn bad_money_is_refused_with_its_field() {
        let e = parse_money("0".into(), "CNY".into()).unwrap_err();
        assert!(matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "amount"));
        assert!(currency_decimals("ABC".into()).is_err());
    }

    #[test]
    fn codes_are_classified_and_masked() {
        let info = classify_payment_code("134567890123451395".into()).expect("wechat");
        assert_eq!(info.family, WalletFamily::WechatPay);
        assert_eq!(info.masked, "1345**********1395");
        assert!(classify_payment_code("6212345678901234567".into()).is_err());
    }
}
