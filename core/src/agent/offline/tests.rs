use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rust_decimal::Decimal;

use super::*;
use crate::agent::channel::*;
use crate::money::{Amount, Currency};
use crate::reader::session::CardRead;
use crate::reader::{EmvData, EntryMode, OnlineResponse, ReaderRequest};

/// An acquirer that records forwards by offline id, and can lose answers or be down.
#[derive(Default)]
struct FakeAcquirer {
    recorded: Mutex<HashMap<String, u32>>,
    /// Forwards (by call number) whose answer is lost after the acquirer recorded them.
    lose_answer_of_call: Mutex<Vec<usize>>,
    calls: Mutex<usize>,
    down: Mutex<bool>,
    refuse: Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl DeviceChannel for FakeAcquirer {
    async fn poll(&self, _: Duration) -> Result<Vec<InboxMessage>, ChannelError> {
        Ok(Vec::new())
    }
    async fn ack(&self, _: &str) -> Result<(), ChannelError> {
        Ok(())
    }
    async fn progress(&self, _: &str, _: TerminalProgress) -> Result<(), ChannelError> {
        Ok(())
    }
    async fn authorize(
        &self,
        _: &ReaderRequest,
        _: &EmvData,
    ) -> Result<OnlineResponse, ChannelError> {
        Err(ChannelError::Unreachable("test".into()))
    }
    async fn report(&self, _: &ResultReport) -> Result<ResultAck, ChannelError> {
        Ok(ResultAck::Recorded)
    }
    async fn forward_offline(&self, a: &OfflineApproval) -> Result<ForwardAck, ChannelError> {
        if *self.down.lock().unwrap() {
            return Err(ChannelError::Unreachable("connection refused".into()));
        }
        let call = {
            let mut c = self.calls.lock().unwrap();
            *c += 1;
            *c
        };
        if let Some(reason) = self.refuse.lock().unwrap().clone() {
            return Ok(ForwardAck::Refused { reason });
        }
        let first = {
            let mut r = self.recorded.lock().unwrap();
            let n = r.entry(a.offline_id.clone()).or_insert(0);
            *n += 1;
            *n == 1
        };
        if self.lose_answer_of_call.lock().unwrap().contains(&call) {
            return Err(ChannelError::Unreachable("answer lost".into()));
        }
        Ok(if first { ForwardAck::Recorded } else { ForwardAck::Duplicate })
    }
}

impl FakeAcquirer {
    /// Distinct approvals the acquirer would charge (it charges each offline id once).
    fn charged(&self) -> usize {
        self.recorded.lock().unwrap().len()
    }
}

fn cny(v: &str) -> Amount {
    Amount::parse(v, "CNY").unwrap()
}

fn limits() -> OfflineLimits {
    OfflineLimits {
        currencies: vec![CurrencyLimit {
            currency: Currency::from_code("CNY").unwrap(),
            per_transaction: Decimal::new(5000, 2),
            total_stored: Decimal::new(100_000, 2),
        }],
        max_count: 1000,
        max_age: Duration::from_secs(86_400),
    }
}

fn approval(n: u32, amount: &str) -> OfflineApproval {
    OfflineApproval {
        offline_id: format!("OFF-{n}"),
        transaction_id: format!("SALE-{n}"),
        amount: cny(amount),
        approved_at_ms: 1_000 + i64::from(n),
        card: CardRead {
            masked_pan: "476173******0119".into(),
            aid: "A0000000031010".into(),
            label: Some("VISA".into()),
            entry: Some(EntryMode::Chip),
        },
        clearing_tlv: vec![0x9F, 0x36, 0x02, 0x00, 0x07],
    }
}

fn queue(dir: &tempfile::TempDir) -> OfflineQueue {
    OfflineQueue::open(&dir.path().join("agent.sqlite"), &[9u8; 32]).unwrap()
}

fn clock() -> impl Fn() -> i64 + Send + Sync {
    let t = AtomicI64::new(10_000);
    move || t.fetch_add(1, Ordering::SeqCst)
}

#[test]
fn limits_are_checked_against_what_is_stored_and_storing_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let q = queue(&dir);
    assert_eq!(q.store(&approval(1, "50.00"), &limits(), 2_000).unwrap(), StoreOutcome::Stored);
    assert_eq!(
        q.store(&approval(1, "50.00"), &limits(), 2_000).unwrap(),
        StoreOutcome::AlreadyStored
    );
    assert!(matches!(
        q.store(&approval(2, "50.01"), &limits(), 2_000),
        Err(OfflineError::Refused(OfflineRefusal::OverTransactionLimit { .. }))
    ));
    for n in 3..=21 {
        q.store(&approval(n, "50.00"), &limits(), 2_000).unwrap();
    }
    // 20 × 50.00 = 1000.00 stored: one cent more passes the total.
    assert!(matches!(
        q.store(&approval(22, "0.01"), &limits(), 2_000),
        Err(OfflineError::Refused(OfflineRefusal::OverStoredTotal { .. }))
    ));
    let t = q.totals().unwrap();
    assert_eq!((t.count, t.sums[0].1), (20, Decimal::new(100_000, 2)));
    // A day after the oldest, nothing new is approved offline until it is forwarded.
    let day_later = 1_001 + 86_400_000 + 1;
    assert!(matches!(
        q.store(
            &approval(23, "0.01"),
            &OfflineLimits {
                currencies: limits().currencies,
                max_count: 1000,
                max_age: Duration::from_secs(86_400)
            },
            day_later
        ),
        Err(OfflineError::Refused(_))
    ));
}

