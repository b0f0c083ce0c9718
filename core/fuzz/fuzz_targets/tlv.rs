//! The EMV BER-TLV parser, the builder on what it parsed, and the authorisation view, on
//! arbitrary bytes: typed errors only, bounded output, and build(parse(x)) parses to the same
//! tree whenever nothing was masked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tillkit_core::emv::{encode, parse, AuthorizationData, Tlv, TlvError};

fn count(objects: &[Tlv]) -> usize {
    objects.iter().map(|o| 1 + count(o.children())).sum()
}

fuzz_target!(|data: &[u8]| {
    let _ = AuthorizationData::from_tlv(data);
    let Ok(objects) = parse(data) else { return };
    assert!(count(&objects) <= data.len() / 2);
    match encode(&objects) {
        Ok(bytes) => {
            assert!(bytes.len() <= data.len());
            assert_eq!(parse(&bytes).as_ref(), Ok(&objects));
        }
        Err(TlvError::MaskedValue { .. }) => {}
        Err(e) => panic!("a parsed tree does not encode: {e}"),
    }
});
