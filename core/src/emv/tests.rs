//! BER-TLV parsing, building, limits and masking.

use proptest::prelude::*;

use super::tags::{self, mask_rule, MaskRule};
use super::*;

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text.replace(' ', "")).unwrap()
}

fn tag(value: u32) -> Tag {
    Tag::new(value).unwrap()
}

fn masked_text(object: &Tlv) -> &str {
    match object.value() {
        Value::Masked(m) => m.text(),
        other => panic!("{} not masked: {other:?}", object.tag()),
    }
}

#[test]
fn parses_multi_byte_tags_templates_and_long_lengths_in_order() {
    let long = "AB".repeat(200);
    let input = unhex(&format!(
        "6F 1A 84 07 A0000000031010 A5 0F 50 04 56495341 BF0C 06 DF8129 02 1234 \
         9F02 06 000000001000 9F10 81 C8 {long}"
    ));
    let objects = parse(&input).unwrap();
    assert_eq!(objects.len(), 3);
    let fci = &objects[0];
    assert_eq!(fci.tag(), tags::FCI);
    assert_eq!(fci.children()[0].bytes().unwrap(), unhex("A0000000031010"));
    let a5 = &fci.children()[1];
    assert!(a5.tag().is_constructed());
    assert_eq!(a5.children()[0].bytes().unwrap(), b"VISA");
    let bf0c = &a5.children()[1];
    assert_eq!(bf0c.tag().to_string(), "BF0C");
    assert_eq!(bf0c.children()[0].tag().to_string(), "DF8129");
    assert_eq!(objects[1].bytes().unwrap(), unhex("000000001000"));
    assert_eq!(objects[2].bytes().unwrap().len(), 200);
    assert_eq!(encode(&objects).unwrap(), input, "the builder gives the same bytes back");
    assert_eq!(super::tlv::find(&objects, tag(0xDF8129)).unwrap().bytes().unwrap(), [0x12, 0x34]);
}

#[test]
fn skips_padding_between_objects_and_inside_templates() {
    let input = unhex("00 FF 9A 03 261206 00 00 70 06 00 9C 01 00 FF FF FF");
    let objects = parse(&input).unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[1].children().len(), 1);
    assert_eq!(objects[1].children()[0].bytes().unwrap(), [0x00]);
}

#[test]
fn accepts_all_long_length_forms_and_builds_the_shortest() {
    for (len, head) in [(0x7F, "7F"), (0x80, "8180"), (0xFF, "81FF"), (0x100, "820100")] {
        let object = Tlv::primitive(tag(0x9F10), vec![0x11; len]).unwrap();
        let bytes = encode(std::slice::from_ref(&object)).unwrap();
        assert_eq!(hex::encode_upper(&bytes[2..2 + head.len() / 2]), head, "{len}");
        assert_eq!(parse(&bytes).unwrap(), vec![object]);
    }
    let object = Tlv::primitive(tag(0x9F10), vec![0; 0x1_0000]).unwrap();
    let bytes = encode(&[object]).unwrap();
    assert_eq!(bytes[2..6], [0x83, 0x01, 0x00, 0x00]);
    // Non-minimal lengths from a reader are accepted.
    assert_eq!(parse(&unhex("9C 81 01 00 9C 84 00000001 00")).unwrap().len(), 2);
}

#[test]
fn refuses_malformed_input_with_offsets() {
    let cases: &[(&str, TlvError)] = &[
        ("9C 02 00", TlvError::ValuePastEnd { offset: 0, tag: tag(0x9C), length: 2, available: 1 }),
        ("9A 01 00 9F", TlvError::TagTruncated { offset: 3 }),
        ("9F 81", TlvError::TagTruncated { offset: 0 }),
        ("9F 81 81 01 00", TlvError::TagTooLong { offset: 0, max: 3 }),
        ("9F02", TlvError::LengthMissing { offset: 2, tag: tag(0x9F02) }),
        ("9C 80 00 00", TlvError::IndefiniteLength { offset: 1 }),
        ("9C 85 00 00 00 00 01 00", TlvError::LengthTooLong { offset: 1, count: 5 }),
        ("9C FF", TlvError::LengthTooLong { offset: 1, count: 127 }),
        ("9C 82 01", TlvError::LengthTruncated { offset: 1 }),
        (
            "70 04 9C 03 00 00",
            TlvError::ValuePastEnd { offset: 2, tag: tag(0x9C), length: 3, available: 2 },
        ),
        (
            "9C 84 FFFFFFFF",
            TlvError::ValuePastEnd { offset: 0, tag: tag(0x9C), length: 0xFFFF_FFFF, available: 0 },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse(&unhex(input)).unwrap_err(), *expected, "{input}");
    }
}

