//! `tillkit emv decode HEX`: EMV data (BER-TLV) as a JSON tree, card data masked.
//!
//! Output: a list of `{"tag": "9F02", "value": "000000001000"}` for primitive objects and
//! `{"tag": "6F", "children": [...]}` for templates, in input order, tags and values upper-case
//! hex. A masked value (PAN, track data, cardholder name) is its masked text instead of hex,
//! flagged `"masked": true`: `{"tag": "5A", "value": "476173******0119", "masked": true}`.

use std::io::Read;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;
use tillkit_core::emv::{self, Tlv, Value};

use crate::out::{self, CliError};

/// Arguments of `tillkit emv`.
#[derive(Debug, Args)]
pub struct EmvArgs {
    #[command(subcommand)]
    command: EmvCommand,
}

#[derive(Debug, Subcommand)]
enum EmvCommand {
    /// Print BER-TLV given as hex (whitespace allowed; none or `-` reads standard input) as a
    /// JSON tree, with the PAN, track data and cardholder name masked.
    Decode {
        /// The hex, in one or several arguments.
        hex: Vec<String>,
    },
}

/// One object as printed.
#[derive(Debug, Serialize)]
struct Node {
    tag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    masked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    children: Option<Vec<Node>>,
}

/// Runs `tillkit emv`: exit 0 with the tree, 2 on malformed input.
pub fn run(args: EmvArgs) -> ExitCode {
    let EmvCommand::Decode { hex } = args.command;
    match decode(&hex) {
        Ok(text) => {
            out::line(text);
            ExitCode::SUCCESS
        }
        Err(e) => e.report(false),
    }
}

fn decode(args: &[String]) -> Result<String, CliError> {
    let text = if args.is_empty() || args == ["-"] { read_stdin()? } else { args.join(" ") };
    let bytes = parse_hex(&text)?;
    let objects = emv::parse(&bytes)
        .map_err(|e| CliError::bad_input("invalid_tlv", format!("malformed TLV: {e}")))?;
    let nodes: Vec<Node> = objects.iter().map(node).collect();
    serde_json::to_string_pretty(&nodes).map_err(|e| CliError::internal(e.to_string()))
}

/// Standard input, up to what could hold [`emv::MAX_INPUT`] bytes with generous spacing.
fn read_stdin() -> Result<String, CliError> {
    let limit = emv::MAX_INPUT * 4;
    let mut text = String::new();
    std::io::stdin()
        .take(limit as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| CliError::bad_input("invalid_hex", format!("cannot read stdin: {e}")))?;
    if text.len() > limit {
        return Err(CliError::bad_input(
            "invalid_tlv",
            format!("input longer than {limit} characters"),
        ));
    }
    Ok(text)
}

/// Hex digits with any whitespace between them, to bytes.
fn parse_hex(text: &str) -> Result<Vec<u8>, CliError> {
    let mut digits = Vec::with_capacity(text.len());
    for (position, c) in text.chars().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        match c.to_digit(16) {
            Some(d) => digits.push(d as u8),
            None => {
                return Err(CliError::bad_input(
                    "invalid_hex",
                    format!("not a hex digit: {c:?} at character {position} of the input"),
                ))
            }
        }
    }
    if digits.len() % 2 != 0 {
        return Err(CliError::bad_input(
            "invalid_hex",
            format!("odd number of hex digits ({}): each byte takes two", digits.len()),
        ));
    }
    Ok(digits.chunks(2).map(|pair| (pair[0] << 4) | pair[1]).collect())
}

/// The printed form of `object`; recursion is bounded by the parser's depth limit.
fn node(object: &Tlv) -> Node {
    let tag = object.tag().to_string();
    match object.value() {
        Value::Primitive(bytes) => {
            Node { tag, value: Some(hex_upper(bytes)), masked: false, children: None }
        }
        Value::Masked(m) => {
            Node { tag, value: Some(m.text().to_owned()), masked: true, children: None }
        }
        Value::Constructed(children) => Node {
            tag,
            value: None,
            masked: false,
            children: Some(children.iter().map(node).collect()),
        },
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
