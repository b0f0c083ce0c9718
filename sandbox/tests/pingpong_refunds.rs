//! PingPong Checkout v4 refunds over real HTTP: partial, repeated, bounded, idempotent, and the
//! refund scenarios.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::json;
use tillkit_sandbox::Acquirer;

const PAY: &str = "/v4/payment/unifiedPay";
const REFUND: &str = "/v4/payment/refund";

#[tokio::test]
async fn refunds_partial_repeated_and_bounded() {
    let env = start().await;
    let order = uid("O");
    assert_eq!(
        pp(&env, PAY, &pp_code_pay(&order, &uid("R"), "10.00", &wechat_code())).await.code(),
        "000000"
    );
    let refund = |id: &str, amount: &str| json!({"merchantTransactionId": order, "merchantRefundId": id, "amount": amount, "currency": "CNY"});
    assert_eq!(pp(&env, REFUND, &refund(&uid("F"), "10.01")).await.code(), "108000");
    let first_id = uid("F");
    let first = pp(&env, REFUND, &refund(&first_id, "4.00")).await;
    assert_eq!((first.code(), first.status_field()), ("000000", "SUCCESS"));
    assert_eq!(first.biz["amount"], "4.000000");
    // Replay: same answer; same id with another amount: 107000.
    let replay = pp(&env, REFUND, &refund(&first_id, "4.00")).await;
    assert_eq!(replay.biz["refundId"], first.biz["refundId"]);
    assert_eq!(pp(&env, REFUND, &refund(&first_id, "5.00")).await.code(), "107000");
    assert_eq!(pp(&env, REFUND, &refund(&uid("F"), "5.00")).await.code(), "000000");
    let over = pp(&env, REFUND, &refund(&uid("F"), "1.01")).await;
    assert_eq!(over.code(), "108003");
    assert_eq!(pp(&env, REFUND, &refund(&uid("F"), "1.00")).await.code(), "000000");
    assert_eq!(pp(&env, REFUND, &refund(&uid("F"), "0.01")).await.code(), "108003");

    let q = pp(
        &env,
        "/v4/refund/query",
        &json!({"merchantTransactionId": order, "merchantRefundId": first_id}),
    )
    .await;
    assert_eq!((q.code(), q.biz["status"].as_str()), ("001000", Some("SUCCESS")));
    let q =
        pp(&env, "/v4/refund/query", &json!({"merchantTransactionId": order, "refundId": "nope"}))
            .await;
    assert_eq!(q.code(), "107001");

    let row = env
        .sandbox
        .ledger_rows()
        .unwrap()
        .into_iter()
        .find(|r| r.merchant_transaction_id == order)
        .unwrap();
    assert_eq!(
        (row.successful_charges, row.paid.as_str(), row.refunded.as_str()),
        (1, "10.00", "10.00")
    );

    // Unknown and unpaid orders.
    let unknown = json!({"merchantTransactionId": "nope", "merchantRefundId": uid("F"), "amount": "1", "currency": "CNY"});
    assert_eq!(pp(&env, REFUND, &unknown).await.code(), "107002");
    let unpaid = uid("O");
    pp(&env, PAY, &pp_code_pay(&unpaid, &uid("R"), "1.51", &wechat_code())).await;
    let r = json!({"merchantTransactionId": unpaid, "merchantRefundId": uid("F"), "amount": "1", "currency": "CNY"});
    assert_eq!(pp(&env, REFUND, &r).await.code(), "105000");
}

#[tokio::test]
async fn refund_scenarios_fail_or_stay_pending() {
    let env = start().await;
    let order = uid("O");
    assert_eq!(
        pp(&env, PAY, &pp_code_pay(&order, &uid("R"), "10.00", &wechat_code())).await.code(),
        "000000"
    );
    let refund = |id: &str, amount: &str| json!({"merchantTransactionId": order, "merchantRefundId": id, "amount": amount, "currency": "CNY"});
    let failed = pp(&env, REFUND, &refund(&uid("F"), "1.51")).await;
    assert_eq!((failed.code(), failed.status_field()), ("303000", "FAILED"));
    let pending_id = uid("F");
    let pending = pp(&env, REFUND, &refund(&pending_id, "2.52")).await;
    assert_eq!((pending.code(), pending.status_field()), ("002000", "PROCESSING"));
    // A pending refund counts against the balance; a failed one does not.
    assert_eq!(pp(&env, REFUND, &refund(&uid("F"), "7.49")).await.code(), "108003");
    let query = json!({"merchantTransactionId": order, "merchantRefundId": pending_id});
    let settled = eventually(5, || async {
        let q = pp(&env, "/v4/refund/query", &query).await;
        (q.biz["status"] == "SUCCESS").then_some(q)
    })
    .await;
    assert_eq!(settled.biz["resultCode"], "000000");
    // The replay is the stored first answer (choice P11).
    assert_eq!(pp(&env, REFUND, &refund(&pending_id, "2.52")).await.code(), "002000");
    assert_eq!(pp(&env, REFUND, &refund(&uid("F"), "7.48")).await.code(), "000000");
    let view = env.sandbox.order(Acquirer::PingPong, &order).unwrap().unwrap();
    assert_eq!(
        (view.paid.as_str(), view.refunded.as_str(), view.refunds.len()),
        ("10.00", "10.00", 3)
    );
}
