//! Money: a decimal amount in an ISO 4217 currency with that currency's exponent.
//!
//! Amounts are never floats. Every constructor validates: the currency must be known, the amount
//! positive, no more decimals than the currency allows, and no absurd magnitude.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Why an amount or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The currency code is not an ISO 4217 code TillKit knows.
    #[error("unknown currency {code:?}")]
    UnknownCurrency {
        /// The code as given.
        code: String,
    },
    /// The text is not a plain decimal number (digits, at most one '.', no sign or exponent).
    #[error("not a decimal amount: {input:?}")]
    NotANumber {
        /// The input as given (amounts are not secrets).
        input: String,
    },
    /// More decimals than the currency has (e.g. 1.005 CNY, or 1.5 JPY).
    #[error("{input} has more than {exponent} decimals allowed for {currency}")]
    TooManyDecimals {
        /// The input as given.
        input: String,
        /// The currency code.
        currency: &'static str,
        /// Its ISO 4217 exponent.
        exponent: u32,
    },
    /// Zero is not a payable amount.
    #[error("amount must be greater than zero")]
    Zero,
    /// Negative amounts are refused; refunds are their own operation.
    #[error("amount must not be negative: {input}")]
    Negative {
        /// The input as given.
        input: String,
    },
    /// Larger than any amount TillKit accepts, or an arithmetic result out of range.
    #[error("amount out of range: {input}")]
    Overflow {
        /// The input or operation.
        input: String,
    },
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {left} vs {right}")]
    CurrencyMismatch {
        /// The first currency.
        left: &'static str,
        /// The second currency.
        right: &'static str,
    },
    /// The acquirer cannot carry this amount's precision (Oceanpayment takes at most 2 decimals).
    #[error("{acquirer} accepts at most {max_decimals} decimals, {amount} has more")]
    UnsupportedPrecision {
        /// Which acquirer.
        acquirer: &'static str,
        /// Its limit.
        max_decimals: u32,
        /// The amount.
        amount: String,
    },
}

/// An ISO 4217 currency with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

/// Currencies TillKit accepts: those either acquirer documents, plus the common ones around them.
/// Each with its ISO 4217 numeric code (what EMV tag 5F2A carries) and exponent.
#[rustfmt::skip]
const CURRENCIES: &[(&str, u16, u32)] = &[
    ("AED", 784, 2), ("AUD", 36, 2), ("BHD", 48, 3), ("BRL", 986, 2), ("CAD", 124, 2),
    ("CHF", 756, 2), ("CLP", 152, 0), ("CNY", 156, 2), ("CZK", 203, 2), ("DKK", 208, 2),
    ("EUR", 978, 2), ("GBP", 826, 2), ("HKD", 344, 2), ("HUF", 348, 2), ("IDR", 360, 2),
    ("ILS", 376, 2), ("INR", 356, 2), ("IQD", 368, 3), ("ISK", 352, 0), ("JOD", 400, 3),
    ("JPY", 392, 0), ("KRW", 410, 0), ("KWD", 414, 3), ("LYD", 434, 3), ("MOP", 446, 2),
    ("MXN", 484, 2), ("MYR", 458, 2), ("NOK", 578, 2), ("NZD", 554, 2), ("OMR", 512, 3),
    ("PHP", 608, 2), ("PLN", 985, 2), ("QAR", 634, 2), ("RUB", 643, 2), ("SAR", 682, 2),
    ("SEK", 752, 2), ("SGD", 702, 2), ("THB", 764, 2), ("TND", 788, 3), ("TRY", 949, 2),
    ("TWD", 901, 2), ("UGX", 800, 0), ("USD", 840, 2), ("VND", 704, 0), ("ZAR", 710, 2),
];

/// The largest integer part accepted: 12 digits, as PingPong's `amount` is a string of at most 12
/// characters for the major units in practice; anything larger is a typo, not a sale.
const MAX_INTEGER_DIGITS: usize = 12;

