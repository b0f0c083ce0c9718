//! Opening an agent: what the app gets wrong is refused with a typed error naming it; a good
//! config opens, lists an empty queue, and stops before it runs. The sale end to end runs in
//! tests/kotlin/AgentTests.kt against the sandbox.

use std::collections::HashMap;
use std::sync::Mutex;

use tillkit_core::reader::sim::{SimScenario, SimulatedCardReader};

use super::*;
use crate::reader::CoreBacked;

#[derive(Default)]
struct Keys(Mutex<HashMap<String, Vec<u8>>>);

impl KeyStore for Keys {
    fn get(&self, name: String) -> Result<Option<Vec<u8>>> {
        Ok(self.0.lock().expect("lock").get(&name).cloned())
    }
    fn put(&self, name: String, value: Vec<u8>) -> Result<()> {
        self.0.lock().expect("lock").insert(name, value);
        Ok(())
    }
}

struct Quiet;

impl AgentListener for Quiet {
    fn on_event(&self, _event: AgentEvent) -> Result<()> {
        Ok(())
    }
}

fn config() -> TerminalAgentConfig {
    TerminalAgentConfig {
        base_url: "http://127.0.0.1:9".into(),
        device_sn: "T9".into(),
        device_model: "PAX-A920".into(),
        key_id: "k1".into(),
        device_key_name: "device".into(),
        offline_key_name: "offline".into(),
        offline_limits: OfflineCardLimits::default(),
        extra_roots: Vec::new(),
        connect_timeout_ms: 1000,
        request_timeout_ms: 1000,
        poll_wait_ms: 1000,
        reader_limits: None,
    }
}

/// Opens an agent in a fresh directory, kept as long as the agent is.
fn open_in(
    config: TerminalAgentConfig,
    keys: Arc<Keys>,
) -> (Result<Arc<TerminalAgent>>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let reader: Arc<dyn CardReader> =
        Arc::new(CoreBacked(SimulatedCardReader::new(SimScenario::Approve)));
    (open(config, dir.path().join("agent"), keys, reader, Arc::new(Quiet), Transport::Bundled), dir)
}

fn open_with(config: TerminalAgentConfig, keys: Arc<Keys>) -> Result<Arc<TerminalAgent>> {
    open_in(config, keys).0
}

fn keys_with_device_key(len: usize) -> Arc<Keys> {
    let keys = Arc::new(Keys::default());
    keys.put("device".into(), vec![7; len]).expect("put");
    keys
}

#[test]
fn a_missing_or_malformed_device_key_is_a_config_error_without_the_key() {
    let e = open_with(config(), Arc::new(Keys::default())).err().expect("refused");
    assert!(matches!(&e, TillKitError::Config { reason } if reason.contains("\"device\"")), "{e}");
    let e = open_with(config(), keys_with_device_key(16)).err().expect("refused");
    assert!(matches!(&e, TillKitError::Config { reason } if reason.contains("device key")), "{e}");
    assert!(!e.to_string().contains("0707"), "never the key: {e}");
}

#[test]
fn bad_settings_name_their_field() {
    let keys = keys_with_device_key(32);
    let mut c = config();
    c.device_sn = " ".into();
    let e = open_with(c, Arc::clone(&keys)).err().expect("refused");
    assert!(matches!(&e, TillKitError::InvalidConfig { field, .. } if field == "device_sn"));
    let mut c = config();
    c.poll_wait_ms = 60_000;
    let e = open_with(c, Arc::clone(&keys)).err().expect("refused");
    assert!(matches!(&e, TillKitError::InvalidConfig { field, .. } if field == "poll_wait_ms"));
    let mut c = config();
    c.offline_limits.currencies.push(OfflineCurrencyLimit {
        currency: "CNY".into(),
        per_transaction: "fifty".into(),
        total_stored: "500".into(),
    });
    let e = open_with(c, Arc::clone(&keys)).err().expect("refused");
    assert!(
        matches!(&e, TillKitError::InvalidInput { field, .. }
            if field == "offline_limits.currencies[0].per_transaction"),
        "{e}"
    );
    let mut c = config();
    c.offline_limits.currencies.push(OfflineCurrencyLimit {
        currency: "XXX".into(),
        per_transaction: "1".into(),
        total_stored: "5".into(),
    });
    let e = open_with(c, keys).err().expect("refused");
    assert!(matches!(&e, TillKitError::InvalidInput { field, .. } if field.ends_with("currency")));
}

#[test]
fn an_agent_stopped_before_it_runs_returns_at_once_and_runs_only_once() {
    let keys = keys_with_device_key(32);
    let (agent, _dir) = open_in(config(), Arc::clone(&keys));
    let agent = agent.expect("opens");
    assert!(keys.get("offline".into()).expect("get").is_some_and(|k| k.len() == 32));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    assert_eq!(rt.block_on(agent.offline_approvals()).expect("list"), Vec::new());
    agent.stop();
    assert_eq!(rt.block_on(agent.run()).expect("ran"), 0);
    let again = rt.block_on(agent.run()).expect_err("runs once");
    assert!(matches!(again, TillKitError::InvalidInput { ref field, .. } if field == "run"));
}

#[test]
fn events_keep_their_meaning_across() {
    let amount = tillkit_core::money::Amount::parse("12.5", "CNY").expect("amount");
    let e = AgentEvent::from(&CoreEvent::Started {
        transaction_id: "s1".into(),
        amount,
        refund: false,
    });
    let want = AgentEvent::Started {
        transaction_id: "s1".into(),
        amount: crate::money::Money { amount: "12.50".into(), currency: "CNY".into() },
        refund: false,
    };
    assert_eq!(e, want);
}
