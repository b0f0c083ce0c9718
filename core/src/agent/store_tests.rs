use super::*;
use crate::agent::channel::{InboxKind, InboxMessage};
use crate::money::Amount;
use crate::reader::session::CardRead;
use crate::reader::EntryMode;

fn sale(id: &str, seq: u64) -> InboxMessage {
    InboxMessage {
        id: format!("m-{seq}"),
        seq,
        transaction_id: id.into(),
        kind: InboxKind::Sale { amount: Amount::parse("12.50", "CNY").unwrap() },
        deadline_ms: None,
    }
}

fn card() -> CardRead {
    CardRead {
        masked_pan: "476173******0119".into(),
        aid: "A0000000031010".into(),
        label: Some("VISA".into()),
        entry: Some(EntryMode::Chip),
    }
}

#[test]
fn a_transaction_moves_through_its_states_and_is_received_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = AgentStore::open(&dir.path().join("agent.db")).unwrap();
    assert!(store.insert_received(&sale("POS-1", 1)).unwrap());
    assert!(!store.insert_received(&sale("POS-1", 2)).unwrap(), "same transaction again");
    let rec = store.get("POS-1").unwrap().unwrap();
    assert_eq!((rec.state, rec.message_id.as_str()), (TxState::Received, "m-1"));
    assert_eq!(store.next_to_run().unwrap().map(|r| r.id), Some("POS-1".into()));
    store.set_state("POS-1", TxState::Acked).unwrap();
    store.set_state("POS-1", TxState::Running).unwrap();
    assert_eq!(store.next_to_run().unwrap(), None, "a running transaction is never picked again");
    let report = ResultReport {
        transaction_id: "POS-1".into(),
        result: TerminalResult::Approved { auth_code: Some("A1B2C3".into()) },
        card: Some(card()),
        reason: None,
    };
    store.finish(&report).unwrap();
    assert_eq!(store.unreported().unwrap(), vec![report]);
    store.mark_reported("POS-1").unwrap();
    assert!(store.unreported().unwrap().is_empty());
    assert_eq!(store.get("POS-1").unwrap().unwrap().state, TxState::Reported);
}

#[test]
fn after_a_restart_running_is_failed_and_finished_is_still_to_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent.db");
    {
        let store = AgentStore::open(&path).unwrap();
        store.insert_received(&sale("RUNNING", 1)).unwrap();
        store.set_state("RUNNING", TxState::Running).unwrap();
        store.insert_received(&sale("DONE", 2)).unwrap();
        store
            .finish(&ResultReport {
                transaction_id: "DONE".into(),
                result: TerminalResult::Declined,
                card: None,
                reason: Some("offline approvals not enabled".into()),
            })
            .unwrap();
        store.insert_received(&sale("WAITING", 3)).unwrap();
        store.reserve_seq(5_000).unwrap();
    }
    let store = AgentStore::open(&path).unwrap();
    assert_eq!(store.recover().unwrap(), vec!["RUNNING".to_string()]);
    let unreported = store.unreported().unwrap();
    assert_eq!(unreported.len(), 2);
    assert_eq!(unreported[0].transaction_id, "RUNNING");
    assert_eq!(unreported[0].result, TerminalResult::Failed { reason: INTERRUPTED.into() });
    assert_eq!(unreported[1].result, TerminalResult::Declined);
    assert_eq!(unreported[1].reason.as_deref(), Some("offline approvals not enabled"));
    assert_eq!(store.next_to_run().unwrap().map(|r| r.id), Some("WAITING".into()));
    assert_eq!(store.seq_reserved().unwrap(), 5_000);
    store.reserve_seq(10).unwrap();
    assert_eq!(store.seq_reserved().unwrap(), 5_000, "never goes back");
    assert!(store.recover().unwrap().is_empty(), "recovery is done once");
}

#[test]
fn a_damaged_row_is_a_typed_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent.db");
    let store = AgentStore::open(&path).unwrap();
    store.insert_received(&sale("X", 1)).unwrap();
    store.lock().execute("UPDATE agent_tx SET amount = 'lots'", []).unwrap();
    match store.get("X") {
        Err(AgentStoreError::BadRow { field: "amount", .. }) => {}
        other => panic!("{other:?}"),
    }
}
