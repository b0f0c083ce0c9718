//! `tillkit emv decode` as a user runs it: hex in, a JSON tree out, card data masked.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn tillkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tillkit")).args(args).output().expect("tillkit runs")
}

fn decoded(args: &[&str]) -> Value {
    let out = tillkit(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn refused(args: &[&str]) -> String {
    let out = tillkit(args);
    assert_eq!(out.status.code(), Some(2), "bad input exits 2");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).expect("UTF-8 message")
}

#[test]
fn prints_the_tree_in_input_order_with_upper_case_hex() {
    let tree = decoded(&[
        "emv",
        "decode",
        "6f1a840 7a0000000031010 a50f500456495341bf0c06df8129021234",
        "9F02 06\t000000001000",
    ]);
    assert_eq!(
        tree,
        json!([
            {"tag": "6F", "children": [
                {"tag": "84", "value": "A0000000031010"},
                {"tag": "A5", "children": [
                    {"tag": "50", "value": "56495341"},
                    {"tag": "BF0C", "children": [{"tag": "DF8129", "value": "1234"}]},
                ]},
            ]},
            {"tag": "9F02", "value": "000000001000"},
        ])
    );
}

#[test]
fn masks_pan_track_2_and_name_and_never_prints_them() {
    let hex = "70 32 5A 08 4761739001010119 57 11 4761739001010119D2212201175892888F \
               5F20 0D 56495341204143515549524552 9F36 02 001C";
    let out = tillkit(&["emv", "decode", hex]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(!text.contains("4761739001010119"), "{text}");
    assert!(!text.contains("1175892888"), "{text}");
    let tree: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        tree,
        json!([{"tag": "70", "children": [
            {"tag": "5A", "value": "476173******0119", "masked": true},
            {"tag": "57", "value": "476173******0119D****************", "masked": true},
            {"tag": "5F20", "value": "*************", "masked": true},
            {"tag": "9F36", "value": "001C"},
        ]}])
    );
}

#[test]
fn reads_standard_input_when_no_hex_is_given() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args(["emv", "decode"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("tillkit runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    writeln!(stdin, "9A 03 261206\n9C 01 00").expect("write hex");
    drop(stdin);
    let out = child.wait_with_output().expect("tillkit finishes");
    assert!(out.status.success());
    let tree: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(tree, json!([{"tag": "9A", "value": "261206"}, {"tag": "9C", "value": "00"}]));
}

#[test]
fn malformed_tlv_is_refused_with_the_offset_and_the_reason() {
    let past_end = refused(&["emv", "decode", "9C0100 9A 03 2612"]);
    assert!(
        past_end.contains("at byte 3: tag 9A has length 3 but only 2 bytes follow"),
        "{past_end}"
    );
    let never_ends = refused(&["emv", "decode", "9C0100 9F81"]);
    assert!(never_ends.contains("at byte 3: tag never ends"), "{never_ends}");
    let indefinite = refused(&["emv", "decode", "70 80 9C 01 00 00 00"]);
    assert!(indefinite.contains("indefinite length"), "{indefinite}");
    let deep = format!(
        "{}9C0100",
        (0..9).map(|i| format!("70{:02X}", 3 + 2 * (8 - i))).collect::<String>()
    );
    let too_deep = refused(&["emv", "decode", &deep]);
    assert!(too_deep.contains("nested deeper than 8"), "{too_deep}");
    let megabyte = refused(&["emv", "decode", "9F10 83 100000 AB"]);
    assert!(megabyte.contains("has length 1048576"), "{megabyte}");
}

#[test]
fn bad_hex_is_refused_naming_the_problem() {
    let odd = refused(&["emv", "decode", "9C 01 0"]);
    assert!(odd.contains("odd number of hex digits (5)"), "{odd}");
    let not_hex = refused(&["emv", "decode", "9C 01 0G"]);
    assert!(not_hex.contains("not a hex digit: 'G' at character 7"), "{not_hex}");
}

#[test]
fn a_megabyte_on_stdin_is_refused_without_reading_it_all() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args(["emv", "decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tillkit runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    // The command may stop reading early; a refused write is what that looks like here.
    let _ = stdin.write_all(&b"AB".repeat(1024 * 1024));
    drop(stdin);
    let out = child.wait_with_output().expect("tillkit finishes");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("input longer than"));
}
