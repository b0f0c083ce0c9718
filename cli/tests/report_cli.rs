//! `tillkit report` and `history --since/--until` as a script runs them: real sales against
//! the embedded sandbox, then the report, its CSV export, closing the shift and reprinting it.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn tillkit(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.arg("--data-dir").arg(data).env_remove("TILLKIT_CONFIG").env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("tillkit runs")
}

fn ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn json(cmd: &mut Command) -> Value {
    let out = ok(cmd.arg("--json"));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn currency<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["currencies"].as_array().unwrap().iter().find(|c| c["currency"] == code).unwrap()
}

#[test]
fn report_close_reprint_and_history_after_real_sales() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(tillkit(&data).args(["pay", "--code", "130000000000000011", "--amount", "10.00"]).args([
        "--sale-id=-K1",
        "--remark",
        "=HYPERLINK(\"http://x\"),2",
    ]));
    // Scenario 51: declined, nothing charged.
    let declined =
        run(tillkit(&data).args(["pay", "--code", "130000000000000029", "--amount", "2.51"]));
    assert_eq!(declined.status.code(), Some(3));
    ok(tillkit(&data).args(["refund", "--amount", "1.00", "--refund-id", "F1", "--", "-K1"]));

    let report = json(tillkit(&data).arg("report"));
    let cny = currency(&report, "CNY");
    assert_eq!(
        (cny["paid"]["count"].as_u64(), cny["paid"]["total"].as_str()),
        (Some(1), Some("10.00"))
    );
    assert_eq!(cny["refunded"]["total"], "1.00");
    assert_eq!(cny["net"], "9.00");
    assert_eq!(
        (cny["not_paid"]["count"].as_u64(), cny["not_paid"]["total"].as_str()),
        (Some(1), Some("2.51"))
    );
    assert_eq!(report["paid_by_method"][0]["method"], "code");
    assert_eq!(report["range"]["since_last_close"], true);
    assert!(report["closed"].is_null());

    let text = ok(tillkit(&data).args(["report", "--utc-offset", "+08:00"]));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("SHIFT REPORT — not closed") && text.contains("+08:00"), "{text}");
    assert!(text.contains("  NET ") && text.contains("9.00 CNY"), "{text}");
    assert!(!text.contains("Some(") && !text.contains("None"), "no debug formatting: {text}");

    // The CSV export: one row per sale and refund; the sale id and remark cannot run formulas.
    let csv = dir.path().join("day.csv");
    ok(tillkit(&data).args(["report", "--csv"]).arg(&csv));
    let rows = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = rows.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "{rows}");
    assert!(lines[0].starts_with("id,kind,time,method,wallet,currency,amount,status,refunded"));
    assert!(lines[1].starts_with("'-K1,sale,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",\"'=HYPERLINK(\"\"http://x\"\"),2\""), "{}", lines[1]);
    assert!(lines[1].contains(",CNY,10.00,paid,1.00,"), "{}", lines[1]);
    assert!(lines[3].starts_with("F1,refund,") && lines[3].contains(",'-K1,"), "{}", lines[3]);

    // Closing the shift records it; the next report starts at the close.
    let closed = json(tillkit(&data).args(["report", "--close", "--operator", "Ann"]));
    assert_eq!(
        (closed["closed"]["seq"].as_u64(), closed["closed"]["operator"].as_str()),
        (Some(1), Some("Ann"))
    );
    assert_eq!(currency(&closed, "CNY")["net"], "9.00");
    let next = json(tillkit(&data).arg("report"));
    assert_eq!(next["range"]["since_ms"], closed["closed"]["closed_ms"]);
    assert_eq!(next["range"]["after_close"], 1);
    assert_eq!(next["currencies"].as_array().unwrap().len(), 0);
    ok(tillkit(&data).args(["pay", "--code", "130000000000000078", "--amount", "3.00"]));
    let next = json(tillkit(&data).arg("report"));
    assert_eq!(currency(&next, "CNY")["paid"]["total"], "3.00");
    let reprint = json(tillkit(&data).args(["report", "--reprint", "1"]));
    assert_eq!(reprint, closed);

    // history: dates, method and totals; --since/--until.
    let text = ok(tillkit(&data).args(["history", "--since", "2000-01-01"]));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("code/wechat") && text.contains("refunded 1.00 CNY"), "{text}");
    assert!(
        text.contains("total CNY: 3 sales listed, 2 paid 13.00, refunded 1.00, net 12.00"),
        "{text}"
    );
    let all = json(tillkit(&data).args(["history", "--since", "2000-01-01T00:00:00Z"]));
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert!(all[0]["created_at"].as_str().unwrap().ends_with('Z'), "{all}");
    assert_eq!(all[2]["refunded"], "1.00");
    let none = json(tillkit(&data).args(["history", "--since", "2999-01-01"]));
    assert_eq!(none.as_array().unwrap().len(), 0);
    let none = json(tillkit(&data).args(["history", "--until", "2000-01-01"]));
    assert_eq!(none.as_array().unwrap().len(), 0);
}

