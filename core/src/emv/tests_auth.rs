//! The typed authorisation view over realistic and broken reader data.

use rust_decimal::Decimal;

use super::*;
use crate::reader::EntryMode;

const REQUEST: &[(u32, &str)] = &[
    (0x9F02, "000000001000"),
    (0x5F2A, "0840"),
    (0x4F, "A0000000031010"),
    (0x50, "5649534120435245444954"),
    (0x5A, "4761739001010119"),
    (0x5F34, "01"),
    (0x5F24, "251231"),
    (0x9F26, "0123456789ABCDEF"),
    (0x9F27, "80"),
    (0x9F36, "001C"),
    (0x95, "0000008000"),
    (0x9B, "E800"),
    (0x9F34, "1F0302"),
    (0x9F39, "07"),
];

/// The request with `changes` applied: a value replaced, or the tag removed when `None`.
fn request(changes: &[(u32, Option<&str>)]) -> Vec<u8> {
    let mut objects = Vec::new();
    for &(tag, value) in REQUEST {
        let value = changes.iter().find(|(t, _)| *t == tag).map_or(Some(value), |(_, v)| *v);
        if let Some(value) = value {
            let tag = Tag::new(tag).unwrap();
            objects.push(Tlv::primitive(tag, hex::decode(value).unwrap()).unwrap());
        }
    }
    encode(&objects).unwrap()
}

fn error(changes: &[(u32, Option<&str>)]) -> AuthorizationError {
    AuthorizationData::from_tlv(&request(changes)).unwrap_err()
}

fn tag(value: u32) -> Tag {
    Tag::new(value).unwrap()
}

#[test]
fn reads_a_contactless_authorisation_request() {
    let data = AuthorizationData::from_tlv(&request(&[])).unwrap();
    assert_eq!(data.amount, Decimal::new(1000, 2));
    assert_eq!(data.amount.to_string(), "10.00");
    assert_eq!(data.currency.code(), "USD");
    assert_eq!(data.aid, "A0000000031010");
    assert_eq!(data.label.as_deref(), Some("VISA CREDIT"));
    assert_eq!(data.masked_pan, "476173******0119");
    assert_eq!(data.pan_sequence, Some(1));
    assert_eq!(data.expiry.as_deref(), Some("2512"));
    assert_eq!(data.cryptogram, "0123456789ABCDEF");
    assert_eq!(data.cid, 0x80);
    assert_eq!(data.atc, 28);
    assert_eq!(data.tvr, [0, 0, 0, 0x80, 0]);
    assert_eq!(data.tsi, Some([0xE8, 0]));
    assert_eq!(data.cvm_results, Some([0x1F, 0x03, 0x02]));
    assert_eq!(data.entry_mode, Some(7));
    assert_eq!(data.entry(), Some(EntryMode::Contactless));
    assert!(!format!("{data:?}").contains("4761739001010119"));
}

#[test]
fn uses_the_currency_exponent() {
    let jpy = AuthorizationData::from_tlv(&request(&[(0x5F2A, Some("0392"))])).unwrap();
    assert_eq!(jpy.amount.to_string(), "1000");
    let kwd = AuthorizationData::from_tlv(&request(&[(0x5F2A, Some("0414"))])).unwrap();
    assert_eq!(kwd.amount.to_string(), "1.000");
    let big = AuthorizationData::from_tlv(&request(&[(0x9F02, Some("999999999999"))])).unwrap();
    assert_eq!(big.amount.to_string(), "9999999999.99");
}

#[test]
fn finds_fields_inside_templates_and_pan_from_track_2() {
    let inner = request(&[(0x5A, None), (0x5F24, None), (0x9B, None), (0x50, None)]);
    let mut bytes = vec![0x77, 0x81, inner.len() as u8];
    bytes.extend_from_slice(&inner);
    bytes.extend_from_slice(
        &hex::decode("9F6B 11 4761739001010119D25122011758928889".replace(' ', "")).unwrap(),
    );
    let data = AuthorizationData::from_tlv(&bytes).unwrap();
    assert_eq!(data.masked_pan, "476173******0119");
    assert_eq!((data.expiry, data.tsi, data.label), (None, None, None));
}

#[test]
fn missing_mandatory_tags_are_named() {
    for missing in [0x9F02, 0x5F2A, 0x9F26, 0x9F27, 0x9F36, 0x95, 0x4F, 0x5A] {
        match error(&[(missing, None)]) {
            AuthorizationError::Missing { tag: t, name } => {
                assert_eq!(t, tag(missing));
                assert_ne!(name, "unknown");
            }
            other => panic!("{missing:X}: {other:?}"),
        }
    }
}

#[test]
fn badly_formatted_values_are_refused() {
    let cases: &[(u32, &str)] = &[
        (0x9F02, "00000000100A"),
        (0x9F02, "0000001000"),
        (0x5F2A, "084F"),
        (0x4F, "A000"),
        (0x50, "56495341FF"),
        (0x5A, "47617390010101AB"),
        (0x5F34, "0A"),
        (0x5F24, "251331"),
        (0x5F24, "2512"),
        (0x9F26, "01234567"),
        (0x9F27, "8000"),
        (0x9F36, "1C"),
        (0x95, "00000080"),
        (0x9B, "E8"),
        (0x9F34, "1F03"),
        (0x9F39, "7F"),
    ];
    for &(bad, value) in cases {
        match error(&[(bad, Some(value))]) {
            AuthorizationError::BadValue { tag: t, problem, .. } => {
                assert_eq!(t, tag(bad), "{bad:X}={value}: {problem}");
                assert!(!problem.contains(value));
            }
            other => panic!("{bad:X}={value}: {other:?}"),
        }
    }
    assert!(matches!(error(&[(0x5F2A, Some("0999"))]), AuthorizationError::Currency(_)));
    assert!(matches!(
        AuthorizationData::from_tlv(&[0x9F, 0x02]),
        Err(AuthorizationError::Tlv(TlvError::LengthMissing { .. }))
    ));
}
