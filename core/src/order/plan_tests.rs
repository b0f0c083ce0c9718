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
        abandoned: false,
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
    let day = 24 * 3600 * 1000;
    let v = RefundView {
        state: RefundState::Queued,
        created_at: 0,
        failures: 2,
        last_try_at: 10,
        acquirer_age: Some(10),
    };
    let p = plan_refund(&v, &policy(), 10, 0.0);
    assert_eq!((p.step, p.at), (RefundStep::Send, 10 + 1_000));
    let old = RefundView { acquirer_age: Some(day), ..v };
    assert_eq!(plan_refund(&old, &policy(), day, 0.0).step, RefundStep::GiveUp);
    // Old by this device's clock only (it may have been set forward): ask the acquirer first.
    let unsure = RefundView { acquirer_age: None, ..v };
    assert_eq!(plan_refund(&unsure, &policy(), day, 0.0).step, RefundStep::Query);
    // Young on the acquirer's clock, whatever this device's says: sent.
    let young = RefundView { acquirer_age: Some(5_000), ..v };
    assert_eq!(plan_refund(&young, &policy(), day * 400, 0.0).step, RefundStep::Send);
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
        let mut sends_after_cancel = 0;
        for _ in 0..60 {
            // The cashier may cancel at any point; from then on nothing is sent.
            if !v.cancel_requested && rand() % 8 == 0 {
                v.cancel_requested = true;
            }
            let p = plan_sale(&v, &policy(), now, (rand() % 1000) as f64 / 1000.0);
            now = now.max(p.at);
            let event = match p.step {
                SaleStep::Done => break,
                SaleStep::GiveUp => AttemptEvent::TooOld,
                SaleStep::Send => {
                    // Unseen (not found after an unknown send) may be resent with the same
                    // requestId, which the acquirer deduplicates; nothing else unresolved may.
                    if !matches!(v.attempt, AttemptStatus::Prepared | AttemptStatus::Unseen) {
                        sends_while_unresolved += 1;
                    }
                    if v.cancel_requested {
                        sends_after_cancel += 1;
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
        assert_eq!(sends_after_cancel, 0);
    }
}

const KINDS: [SaleKind; 3] = [SaleKind::CustomerCode, SaleKind::MerchantQr, SaleKind::Card];

/// A cancel holds: for every attempt state, kind, failure count, last try and time, a sale the
/// cashier asked to cancel is never sent again, and each state gets the one step it allows.
#[test]
fn a_requested_cancel_never_sends_whatever_the_attempt() {
    let p = policy();
    let created = 1_000_000;
    let watch_end = |kind| {
        let budget =
            if kind == SaleKind::CustomerCode { p.code_validity } else { p.sale_offline_budget };
        created + (budget + p.unseen_watch).as_millis() as u64
    };
    let times = [created, created + 1_000, created + 59_000, created + 61_000, created + 3_600_000];
    for kind in KINDS {
        for a in AttemptStatus::ALL {
            for can_cancel in [false, true] {
                for failures in [0, 1, 5, 40] {
                    for now in times.into_iter().chain([watch_end(kind), u64::MAX / 2]) {
                        for last_try_at in [0, created, now.saturating_sub(500)] {
                            let mut v = view(kind, a);
                            v.cancel_requested = true;
                            v.can_cancel = can_cancel;
                            v.failures = failures;
                            v.last_try_at = last_try_at;
                            let plan = plan_sale(&v, &p, now, 0.5);
                            assert_ne!(plan.step, SaleStep::Send, "{v:?} at {now}");
                            let expected = match a {
                                AttemptStatus::Prepared => SaleStep::GiveUp,
                                AttemptStatus::Unknown => SaleStep::Query,
                                AttemptStatus::Unseen if now >= watch_end(kind) => SaleStep::GiveUp,
                                AttemptStatus::Unseen => SaleStep::Query,
                                AttemptStatus::Processing if can_cancel => SaleStep::Cancel,
                                AttemptStatus::Processing => SaleStep::Query,
                                _ => SaleStep::Done,
                            };
                            assert_eq!(plan.step, expected, "{v:?} at {now}");
                            if plan.step == SaleStep::Query {
                                assert!(
                                    plan.at <= watch_end(kind).max(now)
                                        || a != AttemptStatus::Unseen
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Abandoning changes one thing: the sale is never sent (again). An unsent one is given up, an
/// unseen one only watched; every other plan is exactly what it was.
#[test]
fn an_abandoned_sale_is_resolved_as_before_and_never_sent() {
    let p = policy();
    let created: Millis = 1_000_000;
    let times = [created, created + 1_000, created + 59_000, created + 61_000, created + 3_600_000];
    for kind in KINDS {
        for a in AttemptStatus::ALL {
            for (cancel, can_cancel) in [(false, false), (false, true), (true, true)] {
                for failures in [0, 1, 5] {
                    for now in times {
                        for last_try_at in [0, created, now.saturating_sub(500)] {
                            let mut v = view(kind, a);
                            v.cancel_requested = cancel;
                            v.can_cancel = can_cancel;
                            v.failures = failures;
                            v.last_try_at = last_try_at;
                            let before = plan_sale(&v, &p, now, 0.5);
                            v.abandoned = true;
                            let after = plan_sale(&v, &p, now, 0.5);
                            assert_ne!(after.step, SaleStep::Send, "{v:?} at {now}");
                            match (before.step, a) {
                                // Never sent: given up at once (a cancelled one already was).
                                (_, AttemptStatus::Prepared) => {
                                    assert_eq!(after.step, SaleStep::GiveUp, "{v:?}")
                                }
                                (SaleStep::Send, _) => {
                                    assert_eq!(after.step, SaleStep::Query, "{v:?}")
                                }
                                _ => assert_eq!(after, before, "{v:?} at {now}"),
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Giving up a cancelled sale that never reached the acquirer ends it as cancelled, not offline.
#[test]
fn a_cancelled_sale_given_up_ends_cancelled() {
    for a in [AttemptStatus::Prepared, AttemptStatus::Unseen] {
        let next = a.on(AttemptEvent::TooOld).unwrap();
        assert_eq!(SaleStatus::derive(next, true), SaleStatus::Failed(FailReason::Cancelled));
        assert_eq!(SaleStatus::derive(next, false), SaleStatus::Failed(FailReason::Offline));
    }
}

/// "Not found" after an unknown send is watched by query, ever less often, for the whole window
/// (a few dozen queries), and resent only while the sale can still be made and is wanted.
#[test]
fn an_unseen_sale_is_watched_for_the_window_then_given_up() {
    let p = policy();
    for kind in KINDS {
        let mut v = view(kind, AttemptStatus::Unseen);
        v.last_try_at = v.created_at + 2_000;
        // Still sendable and wanted: resent at once (same requestId).
        assert_eq!(plan_sale(&v, &p, v.last_try_at, 0.5).step, SaleStep::Send);
        // Past the send deadline: only queried until the window ends.
        let mut now = v.created_at + p.code_validity.as_millis() as u64 + 1;
        v.last_try_at = now;
        let mut queries = 0;
        loop {
            let plan = plan_sale(&v, &p, now, 0.5);
            if plan.step == SaleStep::GiveUp {
                break;
            }
            assert_eq!(plan.step, SaleStep::Query, "{v:?}");
            assert!(plan.at > now || plan.at == now && queries > 0, "paced: {plan:?}");
            queries += 1;
            now = plan.at.max(now + 1);
            v.last_try_at = now;
        }
        let end = v.created_at
            + (p.sale_offline_budget.min(p.code_validity) + p.unseen_watch).as_millis() as u64;
        assert!(now >= end, "watched for the whole window");
        assert!((10..=60).contains(&queries), "{queries} queries");
    }
}
