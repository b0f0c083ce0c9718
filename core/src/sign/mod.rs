//! Signing and verification of acquirer messages.
//!
//! Both acquirers sign with a shared secret (PingPong's salt, Oceanpayment's secure code). The
//! secret is held as a [`secrecy::SecretString`] so that it never reaches a log or an error text,
//! and every comparison of a received signature is constant-time.

pub mod device;
pub mod oceanpayment;
pub mod pingpong;

use subtle::ConstantTimeEq;

/// Why a signature could not be made or did not verify. Never carries the secret or the digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The message has no signature field.
    #[error("the message carries no signature ({field})")]
    MissingSignature {
        /// Name of the signature field (`sign`, `signValue`).
        field: &'static str,
    },
    /// `signType` is neither MD5 nor SHA256.
    #[error("unsupported signType {0:?}")]
    UnsupportedSignType(String),
    /// A top-level field that must be a string is an object or array, so it cannot be signed.
    #[error("field {0:?} is not a string and cannot be signed")]
    NonStringField(String),
    /// The signature does not match the message and the secret.
    #[error("signature mismatch")]
    Mismatch,
    /// A device key is not the expected length (or not hex).
    #[error("a device key must be {expected} bytes, got {got}")]
    BadKey {
        /// Bytes expected.
        expected: usize,
        /// Bytes given (0 when the text was not hex).
        got: usize,
    },
}

/// Compares a computed hex digest with a received one, ignoring case, in constant time.
pub(crate) fn hex_digests_match(expected_hex: &str, received_hex: &str) -> bool {
    let received = received_hex.trim().to_ascii_lowercase();
    let expected = expected_hex.to_ascii_lowercase();
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_compare_case_insensitively() {
        assert!(hex_digests_match("ABCDEF01", "abcdef01"));
        assert!(hex_digests_match("abcdef01", " ABCDEF01 "));
        assert!(!hex_digests_match("ABCDEF01", "ABCDEF02"));
        assert!(!hex_digests_match("ABCDEF01", "ABCDEF"));
        assert!(!hex_digests_match("ABCDEF01", ""));
    }
}
