//! Tests of the planner: every state, the budgets, and the "never resend unresolved" rule.

use std::time::Duration;

use super::*;

fn policy() -> Policy {
    Policy::default()
}

fn view(kind: SaleKind, attempt: AttemptStatus) -> SaleView {
    SaleView {
        kind,
        attempt,
        created_at: 1_000_000,
        qr_expires_at: None,
        cancel_requested: false,
        can_cancel: false,
        failures: 0,
        last_try_at: 0,
    }
}

#[test]
fn a_fresh_sale_is_sent_at_once() {
    for kind in [SaleKind::CustomerCode, SaleKind::MerchantQr, SaleKind::Card] {
        let p = plan_sale(&view(kind, AttemptStatus::Prepared), &policy(), 1_000_000, 0.5);
        assert_eq!((p.step, p.at), (SaleStep::Send, 1_000_000));
    }
}

#[test]
fn an_offline_code_sale_backs_off_then_gives_up_at_code_expiry() {
    let mut v = view(SaleKind::CustomerCode, AttemptStatus::Prepared);
    v.failures = 3;
    v.last_try_at = 1_010_000;
    let p = plan_sale(&v, &policy(), 1_010_000, 0.0);
    assert_eq!(p.step, SaleStep::Send);
    assert_eq!(p.at, 1_010_000 + 2_000); // 4 s backoff, half fixed
    v.failures = 10; // a 60 s backoff would pass the code's 60 s validity
    let p = plan_sale(&v, &policy(), 1_010_000, 1.0);
    assert_eq!((p.step, p.at), (SaleStep::GiveUp, 1_060_000));
    let p = plan_sale(&v, &policy(), 1_060_000, 0.0);
    assert_eq!(p.step, SaleStep::GiveUp);
}

#[test]
fn unknown_is_only_ever_queried() {
    for kind in [SaleKind::CustomerCode, SaleKind::MerchantQr, SaleKind::Card] {
        for failures in [0, 1, 5, 40] {
            for cancel in [false, true] {
                let mut v = view(kind, AttemptStatus::Unknown);
                v.failures = failures;
                v.cancel_requested = cancel;
                v.can_cancel = true;
                v.last_try_at = 1_000_500;
                for now in [1_000_000, 1_100_000, 10_000_000] {
                    let p = plan_sale(&v, &policy(), now, 0.3);
                    assert_eq!(p.step, SaleStep::Query, "{v:?} at {now}");
                    assert!(p.at >= 1_000_500 + 500, "queries are paced: {p:?}");
                }
            }
        }
    }
}

#[test]
fn processing_is_polled_every_three_to_five_seconds() {
    let mut v = view(SaleKind::MerchantQr, AttemptStatus::Processing);
    v.last_try_at = 1_002_000;
    for (jitter, expected) in [(0.0, 3_000), (0.5, 4_000), (0.999, 4_998)] {
        let p = plan_sale(&v, &policy(), 1_002_000, jitter);
        assert_eq!((p.step, p.at - 1_002_000), (SaleStep::Query, expected));
    }
}

#[test]
fn qr_is_queried_at_expiry_and_flagged_after_grace() {
    let mut v = view(SaleKind::MerchantQr, AttemptStatus::Processing);
    v.qr_expires_at = Some(1_100_000);
    v.last_try_at = 1_098_000;
    let p = plan_sale(&v, &policy(), 1_098_000, 0.5);
    assert_eq!((p.step, p.at), (SaleStep::Query, 1_100_000));
    v.last_try_at = 1_131_000;
    let p = plan_sale(&v, &policy(), 1_131_000, 0.5);
    assert!(p.attention);
}

#[test]
fn user_paying_budget_voids_where_possible_else_flags() {
    let mut v = view(SaleKind::CustomerCode, AttemptStatus::Processing);
    v.last_try_at = 1_059_000;
    let before = plan_sale(&v, &policy(), 1_059_000, 0.5);
    assert_eq!((before.step, before.attention), (SaleStep::Query, false));
    let p = plan_sale(&v, &policy(), 1_061_000, 0.5);
    assert_eq!((p.step, p.attention), (SaleStep::Query, true));
    assert_eq!(p.at, 1_059_000 + 30_000);
    v.can_cancel = true;
    let p = plan_sale(&v, &policy(), 1_061_000, 0.5);
    assert_eq!(p.step, SaleStep::Cancel);
}

#[test]
fn card_sales_get_attention_after_terminal_timeout() {
    let mut v = view(SaleKind::Card, AttemptStatus::Processing);
    v.last_try_at = 1_121_000;
    assert!(plan_sale(&v, &policy(), 1_121_000, 0.5).attention);
    assert!(!plan_sale(&v, &policy(), 1_119_000, 0.5).attention);
}

