//! From decoded frames to payment events: one report per code while it stays in view, and a
//! refusal for codes already used in a sale.
//!
//! A camera sees the customer's code in many consecutive frames (and misses it in a few when
//! the phone moves). [`ScanSession`] reports it once, and again only after it was out of view
//! for longer than the configured gap. Codes used in a sale are remembered as SHA-256 digests,
//! never as digits, in a bounded list.

use std::collections::VecDeque;

use sha2::{Digest, Sha256};

use crate::paycode::{PaymentCode, PaymentCodeError};

/// What a frame's decoded text means for the sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanEvent {
    /// A payment code not reported before: charge it.
    New(PaymentCode),
    /// A payment code that was already used in a sale: refuse it.
    AlreadyUsed,
    /// Text that is not a payment code TillKit can charge, with the reason.
    Refused(PaymentCodeError),
}

type Digest32 = [u8; 32];

fn digest(text: &str) -> Digest32 {
    Sha256::digest(text.as_bytes()).into()
}

/// Per-till scanning state.
#[derive(Debug, Clone)]
pub struct ScanSession {
    gap_frames: u64,
    used_capacity: usize,
    frame: u64,
    /// The text last seen and the frame it was last seen in.
    last: Option<(Digest32, u64)>,
    used: VecDeque<Digest32>,
}

impl ScanSession {
    /// A session that reports a code again only after `gap_frames` frames without it, and
    /// remembers the last `used_capacity` used codes.
    pub fn new(gap_frames: u32, used_capacity: usize) -> Self {
        ScanSession {
            gap_frames: u64::from(gap_frames),
            used_capacity,
            frame: 0,
            last: None,
            used: VecDeque::new(),
        }
    }

    /// Feeds one frame's result (`None` when nothing was decoded). Returns an event the first
    /// time a text appears, and nothing while the same text stays in view.
    pub fn on_frame(&mut self, text: Option<&str>) -> Option<ScanEvent> {
        self.frame += 1;
        let text = text?;
        let key = digest(text);
        let repeated = matches!(self.last, Some((last, seen)) if last == key && self.frame - seen <= self.gap_frames + 1);
        self.last = Some((key, self.frame));
        if repeated {
            return None;
        }
        Some(self.classify(text, key))
    }

    /// Classifies a code read once (a scan gun, or typed), without frame suppression.
    pub fn on_code(&mut self, text: &str) -> ScanEvent {
        self.classify(text, digest(text))
    }

    fn classify(&self, text: &str, key: Digest32) -> ScanEvent {
        match PaymentCode::parse(text) {
            Ok(code) if self.used.contains(&digest(code.digits())) || self.used.contains(&key) => {
                ScanEvent::AlreadyUsed
            }
            Ok(code) => ScanEvent::New(code),
            Err(reason) => ScanEvent::Refused(reason),
        }
    }

    /// Records that `code` was used in a sale; it is refused from now on.
    pub fn mark_used(&mut self, code: &PaymentCode) {
        let key = digest(code.digits());
        if self.used.contains(&key) {
            return;
        }
        if self.used.len() >= self.used_capacity {
            self.used.pop_front();
        }
        if self.used_capacity > 0 {
            self.used.push_back(key);
        }
    }

    /// Whether `code` was used in a sale (among the remembered ones).
    pub fn is_used(&self, code: &PaymentCode) -> bool {
        self.used.contains(&digest(code.digits()))
    }
}

impl Default for ScanSession {
    /// Ten frames of gap (a third of a second at 30 fps) and the last 1,000 used codes.
    fn default() -> Self {
        ScanSession::new(10, 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WECHAT: &str = "134650720866361395";
    const ALIPAY: &str = "2865072086636139";

    #[test]
    fn a_code_in_consecutive_frames_is_reported_once() {
        let mut session = ScanSession::new(2, 10);
        let first = session.on_frame(Some(WECHAT));
        assert!(matches!(first, Some(ScanEvent::New(ref c)) if c.digits() == WECHAT));
        assert_eq!(session.on_frame(Some(WECHAT)), None);
        assert_eq!(session.on_frame(None), None);
        assert_eq!(session.on_frame(None), None);
        assert_eq!(
            session.on_frame(Some(WECHAT)),
            None,
            "a gap of two frames is still the same sighting"
        );
        for _ in 0..3 {
            session.on_frame(None);
        }
        assert!(
            matches!(session.on_frame(Some(WECHAT)), Some(ScanEvent::New(_))),
            "shown again after a long gap"
        );
        assert!(matches!(session.on_frame(Some(ALIPAY)), Some(ScanEvent::New(_))));
        assert!(
            matches!(session.on_frame(Some(WECHAT)), Some(ScanEvent::New(_))),
            "another code came between"
        );
    }

    #[test]
    fn used_codes_are_refused_and_the_list_is_bounded() {
        let mut session = ScanSession::new(0, 1);
        let ScanEvent::New(code) = session.on_code(WECHAT) else { panic!("a valid code") };
        session.mark_used(&code);
        assert!(session.is_used(&code));
        assert_eq!(session.on_code(WECHAT), ScanEvent::AlreadyUsed);
        assert_eq!(session.on_frame(Some(WECHAT)), Some(ScanEvent::AlreadyUsed));
        let ScanEvent::New(other) = session.on_code(ALIPAY) else { panic!("a valid code") };
        session.mark_used(&other);
        assert!(!session.is_used(&code), "capacity 1 forgets the oldest");
    }

    #[test]
    fn non_payment_texts_are_refused_with_the_reason() {
        let mut session = ScanSession::default();
        assert_eq!(
            session.on_frame(Some("https://example.com")),
            Some(ScanEvent::Refused(PaymentCodeError::NotDigits { position: 1 }))
        );
        assert_eq!(
            session.on_code("6212345678901234567"),
            ScanEvent::Refused(PaymentCodeError::UnionPay)
        );
    }
}
