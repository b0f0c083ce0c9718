//! The byte link end to end: every simulator scenario through `LinkCardReader` over the
//! in-memory transport with 20-byte and 244-byte chunks.

#[path = "reader_link_support/mod.rs"]
mod common;

use common::*;
use tillkit_core::reader::link::memory::{memory_link, MemoryConfig};
use tillkit_core::reader::link::sim::{ReaderSim, Scenario};
use tillkit_core::reader::link::{LinkCardReader, LinkReaderConfig};
use tillkit_core::reader::{
    CardReader, EntryMode, OnlineResponse, ReaderError, ReaderEvent, ReaderOutcome,
};

const CHUNKS: [usize; 2] = [20, 244];

fn pair(scenario: Scenario, chunk: usize) -> (LinkCardReader, ReaderSim) {
    let (connector, listener) =
        memory_link(MemoryConfig { merge: true, ..MemoryConfig::fixed(chunk) });
    let sim = ReaderSim::spawn(listener, sim_config(scenario));
    (LinkCardReader::start(connector, LinkReaderConfig::default()), sim)
}

async fn sale_through(
    scenario: Scenario,
    chunk: usize,
    answer: &OnlineResponse,
) -> (Vec<ReaderEvent>, LinkCardReader, ReaderSim) {
    let (reader, sim) = pair(scenario, chunk);
    reader.begin(&sale("sale-1")).await.expect("begin");
    let events = run_to_completion(&reader, answer, |_| async {}).await;
    (events, reader, sim)
}

#[tokio::test]
async fn approve_reports_every_step_in_order() {
    for chunk in CHUNKS {
        let (events, _reader, sim) = sale_through(Scenario::Approve, chunk, &approval()).await;
        assert!(
            matches!(
                events.as_slice(),
                [
                    ReaderEvent::WaitingForCard,
                    ReaderEvent::CardDetected { entry: EntryMode::Contactless },
                    ReaderEvent::ApplicationSelected { .. },
                    ReaderEvent::AuthorizationRequest { .. },
                    ReaderEvent::Completed { outcome: ReaderOutcome::ApprovedOnline, .. },
                ]
            ),
            "chunk {chunk}: {events:?}"
        );
        let ReaderEvent::AuthorizationRequest { tlv } = &events[3] else { unreachable!() };
        // Amount 12.50 as EMV 9F02 (BCD minor units), currency 5F2A 0156.
        assert!(tlv.as_bytes().windows(9).any(|w| w == [0x9F, 0x02, 0x06, 0, 0, 0, 0, 0x12, 0x50]));
        assert!(tlv.as_bytes().windows(5).any(|w| w == [0x5F, 0x2A, 0x02, 0x01, 0x56]));
        assert_eq!((sim.started(), sim.approved()), (1, 1));
    }
}

#[tokio::test]
async fn the_host_declining_ends_declined() {
    for chunk in CHUNKS {
        let answer = OnlineResponse {
            approved: false,
            auth_code: None,
            issuer_tlv: vec![],
            unable_to_go_online: false,
        };
        let (events, _reader, sim) = sale_through(Scenario::Approve, chunk, &answer).await;
        assert_eq!(outcome(&events), ReaderOutcome::Declined);
        assert_eq!(sim.approved(), 0);
    }
}

#[tokio::test]
async fn decline_by_the_card_goes_offline_without_an_authorisation_request() {
    for chunk in CHUNKS {
        let (events, _reader, _sim) = sale_through(Scenario::Decline, chunk, &approval()).await;
        assert_eq!(outcome(&events), ReaderOutcome::Declined);
        assert!(!events.iter().any(|e| matches!(e, ReaderEvent::AuthorizationRequest { .. })));
        assert!(events.contains(&ReaderEvent::PinEntered));
    }
}

