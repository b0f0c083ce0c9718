//! Property test of the ledger itself: whatever sequence of payments, replays, refunds, voids
//! and settlements, no order is charged twice and no order is refunded more than it was paid.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use proptest::prelude::*;
use tillkit_core::money::Amount;
use tillkit_core::paycode::PaymentCode;
use tillkit_sandbox::clock::Clock;
use tillkit_sandbox::ledger::{NewPayment, NewRefund, OrderRef};
use tillkit_sandbox::{Acquirer, Flow, Ledger, ScenarioTimings, Terminal};

#[derive(Debug, Clone)]
enum Op {
    Pay { order: u8, request: u8, cents: u8, flow: u8, code: u8 },
    Refund { order: u8, id: u8, cents: u16 },
    Void { order: u8 },
    Wait,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..4u8, 0..8u8, prop::sample::select(vec![0u8, 51, 52, 53, 54, 55, 56, 57, 58, 59]), 0..3u8, 0..6u8)
            .prop_map(|(order, request, cents, flow, code)| Op::Pay { order, request, cents, flow, code }),
        3 => (0..4u8, 0..4u8, 1..1200u16).prop_map(|(order, id, cents)| Op::Refund { order, id, cents }),
        1 => (0..4u8).prop_map(|order| Op::Void { order }),
        1 => Just(Op::Wait),
    ]
}

fn apply(ledger: &Ledger, op: &Op, acquirer: Acquirer) {
    match *op {
        Op::Pay { order, request, cents, flow, code } => {
            let flow = [Flow::Code, Flow::Qr, Flow::Card][flow as usize];
            let p = NewPayment {
                acquirer,
                request_id: format!("R{request}"),
                merchant_transaction_id: format!("O{order}"),
                amount: Amount::parse(&format!("10.{cents:02}"), "CNY").unwrap(),
                flow,
                method: "Wechat-Offline".into(),
                code: (flow == Flow::Code)
                    .then(|| PaymentCode::parse(&format!("1346507208663613{code:02}")).unwrap()),
                terminal: (flow == Flow::Card).then(|| Terminal {
                    device_sn: "SANDBOX-T1".into(),
                    device_model: "PAX-A920".into(),
                }),
                cashier_device_id: None,
                expires_ms: None,
                notify_url: None,
                close_notify_url: None,
                remark: None,
            };
            ledger.begin_payment(&p).unwrap();
        }
        Op::Refund { order, id, cents } => {
            let r = NewRefund {
                acquirer,
                merchant_refund_id: Some(format!("F{id}")),
                order: OrderRef::MerchantTransactionId(format!("O{order}")),
                amount: Amount::from_minor_units(
                    i64::from(cents),
                    tillkit_core::money::Currency::from_code("CNY").unwrap(),
                )
                .unwrap(),
                full: false,
                notify_url: None,
                remark: None,
            };
            ledger.refund(&r).unwrap();
        }
        Op::Void { order } => {
            ledger.void(acquirer, &format!("O{order}")).unwrap();
        }
        Op::Wait => std::thread::sleep(Duration::from_millis(2)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn never_two_charges_never_refunded_beyond_paid(ops in prop::collection::vec(op(), 1..40)) {
        // 10 s of customer is 1 ms here: outcomes and expiries land during the sequence.
        let timings = ScenarioTimings { default_expiry: Duration::from_secs(20), ..ScenarioTimings::default() };
        let ledger = Ledger::open(None, Clock::new(0.0001), timings)
            .unwrap()
            .with_terminal_mode(tillkit_sandbox::TerminalMode::AutoSettle);
        ledger.register_terminal(&Terminal { device_sn: "SANDBOX-T1".into(), device_model: "PAX-A920".into() }).unwrap();
        for (i, op) in ops.iter().enumerate() {
            let acquirer = if i % 2 == 0 { Acquirer::PingPong } else { Acquirer::Oceanpayment };
            apply(&ledger, op, acquirer);
            for row in ledger.rows().unwrap() {
                prop_assert!(row.successful_charges <= 1, "{row:?}");
                // One consistent snapshot per order (time moves between two reads).
                let order = ledger.order(row.acquirer, &row.merchant_transaction_id).unwrap().unwrap();
                prop_assert!(order.charges.len() <= 1, "{order:?}");
                let paid: f64 = order.paid.parse().unwrap();
                let refunded: f64 = order.refunded.parse().unwrap();
                prop_assert!(refunded <= paid, "{order:?}");
                // Every charge is one approved attempt (a voided, reversed one included).
                let approved = order.attempts.iter().filter(|a| {
                    a.reason == tillkit_sandbox::Reason::Approved
                        || (a.reason == tillkit_sandbox::Reason::Voided && order.charges.iter().any(|c| c.request_id == a.request_id))
                }).count();
                prop_assert_eq!(approved, order.charges.len(), "{:?}", order);
            }
        }
    }
}
