//! The terminal agent against an in-memory device channel and the simulated card reader: each
//! sale runs once and its result reaches the acquirer, whatever is repeated, lost or killed.

#![allow(clippy::unwrap_used)]

mod agent_support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use agent_support::*;
use tillkit_core::agent::store::INTERRUPTED;
use tillkit_core::agent::{AgentEvent, TerminalProgress, TerminalResult};
use tillkit_core::reader::sim::SimScenario;

fn db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent.db");
    (dir, path)
}

async fn one_sale(scenario: SimScenario, decline: bool, card_wait: Duration) -> Arc<FakeChannel> {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    channel.decline.store(decline, Ordering::SeqCst);
    channel.push(sale("m-1", "POS-1", "12.00"));
    let h = agent(&channel, scenario, &path, config(card_wait, Some(1)));
    assert_eq!(h.agent.run().await, Ok(1));
    channel
}

#[tokio::test]
async fn agent_approves_a_sale_and_reports_it() {
    let channel = one_sale(SimScenario::Approve, false, Duration::from_secs(5)).await;
    assert_eq!(
        channel.result_of("POS-1"),
        Some(TerminalResult::Approved { auth_code: Some("A1B2C3".into()) })
    );
    assert!(channel.was_acked("m-1"));
}

#[tokio::test]
async fn agent_reports_a_decline() {
    let channel = one_sale(SimScenario::Approve, true, Duration::from_secs(5)).await;
    assert_eq!(channel.result_of("POS-1"), Some(TerminalResult::Declined));
    let card_declines = one_sale(SimScenario::CardDeclines, false, Duration::from_secs(5)).await;
    assert_eq!(card_declines.result_of("POS-1"), Some(TerminalResult::Declined));
}

#[tokio::test]
async fn agent_pin_retry_then_approved() {
    let channel = one_sale(SimScenario::PinRetryThenApprove, false, Duration::from_secs(5)).await;
    assert!(matches!(channel.result_of("POS-1"), Some(TerminalResult::Approved { .. })));
}

#[tokio::test]
async fn agent_reader_timeout_when_no_card_comes() {
    let channel = one_sale(SimScenario::NoCard, false, Duration::from_millis(300)).await;
    assert_eq!(channel.result_of("POS-1"), Some(TerminalResult::TimedOut));
    assert!(channel.authorized.lock().unwrap().is_empty());
}

#[tokio::test]
async fn agent_declines_an_offline_approval_without_a_sink() {
    let channel = one_sale(SimScenario::OfflineApprove, false, Duration::from_secs(5)).await;
    assert_eq!(channel.result_of("POS-1"), Some(TerminalResult::Declined));
}

#[tokio::test]
async fn agent_cashier_cancel_while_waiting_for_a_card() {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    channel.push(sale("m-1", "POS-1", "12.00"));
    let h = agent(&channel, SimScenario::NoCard, &path, config(Duration::from_secs(60), Some(1)));
    let run = tokio::spawn({
        let agent = Arc::clone(&h.agent);
        async move { agent.run().await }
    });
    let progress = Arc::clone(&channel);
    until("the terminal waits for a card", || {
        progress.progress.lock().unwrap().iter().any(|p| p.1 == TerminalProgress::WaitingForCard)
    })
    .await;
    channel.push(cancel("m-2", "POS-1"));
    assert_eq!(run.await.unwrap(), Ok(1));
    assert_eq!(channel.result_of("POS-1"), Some(TerminalResult::CancelledByCashier));
    assert!(channel.was_acked("m-2"));
}

#[tokio::test]
async fn agent_runs_a_repeated_message_once() {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    // The first ack is applied but its answer is lost; the sale also comes under a second id.
    channel.lose_ack_answers.store(1, Ordering::SeqCst);
    channel.push(sale("m-1", "POS-1", "12.00"));
    channel.push(sale("m-1b", "POS-1", "12.00"));
    let h = agent(&channel, SimScenario::Approve, &path, config(Duration::from_secs(5), None));
    let run = tokio::spawn({
        let agent = Arc::clone(&h.agent);
        async move { agent.run().await }
    });
    let c = Arc::clone(&channel);
    until("both deliveries acknowledged and the result in", || {
        c.was_acked("m-1b") && c.result_of("POS-1").is_some() && c.inbox.lock().unwrap().is_empty()
    })
    .await;
    // A late repeat after the result: acknowledged, not run.
    channel.push(sale("m-1c", "POS-1", "12.00"));
    until("the late repeat acknowledged", || c.was_acked("m-1c")).await;
    h.agent.shutdown_handle().shutdown();
    assert_eq!(run.await.unwrap(), Ok(1));
    assert_eq!(*channel.authorized.lock().unwrap(), vec!["POS-1".to_string()]);
    assert_eq!(channel.report_calls.load(Ordering::SeqCst), 1);
    let started =
        h.events.lock().unwrap().iter().filter(|e| matches!(e, AgentEvent::Started { .. })).count();
    assert_eq!(started, 1);
}

#[tokio::test]
async fn agent_retries_a_report_until_the_acquirer_has_it() {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    channel.fail_reports.store(3, Ordering::SeqCst);
    channel.push(sale("m-1", "POS-1", "12.00"));
    let h = agent(&channel, SimScenario::Approve, &path, config(Duration::from_secs(5), Some(1)));
    assert_eq!(h.agent.run().await, Ok(1));
    assert_eq!(channel.report_calls.load(Ordering::SeqCst), 4);
    assert!(matches!(channel.result_of("POS-1"), Some(TerminalResult::Approved { .. })));
    let unreachable = h
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, AgentEvent::Unreachable { .. }))
        .count();
    assert_eq!(unreachable, 3);
}

