//! MACs of device channel messages (docs/terminal-channel.md, "Signing").
//!
//! Each terminal holds its own 32-byte key, issued when it is registered with the acquirer. A
//! request's MAC covers the method, the path, the key id, a sequence number, the time it was
//! issued and the SHA-256 of the body, so that no routing field can be changed or replayed
//! without the key. An answer's MAC covers the request's sequence number and the answer's body,
//! so an answer cannot be moved to another request.

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::SignError;

/// Header carrying the key id.
pub const KEY_ID_HEADER: &str = "x-tillkit-key-id";
/// Header carrying the request's sequence number.
pub const SEQ_HEADER: &str = "x-tillkit-seq";
/// Header carrying the request's issue time, Unix milliseconds.
pub const ISSUED_AT_HEADER: &str = "x-tillkit-issued-at";
/// Header carrying the MAC, lower-case hex.
pub const SIGNATURE_HEADER: &str = "x-tillkit-signature";

/// Length of a device key, in bytes.
pub const DEVICE_KEY_LEN: usize = 32;

/// A terminal's channel key and its id. The key never prints.
#[derive(Clone)]
pub struct DeviceKey {
    /// The key's id, sent with every request (not secret).
    pub key_id: String,
    secret: SecretSlice<u8>,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceKey({})", self.key_id)
    }
}

impl DeviceKey {
    /// A key from its id and its 32 bytes.
    pub fn new(key_id: impl Into<String>, secret: Vec<u8>) -> Result<Self, SignError> {
        if secret.len() != DEVICE_KEY_LEN {
            return Err(SignError::BadKey { expected: DEVICE_KEY_LEN, got: secret.len() });
        }
        Ok(DeviceKey { key_id: key_id.into(), secret: SecretSlice::from(secret) })
    }

    /// A key from its id and its 64 hex digits (as the acquirer hands it out at registration).
    pub fn from_hex(key_id: impl Into<String>, hex_secret: &str) -> Result<Self, SignError> {
        let bytes = hex::decode(hex_secret.trim())
            .map_err(|_| SignError::BadKey { expected: DEVICE_KEY_LEN, got: 0 })?;
        Self::new(key_id, bytes)
    }

    /// The key as hex, to hand to the terminal once (registration) or seal in its store.
    pub fn secret_hex(&self) -> secrecy::SecretString {
        secrecy::SecretString::from(hex::encode(self.secret.expose_secret()))
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts a key of any length, so this cannot fail; keep the error typed anyway.
        <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.expose_secret())
            .unwrap_or_else(|_| unreachable_mac())
    }
}

#[cold]
fn unreachable_mac() -> Hmac<Sha256> {
    // An HMAC key of 32 zero bytes: only reachable if the hmac crate changed its contract,
    // and then every MAC fails to verify instead of the process panicking.
    match <Hmac<Sha256> as KeyInit>::new_from_slice(&[0u8; DEVICE_KEY_LEN]) {
        Ok(m) => m,
        Err(_) => std::process::abort(),
    }
}

/// What a request's MAC covers, besides the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// HTTP method, upper case (`POST`).
    pub method: &'a str,
    /// The path, without host or query (`/device/v1/inbox`).
    pub path: &'a str,
    /// The request's sequence number, strictly increasing per key.
    pub seq: u64,
    /// When the request was issued, Unix milliseconds.
    pub issued_at_ms: i64,
}

fn request_text(key_id: &str, head: &RequestHead<'_>, body: &[u8]) -> String {
    format!(
        "tillkit-device-v1\nrequest\n{}\n{}\n{}\n{}\n{}\n{}",
        head.method,
        head.path,
        key_id,
        head.seq,
        head.issued_at_ms,
        hex::encode(Sha256::digest(body))
    )
}

fn answer_text(key_id: &str, request_seq: u64, status: u16, body: &[u8]) -> String {
    format!(
        "tillkit-device-v1\nanswer\n{}\n{}\n{}\n{}",
        key_id,
        request_seq,
        status,
        hex::encode(Sha256::digest(body))
    )
}

