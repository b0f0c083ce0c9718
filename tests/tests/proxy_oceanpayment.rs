//! The fault proxy in front of Oceanpayment's form POSTs and signed XML answers: each fault,
//! alone, does to a pay, a query and a refund what it says, and the adapter reads it safely
//! (a lost or cut answer is "outcome unknown", never a decline; nothing is charged or refunded
//! twice when the same order or refund number is sent again).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tillkit_core::acquirer::{
    AcquirerError, PayRequest, PaymentMethod, PaymentQuery, PaymentStatus, RefundRequest,
    WalletMethod,
};
use tillkit_core::money::Amount;
use tillkit_core::paycode::PaymentCode;
use tillkit_sandbox::proxy::{Fault, FaultMix, FaultProxy};
use tillkit_sandbox::Acquirer as Books;
use tillkit_tests::*;

fn only(fault: Fault) -> FaultMix {
    FaultMix { weights: vec![(fault, 1)], seed: 7, delay: Duration::from_millis(30) }
}

fn pay(order: &str) -> PayRequest {
    PayRequest {
        merchant_transaction_id: order.into(),
        request_id: format!("{order}-1"),
        amount: Amount::parse("3.00", "CNY").unwrap(),
        method: PaymentMethod::CustomerCode {
            code: PaymentCode::parse(&wechat_code()).unwrap(),
            wallet: WalletMethod::WechatPay,
        },
        cashier_device_id: "REG-1".into(),
        notification_url: None,
        expires_at_unix: None,
        remark: None,
    }
}

fn query(order: &str) -> PaymentQuery {
    PaymentQuery {
        merchant_transaction_id: order.into(),
        request_id: None,
        acquirer_transaction_id: None,
        amount: Amount::parse("3.00", "CNY").unwrap(),
    }
}

fn refund(order: &str, payment_id: &str) -> RefundRequest {
    RefundRequest {
        merchant_transaction_id: order.into(),
        acquirer_transaction_id: Some(payment_id.into()),
        merchant_refund_id: format!("{order}-R1"),
        amount: Amount::parse("1.00", "CNY").unwrap(),
        full: false,
        reason: None,
        terminal: None,
        cashier_device_id: "REG-1".into(),
        notification_url: None,
    }
}

/// What the caller may conclude from a failed call: never "declined" or "no such order", and
/// "not sent" only when the request really did not reach the acquirer.
fn safe(e: &AcquirerError, reached: bool) -> bool {
    e.is_outcome_unknown() || (!reached && matches!(e, AcquirerError::NotSent { .. }))
}

#[tokio::test]
async fn every_fault_on_form_posts_and_xml_answers() {
    let sb = sandbox(0.01).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let creds = &sb.credentials().oceanpayment;
    let acq = oceanpayment_for_cashier(creds, &proxy.url(), &proxy.url());
    let charges =
        |order: &str| sb.order(Books::Oceanpayment, order).unwrap().map_or(0, |o| o.charges.len());
    let refunds =
        |order: &str| sb.order(Books::Oceanpayment, order).unwrap().map_or(0, |o| o.refunds.len());
    // (fault, reaches the acquirer, the answer arrives whole)
    let cases = [
        (Fault::Pass, true, true),
        (Fault::Delay, true, true),
        (Fault::DropRequest, false, false),
        (Fault::BadGateway, false, false),
        (Fault::DropResponse, true, false),
        (Fault::ResetMidResponse, true, false),
        (Fault::Truncate, true, false),
    ];
    for (fault, reaches, answered) in cases {
        let order = unique_id("PX");
        proxy.set_mix(only(fault));
        let first = acq.pay(&pay(&order)).await;
        match &first {
            Ok(r) => assert!(answered && r.status == PaymentStatus::Succeeded, "{fault:?}: {r:?}"),
            Err(e) => assert!(!answered && safe(e, reaches), "{fault:?}: {e:?}"),
        }
        assert_eq!(charges(&order), usize::from(reaches), "{fault:?}: pay reached the acquirer");
        // The same order again, clean: one charge at most, whatever the first send did.
        proxy.set_mix(FaultMix::none());
        let again = acq.pay(&pay(&order)).await;
        assert!(again.is_ok() || again.as_ref().is_err_and(|e| e.is_outcome_unknown()));
        assert_eq!(charges(&order), 1, "{fault:?}: charged once");
        let paid = acq.query(&query(&order)).await.unwrap();
        assert_eq!(paid.status, PaymentStatus::Succeeded, "{fault:?}");
        let payment_id = paid.acquirer_transaction_id.clone().unwrap();

        // A query's XML answer under the fault.
        proxy.set_mix(only(fault));
        match acq.query(&query(&order)).await {
            Ok(q) => assert!(answered && q.status == PaymentStatus::Succeeded, "{fault:?}: {q:?}"),
            Err(e) => assert!(!answered && safe(&e, reaches), "{fault:?} query: {e:?}"),
        }
        // A refund under the fault, then the same refund number again, clean.
        match acq.refund(&refund(&order, &payment_id)).await {
            Ok(r) => assert!(answered && r.acquirer_refund_id.is_some(), "{fault:?}: {r:?}"),
            Err(e) => assert!(!answered && safe(&e, reaches), "{fault:?} refund: {e:?}"),
        }
        assert_eq!(refunds(&order), usize::from(reaches), "{fault:?}: refund reached");
        proxy.set_mix(FaultMix::none());
        acq.refund(&refund(&order, &payment_id)).await.unwrap();
        assert_eq!(refunds(&order), 1, "{fault:?}: refunded once");
    }
    let counts = proxy.counts();
    for (fault, _, _) in cases {
        assert!(counts.get(&fault).copied().unwrap_or(0) >= 3, "{fault:?} injected: {counts:?}");
    }
    sb.shutdown().await;
}
