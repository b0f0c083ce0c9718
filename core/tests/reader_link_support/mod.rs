//! Shared helpers of the reader link end-to-end tests (included with `#[path]`).

use std::time::Duration;

use tillkit_core::money::{Amount, Currency};
use tillkit_core::reader::link::sim::{Scenario, SimConfig};
use tillkit_core::reader::link::LinkCardReader;
use tillkit_core::reader::{CardReader, OnlineResponse, ReaderEvent, ReaderRequest, ReaderTxKind};

/// A guard against a hung test, not a timing assertion: nothing here should take seconds.
pub const HANG: Duration = Duration::from_secs(30);

pub fn sale(id: &str) -> ReaderRequest {
    ReaderRequest {
        transaction_id: id.into(),
        kind: ReaderTxKind::Sale,
        amount: Amount::from_minor_units(
            1250,
            Currency::from_code("CNY").expect("valid test amount"),
        )
        .expect("valid test amount"),
    }
}

pub fn sim_config(scenario: Scenario) -> SimConfig {
    let mut c = SimConfig::new(scenario);
    c.step_delay = Duration::from_millis(1);
    c.card_wait = if scenario == Scenario::NoCard {
        Duration::from_millis(200)
    } else {
        Duration::from_secs(10)
    };
    c.slow_delay = Duration::from_millis(60);
    c.flood_bytes = 64 * 1024;
    c
}

pub fn approval() -> OnlineResponse {
    OnlineResponse {
        approved: true,
        auth_code: Some("123456".into()),
        issuer_tlv: vec![0x8A, 0x02, 0x30, 0x30],
        unable_to_go_online: false,
    }
}

/// Reads events until `Completed`, answering an authorisation request with `answer` and
/// calling `at_event(index)` after each event (to cancel or drop the link there).
pub async fn run_to_completion<F, Fut>(
    reader: &LinkCardReader,
    answer: &OnlineResponse,
    mut at_event: F,
) -> Vec<ReaderEvent>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut events = Vec::new();
    loop {
        let event = tokio::time::timeout(HANG, reader.next_event())
            .await
            .expect("hung")
            .expect("next event");
        events.push(event.clone());
        at_event(events.len() - 1).await;
        match event {
            ReaderEvent::AuthorizationRequest { .. } => {
                reader.online_response(answer).await.expect("online response")
            }
            ReaderEvent::Completed { .. } => return events,
            _ => {}
        }
    }
}

pub fn outcome(events: &[ReaderEvent]) -> tillkit_core::reader::ReaderOutcome {
    match events.last() {
        Some(ReaderEvent::Completed { outcome, .. }) => *outcome,
        other => panic!("no completion: {other:?}"),
    }
}

pub fn completions(events: &[ReaderEvent]) -> usize {
    events.iter().filter(|e| matches!(e, ReaderEvent::Completed { .. })).count()
}
