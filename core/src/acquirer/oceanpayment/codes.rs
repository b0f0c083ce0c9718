//! Oceanpayment's `payment_details` / `refund_details` codes, each in one [`CodeClass`].
//!
//! Oceanpayment publishes no code table: the list is every code seen in its documentation and
//! examples (API notes §2.4, the in-person page) and every code the sandbox answers with
//! (sandbox/README.md). The reasons are in docs/acquirer-choices.md ("Result codes"); a code
//! missing here is `OutcomeUnknown`.

use crate::acquirer::codes::{lookup, CodeClass};

use CodeClass::{Accepted, Declined, InvalidRequest, NotFound, OutcomeUnknown};

/// Every known Oceanpayment code, with its class.
pub const TABLE: &[(&str, CodeClass)] = &[
    ("20000", Accepted),
    ("80000", Accepted),
    ("20020", Accepted),
    ("20030", Accepted),
    ("20001", InvalidRequest),
    ("20002", InvalidRequest),
    ("20003", InvalidRequest),
    ("20010", Declined),
    ("20011", Declined),
    ("20012", Declined),
    ("20013", InvalidRequest),
    ("20031", Declined),
    // Duplicate order number: the first submission may well have been paid.
    ("20061", OutcomeUnknown),
    ("20068", NotFound),
    ("20090", Declined),
    ("20091", Declined),
    ("20092", Declined),
    ("20101", Declined),
    ("20102", Declined),
    ("20103", InvalidRequest),
    // refund_number already used with another amount: this refund was not made.
    ("20104", Declined),
    ("20105", Declined),
    ("20106", NotFound),
    ("50000", OutcomeUnknown),
];

/// The class of an Oceanpayment code; unlisted codes are [`CodeClass::OutcomeUnknown`].
pub fn classify(code: &str) -> CodeClass {
    lookup(TABLE, code)
}

/// Whether the table lists `code` as one that leaves the outcome unknown (an internal error, a
/// duplicate order number), as opposed to a code it does not know at all.
pub(super) fn is_listed_unknown(code: &str) -> bool {
    TABLE.iter().any(|(c, class)| *c == code && *class == OutcomeUnknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Oceanpayment code of the API notes and the sandbox's README, with the class
    /// docs/acquirer-choices.md gives it, written out independently of [`TABLE`].
    const DOCUMENTED: &[(&str, CodeClass)] = &[
        ("80000", Accepted),
        ("20000", Accepted),
        ("20020", Accepted),
        ("20030", Accepted),
        ("20001", InvalidRequest),
        ("20002", InvalidRequest),
        ("20003", InvalidRequest),
        ("20013", InvalidRequest),
        ("20103", InvalidRequest),
        ("20010", Declined),
        ("20011", Declined),
        ("20012", Declined),
        ("20031", Declined),
        ("20090", Declined),
        ("20091", Declined),
        ("20092", Declined),
        ("20101", Declined),
        ("20102", Declined),
        ("20104", Declined),
        ("20105", Declined),
        ("20061", OutcomeUnknown),
        ("50000", OutcomeUnknown),
        ("20068", NotFound),
        ("20106", NotFound),
    ];

    #[test]
    fn every_documented_code_has_its_class_and_only_those_are_listed() {
        for (code, class) in DOCUMENTED {
            assert_eq!(classify(code), *class, "{code}");
        }
        assert_eq!(TABLE.len(), DOCUMENTED.len());
        let mut codes: Vec<&str> = TABLE.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len(), "each code is in one class only");
    }

    #[test]
    fn unknown_codes_are_never_declines() {
        for code in ["80002", "99999", "", "2006"] {
            assert_eq!(classify(code), OutcomeUnknown, "{code}");
        }
    }
}
