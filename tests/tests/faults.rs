//! Thousands of sales through a fault-injecting proxy (drops, delays, lost answers, resets,
//! truncation, 5xx) with a seeded mix; afterwards every sale is final, agrees with the sandbox
//! ledger, no sale is charged twice and every charge is recorded locally.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::WalletMethod;
use tillkit_core::engine::{Cashier, NoListener, SaleInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::{FailReason, SaleStatus};
use tillkit_sandbox::proxy::{Fault, FaultMix, FaultProxy};
use tillkit_tests::*;

fn mix(seed: u64) -> FaultMix {
    FaultMix {
        weights: vec![
            (Fault::Pass, 55),
            (Fault::DropRequest, 8),
            (Fault::DropResponse, 10),
            (Fault::Delay, 8),
            (Fault::ResetMidResponse, 7),
            (Fault::Truncate, 6),
            (Fault::BadGateway, 6),
        ],
        seed,
        delay: Duration::from_millis(40),
    }
}

/// The sales of one register: mostly codes, some QR, a few declines and "user paying".
async fn register(cashier: Cashier, prefix: String, n: usize) -> Vec<String> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("{prefix}{i:05}");
        let amount = match i % 20 {
            0 => "4.51", // declined
            1 => "4.52", // user paying, then paid
            _ => "4.00",
        };
        let method = match i % 10 {
            9 => SaleMethodInput::MerchantQr(WalletMethod::AlipayCn),
            _ => SaleMethodInput::CustomerCode(wechat_code()),
        };
        let c = cashier.clone();
        let input = SaleInput {
            sale_id: Some(id.clone()),
            amount: Amount::parse(amount, "CNY").unwrap(),
            method,
            remark: None,
            qr_lifetime: None,
        };
        tasks.spawn(async move { c.start_sale(input).await.map(|_| ()) });
        ids.push(id);
        while tasks.len() >= 24 {
            tasks.join_next().await.unwrap().unwrap().unwrap();
        }
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().unwrap();
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_sales_through_faults_agree_with_the_ledger() {
    let seed: u64 = std::env::var("TILLKIT_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7111_4b17);
    let total: usize =
        std::env::var("TILLKIT_FAULT_SALES").ok().and_then(|s| s.parse().ok()).unwrap_or(2_000);
    let sb = sandbox(0.01).await;
    let proxy = FaultProxy::start(sb.addr(), mix(seed)).await.unwrap();
    let mut cashiers = Vec::new();
    let mut dirs = Vec::new();
    for r in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let mut config = cashier_config(&sb, &proxy.url(), 0.01);
        config.cashier_device_id = format!("FAULT-REG-{r}");
        // Polls and backoffs run 100x faster; a code stays valid 10 s so that a sale that meets
        // several faults in a row can still go through (a real code is valid about a minute).
        config.policy.code_validity = Duration::from_secs(10);
        config.policy.sale_offline_budget = Duration::from_secs(10);
        let c =
            Cashier::open(config, dir.path(), key_store(&sb), Arc::new(NoListener)).await.unwrap();
        cashiers.push(c);
        dirs.push(dir);
    }
    let run = unique_id("F");
    let per = total / cashiers.len();
    let mut regs = tokio::task::JoinSet::new();
    for (r, c) in cashiers.iter().enumerate() {
        regs.spawn(register(c.clone(), format!("{run}R{r}N"), per));
    }
    let mut all: Vec<(usize, String)> = Vec::new();
    while let Some(ids) = regs.join_next().await {
        let ids = ids.unwrap();
        all.extend(
            ids.into_iter().map(|id| {
                (id.split('R').nth(1).and_then(|s| s[..1].parse().ok()).unwrap_or(0), id)
            }),
        );
    }
    // Every sale reaches a final state.
    let mut local: HashMap<String, SaleStatus> = HashMap::new();
    for (r, id) in &all {
        let sale = wait_final(&cashiers[*r], id, Duration::from_secs(120)).await;
        local.insert(id.clone(), sale.status);
    }
    let ledger: HashMap<String, i64> = sb
        .ledger_rows()
        .unwrap()
        .into_iter()
        .filter(|row| row.merchant_transaction_id.starts_with(&run))
        .map(|row| (row.merchant_transaction_id, row.successful_charges))
        .collect();
    let mut by_status: HashMap<&'static str, usize> = HashMap::new();
    for (id, status) in &local {
        *by_status.entry(status.as_str()).or_default() += 1;
        let charges = ledger.get(id).copied().unwrap_or(0);
        assert!(charges <= 1, "{id} charged {charges} times");
        assert_eq!(
            charges == 1,
            *status == SaleStatus::Paid,
            "{id}: local {status:?}, ledger charges {charges}"
        );
        if *status == SaleStatus::Failed(FailReason::Offline) {
            assert!(!ledger.contains_key(id), "{id} failed offline but reached the acquirer");
        }
    }
    // Every charge in the ledger is a sale this run knows as paid.
    for (id, charges) in &ledger {
        if *charges > 0 {
            assert_eq!(local.get(id), Some(&SaleStatus::Paid), "{id} charged but not recorded");
        }
    }
    if std::env::var("TILLKIT_FAULT_DEBUG").is_ok() {
        let offline: Vec<_> = all
            .iter()
            .filter(|(_, id)| local[id] == SaleStatus::Failed(FailReason::Offline))
            .take(3)
            .collect();
        for (r, id) in offline {
            eprintln!("--- {id}");
            for l in cashiers[*r].journal(id).unwrap() {
                eprintln!("{} {} {}", l.at, l.kind, l.detail);
            }
        }
    }
    let faults = proxy.counts();
    eprintln!("{} sales, seed {seed:#x}: {by_status:?}; faults {faults:?}", local.len());
    assert_eq!(local.len(), per * cashiers.len());
    assert!(
        faults.get(&Fault::DropResponse).copied().unwrap_or(0) > 50,
        "the mix really injected faults"
    );
    assert!(by_status.get("paid").copied().unwrap_or(0) > local.len() / 2);
    for c in cashiers {
        c.close().await;
    }
    sb.shutdown().await;
}
