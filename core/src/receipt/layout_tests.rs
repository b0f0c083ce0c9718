//! Receipts built from rows and rendered three ways; the ESC/POS bytes read back by the
//! decoder, the PNG by the `png` crate.

use crate::acquirer::{CardDetails, CardSummary, TerminalId, WalletMethod};
use crate::document::escpos::{render_escpos, Charset, EscPosOptions};
use crate::document::escpos_decode::{decode, Command};
use crate::document::png::{render_png, PngOptions};
use crate::document::{display_width, render_text, Paper};
use crate::money::{Amount, Currency};
use crate::order::{RefundState, SaleKind, SaleStatus};
use crate::reader::EntryMode;
use crate::receipt::*;
use crate::store::{RefundRow, SaleRow};

fn hkd(v: &str) -> Amount {
    Amount::parse(v, "HKD").unwrap()
}

fn card_sale() -> SaleRow {
    SaleRow {
        id: "S-20261207-0001".into(),
        kind: SaleKind::Card,
        wallet: None,
        terminal: Some(TerminalId { serial: "PAX-1".into(), model: "A920".into() }),
        amount: hkd("128.50"),
        status: SaleStatus::Paid,
        attention: false,
        attention_reason: None,
        cancel_requested: false,
        remark: None,
        qr: None,
        payment_redirect_url: None,
        acquirer_transaction_id: Some("PP-9876543210".into()),
        result_code: Some("000000".into()),
        result_description: None,
        card: Some(CardSummary {
            brand: Some("VISA".into()),
            masked_number: Some("476173******0119".into()),
        }),
        card_details: Some(Box::new(CardDetails {
            auth_code: Some("A1B2C3".into()),
            entry_mode: Some(EntryMode::Contactless),
            aid: Some("A0000000031010".into()),
            application_label: Some("VISA CREDIT".into()),
        })),
        code_masked: None,
        created_at: 1_796_604_143_000,
        updated_at: 1_796_604_143_000,
        abandoned_at: None,
    }
}

fn refund(id: &str, amount: &str, state: RefundState) -> RefundRow {
    RefundRow {
        id: id.into(),
        sale_id: "S-20261207-0001".into(),
        amount: hkd(amount),
        state,
        full: false,
        reason: None,
        acquirer_refund_id: Some(format!("R-{id}")),
        result_code: None,
        result_description: None,
        attention: false,
        attention_reason: None,
        created_at: 1_796_607_743_000,
        updated_at: 1_796_607_743_000,
    }
}

fn settings(name: &str) -> ReceiptSettings {
    ReceiptSettings {
        merchant: MerchantInfo {
            name: name.into(),
            address: Some("G/F, 600 Nathan Road, Mong Kok, Kowloon, Hong Kong".into()),
            tax_id: Some("12345678-000".into()),
        },
        utc_offset_minutes: 480,
        locale: Locale::En,
    }
}

fn receipt(name: &str, locale: Locale, copy: ReceiptCopy) -> Receipt {
    let refunds = [refund("RF1", "20.00", RefundState::Succeeded)];
    sale_receipt(&card_sale(), &refunds, &settings(name), "till-3", copy, locale).unwrap()
}

