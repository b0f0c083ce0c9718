//! Device keys: each derived from the sandbox's master secret and the key's id, so that the
//! ledger holds key ids and never a key.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;
use tillkit_core::sign::device::{DeviceKey, DEVICE_KEY_LEN};

/// Length of the master secret, in bytes.
const MASTER_LEN: usize = 32;

/// Why the master secret could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The system's random source failed.
    #[error("cannot draw random bytes: {0}")]
    Random(String),
    /// The master secret file could not be read or written.
    #[error("device master secret {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The ledger could not record the key.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// The master secret file does not hold 32 bytes.
    #[error("device master secret {0} is not 32 bytes")]
    Corrupt(PathBuf),
}

/// The sandbox's master secret for device keys.
#[derive(Clone)]
pub struct DeviceMaster {
    secret: SecretSlice<u8>,
}

impl std::fmt::Debug for DeviceMaster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceMaster(..)")
    }
}

fn random<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(bytes)
}

impl DeviceMaster {
    /// The master secret of a ledger: in memory for an in-memory ledger; for a file ledger,
    /// read from `<db>.device-master` (created with mode 0600 the first time), so that a
    /// restarted sandbox still accepts the keys it handed out.
    pub fn load_or_create(db_path: Option<&Path>) -> Result<Self, KeyError> {
        let Some(db) = db_path else {
            return Ok(DeviceMaster {
                secret: SecretSlice::from(random::<MASTER_LEN>()?.to_vec()),
            });
        };
        let mut name = db.as_os_str().to_owned();
        name.push(".device-master");
        let path = PathBuf::from(name);
        let file_error = |source| KeyError::File { path: path.clone(), source };
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == MASTER_LEN => {
                return Ok(DeviceMaster { secret: SecretSlice::from(bytes) })
            }
            Ok(_) => return Err(KeyError::Corrupt(path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(file_error(e)),
        }
        let bytes = random::<MASTER_LEN>()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(file_error)?;
        file.write_all(&bytes).map_err(file_error)?;
        file.sync_all().map_err(file_error)?;
        Ok(DeviceMaster { secret: SecretSlice::from(bytes.to_vec()) })
    }

    /// The key with this id: HMAC-SHA256(master, "tillkit-device-key\n" + key id).
    pub fn key(&self, key_id: &str) -> DeviceKey {
        let mut bytes = [0u8; DEVICE_KEY_LEN];
        if let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.expose_secret())
        {
            mac.update(b"tillkit-device-key\n");
            mac.update(key_id.as_bytes());
            bytes.copy_from_slice(&mac.finalize().into_bytes());
        }
        // 32 bytes by construction, so `new` cannot refuse them; an all-zero fallback key would
        // only make every signature fail, never leak anything.
        DeviceKey::new(key_id, bytes.to_vec()).unwrap_or_else(|_| zero_key(key_id))
    }

    /// A fresh key id: 16 random hex digits.
    pub fn new_key_id() -> Result<String, KeyError> {
        Ok(format!("k-{}", hex::encode(random::<8>()?)))
    }
}

/// Registers `t` with a new key (revoking its previous ones) and returns the key.
pub(crate) fn issue(
    ledger: &crate::ledger::Ledger,
    master: &DeviceMaster,
    t: &crate::ledger::model::Terminal,
) -> Result<DeviceKey, KeyError> {
    let key_id = DeviceMaster::new_key_id()?;
    ledger.register_device(t, &key_id)?;
    Ok(master.key(&key_id))
}

#[cold]
fn zero_key(key_id: &str) -> DeviceKey {
    match DeviceKey::new(key_id, vec![0u8; DEVICE_KEY_LEN]) {
        Ok(k) => k,
        Err(_) => std::process::abort(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_per_id_and_the_file_master_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.db");
        let a = DeviceMaster::load_or_create(Some(&db)).unwrap();
        let b = DeviceMaster::load_or_create(Some(&db)).unwrap();
        use secrecy::ExposeSecret;
        let hex_of =
            |m: &DeviceMaster, id: &str| m.key(id).secret_hex().expose_secret().to_string();
        assert_eq!(hex_of(&a, "k-1"), hex_of(&b, "k-1"));
        assert_ne!(hex_of(&a, "k-1"), hex_of(&a, "k-2"));
        let other = DeviceMaster::load_or_create(None).unwrap();
        assert_ne!(hex_of(&a, "k-1"), hex_of(&other, "k-1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(dir.path().join("ledger.db.device-master")).unwrap();
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
    }
}
