//! A real full disk: the data directory on a 1 MiB tmpfs, filled to the last byte while sales
//! go on. Needs the right to mount (root, as in CI); elsewhere it says so and checks nothing.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use tillkit_core::engine::{CashierError, NoListener, SaleMethodInput};
use tillkit_core::order::SaleStatus;
use tillkit_core::store::StoreError;
use tillkit_tests::*;

const SCALE: f64 = 0.01;

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Writes a file until the disk refuses; returns its path.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    while file.write_all(&block).and_then(|_| file.sync_all()).is_ok() {}
    let byte = [0u8; 1];
    while file.write_all(&byte).and_then(|_| file.sync_all()).is_ok() {}
    path
}

#[tokio::test]
async fn sales_on_a_disk_that_fills_agree_with_the_ledger() {
    let base = tempfile::tempdir().unwrap();
    let Some(_mounted) = Tmpfs::mount(base.path(), "1m") else {
        println!("skipped: this machine does not allow mounting a tmpfs");
        return;
    };
    let sb = sandbox(SCALE).await;
    let dir = base.path().join("data");
    let cashier = cashier(&sb, &sb.url(), &dir, key_store(&sb), Arc::new(NoListener), SCALE).await;
    let warm = unique_id("TF");
    let code = SaleMethodInput::CustomerCode(wechat_code());
    cashier.start_sale(sale_input(&warm, "1.00", code)).await.unwrap();
    wait_final(&cashier, &warm, Duration::from_secs(20)).await;
    let filler = fill(base.path());
    let mut ids = Vec::new();
    let mut full = 0;
    for i in 0..40 {
        let id = unique_id("TF");
        let code = SaleMethodInput::CustomerCode(wechat_code());
        match cashier.start_sale(sale_input(&id, &format!("2.{i:02}"), code)).await {
            Err(CashierError::Store(StoreError::Full)) => {
                full += 1;
                assert!(cashier.sale(&id).unwrap().is_none(), "'nothing was written' is true");
                assert_eq!(charges(&sb, &id).await, 0, "{id}: refused as full, yet charged");
            }
            Ok(_) | Err(CashierError::OutcomeUnknown { .. }) => ids.push(id),
            Err(e) => panic!("{id}: unexpected {e}"),
        }
    }
    println!("disk full: {full} of 40 sales refused before sending, {} went on", ids.len());
    assert!(full > 0, "the disk never filled: the test proves nothing");
    std::fs::remove_file(filler).unwrap();
    for id in &ids {
        let sale = wait_final(&cashier, id, Duration::from_secs(30)).await;
        let charged = charges(&sb, id).await;
        assert_eq!(sale.status == SaleStatus::Paid, charged == 1, "{id}: {sale:?} vs {charged}");
    }
    cashier.close().await;
    sb.shutdown().await;
}
