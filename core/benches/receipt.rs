//! Rendering a receipt: text, ESC/POS (80 mm) and PNG (80 mm, scale 2), and the PNG's size.
//! `cargo bench -p tillkit-core --bench receipt`.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use tillkit_core::acquirer::{CardDetails, CardSummary, TerminalId};
use tillkit_core::document::escpos::{render_escpos, EscPosOptions};
use tillkit_core::document::png::{render_png, PngOptions};
use tillkit_core::document::render_text;
use tillkit_core::money::Amount;
use tillkit_core::order::{SaleKind, SaleStatus};
use tillkit_core::reader::EntryMode;
use tillkit_core::receipt::{
    sale_receipt, Locale, MerchantInfo, Receipt, ReceiptCopy, ReceiptSettings,
};
use tillkit_core::store::SaleRow;

fn receipt(locale: Locale) -> Receipt {
    let sale = SaleRow {
        id: "S-20261207-0001".into(),
        kind: SaleKind::Card,
        wallet: None,
        terminal: Some(TerminalId { serial: "PAX-1".into(), model: "A920".into() }),
        amount: Amount::parse("128.50", "HKD").unwrap(),
        status: SaleStatus::Paid,
        attention: false,
        attention_reason: None,
        cancel_requested: false,
        remark: None,
        qr: None,
        payment_redirect_url: None,
        acquirer_transaction_id: Some("PP-9876543210".into()),
        result_code: None,
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
    };
    let settings = ReceiptSettings {
        merchant: MerchantInfo {
            name: "美心茶餐廳 Maxim's Café".into(),
            address: Some("G/F, 600 Nathan Road, Mong Kok, Kowloon, Hong Kong".into()),
            tax_id: Some("12345678-000".into()),
        },
        utc_offset_minutes: 480,
        locale,
    };
    sale_receipt(&sale, &[], &settings, "till-3", ReceiptCopy::Merchant, locale).unwrap()
}

fn bench_receipt(c: &mut Criterion) {
    for locale in [Locale::En, Locale::ZhHant] {
        let r = receipt(locale);
        let tag = locale.tag();
        c.bench_function(&format!("receipt {tag} document"), |b| b.iter(|| r.document()));
        let doc = r.document();
        c.bench_function(&format!("receipt {tag} text"), |b| b.iter(|| render_text(&doc, 48)));
        let o = EscPosOptions::default();
        c.bench_function(&format!("receipt {tag} escpos"), |b| b.iter(|| render_escpos(&doc, &o)));
        let p = PngOptions::default();
        c.bench_function(&format!("receipt {tag} png"), |b| b.iter(|| render_png(&doc, &p)));
        let (png, w, h) = render_png(&doc, &p).unwrap();
        println!(
            "receipt {tag}: PNG {w}x{h}, {} bytes; ESC/POS {} bytes; text {} bytes",
            png.len(),
            render_escpos(&doc, &o).len(),
            render_text(&doc, 48).len()
        );
    }
}

criterion_group!(benches, bench_receipt);
criterion_main!(benches);
