//! PingPong's result codes (API notes §1.7), each in one [`CodeClass`]. The reasons are in
//! docs/acquirer-choices.md ("Result codes"); a code missing here is `OutcomeUnknown`.

use crate::acquirer::codes::{lookup, CodeClass};

use CodeClass::{Accepted, Declined, InvalidRequest, NotFound, OutcomeUnknown};

/// Every code of PingPong's published table, with its class.
pub const TABLE: &[(&str, CodeClass)] = &[
    ("000000", Accepted),
    ("001000", Accepted),
    ("002000", Accepted),
    // Merchant disabled / misconfigured: nothing was done, and it will not pass as it is.
    ("101000", InvalidRequest),
    ("101001", InvalidRequest),
    ("101002", InvalidRequest),
    ("102000", InvalidRequest),
    ("103000", InvalidRequest),
    ("104000", InvalidRequest),
    // Invalid or expired transaction: the order is closed or voided, this request charged nothing.
    ("105000", Declined),
    ("106000", InvalidRequest),
    ("106001", InvalidRequest),
    ("106002", InvalidRequest),
    ("106003", InvalidRequest),
    // Duplicated transaction: the order exists in some state, which only a query can tell.
    ("107000", OutcomeUnknown),
    ("107001", NotFound),
    ("107002", NotFound),
    ("107003", InvalidRequest),
    ("108000", Declined),
    ("108001", Declined),
    ("108002", Declined),
    ("108003", Declined),
    ("109000", Declined),
    ("109001", Declined),
    ("109002", Declined),
    ("200000", Declined),
    ("201000", Declined),
    ("202000", Declined),
    ("202001", Declined),
    // Risk *system* error: a failure of the acquirer, not a verdict on the payment.
    ("203000", OutcomeUnknown),
    ("300000", Declined),
    ("300001", Declined),
    ("300002", Declined),
    ("300003", Declined),
    ("301001", Declined),
    ("301002", Declined),
    ("301003", Declined),
    ("301004", Declined),
    ("301005", Declined),
    ("301006", Declined),
    ("301007", Declined),
    ("301008", Declined),
    ("301009", Declined),
    ("301010", Declined),
    ("301011", Declined),
    ("301012", Declined),
    // Issuer "duplicate transaction": the first one may have been charged.
    ("301013", OutcomeUnknown),
    ("301015", Declined),
    ("301099", Declined),
    ("302000", Declined),
    ("303000", Declined),
    ("400000", Declined),
    ("400001", Declined),
    // Internal gateway and routing errors (500000 is also a busy terminal): never a decline.
    ("500000", OutcomeUnknown),
    ("500001", OutcomeUnknown),
    ("500002", OutcomeUnknown),
    ("500003", OutcomeUnknown),
    ("500004", OutcomeUnknown),
    ("500005", OutcomeUnknown),
    ("500006", OutcomeUnknown),
    ("500008", OutcomeUnknown),
    ("500009", OutcomeUnknown),
    ("600000", OutcomeUnknown),
    ("600001", OutcomeUnknown),
    ("600002", OutcomeUnknown),
];

/// The class of a PingPong code; unlisted codes are [`CodeClass::OutcomeUnknown`].
pub fn classify(code: &str) -> CodeClass {
    lookup(TABLE, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// API notes §1.7 row by row, with the class each row was given in
    /// docs/acquirer-choices.md. Written out independently of [`TABLE`] so that a code moved,
    /// dropped or added on either side fails here.
    fn documented() -> Vec<(String, CodeClass)> {
        let mut rows: Vec<(String, CodeClass)> = Vec::new();
        let mut add = |codes: &[&str], class| {
            rows.extend(codes.iter().map(|c| (c.to_string(), class)));
        };
        add(&["000000", "001000", "002000"], Accepted);
        add(&["101000", "101001", "101002"], InvalidRequest);
        add(&["102000", "103000", "104000"], InvalidRequest);
        add(&["105000"], Declined);
        add(&["106000", "106001", "106002", "106003"], InvalidRequest);
        add(&["107000"], OutcomeUnknown);
        add(&["107001", "107002"], NotFound);
        add(&["107003"], InvalidRequest);
        add(&["108000", "108001", "108002", "108003"], Declined);
        add(&["109000", "109001", "109002"], Declined);
        add(&["200000", "201000", "202000", "202001"], Declined);
        add(&["203000"], OutcomeUnknown);
        add(&["300000", "300001", "300002", "300003"], Declined);
        let issuer: Vec<String> = (301001..=301012).map(|c| c.to_string()).collect();
        add(&issuer.iter().map(String::as_str).collect::<Vec<_>>(), Declined);
        add(&["301013"], OutcomeUnknown);
        add(&["301015", "301099", "302000", "303000"], Declined);
        add(&["400000", "400001"], Declined);
        let system: Vec<String> =
            [500000, 500001, 500002, 500003, 500004, 500005, 500006, 500008, 500009, 600000]
                .iter()
                .chain(&[600001, 600002])
                .map(|c| c.to_string())
                .collect();
        add(&system.iter().map(String::as_str).collect::<Vec<_>>(), OutcomeUnknown);
        rows
    }

    #[test]
    fn every_documented_code_has_its_class_and_only_those_are_listed() {
        let documented = documented();
        for (code, class) in &documented {
            assert_eq!(classify(code), *class, "{code}");
        }
        assert_eq!(TABLE.len(), documented.len(), "the table lists exactly the documented codes");
        let mut codes: Vec<&str> = TABLE.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len(), "each code is in one class only");
    }

    #[test]
    fn system_errors_and_unknown_codes_are_never_declines() {
        for code in ["500000", "600002", "203000", "107000", "999999", "", "301014"] {
            assert_eq!(classify(code), OutcomeUnknown, "{code}");
        }
    }
}
