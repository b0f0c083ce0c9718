//! Encryption of sensitive columns (payment codes) with a key from the app's key store.
//!
//! ChaCha20-Poly1305 with a random 96-bit nonce per value, stored as `nonce || ciphertext`. The
//! row's id is bound in as associated data, so a ciphertext cannot be moved to another row.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

const NONCE_LEN: usize = 12;

/// Why a sealed value could not be made or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The key is not 32 bytes.
    #[error("the database key must be 32 bytes")]
    BadKey,
    /// The operating system gave no randomness.
    #[error("no randomness available: {0}")]
    Random(String),
    /// The value was altered, belongs to another row, or the key is wrong.
    #[error("a sealed value failed authentication (wrong key or altered data)")]
    Unauthentic,
}

/// Seals and opens column values.
pub struct ColumnCipher {
    cipher: ChaCha20Poly1305,
}

impl ColumnCipher {
    /// A cipher over a 32-byte key.
    pub fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let key = Key::try_from(key).map_err(|_| CryptoError::BadKey)?;
        Ok(ColumnCipher { cipher: ChaCha20Poly1305::new(&key) })
    }

    /// Encrypts `plain`, bound to `row_id`.
    pub fn seal(&self, row_id: &str, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| CryptoError::Random(e.to_string()))?;
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plain, aad: row_id.as_bytes() })
            .map_err(|_| CryptoError::Unauthentic)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts a value sealed for `row_id`.
    pub fn open(&self, row_id: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < NONCE_LEN {
            return Err(CryptoError::Unauthentic);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| CryptoError::Unauthentic)?;
        self.cipher
            .decrypt(&nonce, Payload { msg: body, aad: row_id.as_bytes() })
            .map_err(|_| CryptoError::Unauthentic)
    }
}

/// A fresh random 32-byte key.
pub fn new_key() -> Result<[u8; 32], CryptoError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| CryptoError::Random(e.to_string()))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = new_key().unwrap();
        let c = ColumnCipher::new(&key).unwrap();
        let sealed = c.seal("REQ-1", b"134650720866361395").unwrap();
        assert!(!sealed.windows(18).any(|w| w == b"134650720866361395"));
        assert_eq!(c.open("REQ-1", &sealed).unwrap(), b"134650720866361395");
        assert_eq!(c.open("REQ-2", &sealed), Err(CryptoError::Unauthentic));
        let mut bad = sealed.clone();
        bad[20] ^= 1;
        assert_eq!(c.open("REQ-1", &bad), Err(CryptoError::Unauthentic));
        let other = ColumnCipher::new(&new_key().unwrap()).unwrap();
        assert_eq!(other.open("REQ-1", &sealed), Err(CryptoError::Unauthentic));
        assert_eq!(c.open("REQ-1", &[1, 2]), Err(CryptoError::Unauthentic));
        assert!(ColumnCipher::new(&[0; 16]).is_err());
    }
}
