//! Oceanpayment in-person emulation over real HTTP: both pay modes, scenarios, query, refunds,
//! offline void, signatures.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use tillkit_core::sign::oceanpayment::OceanMessage;
use tillkit_sandbox::Acquirer;

const PAY: &str = "/gateway/directservice/pay";
const QUERY: &str = "/service/check/normal";
const REFUND: &str = "/service/applyRefund";
const QUERY_REFUND: &str = "/service/queryRefund";
const AUTH: &str = "/gateway/service/auth";

async fn pay_code(env: &Env, order: &str, amount: &str, code: &str) -> (u16, String) {
    op(env, PAY, OceanMessage::PayRequest, &op_code_fields(order, amount, code)).await
}

async fn pay_qr(env: &Env, order: &str, amount: &str, methods: &str) -> String {
    let mut fields = op_code_fields(order, amount, "");
    fields.retain(|(k, _)| *k != "pay_accountNumber" && *k != "methods");
    fields.push(("methods", methods));
    let (status, xml) = op(env, PAY, OceanMessage::PayRequest, &fields).await;
    assert_eq!(status, 200);
    assert!(op_verify(env, OceanMessage::PayResponse, &xml), "{xml}");
    xml
}

/// Queries one order and returns its verified `paymentInfo`.
async fn query(env: &Env, order: &str) -> String {
    let (_, xml) = op(env, QUERY, OceanMessage::Query, &[("order_number", order)]).await;
    let info = xml_all(&xml, "paymentInfo").remove(0);
    assert!(op_verify(env, OceanMessage::QueryResponse, &info), "{info}");
    info
}

async fn wait_results(env: &Env, order: &str, results: &str) -> String {
    eventually(5, || async {
        let info = query(env, order).await;
        (xml_get(&info, "payment_results") == results).then_some(info)
    })
    .await
}

fn charges(env: &Env, order: &str) -> usize {
    env.sandbox.order(Acquirer::Oceanpayment, order).unwrap().map_or(0, |o| o.charges.len())
}

#[tokio::test]
async fn customer_presented_code_pays_and_replays() {
    let env = start().await;
    let (order, code) = (uid("N"), alipay_code());
    let (status, xml) = pay_code(&env, &order, "12.00", &code).await;
    assert_eq!(status, 200);
    assert!(op_verify(&env, OceanMessage::PayResponse, &xml), "{xml}");
    assert_eq!(xml_get(&xml, "payment_status"), "1");
    assert_eq!(xml_get(&xml, "payment_details"), "20000:Success");
    assert_eq!(xml_get(&xml, "methods"), "Alipay_Offline");
    assert_eq!(xml_get(&xml, "order_amount"), "12.00");
    assert_eq!(xml_get(&xml, "response_type"), "0");
    let payment_id = xml_get(&xml, "payment_id");
    assert_eq!(payment_id.len(), 21);
    // The same order number again: the order's state, not a second charge.
    let (_, again) = pay_code(&env, &order, "12.00", &code).await;
    assert_eq!(
        (xml_get(&again, "payment_id"), xml_get(&again, "payment_status")),
        (payment_id, "1".into())
    );
    let (_, other) = pay_code(&env, &order, "13.00", &alipay_code()).await;
    assert_eq!(xml_get(&other, "payment_status"), "0");
    assert!(xml_get(&other, "payment_details").starts_with("20061:"));
    assert_eq!(charges(&env, &order), 1);
    assert_eq!(xml_get(&query(&env, &order).await, "payment_results"), "1");
}

#[tokio::test]
async fn codes_are_single_use_and_must_match_methods() {
    let env = start().await;
    let code = wechat_code();
    pay_code(&env, &uid("N"), "1.00", &code).await;
    let (_, reused) = pay_code(&env, &uid("N"), "1.00", &code).await;
    assert_eq!(xml_get(&reused, "payment_status"), "0");
    assert!(xml_get(&reused, "payment_details").starts_with("20012:"));
    let order = uid("N");
    let alipay = alipay_code();
    let mut fields = op_code_fields(&order, "1.00", &alipay);
    fields.retain(|(k, _)| *k != "methods");
    fields.push(("methods", "WeChatPay_Offline"));
    let (_, xml) = op(&env, PAY, OceanMessage::PayRequest, &fields).await;
    assert!(xml_get(&xml, "payment_details").starts_with("20013:"), "{xml}");
    let (_, xml) = pay_code(&env, &uid("N"), "1.00", "99999").await;
    assert!(xml_get(&xml, "payment_details").contains("pay_accountNumber"), "{xml}");
}

