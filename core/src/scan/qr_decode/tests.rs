use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, QrCode, Version};

use super::segments::SegmentError;
use super::*;

const LEVELS: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

fn grid(code: &QrCode) -> Modules {
    let (side, colors) = (code.width(), code.to_colors());
    let dark: Vec<bool> = colors.into_iter().map(|c| c == Color::Dark).collect();
    Modules::from_fn(side, |x, y| dark[y * side + x])
}

fn symbol(build: impl Fn(&mut Bits), version: i16, level: EcLevel) -> Modules {
    let mut bits = Bits::new(Version::Normal(version));
    build(&mut bits);
    bits.push_terminator(level).unwrap();
    grid(&QrCode::with_bits(bits, level).unwrap())
}

fn flip(modules: &mut Modules, x: usize, y: usize) {
    let side = modules.side;
    modules.dark[y * side + x] ^= true;
}

#[test]
fn reads_every_version_and_level() {
    for version in 1..=40i16 {
        for level in LEVELS {
            let text = format!("{version}{level:?}");
            let code =
                QrCode::with_version(text.as_bytes(), Version::Normal(version), level).unwrap();
            assert_eq!(decode(&grid(&code)).as_deref(), Ok(text.as_str()), "v{version} {level:?}");
        }
    }
}

#[test]
fn function_modules_match_the_encoder() {
    for version in 1..=40usize {
        let side = 17 + 4 * version;
        let ours = function_modules(version);
        for y in 0..side {
            for x in 0..side {
                let theirs = qrcode::canvas::is_functional(
                    Version::Normal(version as i16),
                    side as i16,
                    x as i16,
                    y as i16,
                );
                // The encoder leaves version information out of this test.
                let version_info = version >= 7
                    && ((x >= side - 11 && x < side - 8 && y < 6)
                        || (y >= side - 11 && y < side - 8 && x < 6));
                assert_eq!(ours[y * side + x], theirs || version_info, "v{version} ({x}, {y})");
            }
        }
        // Every data module holds a bit of a codeword or of the remainder (0, 3, 4 or 7 bits).
        let blocks = Blocks::of(version, Level::L).unwrap();
        let remainder = data_positions(version).len() - 8 * blocks.total();
        assert!([0, 3, 4, 7].contains(&remainder), "v{version}: {remainder} remainder bits");
    }
}

#[test]
fn reads_every_mask() {
    let text = b"00020101021226590014A000000615000101068900";
    for (mask, pattern) in [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ]
    .into_iter()
    .enumerate()
    {
        for version in [4i16, 7] {
            let mut bits = Bits::new(Version::Normal(version));
            bits.push_byte_data(text).unwrap();
            bits.push_terminator(EcLevel::M).unwrap();
            let (data, ec) = qrcode::ec::construct_codewords(
                &bits.into_bytes(),
                Version::Normal(version),
                EcLevel::M,
            )
            .unwrap();
            let mut canvas = Canvas::new(Version::Normal(version), EcLevel::M);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&data, &ec);
            canvas.apply_mask(pattern);
            let side = 17 + 4 * version as usize;
            let dark: Vec<bool> =
                canvas.into_colors().into_iter().map(|c| c == Color::Dark).collect();
            let modules = Modules::from_fn(side, |x, y| dark[y * side + x]);
            assert_eq!(read_format(&modules, false).map(|f| f.mask), Ok(mask));
            assert_eq!(decode(&modules).as_deref(), Ok(std::str::from_utf8(text).unwrap()));
        }
    }
}

#[test]
fn corrects_codeword_errors_up_to_the_limit_and_refuses_one_more() {
    // Version 1-H: one block of 9 data and 17 error-correction codewords, 8 correctable.
    let code = QrCode::with_version(b"4712", Version::Normal(1), EcLevel::H).unwrap();
    let order = data_positions(1);
    let damaged = |codewords: usize| {
        let mut modules = grid(&code);
        for k in 0..codewords {
            // Two modules of codeword 3k mod 26: spread over data and error correction.
            let first = 8 * ((3 * k) % 26);
            for &(x, y) in &order[first..first + 2] {
                flip(&mut modules, x, y);
            }
        }
        modules
    };
    assert_eq!(decode(&damaged(8)).as_deref(), Ok("4712"));
    assert_eq!(decode(&damaged(9)), Err(QrDecodeError::Codewords));
}

