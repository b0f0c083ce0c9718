//! Field encoding of messages: big-endian integers, strings with a 1-byte length, byte strings
//! with a 2-byte length. Decoding is strict and names the field that is wrong.

/// Why a message cannot be decoded (or built).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The message ends inside a field.
    #[error("message truncated in field {field}")]
    Truncated {
        /// The field.
        field: &'static str,
    },
    /// A code the protocol does not define.
    #[error("unknown {field} code 0x{code:02X}")]
    UnknownCode {
        /// The field.
        field: &'static str,
        /// The code.
        code: u8,
    },
    /// A field whose value is not allowed.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// Bytes after the last field.
    #[error("{count} unexpected bytes after the message")]
    Trailing {
        /// How many.
        count: usize,
    },
}

/// Builds a message.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// A message starting with its type code.
    pub fn new(code: u8) -> Self {
        Writer { buf: vec![code] }
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    /// Two bytes, big-endian.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Eight bytes, big-endian.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Raw bytes of a fixed-size field.
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
    /// A string of at most 255 bytes, length first.
    pub fn str8(&mut self, field: &'static str, v: &str) -> Result<&mut Self, MessageError> {
        self.bytes8(field, v.as_bytes())
    }
    /// Bytes of at most 255, length first.
    pub fn bytes8(&mut self, field: &'static str, v: &[u8]) -> Result<&mut Self, MessageError> {
        let len = u8::try_from(v.len()).map_err(|_| too_long(field, v.len(), 255))?;
        self.buf.push(len);
        self.buf.extend_from_slice(v);
        Ok(self)
    }
    /// Bytes of at most 65535, length first.
    pub fn bytes16(&mut self, field: &'static str, v: &[u8]) -> Result<&mut Self, MessageError> {
        let len = u16::try_from(v.len()).map_err(|_| too_long(field, v.len(), 65535))?;
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(v);
        Ok(self)
    }
    /// The message.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

fn too_long(field: &'static str, len: usize, max: usize) -> MessageError {
    MessageError::Invalid { field, reason: format!("{len} bytes, at most {max}") }
}

/// Reads a message field by field.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }
    /// `n` raw bytes.
    pub fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], MessageError> {
        if self.rest.len() < n {
            return Err(MessageError::Truncated { field });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    /// One byte.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, MessageError> {
        Ok(self.take(field, 1)?[0])
    }
    /// Two bytes, big-endian.
    pub fn u16(&mut self, field: &'static str) -> Result<u16, MessageError> {
        let b = self.take(field, 2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    /// Eight bytes, big-endian.
    pub fn u64(&mut self, field: &'static str) -> Result<u64, MessageError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(field, 8)?);
        Ok(u64::from_be_bytes(a))
    }
    /// Bytes with a 1-byte length.
    pub fn bytes8(&mut self, field: &'static str) -> Result<&'a [u8], MessageError> {
        let n = self.u8(field)?;
        self.take(field, usize::from(n))
    }
    /// Bytes with a 2-byte length.
    pub fn bytes16(&mut self, field: &'static str) -> Result<&'a [u8], MessageError> {
        let n = self.u16(field)?;
        self.take(field, usize::from(n))
    }
    /// A UTF-8 string with a 1-byte length, without control characters.
    pub fn str8(&mut self, field: &'static str) -> Result<String, MessageError> {
        let bytes = self.bytes8(field)?;
        let s = std::str::from_utf8(bytes)
            .map_err(|_| MessageError::Invalid { field, reason: "not UTF-8".into() })?;
        if s.chars().any(char::is_control) {
            return Err(MessageError::Invalid { field, reason: "control characters".into() });
        }
        Ok(s.to_owned())
    }
    /// Fails if anything is left.
    pub fn end(&self) -> Result<(), MessageError> {
        match self.rest.len() {
            0 => Ok(()),
            count => Err(MessageError::Trailing { count }),
        }
    }
}
