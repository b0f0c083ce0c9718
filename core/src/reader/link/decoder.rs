//! The streaming frame decoder: bytes in, in whatever pieces the transport delivers (split,
//! merged, with garbage between), frames out.
//!
//! Memory is fixed: the decoder never holds more than [`MAX_FRAME`] bytes. A flood of bytes that
//! never forms a valid frame is counted and discarded as it arrives.

use super::frame::{
    crc32, crc8, Frame, FrameType, HEADER_LEN, MAX_FRAME, MAX_PAYLOAD, START, TRAILER_LEN,
};

/// What the decoder found in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole, intact frame.
    Frame(Frame),
    /// A frame whose header was intact but whose CRC-32 was wrong: the link answers with a NAK.
    Corrupt {
        /// Its type, as the (intact) header said.
        kind: FrameType,
        /// Its sequence number, as the header said.
        seq: u8,
    },
}

/// Counts of what the decoder saw, for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecoderStats {
    /// Intact frames.
    pub frames: u64,
    /// Bytes thrown away while looking for a frame start (garbage, broken headers).
    pub discarded_bytes: u64,
    /// Frames with an intact header but a wrong CRC-32.
    pub crc_errors: u64,
    /// Headers that passed their check but announced an unknown type or an oversized payload.
    pub bad_headers: u64,
}

