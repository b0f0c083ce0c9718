//! The store under faults of its own: a second cashier on one data directory, a disk that
//! fills at every commit point of a sale and a refund, a lost database key. In each case the
//! recorded state must end where the acquirer's ledger is, and no error may claim "nothing was
//! written" once a request may have left.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::WalletMethod;
use tillkit_core::engine::{
    Cashier, CashierError, KeyStore, NoListener, RefundInput, SaleMethodInput, DB_KEY_NAME,
};
use tillkit_core::order::{FailReason, RefundState, SaleStatus};
use tillkit_core::store::StoreError;
use tillkit_tests::*;

const SCALE: f64 = 0.01;
const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn one_cashier_per_data_directory() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let first =
        cashier(&sb, &sb.url(), dir.path(), key_store(&sb), Arc::new(NoListener), SCALE).await;
    let config = cashier_config(&sb, &sb.url(), SCALE);
    let second =
        Cashier::open(config.clone(), dir.path(), key_store(&sb), Arc::new(NoListener)).await;
    match second {
        Err(CashierError::StoreInUse { path }) => {
            assert_eq!(path, dir.path().display().to_string(), "the error names the directory")
        }
        other => panic!("a second cashier on one directory must be refused, got {:?}", other.err()),
    }
    // Another directory is another store.
    let other_dir = tempfile::tempdir().unwrap();
    let other =
        Cashier::open(config.clone(), other_dir.path(), key_store(&sb), Arc::new(NoListener)).await;
    assert!(other.is_ok());
    // Once the first is gone, the directory is free again.
    first.close().await;
    drop(first);
    let again = Cashier::open(config, dir.path(), key_store(&sb), Arc::new(NoListener)).await;
    assert!(again.is_ok(), "{:?}", again.err());
    sb.shutdown().await;
}

/// What a cashier shows when the `k`-th store commit of a sale fails (k = 0 is the write-ahead).
async fn sale_with_full_disk_at(
    k: u64,
    method: SaleMethodInput,
) -> (String, String, SaleStatus, u64) {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier =
        cashier(&sb, &sb.url(), dir.path(), key_store(&sb), Arc::new(NoListener), SCALE).await;
    let id = unique_id("DF");
    cashier.inject_store_full(k, 1);
    let shown = match cashier.start_sale(sale_input(&id, "8.80", method)).await {
        Ok(sale) => format!("ok:{}", sale.status.as_str()),
        Err(CashierError::Store(StoreError::Full)) => "full".into(),
        Err(CashierError::OutcomeUnknown { .. }) => "unknown".into(),
        Err(e) => format!("other:{e}"),
    };
    let status = match cashier.sale(&id).unwrap() {
        None => {
            assert_eq!(charges(&sb, &id).await, 0, "a sale never written is never sent");
            cashier.close().await;
            sb.shutdown().await;
            return (id, shown, SaleStatus::Failed(FailReason::Offline), 0);
        }
        Some(_) => wait_final(&cashier, &id, LIMIT).await.status,
    };
    let charged = charges(&sb, &id).await;
    cashier.close().await;
    sb.shutdown().await;
    (id, shown, status, charged)
}

/// Whatever commit fails, "nothing was written" is shown only when nothing was sent, the
/// final state agrees with the ledger, and the commit that follows the send reports "outcome
/// unknown".
fn check_matrix(what: &str, rows: &[(String, bool, bool)]) {
    for (shown, ended_charged, ledger_charged) in rows {
        if shown == "full" {
            assert!(!ledger_charged, "{what}: 'nothing was written' while the acquirer acted");
        }
        assert_eq!(ended_charged, ledger_charged, "{what}: recorded vs ledger ({shown})");
    }
    assert_eq!(rows[0].0, "full", "{what}: the write-ahead itself failed");
    assert!(
        rows.iter().any(|(shown, _, _)| shown == "unknown"),
        "{what}: a failed commit after the request left is 'outcome unknown'"
    );
}

#[tokio::test]
async fn a_disk_full_at_any_commit_of_a_code_sale_never_hides_the_charge() {
    let mut rows = Vec::new();
    for k in 0..6 {
        let code = SaleMethodInput::CustomerCode(wechat_code());
        let (_, shown, status, charged) = sale_with_full_disk_at(k, code).await;
        println!("code sale, commit {k} fails: shown {shown}, final {status:?}, charges {charged}");
        assert!(charged <= 1, "charged once at most");
        if k > 0 {
            assert_eq!(status, SaleStatus::Paid, "commit {k}: the charge is recorded");
        }
        rows.push((shown, status == SaleStatus::Paid, charged == 1));
    }
    check_matrix("code sale", &rows);
}

