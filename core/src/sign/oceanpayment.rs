//! Oceanpayment `signValue`: SHA-256 over the values of a fixed field list, secure code last.
//!
//! No separators and no keys: `sha256(account + terminal + … + secureCode)`. Empty or missing
//! fields contribute the empty string. Oceanpayment answers in upper-case hex and merchants send
//! lower case, so comparison ignores case.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::{hex_digests_match, SignError};

/// The message types whose field order is known, each with its own order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OceanMessage {
    /// `directservice/pay` request.
    PayRequest,
    /// Pay response XML, browser return and asynchronous notification.
    PayResponse,
    /// `service/check/normal` order status query.
    Query,
    /// One `paymentInfo` of a query response. The order is not documented (API notes §2.7 #5):
    /// TillKit's choice, listed in docs/acquirer-choices.md.
    QueryResponse,
    /// `service/applyRefund` request.
    Refund,
    /// Refund answer. Not documented: TillKit's choice, listed in docs/acquirer-choices.md.
    RefundResponse,
    /// `service/queryRefund` request.
    RefundQuery,
    /// Offline void through `service/auth` with `payment_authType=3`.
    Void,
    /// A business-order notification about a refund (`notice_type` `refund` or
    /// `partialRefund`). Its fields are documented, its signature order is not: TillKit's
    /// choice (O12 in docs/acquirer-choices.md), the documented fields in document order.
    RefundNotice,
}

impl OceanMessage {
    /// Every message type, for the CLI and tests.
    pub const ALL: [OceanMessage; 9] = [
        OceanMessage::PayRequest,
        OceanMessage::PayResponse,
        OceanMessage::Query,
        OceanMessage::QueryResponse,
        OceanMessage::Refund,
        OceanMessage::RefundResponse,
        OceanMessage::RefundQuery,
        OceanMessage::Void,
        OceanMessage::RefundNotice,
    ];

    /// The fields hashed, in order, before the secure code.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            OceanMessage::PayRequest => &[
                "account",
                "terminal",
                "order_number",
                "order_currency",
                "order_amount",
                "billing_firstName",
                "billing_lastName",
                "billing_email",
            ],
            OceanMessage::PayResponse => &[
                "account",
                "terminal",
                "order_number",
                "order_currency",
                "order_amount",
                "order_notes",
                "card_number",
                "payment_id",
                "payment_authType",
                "payment_status",
                "payment_details",
                "payment_risk",
            ],
            OceanMessage::Query => &["account", "terminal", "order_number"],
            OceanMessage::QueryResponse => &[
                "account",
                "terminal",
                "order_number",
                "order_currency",
                "order_amount",
                "payment_id",
                "payment_results",
                "payment_details",
            ],
            OceanMessage::Refund => &[
                "account",
                "terminal",
                "payment_id",
                "refund_type",
                "refund_amount",
                "refund_description",
            ],
            OceanMessage::RefundResponse => &[
                "account",
                "terminal",
                "payment_id",
                "refund_id",
                "refund_number",
                "refund_results",
            ],
            OceanMessage::RefundQuery => &["account", "terminal", "refund_id"],
            OceanMessage::Void => &["account", "terminal", "order_number", "payment_authType"],
            OceanMessage::RefundNotice => {
                &["account", "terminal", "order_number", "notice_type", "push_id", "push_status"]
            }
        }
    }

    /// The CLI name (`pay`, `response`, `query`, `query-response`, `refund`, `refund-response`,
    /// `refund-query`, `void`, `refund-notice`).
    pub fn name(self) -> &'static str {
        match self {
            OceanMessage::PayRequest => "pay",
            OceanMessage::PayResponse => "response",
            OceanMessage::Query => "query",
            OceanMessage::QueryResponse => "query-response",
            OceanMessage::Refund => "refund",
            OceanMessage::RefundResponse => "refund-response",
            OceanMessage::RefundQuery => "refund-query",
            OceanMessage::Void => "void",
            OceanMessage::RefundNotice => "refund-notice",
        }
    }

    /// Parses a CLI name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The lower-case hex `signValue` of a message whose fields `get` looks up.
pub fn sign<'a>(
    message: OceanMessage,
    get: impl Fn(&str) -> Option<&'a str>,
    secure_code: &SecretString,
) -> String {
    let mut h = Sha256::new();
    for field in message.fields() {
        h.update(get(field).unwrap_or("").as_bytes());
    }
    h.update(secure_code.expose_secret().as_bytes());
    hex::encode(h.finalize())
}