#[test]
fn format_information_tolerates_three_bit_errors_and_needs_one_good_copy() {
    let code = QrCode::with_version(b"HELLO 42", Version::Normal(2), EcLevel::Q).unwrap();
    let mut modules = grid(&code);
    // Three bits of each copy.
    let side = modules.side;
    for (x, y) in [(0, 8), (8, 0), (8, 7), (side - 1, 8), (side - 3, 8), (8, side - 2)] {
        flip(&mut modules, x, y);
    }
    let clean = read_format(&grid(&code), false).unwrap();
    assert_eq!((clean.model, clean.level, clean.distance), (Model::Two, Level::Q, 0));
    assert_eq!(read_format(&modules, false), Ok(Format { distance: 3, ..clean }));
    assert_eq!(decode(&modules).as_deref(), Ok("HELLO 42"));
    for (x, y) in [(side - 1, 8), (side - 3, 8), (8, side - 2)] {
        flip(&mut modules, x, y);
    }
    // Eight wrong bits of the first copy: the second copy still tells.
    for (x, y) in [(1, 8), (2, 8), (3, 8), (8, 1), (8, 2)] {
        flip(&mut modules, x, y);
    }
    assert_eq!(decode(&modules).as_deref(), Ok("HELLO 42"));
    // Both copies garbled: whatever format they come nearest to, the data does not decode.
    for (x, y) in [(side - 1, 8), (side - 3, 8), (side - 5, 8), (8, side - 2), (8, side - 4)] {
        flip(&mut modules, x, y);
    }
    assert!(decode(&modules).is_err());
}

#[test]
fn reads_a_mirrored_symbol() {
    let code = QrCode::with_version(b"MIRROR", Version::Normal(3), EcLevel::L).unwrap();
    let modules = grid(&code);
    let mirrored = Modules::from_fn(modules.side, |x, y| modules.at(y, x, false));
    assert_eq!(decode(&mirrored).as_deref(), Ok("MIRROR"));
}

#[test]
fn reads_each_segment_mode() {
    // Numeric groups of three, two and one digits; alphanumeric pairs and a single character.
    for digits in ["1", "12", "123", "1234", "12345", "6228480402564890018"] {
        let modules = symbol(|b| b.push_numeric_data(digits.as_bytes()).unwrap(), 2, EcLevel::M);
        assert_eq!(decode(&modules).as_deref(), Ok(digits));
    }
    for text in ["A", "AB", "HTTPS://PAY.EXAMPLE/X 1$%*+-./:"] {
        let modules = symbol(|b| b.push_alphanumeric_data(text.as_bytes()).unwrap(), 3, EcLevel::L);
        assert_eq!(decode(&modules).as_deref(), Ok(text));
    }
    // Mixed segments in one symbol (v10: the wider count fields).
    let modules = symbol(
        |b| {
            b.push_alphanumeric_data(b"PAY:").unwrap();
            b.push_numeric_data(b"0042").unwrap();
            b.push_byte_data("/caffè".as_bytes()).unwrap();
        },
        10,
        EcLevel::H,
    );
    assert_eq!(decode(&modules).as_deref(), Ok("PAY:0042/caffè"));
    // Kanji: 点茗 in Shift JIS.
    let modules = symbol(|b| b.push_kanji_data(&[0x93, 0x5F, 0xE4, 0xAA]).unwrap(), 1, EcLevel::L);
    assert_eq!(decode(&modules).as_deref(), Ok("点茗"));
}

