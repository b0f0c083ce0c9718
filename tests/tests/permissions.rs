//! The store is private to its owner on Unix: directory 0700, database, WAL and shared-memory
//! files 0600, while a cashier has them open.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use tillkit_core::engine::{NoListener, SaleInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_tests::*;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode()
        & 0o777
}

#[tokio::test]
async fn the_store_and_its_journal_files_are_owner_only() {
    let sb = sandbox(0.01).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a").join("b");
    // One key store for both opens: the database key must stay the same.
    let keys = key_store(&sb);
    let first = cashier(&sb, &sb.url(), &data, keys.clone(), Arc::new(NoListener), 0.01).await;
    let input = SaleInput {
        sale_id: Some(unique_id("P")),
        amount: Amount::parse("1.00", "CNY").unwrap(),
        method: SaleMethodInput::CustomerCode(wechat_code()),
        remark: None,
        qr_lifetime: None,
    };
    first.start_sale(input).await.unwrap();
    assert_eq!(mode(&data), 0o700);
    for file in ["tillkit.db", "tillkit.db-wal", "tillkit.db-shm"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    first.close().await;

    // A store left world-readable by an older version is tightened when opened.
    std::fs::set_permissions(data.join("tillkit.db"), std::fs::Permissions::from_mode(0o644))
        .unwrap();
    let again = cashier(&sb, &sb.url(), &data, keys, Arc::new(NoListener), 0.01).await;
    assert_eq!(mode(&data.join("tillkit.db")), 0o600);
    again.close().await;
    sb.shutdown().await;
}