#[tokio::test]
async fn a_disk_full_at_any_commit_of_a_qr_sale_ends_as_the_ledger_says() {
    let mut rows = Vec::new();
    for k in 0..6 {
        let qr = SaleMethodInput::MerchantQr(WalletMethod::WechatPay);
        let (_, shown, status, charged) = sale_with_full_disk_at(k, qr).await;
        println!("QR sale, commit {k} fails: shown {shown}, final {status:?}, charges {charged}");
        rows.push((shown, status == SaleStatus::Paid, charged == 1));
    }
    check_matrix("QR sale", &rows);
}

#[tokio::test]
async fn a_disk_full_at_any_commit_of_a_refund_never_refunds_twice() {
    let mut rows = Vec::new();
    for k in 0..5 {
        let sb = sandbox(SCALE).await;
        let dir = tempfile::tempdir().unwrap();
        let cashier =
            cashier(&sb, &sb.url(), dir.path(), key_store(&sb), Arc::new(NoListener), SCALE).await;
        let id = unique_id("DR");
        let code = SaleMethodInput::CustomerCode(wechat_code());
        cashier.start_sale(sale_input(&id, "20.00", code)).await.unwrap();
        assert_eq!(wait_final(&cashier, &id, LIMIT).await.status, SaleStatus::Paid);
        let refund_id = unique_id("RF");
        let input = RefundInput {
            refund_id: Some(refund_id.clone()),
            amount: Some(tillkit_core::money::Amount::parse("5.00", "CNY").unwrap()),
            reason: None,
        };
        cashier.inject_store_full(k, 1);
        let shown = match cashier.refund(&id, input).await {
            Ok(r) => format!("ok:{}", r.state.as_str()),
            Err(CashierError::Store(StoreError::Full)) => "full".into(),
            Err(CashierError::OutcomeUnknown { .. }) => "unknown".into(),
            Err(e) => format!("other:{e}"),
        };
        let state = match cashier.refund_by_id(&refund_id).unwrap() {
            Some(_) => wait_refund_final(&cashier, &refund_id, LIMIT).await.state,
            None => RefundState::Expired,
        };
        let refunded = ledger_order(&sb, &id).await.unwrap()["refunded"].to_string();
        println!("refund, commit {k} fails: shown {shown}, final {state:?}, ledger {refunded}");
        assert!(refunded == "\"0.00\"" || refunded == "\"5.00\"", "refunded once at most");
        rows.push((shown, state == RefundState::Succeeded, refunded == "\"5.00\""));
        cashier.close().await;
        sb.shutdown().await;
    }
    check_matrix("refund", &rows);
}

#[tokio::test]
async fn a_lost_or_changed_key_is_an_error_not_a_new_key() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    // A sale queued while the acquirer cannot be reached: its code is sealed in the store.
    let closed_port = "http://127.0.0.1:9";
    let mut config = cashier_config(&sb, closed_port, 1.0);
    let keys = key_store(&sb);
    let offline = Cashier::open(config.clone(), dir.path(), keys.clone(), Arc::new(NoListener))
        .await
        .unwrap();
    let id = unique_id("LK");
    let code = SaleMethodInput::CustomerCode(wechat_code());
    let queued = offline.start_sale(sale_input(&id, "3.30", code)).await.unwrap();
    assert_eq!(queued.status, SaleStatus::Queued);
    offline.close().await;
    drop(offline);

    config.acquirer = cashier_config(&sb, &sb.url(), 1.0).acquirer;
    let lost = key_store(&sb); // the salt, but no database key
    let e = Cashier::open(config.clone(), dir.path(), lost.clone(), Arc::new(NoListener)).await;
    assert!(matches!(e, Err(CashierError::KeyUnavailable { .. })), "{:?}", e.err());
    assert!(lost.get(DB_KEY_NAME).unwrap().is_none(), "no key was stored");
    let changed = key_store(&sb);
    changed.put(DB_KEY_NAME, &[7u8; 32]).unwrap();
    let e = Cashier::open(config.clone(), dir.path(), changed, Arc::new(NoListener)).await;
    assert!(matches!(e, Err(CashierError::KeyUnavailable { .. })), "{:?}", e.err());

    // The app chooses to go on: the sale ends "not sent", never declined, and nothing is charged.
    config.accept_new_key = true;
    let cashier: Cashier =
        Cashier::open(config, dir.path(), lost, Arc::new(NoListener)).await.unwrap();
    let sale = wait_final(&cashier, &id, Duration::from_secs(30)).await;
    assert_eq!(sale.status, SaleStatus::Failed(FailReason::Offline), "{sale:?}");
    assert_ne!(sale.status, SaleStatus::Failed(FailReason::Declined));
    assert_eq!(charges(&sb, &id).await, 0);
    let journal: Vec<String> = cashier.journal(&id).unwrap().into_iter().map(|l| l.kind).collect();
    assert!(journal.iter().any(|k| k == "code_lost"), "{journal:?}");
    cashier.close().await;
    sb.shutdown().await;
}