#[tokio::test]
async fn pin_retry_then_approve() {
    for chunk in CHUNKS {
        let (events, _reader, _sim) = sale_through(Scenario::PinRetry, chunk, &approval()).await;
        let pin: Vec<&ReaderEvent> = events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    ReaderEvent::PinRequested { .. }
                        | ReaderEvent::PinIncorrect { .. }
                        | ReaderEvent::PinEntered
                )
            })
            .collect();
        assert_eq!(
            pin,
            [
                &ReaderEvent::PinRequested { attempts_left: Some(3) },
                &ReaderEvent::PinIncorrect { attempts_left: 2 },
                &ReaderEvent::PinRequested { attempts_left: Some(2) },
                &ReaderEvent::PinEntered,
            ]
        );
        assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
    }
}

#[tokio::test]
async fn card_removed_early() {
    for chunk in CHUNKS {
        let (events, _reader, sim) =
            sale_through(Scenario::CardRemovedEarly, chunk, &approval()).await;
        assert_eq!(events[events.len() - 2], ReaderEvent::CardRemoved);
        assert_eq!(outcome(&events), ReaderOutcome::CardRemoved);
        assert_eq!(sim.approved(), 0);
    }
}

#[tokio::test]
async fn no_card_times_out_at_the_reader() {
    for chunk in CHUNKS {
        let (events, _reader, _sim) = sale_through(Scenario::NoCard, chunk, &approval()).await;
        assert_eq!(events.len(), 2);
        assert_eq!(outcome(&events), ReaderOutcome::TimedOut);
    }
}