/// Checks a received `signValue` against the message's fields, ignoring case.
pub fn verify<'a>(
    message: OceanMessage,
    get: impl Fn(&str) -> Option<&'a str>,
    secure_code: &SecretString,
    received: &str,
) -> Result<(), SignError> {
    if received.trim().is_empty() {
        return Err(SignError::MissingSignature { field: "signValue" });
    }
    if hex_digests_match(&sign(message, get, secure_code), received) {
        Ok(())
    } else {
        Err(SignError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn code() -> SecretString {
        SecretString::from("12345678".to_string())
    }

    fn sign_map(message: OceanMessage, pairs: &[(&str, &str)]) -> String {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        sign(message, |k| map.get(k).copied(), &code())
    }

    const ACC: (&str, &str) = ("account", "995378");
    const TERM: (&str, &str) = ("terminal", "99537801");

    #[test]
    fn query_vector() {
        assert_eq!(
            sign_map(OceanMessage::Query, &[ACC, TERM, ("order_number", "ae866")]),
            "2e27426ca627e4734ca9c43bd18e593c4af1848688486a3c167d39f7f75cf7b2"
        );
    }

    #[test]
    fn refund_vector() {
        let pairs = [
            ACC,
            TERM,
            ("payment_id", "231220170723834010513"),
            ("refund_type", "1"),
            ("refund_amount", "0.1"),
            ("refund_description", "ProductDamage"),
        ];
        assert_eq!(
            sign_map(OceanMessage::Refund, &pairs),
            "c719beb74b87d4f200a1c9c42aa87d3ecdab6b78aa9f2f4f9a126b16cb1d4a91"
        );
    }

    #[test]
    fn capture_vector_follows_the_same_rule() {
        // service/auth capture: account, terminal, payment_id, payment_authType, order_amount.
        let mut h = Sha256::new();
        for v in ["995378", "99537801", "231220170723834010513", "1", "10", "12345678"] {
            h.update(v.as_bytes());
        }
        assert_eq!(
            hex::encode(h.finalize()),
            "0ebca4617f30d89bdac0a25cf2033ca920e1f9bece180f904f75efc1c5257735"
        );
    }

    #[test]
    fn synthetic_pay_request_and_response_vectors() {
        let req = [
            ACC,
            TERM,
            ("order_number", "NO12345678"),
            ("order_currency", "CNY"),
            ("order_amount", "0.01"),
            ("billing_firstName", "test"),
            ("billing_lastName", "test"),
            ("billing_email", "test@gmail.com"),
        ];
        assert_eq!(
            sign_map(OceanMessage::PayRequest, &req),
            "3166ad328b6f8f73009f3b63284f29072d00e743fe192f3e3a972f7124ce81cf"
        );
        let resp = [
            ACC,
            TERM,
            ("order_number", "NO12345678"),
            ("order_currency", "CNY"),
            ("order_amount", "0.01"),
            ("payment_id", "230101000000000000001"),
            ("payment_authType", "0"),
            ("payment_status", "1"),
            ("payment_details", "20000:Success"),
        ];
        assert_eq!(
            sign_map(OceanMessage::PayResponse, &resp),
            "f5c61e296ed4a370ded1aaceb1f21446444584b70104491b94b6ee68f0252c7f"
        );
    }

    #[test]
    fn verify_ignores_case_and_rejects_changes() {
        let pairs = [ACC, TERM, ("order_number", "ae866")];
        let sig = sign_map(OceanMessage::Query, &pairs).to_uppercase();
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        assert_eq!(verify(OceanMessage::Query, |k| map.get(k).copied(), &code(), &sig), Ok(()));
        let other = SecretString::from("87654321".to_string());
        assert_eq!(
            verify(OceanMessage::Query, |k| map.get(k).copied(), &other, &sig),
            Err(SignError::Mismatch)
        );
        assert_eq!(
            verify(OceanMessage::Query, |k| map.get(k).copied(), &code(), ""),
            Err(SignError::MissingSignature { field: "signValue" })
        );
    }

    #[test]
    fn names_round_trip() {
        for m in OceanMessage::ALL {
            assert_eq!(OceanMessage::from_name(m.name()), Some(m));
        }
        assert_eq!(OceanMessage::from_name("nope"), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            /// Any change to any signed field, or to the secure code, breaks verification.
            #[test]
            fn any_change_breaks_verification(
                msg in 0usize..8,
                values in proptest::collection::vec("[ -~]{0,24}", 12),
                which in 0usize..12,
                replacement in "[ -~]{0,24}",
                other_code in "[0-9]{8}",
            ) {
                let message = OceanMessage::ALL[msg];
                let fields = message.fields();
                let map: HashMap<&str, String> =
                    fields.iter().zip(values.iter()).map(|(k, v)| (*k, v.clone())).collect();
                let sig = sign(message, |k| map.get(k).map(String::as_str), &code());
                prop_assert_eq!(verify(message, |k| map.get(k).map(String::as_str), &code(), &sig), Ok(()));
                if other_code != "12345678" {
                    let other = SecretString::from(other_code);
                    prop_assert_eq!(verify(message, |k| map.get(k).map(String::as_str), &other, &sig), Err(SignError::Mismatch));
                }
                let key = fields[which % fields.len()];
                if map[key] != replacement {
                    let mut changed = map.clone();
                    changed.insert(key, replacement);
                    prop_assert_eq!(verify(message, |k| changed.get(k).map(String::as_str), &code(), &sig), Err(SignError::Mismatch));
                }
            }
        }
    }
}