#[tokio::test]
async fn merchant_presented_qr_is_paid_or_closes() {
    let env = start().await;
    let paid = uid("N");
    let xml = pay_qr(&env, &paid, "3.00", "WeChatPay_Offline").await;
    assert_eq!(xml_get(&xml, "payment_status"), "-1");
    assert!(xml_get(&xml, "pay_url").starts_with(&env.sandbox.url()));
    wait_results(&env, &paid, "1").await;

    let forever = uid("N");
    pay_qr(&env, &forever, "3.54", "Alipay_Offline").await;
    let closed = wait_results(&env, &forever, "0").await;
    assert_eq!(xml_get(&closed, "payment_details"), "20090:Order closed");
    assert_eq!(charges(&env, &forever), 0);
}

#[tokio::test]
async fn decline_user_paying_and_cancel() {
    let env = start().await;
    let (_, declined) = pay_code(&env, &uid("N"), "2.51", &wechat_code()).await;
    assert_eq!(xml_get(&declined, "payment_status"), "0");
    assert!(xml_get(&declined, "payment_details").starts_with("20010:"));
    let (paying, cancelling) = (uid("N"), uid("N"));
    let (_, a) = pay_code(&env, &paying, "2.52", &wechat_code()).await;
    let (_, b) = pay_code(&env, &cancelling, "2.53", &wechat_code()).await;
    assert_eq!(
        (xml_get(&a, "payment_status"), xml_get(&b, "payment_status")),
        ("-1".into(), "-1".into())
    );
    wait_results(&env, &paying, "1").await;
    let c = wait_results(&env, &cancelling, "0").await;
    assert!(xml_get(&c, "payment_details").starts_with("20011:"));
}

