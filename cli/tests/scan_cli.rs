//! `tillkit scan` as a user runs it: real images in, CSV out.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/barcodes").join(file)
}

#[test]
fn prints_one_row_per_image_and_an_empty_row_when_nothing_is_found() {
    let code128 = data("zxing/code128-1/3.png");
    let readme = data("README.md");
    let out = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .arg("scan")
        .arg(&code128)
        .arg(&readme)
        .output()
        .expect("tillkit runs");
    assert_eq!(out.status.code(), Some(2), "an unreadable file makes the exit code 2");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 CSV");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "file,decode_ms,format,text");
    assert!(lines[1].starts_with(&format!("{},", code128.display())), "{stdout}");
    assert!(lines[1].ends_with(",Code128,102030405060708090"), "{stdout}");
    assert_eq!(lines[2], format!("{},,,", readme.display()));
    assert!(String::from_utf8_lossy(&out.stderr).contains("README.md"));
}

#[test]
fn bench_mode_reads_paths_from_stdin_and_quotes_texts() {
    let qr = data("zxing/qrcode-2/10.png");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args(["scan", "--bench"])
        .env("BENCH_REPEAT", "3")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("tillkit runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    writeln!(stdin, "{}", qr.display()).expect("write a path");
    drop(stdin);
    let out = child.wait_with_output().expect("tillkit finishes");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 CSV");
    // The text holds "\r\n", so it is quoted and kept exactly.
    assert!(stdout.contains(",QRCode,\"Google モバイル\r\nhttp://google.jp\""), "{stdout:?}");
}

#[test]
fn a_closed_stdout_ends_the_scan_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .arg("scan")
        .arg(data("zxing/code128-1/3.png"))
        .arg(data("zxing/code128-1/1.png"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tillkit runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("tillkit ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "quietly: {stderr}");
    assert_eq!(out.status.code(), Some(0));
}
