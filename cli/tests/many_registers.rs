//! Several `tillkit` processes on one data directory, and two registers that use one sale id,
//! against a standalone sandbox: what each register records must be what the ledger holds.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use secrecy::ExposeSecret;
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

async fn standalone_sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        terminals: tillkit_sandbox::TerminalMode::AutoSettle,
        ..SandboxConfig::default()
    };
    Sandbox::start(config).await.unwrap()
}

/// `tillkit` against the sandbox as any PingPong-compatible service, on `dir`.
fn tillkit(sb: &SandboxHandle, dir: &Path, args: &[&str]) -> Command {
    let c = &sb.credentials().pingpong;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.arg("--data-dir")
        .arg(dir)
        .args(["--acquirer", "pingpong", "--base-url", &sb.url()])
        .args(["--acc-id", &c.acc_id, "--client-id", &c.client_id, "--lock-wait", "300"])
        .env("TILLKIT_PINGPONG_SALT", c.salt.expose_secret())
        .args(args);
    cmd
}

fn code(i: usize) -> String {
    format!("13{:016}", 4_000_000_000_000_000u64 + (std::process::id() as u64) * 1000 + i as u64)
}

async fn ledger_order(sb: &SandboxHandle, id: &str) -> Option<serde_json::Value> {
    let response = reqwest::get(format!("{}/sandbox/orders/{id}", sb.url())).await.unwrap();
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return None;
    }
    Some(response.json().await.unwrap())
}

fn history(sb: &SandboxHandle, dir: &Path) -> Vec<serde_json::Value> {
    let out = tillkit(sb, dir, &["history", "--json", "--limit", "1000"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_four_processes_on_one_data_directory_agree_with_the_ledger() {
    let sb = standalone_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..24)
        .map(|i| {
            let amount = format!("1.{i:02}");
            let id = format!("P{}x{i}", std::process::id());
            let args = ["pay", "--code", &code(i), "--amount", &amount, "--sale-id", &id];
            tillkit(&sb, dir.path(), &args).spawn().unwrap()
        })
        .collect();
    let outputs: Vec<Output> = tokio::task::spawn_blocking(move || {
        children.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
    })
    .await
    .unwrap();
    for out in &outputs {
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let sales = history(&sb, dir.path());
    assert_eq!(sales.len(), 24, "every sale was recorded");
    let mut paid = 0;
    for sale in &sales {
        let id = sale["id"].as_str().unwrap();
        let status = sale["status"].as_str().unwrap();
        let charged = ledger_order(&sb, id)
            .await
            .map(|o| o["charges"].as_array().map_or(0, |a| a.len()))
            .unwrap_or(0);
        match status {
            "paid" => {
                paid += 1;
                assert_eq!(charged, 1, "{id} recorded paid: the ledger must hold one charge");
            }
            "declined" | "expired" | "cancelled" | "offline" => {
                assert_eq!(charged, 0, "{id} recorded {status} while the acquirer charged it")
            }
            other => panic!("{id} left {other} after its process ended"),
        }
    }
    println!("24 processes on one data directory: {paid} paid, {} other", 24 - paid);
    assert_eq!(paid, 24, "the sandbox charges every valid code");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_id_used_by_another_register_for_another_amount_is_never_paid() {
    let sb = standalone_sandbox().await;
    let r1 = tempfile::tempdir().unwrap();
    let r2 = tempfile::tempdir().unwrap();
    let id = format!("K{}", std::process::id());
    let first = tillkit(
        &sb,
        r1.path(),
        &["pay", "--code", &code(90), "--amount", "2.00", "--sale-id", &id],
    )
    .output()
    .unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let second = tillkit(
        &sb,
        r2.path(),
        &[
            "pay",
            "--code",
            &code(91),
            "--amount",
            "250.00",
            "--sale-id",
            &id,
            "--json",
            "--max-wait",
            "25",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(second.status.code(), Some(4), "register 2: unknown, do not charge again");
    let shown = String::from_utf8_lossy(&second.stdout);
    assert!(!shown.contains("\"paid\""), "register 2 shows {shown}");
    let r2_sales = history(&sb, r2.path());
    assert_ne!(r2_sales[0]["status"], "paid");
    let order = ledger_order(&sb, &id).await.unwrap();
    assert_eq!(order["charges"].as_array().map(|a| a.len()), Some(1), "{order}");
    sb.shutdown().await;
}
