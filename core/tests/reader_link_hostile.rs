//! A reader that breaks the message rules (the frames are fine): undecodable messages, events
//! of another transaction, out of order or repeated, and a flood of events. The core keeps only
//! what fits and reports a protocol error instead of growing without bound.

use tillkit_core::money::{Amount, Currency};
use tillkit_core::reader::link::driver::{spawn_link, DriverConfig, LinkItem};
use tillkit_core::reader::link::machine::Role;
use tillkit_core::reader::link::memory::{memory_link, MemoryConfig};
use tillkit_core::reader::link::messages::{HostMessage, ReaderMessage, TxState};
use tillkit_core::reader::link::{LinkCardReader, LinkReaderConfig};
use tillkit_core::reader::{CardReader, ReaderError, ReaderEvent, ReaderRequest, ReaderTxKind};

fn event(id: &str, index: u16, event: ReaderEvent) -> Vec<u8> {
    ReaderMessage::Event { transaction_id: id.into(), index, event }.encode().expect("encodable")
}

#[tokio::test]
async fn a_reader_breaking_the_message_rules_is_contained() {
    let (connector, listener) = memory_link(MemoryConfig::fixed(20));
    let (reader_end, mut items) = spawn_link(listener, DriverConfig::new(Role::Responder));
    let config = LinkReaderConfig { max_buffered_events: 16, ..LinkReaderConfig::default() };
    let host = LinkCardReader::start(connector, config);
    let request = ReaderRequest {
        transaction_id: "t1".into(),
        kind: ReaderTxKind::Sale,
        amount: Amount::from_minor_units(100, Currency::from_code("USD").expect("USD"))
            .expect("amount"),
    };
    let far = tokio::spawn(async move {
        loop {
            let Some(LinkItem::Message(bytes)) = items.recv().await else { continue };
            if let Ok(HostMessage::Begin(_)) = HostMessage::decode(&bytes) {
                break;
            }
        }
        let answer = ReaderMessage::TxState {
            transaction_id: "t1".into(),
            state: TxState::Running,
            events: 0,
        };
        let mut out = vec![answer.encode().expect("encodable")];
        out.push(vec![0x21, 0xFF, 0x00]);
        out.push(vec![0x77]);
        out.push(event("other", 0, ReaderEvent::CardRemoved));
        out.push(event("t1", 5, ReaderEvent::CardRemoved));
        out.push(event("t1", 0, ReaderEvent::WaitingForCard));
        out.push(event("t1", 0, ReaderEvent::CardRemoved));
        for i in 1..200 {
            out.push(event("t1", i, ReaderEvent::WaitingForCard));
        }
        for m in out {
            reader_end.send(m).await.expect("link up");
        }
        reader_end
    });
    host.begin(&request).await.expect("begin");
    let _reader_end = far.await.expect("far end");
    // Let everything arrive before reading, so the bound is what is tested, not the race
    // between this reader and the link: 206 messages after the session started.
    while host.link_stats().link.delivered < 206 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut waiting = 0;
    let error = loop {
        match host.next_event().await {
            Ok(ReaderEvent::WaitingForCard) => waiting += 1,
            Ok(other) => panic!("an event that should have been dropped: {other:?}"),
            Err(e) => break e,
        }
    };
    // Index 0 once (its repeat dropped), then events up to the bound, then the error.
    assert_eq!(waiting, 16);
    assert!(
        matches!(error, ReaderError::Protocol(ref m) if m.contains("more than 16 events")),
        "{error:?}"
    );
}