#[test]
fn a_requested_cancel_is_sent_only_where_it_exists() {
    let mut v = view(SaleKind::CustomerCode, AttemptStatus::Processing);
    v.cancel_requested = true;
    v.last_try_at = 1_000_000;
    assert_eq!(plan_sale(&v, &policy(), 1_000_100, 0.5).step, SaleStep::Query);
    v.can_cancel = true;
    assert_eq!(plan_sale(&v, &policy(), 1_000_100, 0.5).step, SaleStep::Cancel);
}

#[test]
fn settled_sales_are_done() {
    for a in AttemptStatus::ALL.into_iter().filter(|a| a.is_final()) {
        assert_eq!(plan_sale(&view(SaleKind::Card, a), &policy(), 5, 0.5).step, SaleStep::Done);
    }
}

#[test]
fn refunds_wait_then_expire_only_when_never_sent() {
    let v = RefundView { state: RefundState::Queued, created_at: 0, failures: 2, last_try_at: 10 };
    let p = plan_refund(&v, &policy(), 10, 0.0);
    assert_eq!((p.step, p.at), (RefundStep::Send, 10 + 1_000));
    let day = 24 * 3600 * 1000;
    assert_eq!(plan_refund(&v, &policy(), day, 0.0).step, RefundStep::GiveUp);
    let unknown = RefundView { state: RefundState::Unknown, ..v };
    assert_eq!(plan_refund(&unknown, &policy(), day * 2, 0.0).step, RefundStep::Query);
    let processing = RefundView { state: RefundState::Processing, failures: 0, ..v };
    assert_eq!(plan_refund(&processing, &policy(), day * 2, 0.0).step, RefundStep::Query);
}

#[test]
fn backoff_grows_and_is_capped() {
    let p = policy();
    let d: Vec<Duration> = (1..10).map(|f| p.backoff(f, 1.0)).collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(p.backoff(1, 1.0), Duration::from_secs(1));
    assert_eq!(p.backoff(30, 1.0), Duration::from_secs(60));
    assert_eq!(p.backoff(30, 0.0), Duration::from_secs(30));
    assert_eq!(p.scaled(0.001).poll_min, Duration::from_millis(3));
}

/// Random walks through the attempt machine driven by the planner's own steps: whatever the
/// network does, a sale never sends while its attempt is unresolved, and never sends again
/// once settled.
#[test]
fn random_walks_never_send_an_unresolved_attempt() {
    use crate::acquirer::PaymentStatus as P;
    let mut seed: u64 = 0x5eed;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..2_000 {
        let kind =
            [SaleKind::CustomerCode, SaleKind::MerchantQr, SaleKind::Card][(rand() % 3) as usize];
        let mut v = view(kind, AttemptStatus::Prepared);
        v.can_cancel = rand() % 2 == 0;
        let mut now = v.created_at;
        let mut sends_while_unresolved = 0;
        for _ in 0..60 {
            let p = plan_sale(&v, &policy(), now, (rand() % 1000) as f64 / 1000.0);
            now = now.max(p.at);
            let event = match p.step {
                SaleStep::Done => break,
                SaleStep::GiveUp => AttemptEvent::TooOld,
                SaleStep::Send => {
                    if v.attempt != AttemptStatus::Prepared {
                        sends_while_unresolved += 1;
                    }
                    match rand() % 6 {
                        0 => AttemptEvent::NotSent,
                        1 => AttemptEvent::OutcomeUnknown,
                        2 => AttemptEvent::Reported(P::Processing),
                        3 => AttemptEvent::Reported(P::Succeeded),
                        4 => AttemptEvent::Reported(P::Failed),
                        _ => AttemptEvent::Refused,
                    }
                }
                SaleStep::Query | SaleStep::Cancel => match rand() % 6 {
                    0 => AttemptEvent::OutcomeUnknown,
                    1 => AttemptEvent::NotFound,
                    2 => AttemptEvent::Reported(P::Processing),
                    3 => AttemptEvent::Reported(P::Succeeded),
                    4 => AttemptEvent::Reported(P::Closed),
                    _ => AttemptEvent::Reported(P::Cancelled),
                },
            };
            let transport_failure =
                matches!(event, AttemptEvent::NotSent | AttemptEvent::OutcomeUnknown);
            if let Ok(next) = v.attempt.on(event) {
                v.attempt = next;
            }
            v.failures = if transport_failure { v.failures + 1 } else { 0 };
            v.last_try_at = now;
            now += 1;
        }
        assert_eq!(sends_while_unresolved, 0);
    }
}
