//! The shift report over a large store: inserts N sales (default 100,000) and a refund for one
//! in twenty into a real SQLite store in one transaction, then, in a fresh process (so that the
//! peak resident size is the report's, not the insert's), times the report, its renderings
//! (text, ESC/POS, PNG) and the CSV export and reads the peak resident size (`VmHWM`).
//!
//! `cargo run --release -p tillkit-core --example report_bench [N]`

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use tillkit_core::acquirer::WalletMethod;
use tillkit_core::document::escpos::{render_escpos, EscPosOptions};
use tillkit_core::document::png::{render_png, PngOptions};
use tillkit_core::document::{self};
use tillkit_core::money::Amount;
use tillkit_core::order::{FailReason, RefundState, SaleKind, SaleStatus};
use tillkit_core::receipt::Locale;
use tillkit_core::report::{
    export_csv, render_text, report, report_document, ReportRequest, ShiftReport,
};
use tillkit_core::store::{insert_refund, insert_sale, new_key, RefundRow, SaleRow, Store};

const KEY: [u8; 32] = [9; 32];
const LIMIT_KB: u64 = 50 * 1024;

fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn sale(i: u64, at: u64) -> Result<SaleRow, Box<dyn std::error::Error>> {
    let (currency, value) = match i % 4 {
        0 => ("CNY", format!("{}.{:02}", 1 + i % 500, i % 100)),
        1 => ("HKD", format!("{}.50", 1 + i % 300)),
        2 => ("JPY", format!("{}", 100 + i % 9000)),
        _ => ("USD", format!("{}.{:02}", i % 200 + 1, i % 97)),
    };
    let (kind, wallet) = match i % 5 {
        0 => (SaleKind::Card, None),
        1 => (SaleKind::CustomerCode, Some(WalletMethod::AlipayCn)),
        2 => (SaleKind::CustomerCode, Some(WalletMethod::WechatPay)),
        3 => (SaleKind::MerchantQr, Some(WalletMethod::AlipayHk)),
        _ => (SaleKind::MerchantQr, Some(WalletMethod::WechatPay)),
    };
    let status = match i % 50 {
        0 => SaleStatus::Failed(FailReason::Declined),
        1 => SaleStatus::Failed(FailReason::Cancelled),
        2 if i % 1000 == 2 => SaleStatus::Unknown,
        _ => SaleStatus::Paid,
    };
    Ok(SaleRow {
        id: format!("S{i:08}"),
        kind,
        wallet,
        terminal: None,
        amount: Amount::parse(&value, currency)?,
        status,
        attention: false,
        attention_reason: None,
        cancel_requested: false,
        remark: Some(format!("order {i}, table {}", i % 40)),
        qr: None,
        payment_redirect_url: None,
        acquirer_transaction_id: Some(format!("T{i:010}")),
        result_code: None,
        result_description: None,
        card: None,
        card_details: None,
        code_masked: None,
        created_at: at,
        updated_at: at,
        abandoned_at: None,
    })
}

fn populate(path: &Path, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(path, &KEY)?;
    let start = Instant::now();
    let base = 1_796_601_600_000u64;
    let rows: Result<Vec<_>, _> = (0..n).map(|i| sale(i, base + i * 500)).collect();
    let rows = rows?;
    store.write(|tx, _| {
        for s in &rows {
            insert_sale(tx, s)?;
            if s.status == SaleStatus::Paid && s.id.ends_with('5') && s.id.as_bytes()[7] % 2 == 0 {
                let refund = RefundRow {
                    id: format!("F{}", &s.id[1..]),
                    sale_id: s.id.clone(),
                    amount: s.amount,
                    state: RefundState::Succeeded,
                    full: true,
                    reason: Some("returned".into()),
                    acquirer_refund_id: None,
                    result_code: None,
                    result_description: None,
                    attention: false,
                    attention_reason: None,
                    created_at: s.created_at + 1000,
                    updated_at: s.created_at + 1000,
                };
                insert_refund(tx, &refund)?;
            }
        }
        Ok(())
    })?;
    println!("inserted {n} sales in one transaction: {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}

fn measure(path: &Path) -> Result<bool, Box<dyn std::error::Error>> {
    let store = Store::open(path, &KEY)?;
    let opened = peak_kb();
    let now = 1_900_000_000_000;
    let start = Instant::now();
    let r = report(&store, &ReportRequest::default(), now, "bench")?;
    let report_s = start.elapsed().as_secs_f64();
    let after_report = peak_kb();
    let paid: u64 = r.currencies.iter().map(|c| c.paid.count).sum();
    let refunded: u64 = r.currencies.iter().map(|c| c.refunded.count).sum();
    println!(
        "report: {report_s:.3} s; {paid} paid, {refunded} refunds, {} open items listed; \
         peak RSS {opened} kB at open, {after_report} kB after the report",
        r.open_items.len()
    );
    render(&r)?;
    let csv_path = path.with_extension("csv");
    let start = Instant::now();
    let mut file = BufWriter::new(std::fs::File::create(&csv_path)?);
    let rows = export_csv(&store, &ReportRequest::default(), now, 0, &mut file)?;
    file.flush()?;
    let csv_s = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(&csv_path)?.len();
    let after_csv = peak_kb();
    println!(
        "CSV export: {rows} rows, {:.1} MB in {csv_s:.3} s; peak RSS {after_csv} kB",
        size as f64 / 1e6
    );
    Ok(after_csv <= LIMIT_KB)
}

/// Times the renderings of the report: the plain text, and the printed layout (zh-Hans, 80 mm)
/// as text, ESC/POS and PNG, each including building the document.
fn render(r: &ShiftReport) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let plain = render_text(r, 480);
    let plain_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    let laid = document::render_text(&report_document(r, Locale::ZhHans, 480), 48);
    let laid_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    let escpos = render_escpos(&report_document(r, Locale::ZhHans, 480), &EscPosOptions::default());
    let escpos_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    let (png, w, h) = render_png(&report_document(r, Locale::ZhHans, 480), &PngOptions::default())?;
    let png_ms = start.elapsed().as_secs_f64() * 1e3;
    println!(
        "render: plain text {plain_ms:.2} ms ({} B); printed layout as text {laid_ms:.2} ms \
         ({} B), ESC/POS {escpos_ms:.2} ms ({} B), PNG {png_ms:.2} ms ({} B, {w}x{h} px)",
        plain.len(),
        laid.len(),
        escpos.len(),
        png.len()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("measure") {
        let path = args.get(2).ok_or("measure needs a path")?;
        let within = measure(Path::new(path))?;
        std::process::exit(if within { 0 } else { 3 });
    }
    let n: u64 = args.get(1).map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("tillkit-report-bench-{}", hex(&new_key()?[..6])));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench.db");
    populate(&path, n)?;
    let status =
        std::process::Command::new(std::env::current_exe()?).arg("measure").arg(&path).status()?;
    let _ = std::fs::remove_dir_all(&dir);
    match status.code() {
        Some(0) => println!("within {} MB", LIMIT_KB / 1024),
        Some(3) => return Err(format!("peak RSS above {} MB", LIMIT_KB / 1024).into()),
        other => return Err(format!("the measuring process failed: {other:?}").into()),
    }
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