fn nested(levels: usize) -> Vec<u8> {
    let mut bytes = unhex("9C 01 00");
    for _ in 0..levels {
        let mut outer = vec![0x70, bytes.len() as u8];
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    bytes
}

#[test]
fn nesting_is_bounded_both_ways() {
    let ok = parse(&nested(MAX_DEPTH)).unwrap();
    assert_eq!(encode(&ok).unwrap(), nested(MAX_DEPTH));
    assert_eq!(
        parse(&nested(MAX_DEPTH + 1)).unwrap_err(),
        TlvError::TooDeep { offset: 2 * MAX_DEPTH, max: MAX_DEPTH }
    );
    let mut deep = Tlv::primitive(tag(0x9C), vec![0]).unwrap();
    for _ in 0..=MAX_DEPTH {
        deep = Tlv::constructed(tag(0x70), vec![deep]).unwrap();
    }
    assert!(matches!(encode(&[deep]), Err(TlvError::TooDeep { .. })));
}

#[test]
fn input_size_and_object_count_are_bounded() {
    let mut megabyte = unhex("9F10 83 100000");
    megabyte.resize(megabyte.len() + 0x10_0000, 0xAB);
    assert_eq!(
        parse(&megabyte).unwrap_err(),
        TlvError::InputTooLarge { len: 0x10_0006, max: MAX_INPUT }
    );
    assert!(matches!(
        parse(&unhex("9F10 83 100000 AB")),
        Err(TlvError::ValuePastEnd { length: 0x10_0000, available: 1, .. })
    ));
    let many: Vec<u8> = [0x9C, 0x00].repeat(MAX_ELEMENTS + 1);
    assert_eq!(
        parse(&many).unwrap_err(),
        TlvError::TooManyElements { offset: 2 * MAX_ELEMENTS, max: MAX_ELEMENTS }
    );
    assert_eq!(parse(&[0x9C, 0x00].repeat(MAX_ELEMENTS)).unwrap().len(), MAX_ELEMENTS);
}

#[test]
fn tags_are_checked_when_made() {
    assert_eq!(tag(0x9F02).to_string(), "9F02");
    assert_eq!(tag(0x5A).len(), 1);
    assert_eq!(tag(0xDF8129).len(), 3);
    assert!(tag(0xBF0C).is_constructed());
    assert!(!tag(0x9F02).is_constructed());
    for bad in [0x00, 0xFF, 0x9F, 0x5A01, 0x9F81, 0x9F8181, 0xDF818101, 0x00FF] {
        assert!(matches!(Tag::new(bad), Err(TlvError::InvalidTag { .. })), "{bad:X}");
    }
    assert!(Tag::from_bytes(&[]).is_err());
    assert!(matches!(
        Tlv::primitive(tag(0x70), vec![]),
        Err(TlvError::WrongKind { constructed: true, .. })
    ));
    assert!(Tlv::constructed(tag(0x9C), vec![]).is_err());
}

#[test]
fn dictionary_covers_the_common_tags_with_consistent_kinds() {
    for info in tags::ALL {
        assert_eq!(
            info.tag.is_constructed(),
            info.format == Format::Template,
            "{} {}",
            info.tag,
            info.name
        );
        assert_eq!(Tag::new(info.tag.value()).unwrap(), info.tag);
        assert_eq!(tags::lookup(info.tag), Some(info));
    }
    for sensitive in [0x5A, 0x57, 0x56, 0x9F6B, 0x5F20, 0x9F1F, 0x9F20] {
        assert!(tags::lookup(tag(sensitive)).unwrap().sensitive(), "{sensitive:X}");
    }
    assert_eq!(tags::lookup(tag(0x9F02)).unwrap().name, "Amount, Authorised (Numeric)");
    assert!(!tags::lookup(tag(0x9F26)).unwrap().sensitive());
    assert_eq!(tags::lookup(tag(0xDF01)), None);
}

#[test]
fn card_data_is_masked_on_parse() {
    let input = unhex(
        "70 5D 5A 08 4761739001010119 \
         57 11 4761739001010119D2212201175892888F \
         5F20 0D 56495341204143515549524552 \
         56 1F 42343736313733393030313031303131395E4A4F484E5E3232313232303131 \
         9F1F 04 31323334 5A 06 123456789012",
    );
    let objects = parse(&input).unwrap();
    let record = objects[0].children();
    assert_eq!(masked_text(&record[0]), "476173******0119");
    assert_eq!(masked_text(&record[1]), "476173******0119D****************");
    assert_eq!(masked_text(&record[2]), "*************");
    assert_eq!(masked_text(&record[3]), "B476173******0119^*************");
    assert_eq!(masked_text(&record[4]), "****");
    // Twelve digits: too short to show six and four of them.
    assert_eq!(masked_text(&record[5]), "************");
    let debug = format!("{objects:?}");
    for secret in ["4761739001010119", "9001", "VISA ACQUIRER", "JOHN", "1234", "589"] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    assert!(matches!(encode(&objects), Err(TlvError::MaskedValue { .. })));
}

#[test]
fn malformed_card_data_is_masked_whole() {
    let objects = parse(&unhex("5A 03 12AB34 57 04 12345678 56 03 413132 9F6B 00")).unwrap();
    assert_eq!(masked_text(&objects[0]), "******");
    assert_eq!(masked_text(&objects[1]), "********");
    assert_eq!(masked_text(&objects[2]), "***");
    assert_eq!(masked_text(&objects[3]), "");
    for object in &objects {
        match object.value() {
            Value::Masked(m) => assert_eq!(m.masked_pan(), None),
            other => panic!("{other:?}"),
        }
    }
}

/// Tags the builder round-trips: well formed, not masked on parse.
fn tag_strategy(constructed: bool) -> impl Strategy<Value = Tag> {
    let one = (1u32..0xFF).prop_filter("single", |b| b & 0x1F != 0x1F);
    let first = (0u32..7).prop_map(|class| (class << 5) | 0x1F);
    let two = (first.clone(), 0u32..0x80).prop_map(|(f, s)| (f << 8) | s);
    let three = (first, 0x80u32..0x100, 0u32..0x80).prop_map(|(f, s, t)| (f << 16) | (s << 8) | t);
    prop_oneof![one, two, three]
        .prop_map(|v| Tag::new(v).unwrap())
        .prop_filter("kind", move |t| t.is_constructed() == constructed)
        .prop_filter("not masked", |t| mask_rule(*t) == MaskRule::None)
}

fn tree_strategy() -> impl Strategy<Value = Tlv> {
    let leaf = (tag_strategy(false), prop::collection::vec(any::<u8>(), 0..300))
        .prop_map(|(t, v)| Tlv::primitive(t, v).unwrap());
    leaf.prop_recursive(MAX_DEPTH as u32, 64, 6, |inner| {
        (tag_strategy(true), prop::collection::vec(inner, 0..6))
            .prop_map(|(t, children)| Tlv::constructed(t, children).unwrap())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn build_parse_build_round_trips(trees in prop::collection::vec(tree_strategy(), 0..5)) {
        let bytes = encode(&trees).unwrap();
        let parsed = parse(&bytes).unwrap();
        prop_assert_eq!(&parsed, &trees);
        prop_assert_eq!(encode(&parsed).unwrap(), bytes);
    }

    #[test]
    fn arbitrary_bytes_parse_or_fail_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(objects) = parse(&bytes) {
            fn count(objects: &[Tlv]) -> usize {
                objects.iter().map(|o| 1 + count(o.children())).sum()
            }
            prop_assert!(count(&objects) <= bytes.len() / 2);
        }
    }
}
