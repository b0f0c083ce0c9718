//! `tillkit receipt` as a script runs it: the real binary and the embedded sandbox.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn tillkit(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.arg("--data-dir").arg(data).env_remove("TILLKIT_CONFIG").env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("tillkit runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn receipts_of_a_sale_and_its_refund_as_text_escpos_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let paid = run(tillkit(&data)
        .args(["pay", "--code", "130000000000000011", "--amount", "10.00"])
        .args(["--sale-id", "RC1"]));
    assert_eq!(paid.status.code(), Some(0), "{}", stderr(&paid));
    let refund = run(tillkit(&data).args([
        "--json",
        "refund",
        "RC1",
        "--amount",
        "4.00",
        "--refund-id",
        "RC1-R",
    ]));
    assert_eq!(refund.status.code(), Some(0), "{}", stderr(&refund));

    let text = run(tillkit(&data).args(["receipt", "RC1", "--locale", "zh-Hant", "--paper", "58"]));
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let t = stdout(&text);
    for want in ["銷售", "顧客聯", "RC1", "CNY 10.00", "CNY 4.00", "已支付", "[QR: RC1]"] {
        assert!(t.contains(want), "{want:?} missing from\n{t}");
    }
    assert!(t.lines().all(|l| l.chars().count() <= 32), "58 mm: 32 columns\n{t}");

    let refund =
        run(tillkit(&data).args(["receipt", "RC1", "--refund", "RC1-R", "--copy", "merchant"]));
    let t = stdout(&refund);
    assert!(t.contains("REFUND") && t.contains("RC1-R") && t.contains("Merchant copy"), "{t}");

    // Unknown locale: English, and a warning.
    let fr = run(tillkit(&data).args(["receipt", "RC1", "--locale", "fr-FR"]));
    assert!(stdout(&fr).contains("SALE") && stderr(&fr).contains("unknown"), "{}", stderr(&fr));

    // Bytes go to a file, or to a pipe (here standard output is one).
    let png = dir.path().join("r.png");
    let made = run(tillkit(&data).args(["receipt", "RC1", "--format", "png", "--out"]).arg(&png));
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    let escpos = run(tillkit(&data).args(["receipt", "RC1", "--format", "escpos"]));
    assert_eq!(escpos.status.code(), Some(0), "{}", stderr(&escpos));
    assert!(escpos.stdout.starts_with(&[0x1b, b'@']), "ESC @ first");

    let unknown = run(tillkit(&data).args(["receipt", "NOPE"]));
    assert_ne!(unknown.status.code(), Some(0));
    let other = run(tillkit(&data).args(["receipt", "RC1", "--refund", "NOPE"]));
    assert_ne!(other.status.code(), Some(0));
}
