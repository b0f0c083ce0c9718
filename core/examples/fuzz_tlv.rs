//! A stable-Rust fuzz run of the EMV BER-TLV parser: `cargo run --example fuzz_tlv -- N [SEED]`.
//!
//! Feeds N seeded inputs (random bytes, and well-formed TLV trees — with sensitive tags, long
//! lengths and deep nesting — mutated by flips, inserts, deletes and truncation) to the parser,
//! the builder and the authorisation view. Checks: no panic, at most one object per two input
//! bytes, build(parse(x)) parses back to the same tree, and no masked text shows more than the
//! ten PAN digits masking keeps. Prints the figures; exits 1 with the input's hex on a failure.
//! `core/fuzz` has the cargo-fuzz target (`tlv`) for coverage-guided runs on nightly.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;
use std::time::Instant;

use tillkit_core::emv::{encode, parse, AuthorizationData, Tlv, TlvError, Value};

/// xorshift64*: small, seeded, reproducible; quality is plenty for input generation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Tags worth hitting: sensitive ones, templates, multi-byte ones, and a random byte.
const TAGS: &[&[u8]] = &[
    &[0x5A],
    &[0x57],
    &[0x56],
    &[0x9F, 0x6B],
    &[0x5F, 0x20],
    &[0x9F, 0x1F],
    &[0x9F, 0x20],
    &[0x9F, 0x02],
    &[0x5F, 0x2A],
    &[0x4F],
    &[0x9F, 0x26],
    &[0x95],
    &[0xDF, 0x81, 0x29],
    &[0x70],
    &[0x77],
    &[0x6F],
    &[0xA5],
    &[0xBF, 0x0C],
    &[0xE1],
    &[0x71],
];

fn length(n: usize, out: &mut Vec<u8>) {
    match n {
        0..=0x7F => out.push(n as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, n as u8]),
        _ => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
}

/// A well-formed object (nesting may pass the parser's limit on purpose).
fn object(rng: &mut Rng, depth: usize, out: &mut Vec<u8>) {
    if rng.below(8) == 0 {
        out.extend(std::iter::repeat_n(if rng.below(2) == 0 { 0x00 } else { 0xFF }, rng.below(3)));
    }
    let tag = TAGS[rng.below(TAGS.len())];
    out.extend_from_slice(tag);
    let mut value = Vec::new();
    if tag[0] & 0x20 != 0 && depth < 11 {
        for _ in 0..rng.below(4) {
            object(rng, depth + 1, &mut value);
        }
    } else {
        let len = [rng.below(20), rng.below(300)][rng.below(2)];
        if rng.below(2) == 0 {
            // Digits and separators, so the PAN and track rules see plausible values.
            let alphabet = [0x47, 0x61, 0x73, 0x90, 0x01, 0x19, 0xD2, 0x5E, 0x42, 0x34, 0xFF];
            value.extend((0..len).map(|_| alphabet[rng.below(alphabet.len())]));
        } else {
            value.extend((0..len).map(|_| rng.byte()));
        }
    }
    length(value.len(), out);
    out.extend_from_slice(&value);
}

fn input(rng: &mut Rng) -> Vec<u8> {
    if rng.below(4) == 0 {
        return (0..rng.below(600)).map(|_| rng.byte()).collect();
    }
    let mut bytes = Vec::new();
    for _ in 0..1 + rng.below(4) {
        object(rng, 0, &mut bytes);
    }
    for _ in 0..rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(4) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes.insert(at, rng.byte()),
            2 => drop(bytes.remove(at)),
            _ => bytes.truncate(at),
        }
    }
    bytes
}

fn count(objects: &[Tlv]) -> usize {
    objects.iter().map(|o| 1 + count(o.children())).sum()
}

fn masked_digits_ok(objects: &[Tlv]) -> bool {
    objects.iter().all(|o| match o.value() {
        Value::Masked(m) => m.text().chars().filter(char::is_ascii_digit).count() <= 10,
        Value::Constructed(children) => masked_digits_ok(children),
        Value::Primitive(_) => true,
    })
}

/// One input through everything; `Err` says which check failed.
fn check(data: &[u8], outcomes: &mut BTreeMap<String, u64>) -> Result<(), &'static str> {
    let _ = AuthorizationData::from_tlv(data);
    let objects = match parse(data) {
        Ok(objects) => objects,
        Err(e) => {
            let kind = format!("{e:?}");
            let kind = kind.split([' ', '{', '(']).next().unwrap_or("?").to_owned();
            *outcomes.entry(kind).or_default() += 1;
            return Ok(());
        }
    };
    *outcomes.entry("Ok".to_owned()).or_default() += 1;
    if count(&objects) > data.len() / 2 {
        return Err("more objects than the input can hold");
    }
    if !masked_digits_ok(&objects) {
        return Err("masked text shows too many digits");
    }
    match encode(&objects) {
        Ok(bytes) if bytes.len() > data.len() => Err("encoding grew"),
        Ok(bytes) if parse(&bytes).as_ref() != Ok(&objects) => Err("round trip differs"),
        Ok(_) | Err(TlvError::MaskedValue { .. }) => Ok(()),
        Err(_) => Err("a parsed tree does not encode"),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x0711_1C17);
    let mut rng = Rng(seed | 1);
    let mut outcomes = BTreeMap::new();
    let (mut bytes_in, mut longest) = (0u64, 0usize);
    let started = Instant::now();
    for i in 0..n {
        let data = input(&mut rng);
        bytes_in += data.len() as u64;
        longest = longest.max(data.len());
        match catch_unwind(AssertUnwindSafe(|| check(&data, &mut outcomes))) {
            Ok(Ok(())) => {}
            Ok(Err(what)) => {
                eprintln!("input {i} (seed {seed}): {what}: {}", hex(&data));
                return ExitCode::FAILURE;
            }
            Err(_) => {
                eprintln!("input {i} (seed {seed}) panicked: {}", hex(&data));
                return ExitCode::FAILURE;
            }
        }
    }
    let elapsed = started.elapsed();
    println!("inputs: {n} (seed {seed}), {bytes_in} bytes, longest {longest}");
    println!(
        "time: {:.2} s ({:.2} µs per input)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n.max(1) as f64
    );
    for (kind, times) in outcomes {
        println!("  {kind}: {times}");
    }
    ExitCode::SUCCESS
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02X}")).collect()
}