impl Currency {
    /// Looks up an ISO 4217 code (upper case, exactly three letters).
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        CURRENCIES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|&(code, _, exponent)| Currency { code, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency { code: code.chars().take(16).collect() })
    }

    /// Looks up an ISO 4217 numeric code (840 for USD), as card data carries it.
    pub fn from_numeric(numeric: u16) -> Result<Self, MoneyError> {
        CURRENCIES
            .iter()
            .find(|(_, n, _)| *n == numeric)
            .map(|&(code, _, exponent)| Currency { code, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency { code: format!("{numeric:03}") })
    }

    /// The ISO 4217 numeric code.
    pub fn numeric(&self) -> u16 {
        CURRENCIES.iter().find(|(c, _, _)| *c == self.code).map_or(0, |&(_, n, _)| n)
    }

    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The number of decimals of the minor unit (2 for CNY, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

/// A positive amount of money in one currency, at most the currency's exponent in decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount {
    value: Decimal,
    currency: Currency,
}

impl Amount {
    /// Parses what a person typed ("12.50", "12.5", "12"): strict, no sign, no exponent, no
    /// thousands separators, at most the currency's decimals.
    pub fn parse(input: &str, currency: &str) -> Result<Self, MoneyError> {
        let currency = Currency::from_code(currency)?;
        let value = parse_plain_decimal(input.trim())?;
        Self::checked_new(value, currency, input)
    }

    /// Parses an amount as an acquirer returns it: PingPong sends "100.000000", so trailing zeros
    /// beyond the exponent are accepted, but any non-zero digit beyond it is refused.
    pub fn parse_acquirer(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let value = parse_plain_decimal(input.trim())?.normalize();
        Self::checked_new(value, currency, input)
    }

    /// Builds an amount from a decimal, with the same checks as [`Amount::parse`].
    pub fn new(value: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        Self::checked_new(value, currency, &value.to_string())
    }

    /// Builds an amount from minor units (cents, fen; yen for JPY).
    pub fn from_minor_units(units: i64, currency: Currency) -> Result<Self, MoneyError> {
        let value = Decimal::new(units, currency.exponent);
        Self::checked_new(value, currency, &units.to_string())
    }

    fn checked_new(value: Decimal, currency: Currency, input: &str) -> Result<Self, MoneyError> {
        let shown = || input.chars().take(40).collect::<String>();
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative { input: shown() });
        }
        if value.is_zero() {
            return Err(MoneyError::Zero);
        }
        if value.normalize().scale() > currency.exponent {
            return Err(MoneyError::TooManyDecimals {
                input: shown(),
                currency: currency.code,
                exponent: currency.exponent,
            });
        }
        if value.trunc().to_string().len() > MAX_INTEGER_DIGITS {
            return Err(MoneyError::Overflow { input: shown() });
        }
        let mut value = value;
        value.rescale(currency.exponent);
        Ok(Amount { value, currency })
    }

    /// The decimal value, scaled to the currency's exponent.
    pub fn value(&self) -> Decimal {
        self.value
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount in minor units (1250 for 12.50 CNY).
    pub fn minor_units(&self) -> i64 {
        // Cannot fail: at most 12 integer digits plus 3 decimals fits in i64.
        self.value.mantissa() as i64
    }

    /// The amount with exactly the currency's decimals: "12.50", "1000" (JPY), "1.250" (KWD).
    pub fn to_major_string(&self) -> String {
        self.value.to_string()
    }

    /// The amount for Oceanpayment's `order_amount` / `refund_amount`: at most 2 decimals.
    pub fn to_oceanpayment_string(&self) -> Result<String, MoneyError> {
        let normalized = self.value.normalize();
        if normalized.scale() > 2 {
            return Err(MoneyError::UnsupportedPrecision {
                acquirer: "Oceanpayment",
                max_decimals: 2,
                amount: self.to_string(),
            });
        }
        let mut value = self.value;
        value.rescale(self.currency.exponent.min(2));
        Ok(value.to_string())
    }

    /// Sum of two amounts of the same currency.
    pub fn checked_add(&self, other: &Amount) -> Result<Amount, MoneyError> {
        self.same_currency(other)?;
        let sum = self
            .value
            .checked_add(other.value)
            .ok_or_else(|| MoneyError::Overflow { input: format!("{self} + {other}") })?;
        Self::checked_new(sum, self.currency, &sum.to_string())
    }

    /// `self - other`, or `None` when nothing positive remains (e.g. a fully refunded sale).
    pub fn checked_sub(&self, other: &Amount) -> Result<Option<Amount>, MoneyError> {
        self.same_currency(other)?;
        let rest = self.value - other.value;
        if rest <= Decimal::ZERO {
            return Ok(None);
        }
        Self::checked_new(rest, self.currency, &rest.to_string()).map(Some)
    }

    fn same_currency(&self, other: &Amount) -> Result<(), MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency.code,
                right: other.currency.code,
            });
        }
        Ok(())
    }
}

impl PartialOrd for Amount {
    /// Amounts compare only within one currency.
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        (self.currency == other.currency).then(|| self.value.cmp(&other.value))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.currency.code)
    }
}