#[test]
fn a_card_sale_receipt_holds_what_the_issue_lists() {
    let refunds = [
        refund("RF1", "20.00", RefundState::Succeeded),
        refund("RF2", "5.00", RefundState::Failed),
    ];
    let r = sale_receipt(
        &card_sale(),
        &refunds,
        &settings("Shop"),
        "till-3",
        ReceiptCopy::Customer,
        Locale::En,
    )
    .unwrap();
    assert_eq!(r.refunded, Some(hkd("20.00")), "only succeeded refunds count");
    let card = r.card.clone().unwrap();
    assert_eq!((card.brand.as_deref(), card.last4.as_deref()), (Some("VISA"), Some("0119")));
    let text = render_text(&r.document(), 48);
    for want in [
        "Shop",
        "Tax ID 12345678-000",
        "SALE",
        "Customer copy",
        "2026-12-07 08:42:23 +08:00",
        "till-3",
        "S-20261207-0001",
        "VISA ****0119",
        "Contactless",
        "A0000000031010",
        "VISA CREDIT",
        "A1B2C3",
        "PP-9876543210",
        "HKD 128.50",
        "HKD 20.00",
        "PAID",
        "[QR: S-20261207-0001]",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    assert!(!text.contains("476173"), "only the last four digits are shown");
    assert!(!text.contains("Signature"), "the customer's copy has no signature line");
    let merchant = receipt("Shop", Locale::En, ReceiptCopy::Merchant);
    let text = render_text(&merchant.document(), 48);
    assert!(text.contains("Merchant copy") && text.contains("Signature"), "{text}");
}

#[test]
fn a_refund_receipt_refers_to_its_sale_and_another_sales_refund_is_refused() {
    let refunds = [refund("RF1", "20.00", RefundState::Succeeded)];
    let r = refund_receipt(
        &card_sale(),
        &refunds,
        "RF1",
        &settings("Shop"),
        "till-3",
        ReceiptCopy::Customer,
        Locale::ZhHans,
    )
    .unwrap();
    let text = render_text(&r.document(), 32);
    for want in
        ["退款", "RF1", "原交易", "S-20261207-0001", "R-RF1", "HKD 20.00", "HKD 128.50", "已退款"]
    {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    let err = refund_receipt(
        &card_sale(),
        &refunds,
        "RF9",
        &settings("Shop"),
        "t",
        ReceiptCopy::Customer,
        Locale::En,
    );
    assert!(matches!(err, Err(ReceiptError::RefundOfAnotherSale { .. })), "{err:?}");
}

#[test]
fn labels_follow_the_locale_and_unknown_locales_are_english() {
    let hant =
        render_text(&receipt("茶餐廳", Locale::ZhHant, ReceiptCopy::Customer).document(), 48);
    assert!(hant.contains("銷售") && hant.contains("顧客聯") && hant.contains("授權碼"), "{hant}");
    assert_eq!(Locale::from_tag("zh-TW"), Locale::ZhHant);
    assert_eq!(Locale::from_tag("zh_CN"), Locale::ZhHans);
    assert_eq!(Locale::from_tag("zh-Hant-HK"), Locale::ZhHant);
    assert_eq!(Locale::from_tag("fr-FR"), Locale::En);
    assert_eq!(Locale::from_tag("\x1b[31m"), Locale::En);
}

#[test]
fn escpos_round_trips_through_the_decoder_on_both_papers() {
    for (paper, columns) in [(Paper::Mm58, 32), (Paper::Mm80, 48)] {
        let r = receipt(
            "香港九龍旺角彌敦道六百號地下美心皇宮大酒樓茶餐廳有限公司",
            Locale::ZhHant,
            ReceiptCopy::Customer,
        );
        let o = EscPosOptions { paper, ..EscPosOptions::default() };
        let decoded = decode(&render_escpos(&r.document(), &o), Charset::Gb18030).unwrap();
        assert_eq!(decoded.qr_codes, ["S-20261207-0001"]);
        assert_eq!(decoded.commands.first(), Some(&Command::Init));
        assert_eq!(decoded.commands.last(), Some(&Command::Cut));
        for line in &decoded.lines {
            let room = if line.large { columns / 2 } else { columns };
            assert!(display_width(&line.text) <= room, "{paper:?}: {:?} too wide", line.text);
        }
        // The long name wraps over several large, bold, centred lines and reads back whole.
        let name: String =
            decoded.lines.iter().take_while(|l| l.large).map(|l| l.text.as_str()).collect();
        assert_eq!(name, "香港九龍旺角彌敦道六百號地下美心皇宮大酒樓茶餐廳有限公司");
        assert!(decoded.lines[0].bold && decoded.lines[0].align == 1);
        let text: Vec<&str> = decoded.lines.iter().map(|l| l.text.as_str()).collect();
        assert!(
            text.iter().any(|t| t.starts_with("合計") && t.ends_with("HKD 128.50")),
            "{text:?}"
        );
        assert!(text.contains(&"謝謝惠顧"), "{text:?}");
    }
}

#[test]
fn a_merchant_name_cannot_inject_printer_commands() {
    // Built directly, past the configuration's check: the renderers clean on their own.
    let hostile = "Evil\x1b@\x1dV\x41\x00Shop\x10\x04\x01\x1c.\x1b\x45\x01\r\nEnd";
    let r = receipt(hostile, Locale::En, ReceiptCopy::Customer);
    for charset in [Charset::Gb18030, Charset::Big5, Charset::Ascii] {
        let o = EscPosOptions { charset, ..EscPosOptions::default() };
        let bytes = render_escpos(&r.document(), &o);
        let decoded = decode(&bytes, charset).unwrap();
        let inits = decoded.commands.iter().filter(|c| **c == Command::Init).count();
        let cuts = decoded.commands.iter().filter(|c| **c == Command::Cut).count();
        let status = decoded.commands.iter().any(|c| matches!(c, Command::Status(_)));
        assert_eq!((inits, cuts, status), (1, 1, false), "{charset:?}: {:?}", decoded.commands);
        assert_eq!(decoded.lines[0].text, "Evil @ VA Shop . E End");
    }
    // The decoder does see injected bytes when they are there.
    let mut injected = render_escpos(&r.document(), &EscPosOptions::default());
    injected.splice(10..10, [0x1b, b'@', 0x1d, b'V', 0x41, 0x00]);
    let decoded = decode(&injected, Charset::Gb18030).unwrap();
    assert_eq!(decoded.commands.iter().filter(|c| **c == Command::Init).count(), 2);
}

#[test]
fn characters_a_printer_lacks_print_as_question_marks() {
    let r = receipt("Café 茶", Locale::En, ReceiptCopy::Customer);
    let o = EscPosOptions { charset: Charset::Ascii, ..EscPosOptions::default() };
    let decoded = decode(&render_escpos(&r.document(), &o), Charset::Ascii).unwrap();
    assert_eq!(decoded.lines[0].text, "Caf? ?");
    let o = EscPosOptions { charset: Charset::Big5, ..EscPosOptions::default() };
    let decoded = decode(&render_escpos(&r.document(), &o), Charset::Big5).unwrap();
    assert_eq!(decoded.lines[0].text, "Caf? 茶");
}

#[test]
fn the_png_decodes_with_the_expected_size_and_ink() {
    let r = receipt("美心茶餐廳 Maxim's Café 𠀀", Locale::ZhHant, ReceiptCopy::Merchant);
    for (paper, scale) in [(Paper::Mm58, 1u8), (Paper::Mm80, 2)] {
        let (bytes, w, h) = render_png(&r.document(), &PngOptions { paper, scale }).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (w, h));
        let s = u32::from(scale);
        assert_eq!(w, (paper.columns() as u32 * 8 + 32) * s);
        assert!(h > 600 * s, "{h}");
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let data = &buf[..frame.buffer_size()];
        let black_bits: u32 = data.iter().map(|b| b.count_zeros()).sum();
        let total = data.len() as u32 * 8;
        assert!(black_bits > total / 50 && black_bits < total / 2, "{black_bits} of {total}");
        if let Ok(dir) = std::env::var("RECEIPT_PNG_DIR") {
            std::fs::write(format!("{dir}/receipt-{paper:?}.png"), &bytes).unwrap();
        }
    }
}

#[test]
fn a_wallet_sale_shows_its_masked_code_and_wallet() {
    let sale = SaleRow {
        kind: SaleKind::CustomerCode,
        wallet: Some(WalletMethod::AlipayHk),
        terminal: None,
        card: None,
        card_details: None,
        code_masked: Some("2881**********1234".into()),
        amount: Amount::from_minor_units(1050, Currency::from_code("HKD").unwrap()).unwrap(),
        ..card_sale()
    };
    let r =
        sale_receipt(&sale, &[], &settings("Shop"), "till-3", ReceiptCopy::Customer, Locale::En)
            .unwrap();
    let text = render_text(&r.document(), 32);
    assert!(text.contains("AlipayHK") && text.contains("2881**********1234"), "{text}");
    assert!(!text.contains("Refunded") && !text.contains("Card"), "{text}");
}
