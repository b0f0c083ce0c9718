//! The printed report: its content in three languages, ESC/POS read back by the decoder, the PNG
//! by the `png` crate, and the paper's cap on listed items.
#![allow(clippy::unwrap_used)]

use rust_decimal::Decimal;

use super::tests::{put, refund, run, sale, store, D1};
use super::*;
use crate::document::escpos::{render_escpos, Charset, EscPosOptions};
use crate::document::escpos_decode::{decode, Command};
use crate::document::png::{render_png, PngOptions};
use crate::document::{display_width, render_text, Paper};
use crate::order::{RefundState, SaleStatus};
use crate::receipt::Locale;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn tally(count: u64, total: &str) -> Tally {
    Tally { count, total: d(total) }
}

fn item(n: usize) -> OpenItem {
    OpenItem {
        entity: "sale".into(),
        id: format!("S-{n:04}"),
        sale_id: None,
        created_ms: D1 + n as u64,
        currency: "HKD".into(),
        amount: d("3.00"),
        status: "unknown".into(),
        why: "outcome unknown".into(),
        attention_reason: None,
        in_range: n > 0,
    }
}

/// A closed shift with two currencies, methods, open items over the paper's cap and a late
/// change.
fn sample(open_items: usize) -> ShiftReport {
    let method = |currency: &str, method: &str, wallet: Option<&str>, count, total| MethodTotal {
        currency: currency.into(),
        method: method.into(),
        wallet: wallet.map(Into::into),
        count,
        total: d(total),
    };
    ShiftReport {
        range: ReportRange {
            since_ms: D1,
            until_ms: D1 + 3_600_000,
            since_last_close: true,
            after_close: Some(6),
        },
        register: "till-3".into(),
        generated_ms: D1 + 3_600_000,
        closed: Some(CloseInfo {
            seq: 7,
            closed_ms: D1 + 3_600_000,
            register: "till-3".into(),
            operator: Some("Mei".into()),
        }),
        currencies: vec![
            CurrencySummary {
                currency: "CNY".into(),
                paid: tally(2, "30.00"),
                not_paid: tally(1, "1.00"),
                pending: tally(0, "0"),
                refunded: tally(0, "0"),
                refunds_failed: tally(0, "0"),
                refunds_pending: tally(0, "0"),
                net: d("30.00"),
            },
            CurrencySummary {
                currency: "HKD".into(),
                paid: tally(12, "1234.50"),
                not_paid: tally(3, "45.00"),
                pending: tally(4, "12.00"),
                refunded: tally(1, "20.00"),
                refunds_failed: tally(1, "5.00"),
                refunds_pending: tally(0, "0"),
                net: d("1214.50"),
            },
        ],
        paid_by_method: vec![
            method("CNY", "qr", Some("wechat"), 2, "30.00"),
            method("HKD", "card", None, 10, "1200.00"),
            method("HKD", "code", Some("alipay_hk"), 2, "34.50"),
        ],
        refunded_by_method: vec![method("HKD", "card", None, 1, "20.00")],
        sales_by_status: vec![],
        refunds_by_state: vec![],
        open_items: (0..open_items).map(item).collect(),
        open_items_more: 5,
        late_changes: vec![LateChange {
            entity: "sale".into(),
            id: "OLD-1".into(),
            created_ms: D1 - 1000,
            changed_ms: D1 + 10,
            currency: "HKD".into(),
            amount: d("9.90"),
            status: "paid".into(),
            status_at_close: Some("unknown".into()),
        }],
        late_changes_more: 0,
        outbox: OutboxSummary {
            sales: 2,
            refunds: 1,
            unknown: 1,
            unsent: 2,
            totals: vec![CurrencyAmount { currency: "HKD".into(), amount: d("17.50") }],
            oldest_queued_ms: Some(D1 + 5),
        },
    }
}

#[test]
fn the_document_holds_header_totals_methods_and_lists_in_each_language() {
    let r = sample(3);
    let en = render_text(&report_document(&r, Locale::En, 480), 48);
    for want in [
        "SHIFT REPORT",
        "Closed shift #7",
        "till-3",
        "After close",
        "2026-12-07 08:00:00 +08:00",
        "2026-12-07 09:00:00 +08:00",
        "Mei",
        "12 × HKD 1234.50",
        "HKD 1214.50",
        "1 × HKD 20.00",
        "4 × HKD 12.00",
        "CNY 30.00",
        "WeChat Pay (QR code)",
        "AlipayHK (Wallet code)",
        "Card",
        "NEEDS ATTENTION OR NOT FINAL (8)",
        "S-0000",
        "(earlier shift)",
        "… and 5 more",
        "LATE CHANGES (1)",
        "UNKNOWN -> PAID",
        "HKD 17.50",
    ] {
        assert!(en.contains(want), "{want:?} missing from\n{en}");
    }
    let hans = render_text(&report_document(&r, Locale::ZhHans, 480), 32);
    for want in ["交班报表", "交班号 #7", "净额", "微信支付", "待处理 (8)", "另有 5 笔", "延迟变更"]
    {
        assert!(hans.contains(want), "{want:?} missing from\n{hans}");
    }
    let hant = render_text(&report_document(&r, Locale::ZhHant, 480), 32);
    for want in ["交班報表", "淨額", "支付寶香港", "銀行卡", "待發送", "另有 5 筆"]
    {
        assert!(hant.contains(want), "{want:?} missing from\n{hant}");
    }
}

