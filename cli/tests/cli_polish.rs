//! The command line as a new user meets it: options only where they apply, help that is
//! current, errors that list what is valid, and text output that says why.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const OK: i32 = 0;
const BAD_INPUT: i32 = 2;
const DECLINED: i32 = 3;

fn tillkit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.env_remove("TILLKIT_CONFIG").env_remove("TILLKIT_DATA_DIR").env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(text(&out.stdout).trim()).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

fn cashier(data: &Path) -> Command {
    let mut cmd = tillkit();
    cmd.arg("--data-dir").arg(data);
    cmd
}

#[test]
fn connection_options_belong_to_the_cashier_commands_only() {
    let dir = tempfile::tempdir().unwrap();
    for command in [&["sandbox"][..], &["sign", "pingpong"], &["scan", "x.png"]] {
        let out = run(tillkit().args(command).arg("--data-dir").arg(dir.path()));
        assert_eq!(out.status.code(), Some(BAD_INPUT), "{command:?}: {out:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("--data-dir is an option of the cashier commands"),
            "{command:?}: {err}"
        );
        let before = run(tillkit().arg("--data-dir").arg(dir.path()).args(command));
        assert_eq!(before.status.code(), Some(BAD_INPUT), "{command:?}: {before:?}");
    }
    let help = text(&run(tillkit().args(["sandbox", "--help"])).stdout);
    assert!(help.contains("--listen") && !help.contains("--data-dir"), "{help}");
    let help = text(&run(tillkit().args(["pay", "--help"])).stdout);
    assert!(help.contains("--data-dir") && help.contains("--acquirer"), "{help}");
    let help = text(&run(tillkit().args(["terminal", "list", "--help"])).stdout);
    assert!(help.contains("--data-dir"), "{help}");

    // Before or after the command name, the same options reach the cashier.
    let after = run(tillkit().arg("terminal").arg("list").arg("--data-dir").arg(dir.path()));
    assert_eq!(after.status.code(), Some(OK), "{after:?}");
    let before = run(cashier(dir.path()).args(["--json", "terminal", "list"]));
    assert_eq!(json_of(&before), Value::Array(vec![]));
}

#[test]
fn help_is_current() {
    let help = text(&run(tillkit().arg("--help")).stdout);
    assert!(!help.contains("(later)"), "{help}");
    assert!(help.contains("pay") && help.contains("sandbox"), "{help}");
}

#[test]
fn a_wrong_status_is_refused_with_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(cashier(dir.path()).args(["history", "--status", "payed"]));
    assert_eq!(out.status.code(), Some(BAD_INPUT), "{out:?}");
    let err = text(&out.stderr);
    for valid in ["paid", "declined", "processing", "failed_at_terminal"] {
        assert!(err.contains(valid), "{valid} missing: {err}");
    }
}

#[test]
fn currency_in_lower_case_and_a_decline_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let paid = run(cashier(&data).args(["--json", "pay", "--code", "130000000000000011"]).args([
        "--amount",
        "10.00",
        "--currency",
        "hkd",
    ]));
    assert_eq!(paid.status.code(), Some(OK), "{paid:?}");
    assert_eq!(json_of(&paid)["currency"], "HKD");

    // Scenario 51 of the sandbox: the wallet declines, and the line says why.
    let declined = run(cashier(&data)
        .args(["pay", "--code", "130000000000000029"])
        .args(["--amount", "2.51"]));
    assert_eq!(declined.status.code(), Some(DECLINED), "{declined:?}");
    let out = text(&declined.stdout);
    assert!(out.contains("declined") && out.contains("Do not honor"), "{out}");
}

#[test]
fn a_qr_without_waiting_is_drawn_and_waits_for_a_customer_not_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // Not final yet: the exit code says so (4); the QR is on the screen all the same.
    let out = run(cashier(&data).args(["pay", "--qr", "--amount", "3.00", "--no-wait"]));
    let stdout = text(&out.stdout);
    assert!(stdout.contains('█') && stdout.contains("QR: "), "{stdout}");

    let queue = json_of(&run(cashier(&data).args(["--json", "queue"])));
    assert_eq!(queue["waiting_for_customer"], 1, "{queue}");
    assert_eq!(queue["waiting_for_network"], 0, "{queue}");
    let text_queue = text(&run(cashier(&data).arg("queue")).stdout);
    assert!(text_queue.contains("waiting for a customer: 1"), "{text_queue}");

    // Nothing waits for the network: forward is done, whatever the customer does.
    let forward = run(cashier(&data).args(["forward", "--timeout", "600"]));
    assert_eq!(forward.status.code(), Some(OK), "{forward:?}");
    assert!(text(&forward.stdout).contains("waiting for a customer: 1"), "{forward:?}");
}

#[test]
fn text_output_has_no_rust_debug_formatting() {
    let dir = tempfile::tempdir().unwrap();
    let demo = run(tillkit().current_dir(dir.path()).arg("demo"));
    assert_eq!(demo.status.code(), Some(OK), "{demo:?}");
    let out = text(&demo.stdout);
    assert!(out.contains("totals"), "{out}");
    for debug in ["(\"", "Some(", "Succeeded", "Processing"] {
        assert!(!out.contains(debug), "{debug} in: {out}");
    }
    let data = dir.path().join("d");
    let paid = run(cashier(&data).args(["--json", "pay", "--qr", "alipay-hk", "--amount", "1.00"]));
    let sale = json_of(&paid);
    assert_eq!(
        (sale["kind"].as_str(), sale["wallet"].as_str()),
        (Some("merchant_qr"), Some("alipay-hk"))
    );
}
