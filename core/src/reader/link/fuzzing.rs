//! One entry point for the fuzz target and the stable random-input run: everything the link
//! does with bytes from a reader, checking its invariants as it goes. Only built with the
//! `fuzzing` feature: it panics, on purpose, when an invariant breaks.

use std::time::{Duration, Instant};

use super::decoder::{Decoded, FrameDecoder};
use super::frame::MAX_FRAME;
use super::machine::{LinkConfig, LinkMachine, Role};
use super::messages::{HostMessage, ReaderMessage};

/// Feeds `data` to a decoder in pieces whose sizes the first byte chooses (1 to 256), hands
/// what comes out to an initiator's and a responder's link machine and, for DATA frames, to both
/// message decoders. Panics only if an invariant breaks: the decoder holding more than one
/// frame, or an intact frame not encoding back to the same bytes.
pub fn receive_arbitrary(data: &[u8]) {
    let Some((&split, data)) = data.split_first() else { return };
    let piece = usize::from(split) + 1;
    let mut decoder = FrameDecoder::new();
    let now = Instant::now();
    let mut host = LinkMachine::new(Role::Initiator, LinkConfig::default());
    let mut reader = LinkMachine::new(Role::Responder, LinkConfig::default());
    host.connected(0, now);
    let mut out = Vec::new();
    for (i, chunk) in data.chunks(piece).enumerate() {
        decoder.feed(chunk, &mut out);
        assert!(decoder.buffered() <= MAX_FRAME, "decoder holds {} bytes", decoder.buffered());
        let t = now + Duration::from_millis(100 * i as u64);
        for decoded in out.drain(..) {
            if let Decoded::Frame(frame) = &decoded {
                let Ok(bytes) = frame.encode() else { panic!("a decoded frame does not encode") };
                let mut again = FrameDecoder::new();
                let mut round = Vec::new();
                again.feed(&bytes, &mut round);
                assert_eq!(round, vec![decoded.clone()], "frame does not round-trip");
                let _ = HostMessage::decode(&frame.payload).map(|m| m.encode());
                let _ = ReaderMessage::decode(&frame.payload).map(|m| m.encode());
            }
            host.on_decoded(decoded.clone(), t);
            reader.on_decoded(decoded, t);
        }
        let _ = host.on_tick(t);
        while host.pop_transmit().is_some() || reader.pop_transmit().is_some() {}
        while host.pop_delivered().is_some() || reader.pop_delivered().is_some() {}
    }
}