#[test]
fn clearing_data_is_sealed_and_a_wrong_key_cannot_open_it() {
    let dir = tempfile::tempdir().unwrap();
    let q = queue(&dir);
    let mut a = approval(1, "10.00");
    a.clearing_tlv = b"CLEARING-DATA-MARKER".to_vec();
    q.store(&a, &limits(), 2_000).unwrap();
    assert_eq!(q.pending().unwrap(), vec![a]);
    drop(q);
    let raw = std::fs::read(dir.path().join("agent.sqlite")).unwrap();
    let wal = std::fs::read(dir.path().join("agent.sqlite-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(!bytes.windows(20).any(|w| w == b"CLEARING-DATA-MARKER"));
        assert!(!bytes.windows(20).any(|w| w == hex::encode(b"CLEARING-DATA-MARKER").as_bytes()));
    }
    let other = OfflineQueue::open(&dir.path().join("agent.sqlite"), &[8u8; 32]).unwrap();
    assert!(matches!(other.pending(), Err(OfflineError::Corrupt { .. })));
}

#[tokio::test]
async fn a_drain_forwards_each_once_even_when_answers_are_lost() {
    let dir = tempfile::tempdir().unwrap();
    let q = queue(&dir);
    for n in 1..=10 {
        q.store(&approval(n, "1.00"), &limits(), 2_000).unwrap();
    }
    let acquirer = FakeAcquirer::default();
    acquirer.lose_answer_of_call.lock().unwrap().push(4);
    let first = forward_pending(&q, &acquirer, "p1", &clock()).await.unwrap();
    assert_eq!((first.forwarded, first.remaining), (3, 7));
    assert!(first.stopped_by.is_some());
    let second = forward_pending(&q, &acquirer, "p1", &clock()).await.unwrap();
    assert_eq!((second.forwarded, second.duplicates, second.remaining), (6, 1, 0));
    assert_eq!(acquirer.charged(), 10);
    assert!(q.list().unwrap().iter().all(|a| a.state == OfflineState::Forwarded));
    let third = forward_pending(&q, &acquirer, "p1", &clock()).await.unwrap();
    assert_eq!(third, ForwardSummary::default());
}

#[tokio::test]
async fn an_unreachable_acquirer_keeps_everything_and_a_refusal_is_never_resent() {
    let dir = tempfile::tempdir().unwrap();
    let q = queue(&dir);
    q.store(&approval(1, "1.00"), &limits(), 2_000).unwrap();
    let acquirer = FakeAcquirer::default();
    *acquirer.down.lock().unwrap() = true;
    let s = forward_pending(&q, &acquirer, "p1", &clock()).await.unwrap();
    assert_eq!((s.forwarded, s.remaining), (0, 1));
    assert_eq!(q.list().unwrap()[0].attempts, 1);
    *acquirer.down.lock().unwrap() = false;
    *acquirer.refuse.lock().unwrap() = Some("older than 24 h".into());
    let s = forward_pending(&q, &acquirer, "p1", &clock()).await.unwrap();
    assert_eq!(s.refused, 1);
    let listed = q.list().unwrap();
    assert_eq!(listed[0].state, OfflineState::Refused);
    assert_eq!(listed[0].last_error.as_deref(), Some("older than 24 h"));
    let again = forward_pending(&q, &acquirer, "p1", &clock()).await.unwrap();
    assert_eq!(again, ForwardSummary::default());
    assert_eq!(*acquirer.calls.lock().unwrap(), 1);
}

#[tokio::test]
async fn one_forwarder_at_a_time_across_handles_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = Arc::new(queue(&dir));
    let b = Arc::new(queue(&dir));
    for n in 1..=5 {
        a.store(&approval(n, "1.00"), &limits(), 2_000).unwrap();
    }
    assert!(a.take_lease("other", 10_000, 10_000 + LEASE_MS).unwrap());
    let acquirer = FakeAcquirer::default();
    let s = forward_pending(&b, &acquirer, "p2", &clock()).await.unwrap();
    assert!(s.lease_busy);
    assert_eq!((s.forwarded, s.remaining), (0, 5));
    // The other holder's lease runs out (it was killed): the next drain takes over.
    let later = AtomicI64::new(10_000 + LEASE_MS + 1);
    let s = forward_pending(&b, &acquirer, "p2", &move || later.fetch_add(1, Ordering::SeqCst))
        .await
        .unwrap();
    assert_eq!((s.forwarded, s.remaining), (5, 0));
    assert_eq!(acquirer.charged(), 5);
}