#[test]
fn byte_segments_follow_eci_or_the_guess() {
    let read = |build: &dyn Fn(&mut Bits)| decode(&symbol(build, 4, EcLevel::M));
    // ISO-8859-1 by ECI 3, UTF-8 by ECI 26.
    let latin = read(&|b| {
        b.push_eci_designator(3).unwrap();
        b.push_byte_data(&[b'c', b'a', b'f', 0xE9]).unwrap();
    });
    assert_eq!(latin.as_deref(), Ok("café"));
    let utf8 = read(&|b| {
        b.push_eci_designator(26).unwrap();
        b.push_byte_data("Zürich €5".as_bytes()).unwrap();
    });
    assert_eq!(utf8.as_deref(), Ok("Zürich €5"));
    // No ECI: UTF-8 when valid, ISO-8859-1 otherwise, Shift JIS for Japanese.
    let guessed = read(&|b| b.push_byte_data("Grüße".as_bytes()).unwrap());
    assert_eq!(guessed.as_deref(), Ok("Grüße"));
    let guessed = read(&|b| b.push_byte_data(&[b'c', b'a', b'f', 0xE9]).unwrap());
    assert_eq!(guessed.as_deref(), Ok("café"));
    let sjis = read(&|b| {
        b.push_byte_data(&[0x82, 0xB1, 0x82, 0xF1, 0x82, 0xC9, 0x82, 0xBF, 0x82, 0xCD]).unwrap()
    });
    assert_eq!(sjis.as_deref(), Ok("こんにちは"));
    // Non-ASCII bytes under a character set this decoder lacks: refused, not guessed.
    let big5 = read(&|b| {
        b.push_eci_designator(28).unwrap();
        b.push_byte_data(&[0xA4, 0xA4]).unwrap();
    });
    assert_eq!(big5, Err(QrDecodeError::Data(SegmentError::Charset)));
    let ascii_big5 = read(&|b| {
        b.push_eci_designator(28).unwrap();
        b.push_byte_data(b"ORDER 7").unwrap();
    });
    assert_eq!(ascii_big5.as_deref(), Ok("ORDER 7"));
    let utf16 = read(&|b| {
        b.push_eci_designator(25).unwrap();
        b.push_byte_data(&[0, b'A']).unwrap();
    });
    assert_eq!(utf16, Err(QrDecodeError::Data(SegmentError::Eci(25))));
}

#[test]
fn gs1_percent_signs() {
    let modules = symbol(
        |b| {
            b.push_fnc1_first_position().unwrap();
            b.push_alphanumeric_data(b"01%10%%").unwrap();
        },
        2,
        EcLevel::M,
    );
    assert_eq!(decode(&modules).as_deref(), Ok("01\u{1d}10%"));
}

#[test]
fn malformed_data_is_a_typed_error() {
    // Byte mode, 255 bytes announced, two present.
    assert_eq!(
        segments::decode(&[0b0100_1111, 0b1111_0100, 0x10], 1, false),
        Err(SegmentError::Truncated)
    );
    // Hanzi (1101): GB2312 (subset 1) is read, subset 2 is not.
    assert_eq!(segments::decode(&[0xD1, 0x01, 0x1E, 0x08, 0x00], 1, false).as_deref(), Ok("阿"));
    assert_eq!(segments::decode(&[0b1101_0010, 0, 0], 1, false), Err(SegmentError::Mode(0b1101)));
    // Numeric: one group of three digits holding 1023.
    assert_eq!(segments::decode(&[0x10, 0x0F, 0xFF], 1, false), Err(SegmentError::BadValue));
    // Alphanumeric: a single character of value 63.
    assert_eq!(segments::decode(&[0x20, 0x0F, 0xE0], 1, false), Err(SegmentError::BadValue));
    // ECI designator with four leading ones.
    assert_eq!(
        segments::decode(&[0b0111_1111, 0b0000_0000], 1, false),
        Err(SegmentError::Eci(0xF0))
    );
    // A padding-only stream (terminator then pad codewords) is empty text.
    assert_eq!(segments::decode(&[0, 0xEC, 0x11], 1, false).as_deref(), Ok(""));
}