/// Accepts `digits[.digits]` only; `Decimal::from_str` alone would also take signs, `1e5` etc.
fn parse_plain_decimal(input: &str) -> Result<Decimal, MoneyError> {
    let not_a_number = || MoneyError::NotANumber { input: input.chars().take(40).collect() };
    let (sign, body) = match input.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(not_a_number());
    }
    let significant = int.trim_start_matches('0');
    if significant.len() > MAX_INTEGER_DIGITS || frac.is_some_and(|f| f.len() > 18) {
        return Err(MoneyError::Overflow { input: input.chars().take(40).collect() });
    }
    let value = Decimal::from_str(body).map_err(|_| not_a_number())?;
    if sign && !value.is_zero() {
        return Err(MoneyError::Negative { input: input.chars().take(40).collect() });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny() -> Currency {
        Currency::from_code("CNY").unwrap()
    }

    #[test]
    fn exponents_follow_iso_4217() {
        for (code, exp) in
            [("CNY", 2), ("HKD", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)]
        {
            assert_eq!(Currency::from_code(code).unwrap().exponent(), exp, "{code}");
        }
    }

    #[test]
    fn numeric_codes_find_the_same_currency() {
        assert_eq!(Currency::from_numeric(840).unwrap().code(), "USD");
        assert_eq!(Currency::from_numeric(392).unwrap().exponent(), 0);
        assert_eq!(Currency::from_numeric(36).unwrap().code(), "AUD");
        assert!(matches!(Currency::from_numeric(999), Err(MoneyError::UnknownCurrency { .. })));
        let mut seen = std::collections::HashSet::new();
        for &(code, numeric, _) in CURRENCIES {
            assert!(seen.insert(numeric), "{numeric} twice");
            let c = Currency::from_code(code).unwrap();
            assert_eq!(Currency::from_numeric(c.numeric()).unwrap(), c);
        }
    }

    #[test]
    fn parses_and_scales_user_input() {
        let a = Amount::parse("12.5", "CNY").unwrap();
        assert_eq!(a.to_major_string(), "12.50");
        assert_eq!(a.minor_units(), 1250);
        assert_eq!(Amount::parse(" 1000 ", "JPY").unwrap().to_major_string(), "1000");
        assert_eq!(Amount::parse("1.25", "KWD").unwrap().to_major_string(), "1.250");
        assert_eq!(Amount::parse("0.01", "USD").unwrap().minor_units(), 1);
    }

    #[test]
    fn refuses_bad_amounts_with_typed_errors() {
        assert!(matches!(
            Amount::parse("1.005", "CNY"),
            Err(MoneyError::TooManyDecimals { exponent: 2, .. })
        ));
        assert!(matches!(
            Amount::parse("1.5", "JPY"),
            Err(MoneyError::TooManyDecimals { exponent: 0, .. })
        ));
        assert!(matches!(Amount::parse("1.0001", "KWD"), Err(MoneyError::TooManyDecimals { .. })));
        assert_eq!(Amount::parse("0", "CNY"), Err(MoneyError::Zero));
        assert_eq!(Amount::parse("0.00", "CNY"), Err(MoneyError::Zero));
        assert!(matches!(Amount::parse("-1", "CNY"), Err(MoneyError::Negative { .. })));
        assert!(matches!(Amount::parse("1", "XXX"), Err(MoneyError::UnknownCurrency { .. })));
        assert!(matches!(Amount::parse("1", "cny"), Err(MoneyError::UnknownCurrency { .. })));
        assert!(matches!(Amount::parse("9999999999999", "CNY"), Err(MoneyError::Overflow { .. })));
        assert!(matches!(Amount::parse(&"9".repeat(40), "CNY"), Err(MoneyError::Overflow { .. })));
        for bad in ["", ".", "1.", ".5", "1e3", "+1", "1,00", "1.2.3", "NaN", "１２", " - 1"] {
            assert!(
                matches!(Amount::parse(bad, "CNY"), Err(MoneyError::NotANumber { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn trailing_zeros_from_acquirer_are_accepted_but_real_digits_are_not() {
        let a = Amount::parse_acquirer("100.000000", cny()).unwrap();
        assert_eq!(a.to_major_string(), "100.00");
        assert!(Amount::parse_acquirer("100.005000", cny()).is_err());
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(Amount::parse_acquirer("200.000000", jpy).unwrap().to_major_string(), "200");
    }

    #[test]
    fn oceanpayment_takes_at_most_two_decimals() {
        assert_eq!(Amount::parse("0.01", "CNY").unwrap().to_oceanpayment_string().unwrap(), "0.01");
        assert_eq!(
            Amount::parse("1.250", "KWD").unwrap().to_oceanpayment_string().unwrap(),
            "1.25"
        );
        assert!(Amount::parse("1.255", "KWD").unwrap().to_oceanpayment_string().is_err());
        assert_eq!(Amount::parse("10", "JPY").unwrap().to_oceanpayment_string().unwrap(), "10");
    }

    #[test]
    fn arithmetic_stays_in_one_currency() {
        let a = Amount::parse("10.00", "CNY").unwrap();
        let b = Amount::parse("2.50", "CNY").unwrap();
        assert_eq!(a.checked_add(&b).unwrap().to_major_string(), "12.50");
        assert_eq!(a.checked_sub(&b).unwrap().unwrap().to_major_string(), "7.50");
        assert_eq!(b.checked_sub(&b).unwrap(), None);
        let usd = Amount::parse("1", "USD").unwrap();
        assert!(matches!(a.checked_add(&usd), Err(MoneyError::CurrencyMismatch { .. })));
        assert_eq!(a.partial_cmp(&usd), None);
        assert!(b < a);
    }
}
