//! The cashier commands as a script runs them: the real binary, the embedded sandbox or a
//! misbehaving acquirer on 127.0.0.1, and the documented exit codes.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const OK: i32 = 0;
const BAD_INPUT: i32 = 2;
const DECLINED: i32 = 3;
const UNKNOWN: i32 = 4;
const OFFLINE: i32 = 5;

fn tillkit(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.arg("--data-dir").arg(data).env_remove("TILLKIT_CONFIG").env("NO_COLOR", "1");
    cmd
}

/// `tillkit` against a PingPong-compatible service at `url` (not the sandbox).
fn against(data: &Path, url: &str) -> Command {
    let mut cmd = tillkit(data);
    cmd.args(["--acquirer", "pingpong", "--base-url", url, "--acc-id", "A1", "--client-id", "C1"])
        .args(["--salt", "test-salt", "--max-wait", "3", "--request-timeout", "1"]);
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("tillkit runs")
}

fn json_of(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_else(|| panic!("no output; stderr: {}", stderr(out)));
    assert!(lines.next().is_none(), "one JSON object on stdout: {stdout}");
    serde_json::from_str(first).unwrap_or_else(|e| panic!("{e}: {first}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn paid_declined_and_refunds_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let paid = run(tillkit(&data).args(["--json", "pay", "--code", "130000000000000011"]).args([
        "--amount",
        "10.00",
        "--sale-id",
        "K1",
    ]));
    assert_eq!(paid.status.code(), Some(OK), "{}", stderr(&paid));
    let sale = json_of(&paid);
    assert_eq!((sale["status"].as_str(), sale["exit"].as_u64()), (Some("paid"), Some(0)));

    // Scenario 51 of the sandbox: the wallet declines.
    let declined =
        run(tillkit(&data).args(["pay", "--code", "130000000000000029", "--amount", "2.51"]));
    assert_eq!(declined.status.code(), Some(DECLINED), "{}", stderr(&declined));
    assert!(String::from_utf8_lossy(&declined.stdout).contains("declined"));

    let refunded = run(tillkit(&data).args(["--json", "refund", "K1", "--amount", "1.00"]));
    assert_eq!(refunded.status.code(), Some(OK), "{}", stderr(&refunded));
    assert_eq!(json_of(&refunded)["state"], "succeeded");
    // Refund scenario 51: the acquirer refuses the refund.
    let failed = run(tillkit(&data).args(["--json", "refund", "K1", "--amount", "1.51"]));
    assert_eq!(failed.status.code(), Some(DECLINED), "{}", stderr(&failed));
    assert_eq!(json_of(&failed)["state"], "failed");
}

#[test]
fn an_unreachable_acquirer_means_offline_not_sent() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let out = run(against(&dir.path().join("d"), &url).args([
        "--json",
        "pay",
        "--code",
        "130000000000000037",
        "--amount",
        "3.00",
    ]));
    assert_eq!(out.status.code(), Some(OFFLINE), "{}", stderr(&out));
    let sale = json_of(&out);
    assert_eq!(sale["status"], "queued");
    assert!(sale["next"].as_str().unwrap().contains("nothing charged"), "{sale}");
}

#[test]
fn an_acquirer_that_never_answers_does_not_hold_the_command() {
    // Accepts connections and reads requests, and never writes a byte.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut sink = [0u8; 4096];
                while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run(against(&dir.path().join("d"), &url).args([
        "pay",
        "--code",
        "130000000000000045",
        "--amount",
        "4.00",
    ]));
    assert_eq!(out.status.code(), Some(UNKNOWN), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unknown"));
    assert!(stderr(&out).contains("do NOT charge again"), "{}", stderr(&out));
}

#[test]
fn errors_under_json_are_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let bad_code = run(tillkit(&data).args(["--json", "pay", "--code", "12", "--amount", "1.00"]));
    assert_eq!(bad_code.status.code(), Some(BAD_INPUT));
    let e = json_of(&bad_code);
    assert_eq!(e["error"]["kind"], "invalid_payment_code");
    assert_eq!(e["exit"], 2);

    let usage = run(tillkit(&data).args(["--json", "pay", "--amount"]));
    assert_eq!(usage.status.code(), Some(BAD_INPUT));
    assert_eq!(json_of(&usage)["error"]["kind"], "usage");

    let plain_http = run(against(&data, "http://acquirer.example.com").args([
        "--json",
        "pay",
        "--code",
        "130000000000000053",
        "--amount",
        "1.00",
    ]));
    assert_eq!(plain_http.status.code(), Some(BAD_INPUT));
    let e = json_of(&plain_http);
    assert!(e["error"]["message"].as_str().unwrap().contains("base_url"), "{e}");

    let unknown = run(tillkit(&data).args(["--json", "sale", "NOPE"]));
    assert_eq!(unknown.status.code(), Some(BAD_INPUT));
    assert_eq!(json_of(&unknown)["error"]["kind"], "unknown_sale");
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    for (i, code) in
        ["130000000000000060", "130000000000000078", "130000000000000086"].iter().enumerate()
    {
        let out = run(tillkit(&data)
            .args(["pay", "--code", code, "--amount"])
            .arg(format!("{}.00", i + 1)));
        assert_eq!(out.status.code(), Some(OK), "{}", stderr(&out));
    }
    for json in [false, true] {
        let mut cmd = tillkit(&data);
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .arg("history")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is written (`tillkit history | true`).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.is_empty(), "quietly: {err}");
        assert_eq!(out.status.code(), Some(OK));
    }
}