#[tokio::test]
async fn wire_faults_apply_to_the_first_answer_only() {
    let env = start().await;
    // 55 slow.
    let (order, code) = (uid("N"), wechat_code());
    let started = Instant::now();
    let (_, xml) = pay_code(&env, &order, "1.55", &code).await;
    assert!(started.elapsed() >= Duration::from_millis(450));
    assert_eq!(xml_get(&xml, "payment_status"), "1");
    // 56 dropped, then the same order number answers.
    let (order, code) = (uid("N"), wechat_code());
    let body = op_form(&env, OceanMessage::PayRequest, &op_code_fields(&order, "1.56", &code));
    let sent = env
        .http
        .post(format!("{}{PAY}", env.sandbox.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    assert!(sent.is_err());
    assert_eq!(charges(&env, &order), 1);
    assert_eq!(xml_get(&pay_code(&env, &order, "1.56", &code).await.1, "payment_status"), "1");
    // 57: HTTP 500, nothing committed; the retry pays.
    let (order, code) = (uid("N"), wechat_code());
    assert_eq!(pay_code(&env, &order, "1.57", &code).await.0, 500);
    assert!(xml_get(&query(&env, &order).await, "payment_details").starts_with("20068:"));
    assert_eq!(xml_get(&pay_code(&env, &order, "1.57", &code).await.1, "payment_status"), "1");
    // 58: garbled XML, committed.
    let order = uid("N");
    let (status, xml) = pay_code(&env, &order, "1.58", &wechat_code()).await;
    assert_eq!(status, 200);
    assert!(!xml.contains("</response>"), "{xml}");
    assert_eq!(xml_get(&query(&env, &order).await, "payment_results"), "1");
    // 59: bad signValue, committed; the repeat is signed.
    let (order, code) = (uid("N"), wechat_code());
    let (_, xml) = pay_code(&env, &order, "1.59", &code).await;
    assert!(!op_verify(&env, OceanMessage::PayResponse, &xml));
    assert_eq!(xml_get(&xml, "payment_status"), "1");
    let (_, xml) = pay_code(&env, &order, "1.59", &code).await;
    assert!(op_verify(&env, OceanMessage::PayResponse, &xml));
    assert_eq!(charges(&env, &order), 1);
}

#[tokio::test]
async fn signatures_and_credentials_are_checked() {
    let env = start().await;
    let order = uid("N");
    let code = wechat_code();
    let form = op_form(&env, OceanMessage::PayRequest, &op_code_fields(&order, "1.00", &code));
    let tampered = form.replace("order_amount=1.00", "order_amount=0.01");
    let (_, xml) = post_raw(&env, PAY, "application/x-www-form-urlencoded", tampered).await;
    assert!(op_verify(&env, OceanMessage::PayResponse, &xml), "errors are signed too");
    assert_eq!(
        (xml_get(&xml, "payment_status"), xml_get(&xml, "payment_details")),
        ("0".into(), "20001:signValue error".into())
    );
    let wrong_account = form.replace("account=995378", "account=111111");
    let (_, xml) = post_raw(&env, PAY, "application/x-www-form-urlencoded", wrong_account).await;
    assert!(xml_get(&xml, "payment_details").starts_with("20003:"));
    let (_, xml) = post_raw(&env, PAY, "application/json", "{}".into()).await;
    assert!(xml_get(&xml, "payment_details").contains("Content-Type"));
    assert!(env.sandbox.order(Acquirer::Oceanpayment, &order).unwrap().is_none());
    // Query of several orders, one unknown.
    pay_code(&env, &order, "1.00", &code).await;
    let both = format!("{order},nope");
    let (_, xml) = op(&env, QUERY, OceanMessage::Query, &[("order_number", &both)]).await;
    let infos = xml_all(&xml, "paymentInfo");
    assert_eq!(infos.len(), 2);
    assert_eq!(xml_get(&infos[0], "payment_results"), "1");
    assert_eq!(
        (xml_get(&infos[1], "payment_results"), xml_get(&infos[1], "payment_details")),
        ("".into(), "20068:Order does not exist".into())
    );
    assert!(infos.iter().all(|i| op_verify(&env, OceanMessage::QueryResponse, i)));
}

async fn refund(env: &Env, payment_id: &str, kind: &str, amount: &str, number: &str) -> String {
    let fields = [
        ("payment_id", payment_id),
        ("refund_type", kind),
        ("refund_amount", amount),
        ("refund_description", "ProductDamage"),
        ("refund_number", number),
    ];
    let (_, xml) = op(env, REFUND, OceanMessage::Refund, &fields).await;
    assert!(op_verify(env, OceanMessage::RefundResponse, &xml), "{xml}");
    xml
}

#[tokio::test]
async fn refunds_partial_full_and_bounded() {
    let env = start().await;
    let order = uid("N");
    let (_, xml) = pay_code(&env, &order, "10.00", &wechat_code()).await;
    let pid = xml_get(&xml, "payment_id");
    assert!(xml_get(&refund(&env, &pid, "2", "10.01", &uid("F")).await, "refund_details")
        .starts_with("20101:"));
    let number = uid("F");
    let first = refund(&env, &pid, "2", "4.00", &number).await;
    assert_eq!(
        (xml_get(&first, "refund_results"), xml_get(&first, "refund_amount")),
        ("1".into(), "4.00".into())
    );
    let replay = refund(&env, &pid, "2", "4.00", &number).await;
    assert_eq!(xml_get(&replay, "refund_id"), xml_get(&first, "refund_id"));
    assert!(xml_get(&refund(&env, &pid, "2", "5.00", &number).await, "refund_details")
        .starts_with("20104:"));
    assert!(xml_get(&refund(&env, &pid, "2", "6.01", &uid("F")).await, "refund_details")
        .starts_with("20102:"));
    assert!(xml_get(&refund(&env, &pid, "1", "5.00", &uid("F")).await, "refund_details")
        .starts_with("20103:"));
    assert_eq!(xml_get(&refund(&env, &pid, "1", "6.00", "").await, "refund_results"), "1");

    let (_, q) = op(
        &env,
        QUERY_REFUND,
        OceanMessage::RefundQuery,
        &[("refund_id", &xml_get(&first, "refund_id"))],
    )
    .await;
    assert!(op_verify(&env, OceanMessage::RefundResponse, &q));
    assert_eq!(xml_get(&q, "refund_number"), number);
    let (_, q) = op(&env, QUERY_REFUND, OceanMessage::RefundQuery, &[("refund_id", "nope")]).await;
    assert!(xml_get(&q, "refund_details").starts_with("20106:"));
    let row = env
        .sandbox
        .ledger_rows()
        .unwrap()
        .into_iter()
        .find(|r| r.merchant_transaction_id == order)
        .unwrap();
    assert_eq!(
        (row.paid.as_str(), row.refunded.as_str(), row.successful_charges),
        ("10.00", "10.00", 1)
    );
}

async fn void(env: &Env, order: &str) -> String {
    let (_, xml) =
        op(env, AUTH, OceanMessage::Void, &[("order_number", order), ("payment_authType", "3")])
            .await;
    assert!(op_verify(env, OceanMessage::PayResponse, &xml), "{xml}");
    xml
}

#[tokio::test]
async fn offline_void_cancels_or_reverses() {
    let env = start().await;
    // A QR order the customer is still paying: voided, and never paid afterwards.
    let pending = uid("N");
    pay_qr(&env, &pending, "5.54", "WeChatPay_Offline").await;
    let xml = void(&env, &pending).await;
    assert_eq!(
        (xml_get(&xml, "payment_status"), xml_get(&xml, "payment_authType")),
        ("1".into(), "3".into())
    );
    assert_eq!(xml_get(&query(&env, &pending).await, "payment_details"), "20091:Order voided");
    // A paid order: reversed in full.
    let paid = uid("N");
    pay_code(&env, &paid, "5.00", &wechat_code()).await;
    assert_eq!(xml_get(&void(&env, &paid).await, "payment_status"), "1");
    let view = env.sandbox.order(Acquirer::Oceanpayment, &paid).unwrap().unwrap();
    assert_eq!((view.paid.as_str(), view.refunded.as_str()), ("5.00", "5.00"));
    assert_eq!(
        xml_get(&void(&env, &paid).await, "payment_status"),
        "1",
        "voiding twice answers the void"
    );
    // A declined order cannot be voided; an unknown one does not exist.
    let declined = uid("N");
    pay_code(&env, &declined, "5.51", &wechat_code()).await;
    assert_eq!(xml_get(&void(&env, &declined).await, "payment_status"), "0");
    assert!(xml_get(&void(&env, "nope").await, "payment_details").starts_with("20068:"));
    let (_, xml) =
        op(&env, AUTH, OceanMessage::Void, &[("order_number", &paid), ("payment_authType", "2")])
            .await;
    assert!(xml_get(&xml, "payment_details").contains("payment_authType"));
}

#[tokio::test]
async fn refund_scenarios_fail_or_stay_pending() {
    let env = start().await;
    let (_, xml) = pay_code(&env, &uid("N"), "10.00", &wechat_code()).await;
    let pid = xml_get(&xml, "payment_id");
    let failed = refund(&env, &pid, "2", "0.51", &uid("F")).await;
    assert_eq!(
        (xml_get(&failed, "refund_results"), xml_get(&failed, "refund_details")),
        ("0".into(), "20031:Refund failed".into())
    );
    let pending = refund(&env, &pid, "2", "0.52", &uid("F")).await;
    assert_eq!(xml_get(&pending, "refund_results"), "-1");
    let refund_id = xml_get(&pending, "refund_id");
    eventually(5, || async {
        let (_, q) =
            op(&env, QUERY_REFUND, OceanMessage::RefundQuery, &[("refund_id", &refund_id)]).await;
        assert!(op_verify(&env, OceanMessage::RefundResponse, &q));
        (xml_get(&q, "refund_results") == "1").then_some(())
    })
    .await;
}