#[tokio::test]
async fn the_cashier_cancels_while_the_reader_waits_for_a_card() {
    for chunk in CHUNKS {
        let (reader, _sim) = pair(Scenario::CashierCancel, chunk);
        reader.begin(&sale("sale-1")).await.unwrap();
        let events = run_to_completion(&reader, &approval(), |i| {
            let reader = &reader;
            async move {
                if i == 0 {
                    reader.cancel().await.unwrap();
                }
            }
        })
        .await;
        assert_eq!(events.len(), 2);
        assert_eq!(outcome(&events), ReaderOutcome::Cancelled);
        // Nothing left to cancel: not an error.
        reader.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn garbage_and_damaged_frames_are_skipped_naked_and_retransmitted() {
    for chunk in CHUNKS {
        let (events, reader, sim) = sale_through(Scenario::Garbage, chunk, &approval()).await;
        assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
        let host = reader.link_stats();
        assert!(host.decoder.discarded_bytes > 0, "{host:?}");
        assert!(host.decoder.crc_errors >= 1, "{host:?}");
        assert!(host.link.naks_sent >= 1, "{host:?}");
        assert!(sim.link_stats().link.retransmissions >= 1);
        assert_eq!(sim.approved(), 1);
    }
}

#[tokio::test]
async fn a_slow_reader_still_completes() {
    for chunk in CHUNKS {
        let (events, _reader, _sim) = sale_through(Scenario::Slow, chunk, &approval()).await;
        assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
    }
}

#[tokio::test]
async fn a_flooding_reader_is_discarded_within_bounds_and_the_sale_completes() {
    for chunk in CHUNKS {
        let (events, reader, _sim) = sale_through(Scenario::Flood, chunk, &approval()).await;
        assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
        assert!(reader.link_stats().decoder.discarded_bytes >= 64 * 1024);
    }
}

/// The reader drops the link after the online response and before the result: the core
/// reconnects, resumes, and sees one result; the card is charged once.
#[tokio::test]
async fn a_link_drop_mid_transaction_resumes_with_one_approval() {
    for chunk in CHUNKS {
        let (events, reader, sim) = sale_through(Scenario::LinkDrop, chunk, &approval()).await;
        assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
        assert_eq!(completions(&events), 1);
        assert_eq!(events.len(), 5, "{events:?}");
        assert!(reader.link_stats().connects >= 2);
        assert_eq!((sim.started(), sim.approved()), (1, 1));
    }
}

/// The core drops the link after every step in turn: whatever the point, each step is seen
/// exactly once and there is one approval.
#[tokio::test]
async fn a_drop_after_any_step_resumes_without_repeating_anything() {
    for chunk in CHUNKS {
        for drop_at in 0..5 {
            let (reader, sim) = pair(Scenario::Approve, chunk);
            reader.begin(&sale("sale-1")).await.unwrap();
            let events = run_to_completion(&reader, &approval(), |i| {
                let reader = &reader;
                async move {
                    if i == drop_at {
                        reader.drop_connection().await.unwrap();
                    }
                }
            })
            .await;
            assert_eq!(events.len(), 5, "chunk {chunk}, drop at {drop_at}: {events:?}");
            assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
            assert_eq!((sim.started(), sim.approved()), (1, 1), "chunk {chunk}, drop at {drop_at}");
            if drop_at < 4 {
                // The later steps came over a new connection.
                assert!(reader.link_stats().connects >= 2);
            }
        }
    }
}

/// Beginning an id the reader already ran (the app restarted, a new link) reports how it ended
/// and runs nothing.
#[tokio::test]
async fn beginning_a_finished_transaction_again_reports_its_outcome_and_runs_nothing() {
    let (connector, listener) = memory_link(MemoryConfig::fixed(20));
    let sim = ReaderSim::spawn(listener, sim_config(Scenario::Approve));
    let first = LinkCardReader::start(connector.clone(), LinkReaderConfig::default());
    first.begin(&sale("sale-1")).await.unwrap();
    let events = run_to_completion(&first, &approval(), |_| async {}).await;
    assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
    // Same instance: the outcome again.
    first.begin(&sale("sale-1")).await.unwrap();
    assert_eq!(
        first.next_event().await.map(|e| matches!(e, ReaderEvent::Completed { .. })),
        Ok(true)
    );
    drop(first);
    // A fresh instance: the whole log, ending with the same outcome.
    let second = LinkCardReader::start(connector, LinkReaderConfig::default());
    second.begin(&sale("sale-1")).await.unwrap();
    let replay = run_to_completion(&second, &approval(), |_| async {}).await;
    assert_eq!(replay, events);
    assert_eq!((sim.started(), sim.approved()), (1, 1));
    assert_eq!(sim.counters().online_responses.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_second_transaction_while_one_runs_is_refused_busy_and_the_first_goes_on() {
    let (reader, _sim) = pair(Scenario::CashierCancel, 20);
    reader.begin(&sale("first")).await.unwrap();
    assert_eq!(reader.next_event().await, Ok(ReaderEvent::WaitingForCard));
    assert_eq!(reader.begin(&sale("second")).await, Err(ReaderError::Busy));
    reader.cancel().await.unwrap();
    assert!(matches!(
        reader.next_event().await,
        Ok(ReaderEvent::Completed { outcome: ReaderOutcome::Cancelled, .. })
    ));
}

#[tokio::test]
async fn status_and_misuse() {
    let (reader, _sim) = pair(Scenario::Approve, 244);
    let status = reader.status().await.unwrap();
    assert!(status.connected);
    assert_eq!(status.serial.as_deref(), Some("SIM-0001"));
    assert!(matches!(reader.next_event().await, Err(ReaderError::Protocol(_))));
    assert!(matches!(reader.online_response(&approval()).await, Err(ReaderError::Protocol(_))));
    let mut bad = sale("has space");
    assert!(matches!(reader.begin(&bad).await, Err(ReaderError::Protocol(_))));
    bad.transaction_id = "ok".into();
    reader.begin(&bad).await.unwrap();
}

#[tokio::test]
async fn no_reader_at_all_is_a_disconnection_not_a_hang() {
    let (connector, listener) = memory_link(MemoryConfig::fixed(20));
    drop(listener);
    let mut config = LinkReaderConfig::default();
    config.driver.connect_attempts = 2;
    config.driver.connect_delay = std::time::Duration::from_millis(10);
    config.reply_timeout = std::time::Duration::from_millis(500);
    let reader = LinkCardReader::start(connector, config);
    assert!(matches!(
        reader.begin(&sale("s")).await,
        Err(ReaderError::Timeout | ReaderError::Disconnected(_))
    ));
    assert!(matches!(reader.next_event().await, Err(ReaderError::Disconnected(_))));
}
