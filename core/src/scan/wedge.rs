//! Keyboard-wedge scan guns: the scanner "types" the code's digits as key events and ends
//! with Enter (or Tab). [`WedgeReader`] collects those keys and hands back a classified code
//! per terminator; [`normalize`] cleans text from any keyboard-like source.

use crate::paycode::{PaymentCode, PaymentCodeError};

/// Longest input kept before a terminator; anything longer is refused as too long.
pub const MAX_WEDGE_CHARS: usize = 64;

/// Cleans scanned or typed text: full-width digits (U+FF10–U+FF19, from CJK input methods)
/// become ASCII digits; whitespace (including the ideographic space), control and invisible
/// format characters are removed. Other characters are kept, so validation can name them.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')),
            c if c.is_whitespace() || c.is_control() => None,
            // Zero-width space/joiners, word joiner, BOM: invisible format characters.
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
            c => Some(c),
        })
        .collect()
}

/// Collects a scan gun's key stream into codes.
#[derive(Debug, Clone, Default)]
pub struct WedgeReader {
    buffer: String,
    length: usize,
}

impl WedgeReader {
    /// An empty reader.
    pub fn new() -> Self {
        WedgeReader::default()
    }

    /// Feeds one key. Enter (`\r`, `\n`) or Tab ends a code: the result is the classified code,
    /// or the reason it is refused. An empty code (the `\n` of a `\r\n` pair) yields nothing.
    pub fn push(&mut self, key: char) -> Option<Result<PaymentCode, PaymentCodeError>> {
        if matches!(key, '\r' | '\n' | '\t') {
            return self.finish();
        }
        self.length += 1;
        if self.buffer.len() < MAX_WEDGE_CHARS * 4 {
            self.buffer.push(key);
        }
        None
    }

    /// Feeds a string of keys; returns every code it completed, in order.
    pub fn push_str(&mut self, keys: &str) -> Vec<Result<PaymentCode, PaymentCodeError>> {
        keys.chars().filter_map(|c| self.push(c)).collect()
    }

    /// Ends the current code as a terminator would (e.g. after a timeout with no terminator).
    pub fn finish(&mut self) -> Option<Result<PaymentCode, PaymentCodeError>> {
        let text = normalize(&std::mem::take(&mut self.buffer));
        let typed = std::mem::take(&mut self.length);
        if text.is_empty() {
            return None;
        }
        if typed > MAX_WEDGE_CHARS {
            return Some(Err(PaymentCodeError::TooLong { length: typed }));
        }
        Some(PaymentCode::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paycode::WalletFamily;

    #[test]
    fn normalizes_full_width_digits_spaces_and_controls() {
        assert_eq!(
            normalize("１３４６\u{3000}5072 0866\u{0}3613\u{200B}95\r\n"),
            "134650720866361395"
        );
        assert_eq!(normalize("12a3"), "12a3");
    }

    #[test]
    fn a_key_stream_yields_one_code_per_terminator() {
        let mut reader = WedgeReader::new();
        let codes = reader.push_str(
            "134650720866361395\r\n２８６５０７２０８６６３６１３９\t6212345678901234567\n",
        );
        assert_eq!(codes.len(), 3);
        assert_eq!(codes[0].as_ref().map(|c| c.family()), Ok(WalletFamily::WechatPay));
        assert_eq!(codes[1].as_ref().map(|c| c.digits()), Ok("2865072086636139"));
        assert_eq!(codes[2], Err(PaymentCodeError::UnionPay));
        assert_eq!(reader.finish(), None);
    }

    #[test]
    fn overlong_and_non_digit_input_is_refused() {
        let mut reader = WedgeReader::new();
        let long = "1".repeat(10_000);
        assert_eq!(
            reader.push_str(&format!("{long}\n")),
            vec![Err(PaymentCodeError::TooLong { length: 10_000 })]
        );
        assert_eq!(
            reader.push_str("13465072086636139X\n"),
            vec![Err(PaymentCodeError::NotDigits { position: 18 })]
        );
        reader.push_str("2865072086636139");
        assert!(matches!(reader.finish(), Some(Ok(_))));
    }
}