#[test]
fn the_data_directory_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("d");
    let out = run(tillkit(&data).args(["pay", "--code", "130000000000000094", "--amount", "1.00"]));
    assert_eq!(out.status.code(), Some(OK), "{}", stderr(&out));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("tillkit.db")), 0o600);
    assert_eq!(mode(&data.join("tillkit.key")), 0o600);
}

#[test]
fn help_lists_the_exit_codes() {
    let out = run(Command::new(env!("CARGO_BIN_EXE_tillkit")).arg("--help"));
    assert_eq!(out.status.code(), Some(OK));
    let text = String::from_utf8_lossy(&out.stdout);
    for line in ["0  paid", "3  declined", "4  unknown", "5  offline", "6  store in use"] {
        assert!(text.contains(line), "{line}: {text}");
    }
}

#[test]
fn a_qr_sale_has_its_own_lifetime_and_shows_its_payment_page() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // Sandbox cents 63: the non-hosted answer, with a payment page.
    let paying = run(tillkit(&data).args(["--json", "pay", "--qr", "--qr-ttl", "120"]).args([
        "--amount",
        "3.63",
        "--sale-id",
        "Q1",
        "--no-wait",
    ]));
    // Not paid yet when the command returns: the customer may still pay.
    assert_eq!(paying.status.code(), Some(UNKNOWN), "{}", stderr(&paying));
    let sale = json_of(&paying);
    assert_eq!(sale["status"], "processing", "{sale}");
    let expiry = sale["qr"]["expires_at_ms"].as_u64().unwrap();
    assert_eq!(expiry - sale["created_at_ms"].as_u64().unwrap(), 120_000, "{sale}");
    let page = sale["payment_redirect_url"].as_str().unwrap().to_string();
    assert!(page.starts_with("http://127.0.0.1:"), "{page}");

    let shown = run(tillkit(&data).args(["sale", "Q1"]));
    assert!(String::from_utf8_lossy(&shown.stdout).contains(&format!("payment page: {page}")));
    let again = json_of(&run(tillkit(&data).args(["--json", "sale", "Q1"])));
    assert_eq!(again["payment_redirect_url"].as_str(), Some(page.as_str()));

    let short = run(tillkit(&data)
        .args(["--json", "pay", "--qr", "--qr-ttl", "59"])
        .args(["--amount", "1.00"]));
    assert_eq!(short.status.code(), Some(BAD_INPUT), "{}", stderr(&short));
    assert!(json_of(&short)["error"]["message"].as_str().unwrap().contains("qr_lifetime"));
    let no_qr = run(tillkit(&data)
        .args(["pay", "--code", "130000000000000011", "--qr-ttl", "120"])
        .args(["--amount", "1.00"]));
    assert_eq!(no_qr.status.code(), Some(BAD_INPUT), "--qr-ttl needs --qr");
}

#[test]
fn a_stuck_sale_can_be_abandoned_and_leaves_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // Sandbox cents 54: the order stays processing.
    let paying = run(tillkit(&data).args(["--json", "pay", "--qr", "--amount", "3.54"]).args([
        "--sale-id",
        "AB1",
        "--no-wait",
    ]));
    assert_eq!(json_of(&paying)["status"], "processing", "{}", stderr(&paying));
    assert_eq!(json_of(&paying)["abandoned"], false);

    let abandoned = run(tillkit(&data).args(["--json", "abandon", "AB1"]));
    assert_eq!(abandoned.status.code(), Some(OK), "{}", stderr(&abandoned));
    let sale = json_of(&abandoned);
    assert_eq!(
        (sale["abandoned"].as_bool(), sale["status"].as_str()),
        (Some(true), Some("processing"))
    );
    assert_eq!(sale["next_step"], "wait", "still resolved");
    let listed = |extra: &[&str]| {
        let out = run(tillkit(&data).args(["--json", "history"]).args(extra));
        json_of(&out).as_array().unwrap().iter().any(|s| s["id"] == "AB1")
    };
    assert!(!listed(&[]), "off the list");
    assert!(listed(&["--include-abandoned"]));
    let text = run(tillkit(&data).args(["history", "--include-abandoned"]));
    assert!(String::from_utf8_lossy(&text.stdout).contains("ABANDONED"));

    let paid = run(tillkit(&data).args(["--json", "pay", "--code", "130000000000000053"]).args([
        "--amount",
        "1.00",
        "--sale-id",
        "AB2",
    ]));
    assert_eq!(json_of(&paid)["next_step"], "done", "{}", stderr(&paid));
    let refused = run(tillkit(&data).args(["--json", "abandon", "AB2"]));
    assert_eq!(refused.status.code(), Some(BAD_INPUT), "{}", stderr(&refused));
    assert_eq!(json_of(&refused)["error"]["kind"], "cannot_abandon");
}