#[test]
fn bad_times_and_options_name_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    for (args, flag) in [
        (vec!["history", "--since", "yesterday"], "--since"),
        (vec!["report", "--until", "2026-13-01"], "--until"),
        (vec!["report", "--since", "2026-12-07", "--utc-offset", "+25:00"], "--utc-offset"),
        (vec!["report", "--since", "2026-12-07", "--until", "2026-12-06"], "until"),
    ] {
        let out = run(tillkit(&data).args(&args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    let out = run(tillkit(&data).args(["--json", "report", "--since", "2026-02-30"]));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["kind"], "invalid_time");
    assert!(e["error"]["message"].as_str().unwrap().starts_with("--since: "), "{e}");
    let out = run(tillkit(&data).args(["report", "--close", "--since", "2026-12-07"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(tillkit(&data).args(["--json", "report", "--reprint", "7"]));
    assert_eq!(out.status.code(), Some(2));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["kind"], "unknown_close");
}

#[test]
fn report_rendered_as_escpos_png_and_localised_text_and_printed_after_close() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(tillkit(&data).args(["pay", "--code", "130000000000000011", "--amount", "10.00"]));

    let escpos = dir.path().join("r.bin");
    ok(tillkit(&data).args(["report", "--format", "escpos", "--out"]).arg(&escpos));
    let bytes = std::fs::read(&escpos).unwrap();
    assert!(bytes.starts_with(&[0x1b, b'@']), "ESC @ first");
    assert!(bytes.windows(2).any(|w| w == [0x1d, b'V']), "cut");
    assert!(bytes.windows(5).any(|w| w == b"10.00"), "the total is printed");

    let png = dir.path().join("r.png");
    let made = ok(tillkit(&data)
        .args(["report", "--json", "--format", "png", "--locale", "zh-Hant", "--paper", "58"])
        .arg("--out")
        .arg(&png));
    let line: Value = serde_json::from_slice(&made.stdout).unwrap();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(line["bytes"].as_u64(), Some(bytes.len() as u64));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!(width, (32 * 8 + 32) * 2, "58 mm at scale 2");
    assert!(height > 600, "{height}");

    // Closing renders the closed shift; bytes to a pipe are fine.
    let closed = ok(tillkit(&data).args([
        "report",
        "--close",
        "--operator",
        "Mei",
        "--format",
        "escpos",
        "--charset",
        "big5",
    ]));
    assert!(closed.stdout.starts_with(&[0x1b, b'@']));
    let hans = ok(tillkit(&data).args([
        "report",
        "--reprint",
        "1",
        "--locale",
        "zh-Hans",
        "--paper",
        "58",
    ]));
    let text = String::from_utf8(hans.stdout).unwrap();
    for want in ["交班报表", "交班号 #1", "Mei", "CNY 10.00", "净额"] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    // The plain report is as before.
    let plain = ok(tillkit(&data).args(["report", "--reprint", "1"]));
    assert!(String::from_utf8(plain.stdout).unwrap().starts_with("SHIFT REPORT — closed shift 1"));
    // A printer that is not there is a typed error, and nothing is written.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let refused = run(tillkit(&data)
        .args(["report", "--json", "--reprint", "1", "--printer"])
        .arg(addr.to_string()));
    assert_ne!(refused.status.code(), Some(0));
    let error: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(error["error"]["kind"], "printer_offline", "{error}");
}

#[test]
fn a_rendering_and_its_csv_export_say_where_they_went_as_a_receipt_does() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let file = |name: &str| dir.path().join(name);
    ok(tillkit(&data)
        .args(["pay", "--code", "130000000000000011", "--amount", "10.00"])
        .args(["--sale-id", "RX1"]));

    // To a pipe: the bytes on standard output, the CSV line on standard error.
    let piped =
        ok(tillkit(&data).args(["report", "--format", "escpos", "--csv"]).arg(file("a.csv")));
    assert!(piped.stdout.starts_with(&[0x1b, b'@']));
    let err = String::from_utf8(piped.stderr).unwrap();
    assert!(err.contains("CSV: 1 rows written to") && err.contains("a.csv"), "{err}");

    // To a file, as text: only the CSV line.
    let text = ok(tillkit(&data)
        .args(["report", "--locale", "en", "--out"])
        .arg(file("r.txt"))
        .arg("--csv")
        .arg(file("b.csv")));
    let said = String::from_utf8(text.stdout).unwrap();
    assert!(said.starts_with("CSV: 1 rows written to") && said.contains("b.csv"), "{said}");
    assert!(std::fs::read_to_string(file("r.txt")).unwrap().contains("10.00"));

    // Closing to a file with JSON: one line naming both files.
    let closed = ok(tillkit(&data)
        .args(["--json", "report", "--close", "--format", "png", "--out"])
        .arg(file("r.png"))
        .arg("--csv")
        .arg(file("c.csv")));
    let line: Value = serde_json::from_slice(&closed.stdout).unwrap();
    assert_eq!(line["closed_seq"], 1, "{line}");
    assert_eq!(line["bytes"].as_u64(), Some(std::fs::read(file("r.png")).unwrap().len() as u64));
    assert_eq!(line["csv"]["rows"], 1, "{line}");
    assert!(std::fs::read_to_string(file("c.csv")).unwrap().contains("RX1"));
    assert!(!file("c.csv.part").exists(), "the export was renamed into place");

    // The receipt goes the same way.
    let receipt = ok(tillkit(&data)
        .args(["--json", "receipt", "RX1", "--format", "escpos", "--out"])
        .arg(file("x.bin")));
    let line: Value = serde_json::from_slice(&receipt.stdout).unwrap();
    assert_eq!(line["sale"], "RX1", "{line}");
    assert_eq!(line["bytes"].as_u64(), Some(std::fs::read(file("x.bin")).unwrap().len() as u64));
}
