//! Checks that a verified answer is about what was asked.
//!
//! A correctly signed answer can still be about something else: another order, another attempt
//! that reused our ids (a second register with the same sale id), another amount. Such an answer
//! must never be applied: each check here returns [`AcquirerError::AnswerMismatch`] naming the
//! field. Which fields each answer must carry is decided per acquirer and operation in
//! docs/acquirer-choices.md ("Answers are checked against the request").

use std::str::FromStr;

use rust_decimal::Decimal;

use super::AcquirerError;
use crate::money::Amount;

/// The most a QR code can hold (version 40, binary): longer content cannot be shown, so an
/// answer carrying it is malformed.
pub(crate) const MAX_QR_BYTES: usize = 2953;

/// Longest piece of a foreign value quoted in an error (values are never secrets, but may be
/// large or hostile).
const QUOTE: usize = 40;

fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(QUOTE).filter(|c| !c.is_control()).collect();
    if s.chars().count() > QUOTE {
        out.push('…');
    }
    out
}

pub(crate) fn mismatch(field: &'static str, detail: impl Into<String>) -> AcquirerError {
    AcquirerError::AnswerMismatch { field, detail: detail.into() }
}

/// The answer's identifier must be ours. `None` (absent or blank) is a mismatch when the answer
/// always carries it (`required`), and accepted otherwise.
pub(crate) fn same_id(
    field: &'static str,
    theirs: Option<&str>,
    ours: &str,
    required: bool,
) -> Result<(), AcquirerError> {
    match theirs.filter(|t| !t.trim().is_empty()) {
        Some(t) if t == ours => Ok(()),
        Some(t) => {
            Err(mismatch(field, format!("the answer is about {:?}, not {ours:?}", quote(t))))
        }
        None if required => Err(mismatch(field, format!("the answer does not name {field}"))),
        None => Ok(()),
    }
}

/// The answer's amount and currency must be the ones asked for. Amounts are compared as
/// decimals in the acquirer's text (`"2.00"` and `"2.000000"` are equal); an absent or
/// unreadable amount or currency is a mismatch: call this only for answers that always carry
/// both (pass the asked currency for an acquirer that sends none).
pub(crate) fn same_amount(
    value: Option<&str>,
    currency: Option<&str>,
    ours: &Amount,
) -> Result<(), AcquirerError> {
    let ours_code = ours.currency().code();
    match currency.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if c == ours_code => {}
        Some(c) => {
            return Err(mismatch(
                "currency",
                format!("the answer is in {:?}, {ours_code} was asked", quote(c)),
            ))
        }
        None => return Err(mismatch("currency", "the answer has no currency")),
    }
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Err(mismatch("amount", "the answer has no amount"));
    };
    match Decimal::from_str(text) {
        Ok(theirs) if theirs == ours.value() => Ok(()),
        Ok(_) => Err(mismatch(
            "amount",
            format!(
                "the answer is for {} {ours_code}, {ours} was asked: the id is already used at \
                 the acquirer for another amount",
                quote(text)
            ),
        )),
        Err(_) => Err(mismatch("amount", format!("unreadable amount {:?}", quote(text)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(v: &str) -> Amount {
        Amount::parse(v, "CNY").unwrap()
    }

    fn field(r: Result<(), AcquirerError>) -> Option<&'static str> {
        match r {
            Ok(()) => None,
            Err(AcquirerError::AnswerMismatch { field, .. }) => Some(field),
            Err(other) => panic!("not a mismatch: {other:?}"),
        }
    }

    #[test]
    fn amounts_compare_as_decimals() {
        let two = cny("2.00");
        for same in ["2", "2.0", "2.00", "2.000000", " 2.00 "] {
            assert_eq!(field(same_amount(Some(same), Some("CNY"), &two)), None, "{same}");
        }
        for other in ["250.00", "2.01", "1.999999", "-2", "1e30", "2,00", "0x2", "NaN"] {
            assert_eq!(
                field(same_amount(Some(other), Some("CNY"), &two)),
                Some("amount"),
                "{other}"
            );
        }
        let huge = "1000000000000000000000000000000000000";
        assert_eq!(field(same_amount(Some(huge), Some("CNY"), &two)), Some("amount"));
        assert_eq!(field(same_amount(None, Some("CNY"), &two)), Some("amount"));
        assert_eq!(field(same_amount(Some(""), Some("CNY"), &two)), Some("amount"));
    }

    #[test]
    fn currency_must_be_the_asked_one() {
        let two = cny("2.00");
        assert_eq!(field(same_amount(Some("2.00"), Some("USD"), &two)), Some("currency"));
        assert_eq!(field(same_amount(Some("2.00"), Some("cny"), &two)), Some("currency"));
        assert_eq!(field(same_amount(Some("2.00"), None, &two)), Some("currency"));
    }

    #[test]
    fn ids_must_match_and_required_ones_be_present() {
        assert_eq!(field(same_id("requestId", Some("R1"), "R1", true)), None);
        assert_eq!(field(same_id("requestId", Some("R2"), "R1", false)), Some("requestId"));
        assert_eq!(field(same_id("requestId", None, "R1", true)), Some("requestId"));
        assert_eq!(field(same_id("requestId", Some(" "), "R1", true)), Some("requestId"));
        assert_eq!(field(same_id("requestId", None, "R1", false)), None);
    }

    #[test]
    fn details_quote_little_of_a_hostile_value() {
        let long = "9".repeat(10_000);
        let Err(AcquirerError::AnswerMismatch { detail, .. }) =
            same_amount(Some(&long), Some("CNY"), &cny("2.00"))
        else {
            panic!("not a mismatch");
        };
        assert!(detail.len() < 200, "{detail}");
    }
}
