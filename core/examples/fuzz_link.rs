//! A stable-toolchain stand-in for `cargo fuzz run frame_decoder`: seeded random inputs through
//! the reader link's receiving side (decoder, link machines, message decoders), a mix of pure
//! noise, noise with many start bytes, and valid frames that are cut, spliced and bit-flipped.
//!
//! `cargo run --release -p tillkit-core --features fuzzing --example fuzz_link -- [INPUTS] [SEED]`

use std::time::Instant;

use tillkit_core::reader::link::frame::{Frame, FrameType, MAX_PAYLOAD, START};
use tillkit_core::reader::link::fuzzing::receive_arbitrary;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn input(rng: &mut Rng) -> Vec<u8> {
    let mut out = vec![rng.next() as u8];
    match rng.below(4) {
        0 => out.extend((0..rng.below(600)).map(|_| rng.next() as u8)),
        1 => out.extend((0..rng.below(3000)).map(|_| {
            if rng.below(4) == 0 {
                START
            } else {
                rng.next() as u8
            }
        })),
        _ => {
            for _ in 0..1 + rng.below(6) {
                let kind = [
                    FrameType::Data,
                    FrameType::Ack,
                    FrameType::Nak,
                    FrameType::Sync,
                    FrameType::SyncAck,
                ][rng.below(5)];
                let len = if rng.below(10) == 0 { MAX_PAYLOAD } else { rng.below(80) };
                let mut payload: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                if let Some(first) = payload.first_mut() {
                    // Message codes, so the message decoders get past their first byte.
                    *first = [0x10, 0x11, 0x12, 0x13, 0x14, 0x20, 0x21, 0x22, 0x23][rng.below(9)];
                }
                let frame = Frame { kind, seq: rng.below(4) as u8, payload };
                let Ok(mut bytes) = frame.encode() else { continue };
                match rng.below(5) {
                    0 => bytes.truncate(rng.below(bytes.len())),
                    1 => {
                        let i = rng.below(bytes.len());
                        bytes[i] ^= 1 << rng.below(8);
                    }
                    2 => bytes
                        .splice(0..0, (0..rng.below(40)).map(|_| rng.next() as u8))
                        .for_each(drop),
                    _ => {}
                }
                out.extend(bytes);
            }
        }
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let inputs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x5EED_1234);
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let mut bytes = 0u64;
    for _ in 0..inputs {
        let data = input(&mut rng);
        bytes += data.len() as u64;
        receive_arbitrary(&data);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{inputs} inputs, {bytes} bytes, seed {seed:#x}: no panic, {secs:.1} s ({:.0} inputs/s)",
        inputs as f64 / secs
    );
}
