//! The background worker: settles due payments and delivers notifications with each acquirer's
//! retry ladder, compressed by the time scale. It only ever sends to this machine.

use std::time::Duration;

use axum::http::header;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::ledger::model::Acquirer;
use crate::ledger::{Notification, NotificationKind, NotificationState};
use crate::state::Shared;

/// PingPong's documented ladder: the delay before each of the 12 retries.
const PINGPONG_RETRIES: [u64; 12] =
    [5, 5, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800];

/// Oceanpayment: "up to 5 attempts", schedule not published; the sandbox's choice.
const OCEANPAYMENT_RETRIES: [u64; 4] = [5, 30, 180, 600];

/// The delay before the next attempt after `attempts_made` failed ones, or `None` to give up.
pub(crate) fn retry_delay(acquirer: Acquirer, attempts_made: i64) -> Option<Duration> {
    let ladder: &[u64] = match acquirer {
        Acquirer::PingPong => &PINGPONG_RETRIES,
        Acquirer::Oceanpayment => &OCEANPAYMENT_RETRIES,
    };
    let index = usize::try_from(attempts_made.checked_sub(1)?).ok()?;
    ladder.get(index).map(|s| Duration::from_secs(*s))
}

/// PingPong: 2xx is received unless the body says `FAIL`. Oceanpayment: the body `receive-ok`.
pub(crate) fn acknowledged(acquirer: Acquirer, status: u16, body: &str) -> Result<(), String> {
    let body = body.trim();
    let ok = match acquirer {
        Acquirer::PingPong => (200..300).contains(&status) && !body.eq_ignore_ascii_case("FAIL"),
        Acquirer::Oceanpayment => (200..300).contains(&status) && body == "receive-ok",
    };
    if ok {
        Ok(())
    } else {
        let shown: String = body.chars().take(64).collect();
        Err(format!("not acknowledged: HTTP {status} {shown:?}"))
    }
}

/// Only plain HTTP to the loopback interface: the sandbox never sends traffic off the machine.
pub(crate) fn is_local(url: &str) -> bool {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            u.scheme() == "http"
                && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        }
        Err(_) => false,
    }
}

/// Runs until `shutdown` turns true.
pub(crate) async fn run(
    app: Shared,
    client: reqwest::Client,
    tick: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sending = JoinSet::new();
    loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            Some(_) = sending.join_next(), if !sending.is_empty() => continue,
            _ = interval.tick() => {}
        }
        // Claiming settles everything due first: expiries and results are persisted each tick.
        match app.ledger.claim_due_notifications(64) {
            Ok(due) => {
                for n in due {
                    sending.spawn(send(app.clone(), client.clone(), n));
                }
            }
            Err(e) => log::error!("sandbox: notification worker: {e}"),
        }
    }
    sending.abort_all();
    while sending.join_next().await.is_some() {}
}

async fn send(app: Shared, client: reqwest::Client, n: Notification) {
    let ledger = &app.ledger;
    if !is_local(&n.url) {
        log::warn!(
            "sandbox: not sending notification {} to {}: only http://127.0.0.1 and http://localhost are allowed",
            n.id,
            n.url
        );
        let _ = ledger
            .refuse_notification(n.id, "only http://127.0.0.1 and http://localhost are allowed");
        return;
    }
    let Some((body, content_type)) = render(&app, &n) else {
        let _ = ledger.refuse_notification(n.id, "subject no longer in the ledger");
        return;
    };
    let result = client
        .post(&n.url)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    let outcome = match result {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            acknowledged(n.acquirer, status, &text)
        }
        Err(e) => Err(format!("not delivered: {e}")),
    };
    let recorded = match outcome {
        Ok(()) => {
            ledger.record_notification_attempt(n.id, NotificationState::Delivered, None, None)
        }
        Err(why) => {
            log::info!("sandbox: notification {} to {}: {why}", n.id, n.url);
            match retry_delay(n.acquirer, n.attempts + 1) {
                Some(delay) => {
                    let next = app.clock.after(app.clock.now_ms(), delay);
                    ledger.record_notification_attempt(
                        n.id,
                        NotificationState::Pending,
                        Some(next),
                        Some(&why),
                    )
                }
                None => ledger.record_notification_attempt(
                    n.id,
                    NotificationState::Failed,
                    None,
                    Some(&why),
                ),
            }
        }
    };
    if let Err(e) = recorded {
        log::error!("sandbox: notification {}: {e}", n.id);
    }
}

/// The body and content type of a notification, rendered from the ledger now.
fn render(app: &Shared, n: &Notification) -> Option<(String, &'static str)> {
    let ledger = &app.ledger;
    match (n.acquirer, n.kind) {
        (Acquirer::PingPong, NotificationKind::Payment) => {
            let a = ledger.attempt_by_transaction_id(n.acquirer, &n.subject).ok()??;
            Some((crate::pingpong::payment_notification(app, &a), "application/json"))
        }
        (Acquirer::PingPong, NotificationKind::Refund) => {
            let r = ledger.find_refund(n.acquirer, None, Some(&n.subject)).ok()??;
            Some((crate::pingpong::refund_notification(app, &r), "application/json"))
        }
        (Acquirer::Oceanpayment, NotificationKind::Payment) => {
            let a = ledger.attempt_by_transaction_id(n.acquirer, &n.subject).ok()??;
            Some((crate::oceanpayment::payment_notification(app, &a), "application/xml"))
        }
        (Acquirer::Oceanpayment, NotificationKind::Refund) => {
            let r = ledger.find_refund(n.acquirer, None, Some(&n.subject)).ok()??;
            let paid = ledger.order(n.acquirer, &r.merchant_transaction_id).ok()??;
            let full = paid.paid == crate::ledger::major(r.amount_minor, &r.currency);
            Some((crate::oceanpayment::refund_notice(app, &r, full), "application/xml"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladders_match_the_docs() {
        let pp: Vec<u64> = (1..=13)
            .filter_map(|n| retry_delay(Acquirer::PingPong, n))
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(pp, PINGPONG_RETRIES);
        // 12 retries after the first attempt, then give up.
        assert_eq!(retry_delay(Acquirer::PingPong, 13), None);
        // Oceanpayment: 5 attempts in all.
        assert!(retry_delay(Acquirer::Oceanpayment, 4).is_some());
        assert_eq!(retry_delay(Acquirer::Oceanpayment, 5), None);
        assert_eq!(retry_delay(Acquirer::PingPong, 0), None);
    }

    #[test]
    fn acknowledgements() {
        assert!(acknowledged(Acquirer::PingPong, 200, "").is_ok());
        assert!(acknowledged(Acquirer::PingPong, 204, "").is_ok());
        assert!(acknowledged(Acquirer::PingPong, 200, "FAIL").is_err());
        assert!(acknowledged(Acquirer::PingPong, 500, "").is_err());
        assert!(acknowledged(Acquirer::Oceanpayment, 200, "receive-ok\n").is_ok());
        assert!(acknowledged(Acquirer::Oceanpayment, 200, "").is_err());
    }

    #[test]
    fn only_loopback_http() {
        assert!(is_local("http://127.0.0.1:8080/notify"));
        assert!(is_local("http://localhost/notify"));
        assert!(is_local("http://[::1]:9/x"));
        assert!(!is_local("https://127.0.0.1/notify"));
        assert!(!is_local("http://example.com/notify"));
        assert!(!is_local("http://127.0.0.1.example.com/notify"));
        assert!(!is_local("http://10.0.0.1/notify"));
        assert!(!is_local("not a url"));
    }
}
