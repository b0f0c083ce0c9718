//! The queue's sealing key kept in the app's key store (Android Keystore, iOS Keychain), as the
//! cashier's database key is. It is not the device key, so a terminal registered again (a new
//! device key) still opens the approvals it stored.

use std::path::Path;

use super::queue::{OfflineError, OfflineQueue};
use crate::engine::KeyStore;

/// Opens the queue at `path` with the key stored under `key_name` in `keys`, making and storing
/// a new key the first time. A key store that lost the key while approvals are still stored is
/// an error, never a silent new key: those approvals could then never be forwarded.
pub fn open_with_key_store(
    path: &Path,
    keys: &dyn KeyStore,
    key_name: &str,
) -> Result<OfflineQueue, OfflineError> {
    let key_error = |e: &dyn std::fmt::Display| OfflineError::Key(format!("{key_name}: {e}"));
    match keys.get(key_name).map_err(|e| key_error(&e))? {
        Some(key) if key.len() == 32 => OfflineQueue::open(path, &key),
        Some(key) => Err(key_error(&format!("{} bytes, not 32", key.len()))),
        None => {
            let key = crate::store::new_key().map_err(|e| key_error(&e))?;
            let queue = OfflineQueue::open(path, &key)?;
            let stored = queue.totals()?.count;
            if stored > 0 {
                return Err(key_error(&format!(
                    "missing from the key store while {stored} offline approvals are stored"
                )));
            }
            keys.put(key_name, &key).map_err(|e| key_error(&e))?;
            Ok(queue)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::KeyStoreError;
    use std::collections::HashMap;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Keys(Mutex<HashMap<String, Vec<u8>>>);

    impl KeyStore for Keys {
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
            Ok(self.0.lock().unwrap().get(name).cloned())
        }
        fn put(&self, name: &str, value: &[u8]) -> Result<(), KeyStoreError> {
            self.0.lock().unwrap().insert(name.into(), value.to_vec());
            Ok(())
        }
    }

    #[test]
    fn the_key_is_made_once_and_reused_and_a_short_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.db");
        let keys = Keys::default();
        open_with_key_store(&path, &keys, "q").unwrap();
        let first = keys.get("q").unwrap().expect("stored");
        assert_eq!(first.len(), 32);
        open_with_key_store(&path, &keys, "q").unwrap();
        assert_eq!(keys.get("q").unwrap(), Some(first));
        keys.put("short", &[1, 2, 3]).unwrap();
        let e = open_with_key_store(&path, &keys, "short").unwrap_err();
        assert!(matches!(e, OfflineError::Key(ref m) if m.contains("3 bytes")), "{e}");
    }
}