#[test]
fn noise_and_bad_sides_never_panic() {
    assert_eq!(decode(&Modules::from_fn(20, |_, _| true)), Err(QrDecodeError::Side(20)));
    assert_eq!(decode(&Modules::from_fn(0, |_, _| true)), Err(QrDecodeError::Side(0)));
    assert_eq!(decode(&Modules::from_fn(181, |_, _| true)), Err(QrDecodeError::Side(181)));
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for side in (21..=177).step_by(4) {
        for _ in 0..4 {
            let modules = Modules::from_fn(side, |_, _| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed & 1 == 1
            });
            assert!(decode(&modules).is_err(), "noise of side {side} decoded");
        }
    }
}

#[test]
fn two_byte_codes_agree_with_the_decoders() {
    // Every Shift JIS and GB2312 two-byte code ours reads, encoding_rs's decoders read alike;
    // and ours reads all of JIS X 0208, IBM's extensions and GB2312 but codes that duplicate
    // others (NEC's row 13 and its copy of IBM's extensions; Shift JIS user-defined rows left out).
    type Decode = fn(&[u8]) -> Option<String>;
    let sjis_leads = (0x81..=0x9Fu8).chain(0xE0..=0xEF).chain(0xFA..=0xFC).collect::<Vec<_>>();
    for (encoding, leads, trails, ours) in [
        (encoding_rs::SHIFT_JIS, sjis_leads, 0x40..=0xFCu8, text::shift_jis as Decode),
        (encoding_rs::GB18030, (0xA1..=0xF7u8).collect(), 0xA1..=0xFEu8, text::gb2312 as Decode),
    ] {
        let (mut read, mut missing) = (0, 0);
        for &lead in &leads {
            for trail in trails.clone() {
                let pair = [lead, trail];
                let theirs = encoding.decode_without_bom_handling_and_without_replacement(&pair);
                match (theirs, ours(&pair)) {
                    (Some(theirs), Some(ours)) => {
                        assert_eq!(theirs.as_ref(), ours, "{lead:#x} {trail:#x}");
                        read += 1;
                    }
                    (Some(theirs), None) => {
                        // Only codes whose character another code stands for, and private-use
                        // codes (GBK's additions around GB2312).
                        let (encoded, _, _) = encoding.encode(&theirs);
                        let private =
                            theirs.chars().all(|c| ('\u{E000}'..='\u{F8FF}').contains(&c));
                        assert!(
                            private || encoded.as_ref() != pair,
                            "{lead:#x} {trail:#x}: {theirs} missing"
                        );
                        missing += usize::from(!private);
                    }
                    (None, Some(ours)) => panic!("{lead:#x} {trail:#x} read as {ours}"),
                    (None, None) => {}
                }
            }
        }
        assert!(
            read > 6900 && missing < 500,
            "{}: {read} read, {missing} missing",
            encoding.name()
        );
    }
}

#[test]
fn model1_format_on_noise_never_panics() {
    // Model 1 format information (level M, mask 3) written into both copies of noise grids of
    // every Model 1 size: the Model 1 placement runs over the whole grid and must stay inside.
    let code = FORMATS[0b00011] ^ 0x2825;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for side in (21..=73).step_by(4) {
        let mut modules = Modules::from_fn(side, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed & 1 == 1
        });
        let first = (0..6)
            .map(|x| (x, 8))
            .chain([(7, 8), (8, 8), (8, 7)])
            .chain((0..6).rev().map(|y| (8, y)));
        let second = (side - 7..side).rev().map(|y| (8, y)).chain((side - 8..side).map(|x| (x, 8)));
        for positions in [first.collect::<Vec<_>>(), second.collect()] {
            for (i, (x, y)) in positions.into_iter().enumerate() {
                modules.dark[y * side + x] = code >> (14 - i) & 1 == 1;
            }
        }
        let format = read_format(&modules, false).unwrap();
        assert_eq!(
            (format.model, format.level, format.mask, format.distance),
            (Model::One, Level::M, 3, 0)
        );
        assert!(decode(&modules).is_err(), "noise of side {side} decoded");
    }
}