#[test]
fn paper_lists_at_most_the_cap_and_counts_the_rest() {
    let r = sample(PAPER_LIST_CAP + 7);
    let text = render_text(&report_document(&r, Locale::En, 0), 48);
    let listed = text.lines().filter(|l| l.starts_with("Sale S-")).count();
    assert_eq!(listed, PAPER_LIST_CAP);
    assert!(text.contains(&format!("… and {} more", 7 + 5)), "{text}");
    assert!(text.contains(&format!("NOT FINAL ({})", PAPER_LIST_CAP + 7 + 5)), "{text}");
}

#[test]
fn a_report_from_the_store_prints_its_totals() {
    let (_dir, st) = store();
    let s1 = sale("A", D1, "10.00", "HKD", SaleStatus::Paid);
    let s2 = sale("B", D1 + 1, "2.50", "HKD", SaleStatus::Unknown);
    let f = refund("F1", &s1, D1 + 2, "4.00", RefundState::Succeeded);
    put(&st, &[s1, s2], &[f]);
    let r = run(&st, None, None, D1 + 10);
    let text = render_text(&report_document(&r, Locale::En, 0), 48);
    for want in ["Not closed", "the beginning", "1 × HKD 10.00", "HKD 6.00", "Sale B"] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    let empty = run(&st, Some(D1 + 100), Some(D1 + 200), D1 + 300);
    let text = render_text(&report_document(&empty, Locale::En, 0), 48);
    assert!(text.contains("No sales or refunds"), "{text}");
}

#[test]
fn escpos_round_trips_through_the_decoder_on_both_papers() {
    for (paper, columns) in [(Paper::Mm58, 32), (Paper::Mm80, 48)] {
        for locale in Locale::ALL {
            let doc = report_document(&sample(3), locale, 480);
            let o = EscPosOptions { paper, ..EscPosOptions::default() };
            let decoded = decode(&render_escpos(&doc, &o), Charset::Gb18030).unwrap();
            assert_eq!(decoded.commands.first(), Some(&Command::Init));
            assert_eq!(decoded.commands.last(), Some(&Command::Cut));
            assert!(decoded.qr_codes.is_empty());
            for line in &decoded.lines {
                let room = if line.large { columns / 2 } else { columns };
                assert!(display_width(&line.text) <= room, "{paper:?}: {:?} too wide", line.text);
            }
            let text: Vec<&str> = decoded.lines.iter().map(|l| l.text.as_str()).collect();
            let net = ReportLabel::Net.text(locale);
            assert!(
                decoded
                    .lines
                    .iter()
                    .any(|l| l.bold && l.text.starts_with(net) && l.text.ends_with("HKD 1214.50")),
                "{text:?}"
            );
            assert!(decoded.lines[0].large && decoded.lines[0].align == 1, "{text:?}");
        }
    }
    // A register name cannot inject printer commands.
    let mut r = sample(1);
    r.register = "evil\x1b@\x1dV\x41\x00".into();
    let doc = report_document(&r, Locale::En, 0);
    let decoded = decode(&render_escpos(&doc, &EscPosOptions::default()), Charset::Big5).unwrap();
    assert_eq!(decoded.commands.iter().filter(|c| **c == Command::Init).count(), 1);
    assert_eq!(decoded.commands.iter().filter(|c| **c == Command::Cut).count(), 1);
}

#[test]
fn the_png_decodes_with_ink_in_each_language() {
    for locale in Locale::ALL {
        let doc = report_document(&sample(3), locale, 480);
        let (bytes, w, h) = render_png(&doc, &PngOptions::default()).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (w, h));
        assert!(h > 800, "{h}");
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let data = &buf[..frame.buffer_size()];
        let black: u32 = data.iter().map(|b| b.count_zeros()).sum();
        let total = data.len() as u32 * 8;
        assert!(black > total / 100 && black < total / 2, "{locale:?}: {black} of {total}");
        if let Ok(dir) = std::env::var("RECEIPT_PNG_DIR") {
            std::fs::write(format!("{dir}/report-{}.png", locale.tag()), &bytes).unwrap();
        }
    }
}