#[tokio::test]
async fn agent_restart_reports_a_journaled_result_without_running_it_again() {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    channel.fail_reports.store(u32::MAX, Ordering::SeqCst);
    channel.push(sale("m-1", "POS-1", "12.00"));
    let first = agent(&channel, SimScenario::Approve, &path, config(Duration::from_secs(5), None));
    let run = tokio::spawn({
        let agent = Arc::clone(&first.agent);
        async move { agent.run().await }
    });
    let events = Arc::clone(&first.events);
    until("the sale finished", || {
        events.lock().unwrap().iter().any(|e| matches!(e, AgentEvent::Finished { .. }))
    })
    .await;
    run.abort(); // As a kill: nothing more runs in the first agent.
    let _ = run.await;
    drop(first);
    assert_eq!(channel.result_of("POS-1"), None);

    channel.fail_reports.store(0, Ordering::SeqCst);
    channel.push(sale("m-1", "POS-1", "12.00")); // and the acquirer repeats it, too
    let second = agent(&channel, SimScenario::Approve, &path, config(Duration::from_secs(5), None));
    let run = tokio::spawn({
        let agent = Arc::clone(&second.agent);
        async move { agent.run().await }
    });
    let c = Arc::clone(&channel);
    until("reported and the repeat acknowledged", || {
        c.result_of("POS-1").is_some() && c.inbox.lock().unwrap().is_empty()
    })
    .await;
    second.agent.shutdown_handle().shutdown();
    assert_eq!(run.await.unwrap(), Ok(0), "the second agent ran nothing");
    assert!(matches!(channel.result_of("POS-1"), Some(TerminalResult::Approved { .. })));
    assert_eq!(channel.authorized.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn agent_restart_mid_transaction_reports_it_failed() {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    channel.push(sale("m-1", "POS-1", "12.00"));
    let first = agent(&channel, SimScenario::NoCard, &path, config(Duration::from_secs(60), None));
    let run = tokio::spawn({
        let agent = Arc::clone(&first.agent);
        async move { agent.run().await }
    });
    let c = Arc::clone(&channel);
    until("waiting for a card", || {
        c.progress.lock().unwrap().iter().any(|p| p.1 == TerminalProgress::WaitingForCard)
    })
    .await;
    run.abort();
    let _ = run.await;
    drop(first);

    let second =
        agent(&channel, SimScenario::Approve, &path, config(Duration::from_secs(5), Some(0)));
    assert_eq!(second.agent.run().await, Ok(0));
    assert_eq!(
        channel.result_of("POS-1"),
        Some(TerminalResult::Failed { reason: INTERRUPTED.into() })
    );
    assert!(channel.authorized.lock().unwrap().is_empty());
}

#[tokio::test]
async fn agent_leaves_a_second_sale_unacknowledged_while_the_reader_is_busy() {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    channel.push(sale("m-1", "POS-1", "12.00"));
    let h =
        agent(&channel, SimScenario::NoCard, &path, config(Duration::from_millis(500), Some(2)));
    let c = Arc::clone(&channel);
    let acked_when_first_ended = Arc::new(std::sync::Mutex::new(None));
    let seen = Arc::clone(&acked_when_first_ended);
    let agent = Arc::try_unwrap(h.agent).ok().unwrap().with_listener(Arc::new(
        move |e: &AgentEvent| match e {
            AgentEvent::Started { transaction_id, .. } if transaction_id == "POS-1" => {
                c.push(sale("m-2", "POS-2", "3.00"));
            }
            AgentEvent::Finished { transaction_id, .. } if transaction_id == "POS-1" => {
                *seen.lock().unwrap() = Some(c.was_acked("m-2"));
            }
            _ => {}
        },
    ));
    assert_eq!(agent.run().await, Ok(2));
    assert_eq!(*acked_when_first_ended.lock().unwrap(), Some(false));
    assert_eq!(channel.result_of("POS-2"), Some(TerminalResult::TimedOut));
}

#[tokio::test]
async fn a_second_agent_on_the_same_journal_is_refused_while_the_first_runs() {
    let (_dir, path) = db();
    let channel = Arc::new(FakeChannel::default());
    let first =
        agent(&channel, SimScenario::Approve, &path, config(Duration::from_millis(50), None));
    let run = tokio::spawn({
        let agent = Arc::clone(&first.agent);
        async move { agent.run().await }
    });
    let events = Arc::clone(&first.events);
    until("the first agent polls", || {
        events.lock().unwrap().iter().any(|e| matches!(e, AgentEvent::Connected))
    })
    .await;
    let second =
        agent(&channel, SimScenario::Approve, &path, config(Duration::from_millis(50), None));
    let refused = tokio::time::timeout(Duration::from_secs(10), second.agent.run())
        .await
        .expect("the second agent must be refused at once, not run");
    assert!(matches!(refused, Err(tillkit_core::agent::AgentError::InUse { .. })), "{refused:?}");
    first.agent.shutdown_handle().shutdown();
    assert_eq!(run.await.unwrap(), Ok(0));
    // The first one gone, the journal is free again.
    let third =
        agent(&channel, SimScenario::Approve, &path, config(Duration::from_millis(50), None));
    third.agent.shutdown_handle().shutdown();
    assert_eq!(third.agent.run().await, Ok(0));
}
