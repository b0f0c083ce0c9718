//! Payment-code classification, scan-gun key streams and the scan session with arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tillkit_core::paycode::PaymentCode;
use tillkit_core::scan::dedup::{ScanEvent, ScanSession};
use tillkit_core::scan::wedge::{normalize, WedgeReader};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(code) = PaymentCode::parse(&text) {
        assert!(code.digits().bytes().all(|b| b.is_ascii_digit()));
        let _ = code.masked();
    }
    let clean = normalize(&text);
    assert!(!clean.chars().any(char::is_whitespace));
    let mut reader = WedgeReader::new();
    let mut session = ScanSession::new(2, 4);
    for result in reader.push_str(&text).into_iter().chain(reader.finish()) {
        if let Ok(code) = result {
            if let ScanEvent::New(seen) = session.on_code(code.digits()) {
                session.mark_used(&seen);
            }
            assert_eq!(session.on_code(code.digits()), ScanEvent::AlreadyUsed);
        }
    }
    for line in text.lines() {
        let _ = session.on_frame(Some(line));
    }
});