fn mac_hex(key: &DeviceKey, text: &str) -> String {
    let mut mac = key.mac();
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn verify_hex(key: &DeviceKey, text: &str, signature: &str) -> Result<(), SignError> {
    let expected = mac_hex(key, text);
    if expected.as_bytes().ct_eq(signature.trim().to_ascii_lowercase().as_bytes()).into() {
        Ok(())
    } else {
        Err(SignError::Mismatch)
    }
}

/// The MAC of a request, lower-case hex.
pub fn sign_request(key: &DeviceKey, head: &RequestHead<'_>, body: &[u8]) -> String {
    mac_hex(key, &request_text(&key.key_id, head, body))
}

/// Checks a request's MAC (constant time).
pub fn verify_request(
    key: &DeviceKey,
    head: &RequestHead<'_>,
    body: &[u8],
    signature: &str,
) -> Result<(), SignError> {
    verify_hex(key, &request_text(&key.key_id, head, body), signature)
}

/// The MAC of an answer with HTTP `status` to the request numbered `request_seq`.
pub fn sign_answer(key: &DeviceKey, request_seq: u64, status: u16, body: &[u8]) -> String {
    mac_hex(key, &answer_text(&key.key_id, request_seq, status, body))
}

/// Checks an answer's MAC (constant time).
pub fn verify_answer(
    key: &DeviceKey,
    request_seq: u64,
    status: u16,
    body: &[u8],
    signature: &str,
) -> Result<(), SignError> {
    verify_hex(key, &answer_text(&key.key_id, request_seq, status, body), signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DeviceKey {
        DeviceKey::new("k1", vec![7u8; 32]).unwrap()
    }

    fn head(seq: u64) -> RequestHead<'static> {
        RequestHead { method: "POST", path: "/device/v1/inbox", seq, issued_at_ms: 1_000 }
    }

    #[test]
    fn a_request_verifies_and_every_covered_field_matters() {
        let sig = sign_request(&key(), &head(5), b"{}");
        assert_eq!(verify_request(&key(), &head(5), b"{}", &sig), Ok(()));
        assert!(verify_request(&key(), &head(6), b"{}", &sig).is_err());
        assert!(verify_request(&key(), &head(5), b"{ }", &sig).is_err());
        let other_path = RequestHead { path: "/device/v1/result", ..head(5) };
        assert!(verify_request(&key(), &other_path, b"{}", &sig).is_err());
        let later = RequestHead { issued_at_ms: 1_001, ..head(5) };
        assert!(verify_request(&key(), &later, b"{}", &sig).is_err());
        let other_id = DeviceKey::new("k2", vec![7u8; 32]).unwrap();
        assert!(verify_request(&other_id, &head(5), b"{}", &sig).is_err());
        let other_key = DeviceKey::new("k1", vec![8u8; 32]).unwrap();
        assert!(verify_request(&other_key, &head(5), b"{}", &sig).is_err());
    }

    #[test]
    fn an_answer_is_bound_to_its_request_and_status() {
        let sig = sign_answer(&key(), 9, 200, b"{\"ok\":true}");
        assert_eq!(verify_answer(&key(), 9, 200, b"{\"ok\":true}", &sig), Ok(()));
        assert!(verify_answer(&key(), 10, 200, b"{\"ok\":true}", &sig).is_err());
        assert!(verify_answer(&key(), 9, 409, b"{\"ok\":true}", &sig).is_err());
        assert!(verify_answer(&key(), 9, 200, b"{\"ok\":false}", &sig).is_err());
    }

    #[test]
    fn keys_must_be_32_bytes_and_never_print() {
        assert!(DeviceKey::new("k", vec![1; 31]).is_err());
        assert!(DeviceKey::from_hex("k", "zz").is_err());
        let k = DeviceKey::from_hex("k", &"ab".repeat(32)).unwrap();
        assert_eq!(format!("{k:?}"), "DeviceKey(k)");
        use secrecy::ExposeSecret;
        assert_eq!(k.secret_hex().expose_secret(), "ab".repeat(32));
    }
}
