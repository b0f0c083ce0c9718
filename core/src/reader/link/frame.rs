//! The frame: the unit the link sends over a transport. Pure encoding; decoding a byte stream is
//! in [`super::decoder`].
//!
//! ```text
//! offset  size  field
//! 0       1     START (0xA5)
//! 1       1     TYPE
//! 2       1     SEQ
//! 3       2     LEN, big-endian, payload bytes (at most MAX_PAYLOAD)
//! 5       1     HCRC: CRC-8 (poly 0x07, init 0) of bytes 1..5
//! 6       LEN   PAYLOAD
//! 6+LEN   4     CRC-32 (ISO-HDLC, as zlib), big-endian, of bytes 1..6+LEN
//! ```
//!
//! The header has its own check so that a corrupted length is noticed at once instead of making
//! the receiver wait for up to `MAX_PAYLOAD` bytes that will never come.

/// The byte every frame starts with.
pub const START: u8 = 0xA5;
/// Bytes before the payload: start, type, sequence, length (2), header check.
pub const HEADER_LEN: usize = 6;
/// Bytes after the payload: the CRC-32.
pub const TRAILER_LEN: usize = 4;
/// The largest payload a frame carries. Messages are far smaller (an authorisation request's
/// EMV data is a few hundred bytes); the bound keeps the receiver's buffer fixed.
pub const MAX_PAYLOAD: usize = 1024;
/// The largest frame on the wire.
pub const MAX_FRAME: usize = HEADER_LEN + MAX_PAYLOAD + TRAILER_LEN;

/// What a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// A message of the layer above, sequenced and acknowledged.
    Data,
    /// "I received the DATA frame with this sequence number" (also sent again for duplicates).
    Ack,
    /// "A frame arrived damaged; send again." The sequence number is the one expected.
    Nak,
    /// The initiator starts a session on a fresh connection; the payload is a 4-byte nonce.
    Sync,
    /// The responder's answer to SYNC, echoing the nonce.
    SyncAck,
}

impl FrameType {
    /// The byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            FrameType::Data => 0x01,
            FrameType::Ack => 0x02,
            FrameType::Nak => 0x03,
            FrameType::Sync => 0x04,
            FrameType::SyncAck => 0x05,
        }
    }

    /// The type of a wire byte, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x01 => FrameType::Data,
            0x02 => FrameType::Ack,
            0x03 => FrameType::Nak,
            0x04 => FrameType::Sync,
            0x05 => FrameType::SyncAck,
            _ => return None,
        })
    }
}

/// A frame, decoded or to be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Its type.
    pub kind: FrameType,
    /// Sequence number (DATA: its own; ACK: the one acknowledged; NAK: the one expected).
    pub seq: u8,
    /// Payload, at most [`MAX_PAYLOAD`] bytes.
    pub payload: Vec<u8>,
}

/// Why a frame cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The payload is longer than [`MAX_PAYLOAD`].
    #[error("frame payload of {len} bytes exceeds the maximum of {max}")]
    PayloadTooLarge {
        /// Its length.
        len: usize,
        /// The maximum.
        max: usize,
    },
}

impl Frame {
    /// A frame without payload (ACK, NAK).
    pub fn control(kind: FrameType, seq: u8) -> Self {
        Frame { kind, seq, payload: Vec::new() }
    }

    /// The bytes on the wire.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let len = self.payload.len();
        if len > MAX_PAYLOAD {
            return Err(FrameError::PayloadTooLarge { len, max: MAX_PAYLOAD });
        }
        let mut out = Vec::with_capacity(HEADER_LEN + len + TRAILER_LEN);
        // Cannot truncate: len <= MAX_PAYLOAD < 65536.
        let len16 = len as u16;
        out.extend_from_slice(&[START, self.kind.code(), self.seq]);
        out.extend_from_slice(&len16.to_be_bytes());
        out.push(crc8(&out[1..5]));
        out.extend_from_slice(&self.payload);
        out.extend_from_slice(&crc32(&out[1..]).to_be_bytes());
        Ok(out)
    }
}

/// CRC-8 (polynomial 0x07, initial 0, no reflection), table-free: it covers four header bytes,
/// so a table would cost more than it saves.
pub fn crc8(bytes: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &b in bytes {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 { (crc << 1) ^ 0x07 } else { crc << 1 };
        }
    }
    crc
}

/// CRC-32 as in zlib, Ethernet and PNG (reflected polynomial 0xEDB88320): stronger than CRC-16
/// for frames up to a kilobyte and available on every reader MCU. One 1 KiB table, byte at a
/// time: frames are short and few, and `crc32fast`'s 16 KiB of tables and SIMD variants would
/// weigh more in the shipped library than the whole frame layer.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &b in bytes {
        crc = CRC32_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
    }
    !crc
}

/// The CRC-32 of every byte value, computed at compile time.
const CRC32_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_match_the_published_catalogue() {
        // CRC catalogue check values for "123456789".
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    proptest::proptest! {
        #[test]
        fn crc32_matches_the_reference_implementation(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)
        ) {
            proptest::prop_assert_eq!(crc32(&bytes), crc32fast::hash(&bytes));
        }
    }

    #[test]
    fn layout_is_as_documented() {
        let bytes = Frame { kind: FrameType::Data, seq: 7, payload: vec![0xAA, 0xBB] }
            .encode()
            .expect("small payload");
        assert_eq!(&bytes[..5], &[START, 0x01, 7, 0, 2]);
        assert_eq!(bytes[5], crc8(&[0x01, 7, 0, 2]));
        assert_eq!(&bytes[6..8], &[0xAA, 0xBB]);
        assert_eq!(bytes[8..].to_vec(), crc32(&bytes[1..8]).to_be_bytes().to_vec());
        assert_eq!(bytes.len(), HEADER_LEN + 2 + TRAILER_LEN);
    }

    #[test]
    fn payload_over_the_bound_is_refused() {
        let frame = Frame { kind: FrameType::Data, seq: 0, payload: vec![0; MAX_PAYLOAD + 1] };
        assert_eq!(
            frame.encode(),
            Err(FrameError::PayloadTooLarge { len: MAX_PAYLOAD + 1, max: MAX_PAYLOAD })
        );
        let frame = Frame { kind: FrameType::Data, seq: 0, payload: vec![0; MAX_PAYLOAD] };
        assert_eq!(frame.encode().map(|b| b.len()), Ok(MAX_FRAME));
    }

    #[test]
    fn every_type_round_trips_its_code() {
        for kind in
            [FrameType::Data, FrameType::Ack, FrameType::Nak, FrameType::Sync, FrameType::SyncAck]
        {
            assert_eq!(FrameType::from_code(kind.code()), Some(kind));
        }
        assert_eq!(FrameType::from_code(0), None);
        assert_eq!(FrameType::from_code(0xA5), None);
    }
}
