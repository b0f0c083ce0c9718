//! `tillkit terminal …` and `pay --card` with the registry, as a script runs them.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

const OK: i32 = 0;
const BAD_INPUT: i32 = 2;

fn tillkit(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.arg("--data-dir").arg(data).env_remove("TILLKIT_CONFIG").arg("--json");
    cmd.args(["--sandbox-time-scale", "0.01"]);
    cmd
}

fn run(cmd: &mut Command) -> (Option<i32>, Value) {
    let out: Output = cmd.stdin(Stdio::null()).output().expect("tillkit runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {stdout} / {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), value)
}

#[test]
fn terminals_are_paired_listed_chosen_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let t = |args: &[&str]| run(tillkit(&data).arg("terminal").args(args));

    // An unpaired terminal is refused before anything is sent, exit 2.
    let (code, e) = run(tillkit(&data).args(["pay", "--card", "SANDBOX-T1", "--amount", "2.00"]));
    assert_eq!(
        (code, e["error"]["kind"].as_str()),
        (Some(BAD_INPUT), Some("unknown_terminal")),
        "{e}"
    );

    let (code, _) =
        t(&["add", "--serial", "SANDBOX-T1", "--model", "PAX-A920", "--label", "Front"]);
    assert_eq!(code, Some(OK));
    let (code, _) = t(&["add", "--serial", "SANDBOX-T2", "--model", "SUNMI-P2"]);
    assert_eq!(code, Some(OK));
    let (code, list) = t(&["list"]);
    assert_eq!(code, Some(OK));
    assert_eq!(
        list,
        json!([
            {"serial": "SANDBOX-T1", "model": "PAX-A920", "label": "Front", "default": true,
             "status": "unknown", "last_seen_ms": null},
            {"serial": "SANDBOX-T2", "model": "SUNMI-P2", "label": null, "default": false,
             "status": "unknown", "last_seen_ms": null},
        ])
    );

    // The mistyped model is refused; `--card` alone goes to the default terminal.
    let (code, e) =
        run(tillkit(&data).args(["pay", "--card", "SANDBOX-T2:PAX-A920", "--amount", "2.00"]));
    assert_eq!(
        (code, e["error"]["kind"].as_str()),
        (Some(BAD_INPUT), Some("invalid_input")),
        "{e}"
    );
    let (code, _) = t(&["default", "SANDBOX-T2"]);
    assert_eq!(code, Some(OK));
    let (code, sale) = run(tillkit(&data).args(["pay", "--card", "--amount", "2.00"]));
    assert_eq!(code, Some(OK), "{sale}");
    assert_eq!(sale["terminal"]["serial"], "SANDBOX-T2", "{sale}");

    let (code, _) = t(&["remove", "SANDBOX-T2"]);
    assert_eq!(code, Some(OK));
    let (code, e) = t(&["remove", "SANDBOX-T2"]);
    assert_eq!((code, e["error"]["kind"].as_str()), (Some(BAD_INPUT), Some("unknown_terminal")));
    let (_, list) = t(&["list"]);
    assert_eq!(list[0]["serial"], "SANDBOX-T1");
    assert_eq!(list[0]["default"], true, "the remaining one is the default");
}

#[test]
fn terminal_run_without_a_key_is_bad_input_and_never_prints_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args(["--base-url", "http://127.0.0.1:9", "terminal", "run", "--serial", "T9"])
        .args(["--model", "PAX-A920", "--key-id", "k1", "--key-hex", "zz", "--dir"])
        .arg(dir.path())
        .env_remove("TILLKIT_DEVICE_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("64 hex digits"), "{text}");
    let bad_reader = std::process::Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args(["terminal", "run", "--serial", "T9", "--model", "M", "--reader", "magic"])
        .output()
        .unwrap();
    assert_eq!(bad_reader.status.code(), Some(2));
}