/// Reassembles frames from a byte stream.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    stats: DecoderStats,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        FrameDecoder { buf: Vec::with_capacity(MAX_FRAME), stats: DecoderStats::default() }
    }

    /// What it has seen so far.
    pub fn stats(&self) -> DecoderStats {
        self.stats
    }

    /// Bytes held while waiting for the rest of a frame; never more than [`MAX_FRAME`].
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Forgets a partial frame (the connection it came from is gone).
    pub fn reset(&mut self) {
        self.buf.clear();
    }

    /// Feeds a chunk; appends what it completes to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<Decoded>) {
        while !bytes.is_empty() {
            let take = (MAX_FRAME - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            self.parse(out);
        }
    }

    /// Consumes whole frames and garbage from the buffer. Afterwards the buffer holds at most a
    /// prefix of one frame, shorter than [`MAX_FRAME`], so `feed` always makes room.
    fn parse(&mut self, out: &mut Vec<Decoded>) {
        let mut pos = 0;
        loop {
            let rest = &self.buf[pos..];
            let Some(start) = rest.iter().position(|&b| b == START) else {
                self.discard(rest.len());
                pos = self.buf.len();
                break;
            };
            self.discard(start);
            pos += start;
            let rest = &self.buf[pos..];
            if rest.len() < HEADER_LEN {
                break;
            }
            if crc8(&rest[1..5]) != rest[5] {
                self.discard(1);
                pos += 1;
                continue;
            }
            let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            let Some(kind) = FrameType::from_code(rest[1]).filter(|_| len <= MAX_PAYLOAD) else {
                self.stats.bad_headers += 1;
                self.discard(1);
                pos += 1;
                continue;
            };
            let total = HEADER_LEN + len + TRAILER_LEN;
            if rest.len() < total {
                break;
            }
            let body = &rest[1..HEADER_LEN + len];
            let crc = u32::from_be_bytes([
                rest[total - 4],
                rest[total - 3],
                rest[total - 2],
                rest[total - 1],
            ]);
            if crc32(body) == crc {
                let payload = rest[HEADER_LEN..HEADER_LEN + len].to_vec();
                out.push(Decoded::Frame(Frame { kind, seq: rest[2], payload }));
                self.stats.frames += 1;
                pos += total;
            } else {
                // Only the start byte is dropped: the "frame" may have been garbage that happened
                // to pass the header check, with a real frame starting inside it.
                out.push(Decoded::Corrupt { kind, seq: rest[2] });
                self.stats.crc_errors += 1;
                self.discard(1);
                pos += 1;
            }
        }
        self.buf.drain(..pos);
    }

    fn discard(&mut self, n: usize) {
        self.stats.discarded_bytes += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(seq: u8, payload: &[u8]) -> Frame {
        Frame { kind: FrameType::Data, seq, payload: payload.to_vec() }
    }

    fn decode_all(chunks: &[&[u8]]) -> (Vec<Decoded>, FrameDecoder) {
        let mut dec = FrameDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            dec.feed(c, &mut out);
            assert!(dec.buffered() <= MAX_FRAME);
        }
        (out, dec)
    }

    /// A stream of frames of all sizes, fed in chunks of every size 1..=244 (BLE ATT payloads
    /// range 20..244; smaller pieces cover USB and partial reads).
    #[test]
    fn frames_split_or_merged_in_any_chunk_size_come_out_whole_and_in_order() {
        let frames: Vec<Frame> =
            (0..40u8).map(|i| data(i, &vec![i; usize::from(i) * 25 % (MAX_PAYLOAD + 1)])).collect();
        let stream: Vec<u8> = frames.iter().flat_map(|f| f.encode().unwrap()).collect();
        for chunk in 1..=244 {
            let pieces: Vec<&[u8]> = stream.chunks(chunk).collect();
            let (out, dec) = decode_all(&pieces);
            let got: Vec<Decoded> = frames.iter().cloned().map(Decoded::Frame).collect();
            assert_eq!(out, got, "chunk size {chunk}");
            assert_eq!(dec.stats().discarded_bytes, 0);
            assert_eq!(dec.buffered(), 0);
        }
    }

    #[test]
    fn garbage_between_frames_is_skipped_and_counted() {
        let a = data(1, b"first").encode().unwrap();
        let b = data(2, b"second").encode().unwrap();
        let garbage = [0x00, START, 0x13, START, START, 0xFF, 0x01, 0x02];
        let stream = [&garbage[..], &a, &garbage, &garbage, &b, &garbage[..3]].concat();
        let (out, dec) = decode_all(&[&stream]);
        assert_eq!(
            out,
            vec![Decoded::Frame(data(1, b"first")), Decoded::Frame(data(2, b"second"))]
        );
        assert!(dec.stats().discarded_bytes >= 3 * garbage.len() as u64 - 3);
    }

    #[test]
    fn a_wrong_crc_is_reported_once_and_the_next_frame_still_decodes() {
        let mut bad = data(4, b"payload").encode().unwrap();
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        let good = data(5, b"next").encode().unwrap();
        let (out, dec) = decode_all(&[&bad, &good]);
        assert_eq!(
            out,
            vec![
                Decoded::Corrupt { kind: FrameType::Data, seq: 4 },
                Decoded::Frame(data(5, b"next"))
            ]
        );
        assert_eq!(dec.stats().crc_errors, 1);
    }

    #[test]
    fn a_flipped_payload_bit_is_a_corrupt_frame() {
        let mut bad = data(9, &[0x55; 100]).encode().unwrap();
        bad[50] ^= 0x80;
        let (out, _) = decode_all(&[&bad]);
        assert_eq!(out, vec![Decoded::Corrupt { kind: FrameType::Data, seq: 9 }]);
    }

    #[test]
    fn truncated_frame_waits_then_completes_or_is_superseded() {
        let f = data(1, &[7; 300]).encode().unwrap();
        let (out, dec) = decode_all(&[&f[..200]]);
        assert!(out.is_empty());
        assert_eq!(dec.buffered(), 200);
        let (out, _) = decode_all(&[&f[..200], &f[200..]]);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn oversized_length_or_unknown_type_with_a_valid_header_check_is_refused_without_waiting() {
        let mut header = vec![START, 0x01, 0, 0xFF, 0xFF];
        header.push(crc8(&header[1..5]));
        let mut unknown = vec![START, 0x7E, 0, 0, 0];
        unknown.push(crc8(&unknown[1..5]));
        let good = data(3, b"ok").encode().unwrap();
        let (out, dec) = decode_all(&[&header, &unknown, &good]);
        assert_eq!(out, vec![Decoded::Frame(data(3, b"ok"))]);
        assert_eq!(dec.stats().bad_headers, 2);
    }

    /// Ten megabytes of start bytes and plausible headers: nothing decodes, the buffer stays
    /// within one frame, and a frame after the flood still comes through.
    #[test]
    fn a_flood_never_grows_the_buffer_beyond_one_frame() {
        let mut dec = FrameDecoder::new();
        let mut out = Vec::new();
        let mut x: u32 = 12345;
        let mut chunk = vec![0u8; 4096];
        for _ in 0..2560 {
            for b in chunk.iter_mut() {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = if x.is_multiple_of(3) { START } else { x as u8 };
            }
            dec.feed(&chunk, &mut out);
            assert!(dec.buffered() <= MAX_FRAME);
        }
        assert!(out.iter().all(|d| !matches!(d, Decoded::Frame(_))));
        assert!(dec.stats().discarded_bytes > 10_000_000);
        out.clear();
        // Whatever partial "frame" the flood left is superseded once enough real bytes follow.
        let good = data(1, b"after the flood").encode().unwrap();
        for _ in 0..(MAX_FRAME / good.len() + 2) {
            dec.feed(&good, &mut out);
        }
        assert!(out.contains(&Decoded::Frame(data(1, b"after the flood"))));
    }
}
