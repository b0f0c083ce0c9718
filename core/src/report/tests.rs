//! Report tests on real SQLite files: ranges and their boundaries, currencies, refunds across
//! days, open items, the outbox and the CSV export.
#![allow(clippy::unwrap_used)]

use rust_decimal::Decimal;

use super::*;
use crate::acquirer::WalletMethod;
use crate::money::Amount;
use crate::order::{AttemptStatus, AttentionReason, FailReason, RefundState, SaleKind, SaleStatus};
use crate::store::{
    insert_attempt, insert_refund, insert_sale, new_key, put_outbox, AttemptRow, Entity, OutboxRow,
    RefundRow, SaleRow, Store,
};

pub(super) const DAY: u64 = 86_400_000;
/// 2026-12-07T00:00:00Z.
pub(super) const D1: u64 = 1_796_601_600_000;

pub(super) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), &new_key().unwrap()).unwrap();
    (dir, store)
}

pub(super) fn sale(id: &str, at: u64, amount: &str, currency: &str, status: SaleStatus) -> SaleRow {
    SaleRow {
        id: id.into(),
        kind: SaleKind::MerchantQr,
        wallet: Some(WalletMethod::WechatPay),
        terminal: None,
        amount: Amount::parse(amount, currency).unwrap(),
        status,
        attention: false,
        attention_reason: None,
        cancel_requested: false,
        remark: None,
        qr: None,
        payment_redirect_url: None,
        acquirer_transaction_id: None,
        result_code: None,
        result_description: None,
        card: None,
        card_details: None,
        code_masked: None,
        created_at: at,
        updated_at: at,
        abandoned_at: None,
    }
}

pub(super) fn refund(
    id: &str,
    of: &SaleRow,
    at: u64,
    amount: &str,
    state: RefundState,
) -> RefundRow {
    RefundRow {
        id: id.into(),
        sale_id: of.id.clone(),
        amount: Amount::parse(amount, of.amount.currency().code()).unwrap(),
        state,
        full: false,
        reason: None,
        acquirer_refund_id: None,
        result_code: None,
        result_description: None,
        attention: false,
        attention_reason: None,
        created_at: at,
        updated_at: at,
    }
}

pub(super) fn put(store: &Store, sales: &[SaleRow], refunds: &[RefundRow]) {
    store
        .write(|tx, _| {
            for s in sales {
                insert_sale(tx, s)?;
            }
            for r in refunds {
                insert_refund(tx, r)?;
            }
            Ok(())
        })
        .unwrap();
}

pub(super) fn run(store: &Store, since: Option<u64>, until: Option<u64>, now: u64) -> ShiftReport {
    report(store, &ReportRequest { since, until }, now, "R1").unwrap()
}

fn cur<'a>(r: &'a ShiftReport, code: &str) -> &'a CurrencySummary {
    r.currencies.iter().find(|c| c.currency == code).unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn a_range_is_half_open_on_the_time_a_sale_was_taken() {
    let (_dir, st) = store();
    put(
        &st,
        &[
            sale("A", D1 - 1, "1.00", "CNY", SaleStatus::Paid),
            sale("B", D1, "2.00", "CNY", SaleStatus::Paid),
            sale("C", D1 + DAY - 1, "4.00", "CNY", SaleStatus::Paid),
            sale("D", D1 + DAY, "8.00", "CNY", SaleStatus::Paid),
        ],
        &[],
    );
    let r = run(&st, Some(D1), Some(D1 + DAY), D1 + 2 * DAY);
    assert_eq!((cur(&r, "CNY").paid.count, cur(&r, "CNY").paid.total), (2, d("6.00")));
    assert_eq!(
        (r.range.since_ms, r.range.until_ms, r.range.since_last_close),
        (D1, D1 + DAY, false)
    );
    // No until: up to the report's time, whatever is stored.
    assert_eq!(cur(&run(&st, Some(D1), None, D1), "CNY").paid.total, d("14.00"));
    // No since and no close: since the beginning.
    let all = run(&st, None, None, D1 + 2 * DAY);
    assert_eq!((all.range.since_ms, all.range.since_last_close), (0, true));
    assert_eq!(cur(&all, "CNY").paid.total, d("15.00"));
    let e = report(&st, &ReportRequest { since: Some(D1), until: Some(D1) }, D1, "R1");
    assert!(matches!(e, Err(ReportError::InvalidRange { field: "until", .. })), "{e:?}");
}

#[test]
fn totals_by_method_wallet_currency_and_status() {
    let (_dir, st) = store();
    let mut code = sale("C1", D1 + 1, "7.50", "CNY", SaleStatus::Paid);
    (code.kind, code.wallet) = (SaleKind::CustomerCode, Some(WalletMethod::AlipayCn));
    let mut card = sale("K1", D1 + 2, "1000", "JPY", SaleStatus::Paid);
    (card.kind, card.wallet) = (SaleKind::Card, None);
    put(
        &st,
        &[
            sale("Q1", D1, "12.50", "CNY", SaleStatus::Paid),
            sale("Q2", D1 + 3, "0.05", "CNY", SaleStatus::Paid),
            code,
            card,
            sale("W1", D1 + 4, "1.250", "KWD", SaleStatus::Paid),
            sale("X1", D1 + 5, "5", "HKD", SaleStatus::Failed(FailReason::Declined)),
            sale("X2", D1 + 6, "3", "CNY", SaleStatus::Failed(FailReason::Cancelled)),
            sale("X3", D1 + 7, "9.99", "CNY", SaleStatus::Unknown),
        ],
        &[],
    );
    let r = run(&st, None, None, D1 + DAY);
    let cny = cur(&r, "CNY");
    assert_eq!((cny.paid.count, cny.paid.total.to_string()), (3, "20.05".to_string()));
    assert_eq!((cny.not_paid.count, cny.not_paid.total.to_string()), (1, "3.00".into()));
    assert_eq!((cny.pending.count, cny.pending.total.to_string()), (1, "9.99".into()));
    assert_eq!(cny.net.to_string(), "20.05");
    assert_eq!(cur(&r, "JPY").paid.total.to_string(), "1000");
    assert_eq!(cur(&r, "KWD").net.to_string(), "1.250");
    assert_eq!(cur(&r, "HKD").not_paid.total.to_string(), "5.00");
    let methods: Vec<_> = r
        .paid_by_method
        .iter()
        .map(|m| format!("{} {} {:?} {} {}", m.currency, m.method, m.wallet, m.count, m.total))
        .collect();
    assert_eq!(
        methods,
        [
            "CNY code Some(\"alipay_cn\") 1 7.50",
            "CNY qr Some(\"wechat\") 2 12.55",
            "JPY card None 1 1000",
            "KWD qr Some(\"wechat\") 1 1.250",
        ]
    );
    let statuses: Vec<_> = r
        .sales_by_status
        .iter()
        .map(|s| format!("{} {} {}", s.currency, s.status, s.count))
        .collect();
    assert!(statuses.contains(&"CNY cancelled 1".to_string()), "{statuses:?}");
    assert!(statuses.contains(&"HKD declined 1".to_string()), "{statuses:?}");
    // The JSON export carries amounts as exact strings.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["currencies"][0]["paid"]["total"], "20.05");
}

#[test]
fn a_refund_counts_on_the_day_it_is_made() {
    let (_dir, st) = store();
    let s = sale("S1", D1 + 10, "100.00", "CNY", SaleStatus::Paid);
    let refunds = [
        refund("F1", &s, D1 + DAY + 5, "30.00", RefundState::Succeeded),
        refund("F2", &s, D1 + DAY + 6, "5.00", RefundState::Failed),
        refund("F3", &s, D1 + DAY + 7, "1.00", RefundState::Unknown),
    ];
    put(&st, &[s], &refunds);
    let day1 = run(&st, Some(D1), Some(D1 + DAY), D1 + 3 * DAY);
    assert_eq!(cur(&day1, "CNY").paid.total, d("100.00"));
    assert!(day1.refunds_by_state.is_empty());
    let day2 = run(&st, Some(D1 + DAY), Some(D1 + 2 * DAY), D1 + 3 * DAY);
    let cny = cur(&day2, "CNY");
    assert_eq!((cny.paid.count, cny.refunded.count, cny.refunded.total), (0, 1, d("30.00")));
    assert_eq!((cny.refunds_failed.total, cny.refunds_pending.total), (d("5.00"), d("1.00")));
    assert_eq!(cny.net.to_string(), "-30.00");
    assert_eq!(day2.refunded_by_method[0].wallet.as_deref(), Some("wechat"));
    let open: Vec<_> = day2.open_items.iter().map(|i| (i.entity.as_str(), i.id.as_str())).collect();
    assert_eq!(open, [("refund", "F3")]);
}

#[test]
fn open_and_flagged_sales_are_listed_with_why() {
    let (_dir, st) = store();
    let mut flagged = sale("P1", D1 + 3, "2.00", "CNY", SaleStatus::Paid);
    (flagged.attention, flagged.attention_reason) = (true, Some(AttentionReason::LateSuccess));
    put(
        &st,
        &[
            sale("OLD-UNKNOWN", D1 - DAY, "1.00", "CNY", SaleStatus::Unknown),
            sale("OLD-PAID", D1 - DAY, "1.00", "CNY", SaleStatus::Paid),
            sale("U1", D1 + 1, "3.00", "CNY", SaleStatus::Unknown),
            sale("PR1", D1 + 2, "4.00", "CNY", SaleStatus::Processing),
            flagged,
            sale("OK", D1 + 4, "5.00", "CNY", SaleStatus::Paid),
            sale("LATER", D1 + DAY, "6.00", "CNY", SaleStatus::Unknown),
        ],
        &[],
    );
    let r = run(&st, Some(D1), Some(D1 + DAY), D1 + DAY);
    let listed: Vec<_> = r
        .open_items
        .iter()
        .map(|i| (i.id.as_str(), i.status.as_str(), i.in_range, i.amount.to_string()))
        .collect();
    assert_eq!(
        listed,
        [
            ("OLD-UNKNOWN", "unknown", false, "1.00".to_string()),
            ("U1", "unknown", true, "3.00".into()),
            ("PR1", "processing", true, "4.00".into()),
            ("P1", "paid", true, "2.00".into()),
        ]
    );
    assert!(r.open_items[1].why.contains("do not charge again"), "{}", r.open_items[1].why);
    assert_eq!(r.open_items[3].attention_reason.as_deref(), Some("late_success"));
    assert!(r.open_items[3].why.contains("charged after"), "{}", r.open_items[3].why);
    assert_eq!(r.open_items_more, 0);
    let text = render_text(&r, 0);
    assert!(text.contains("sale U1  3.00 CNY  unknown: outcome unknown"), "{text}");
    assert!(text.contains("OLD-UNKNOWN  1.00 CNY  unknown (earlier shift)"), "{text}");
}

#[test]
fn what_waits_in_the_outbox_is_reported() {
    let (_dir, st) = store();
    let s = sale("Q1", D1, "12.50", "HKD", SaleStatus::Queued);
    put(&st, &[s], &[]);
    st.write(|tx, _| {
        insert_attempt(
            tx,
            &AttemptRow {
                request_id: "R1".into(),
                sale_id: "Q1".into(),
                seq: 1,
                status: AttemptStatus::Prepared,
                sealed_code: None,
                terminal: None,
                created_at: D1,
                updated_at: D1,
            },
        )?;
        put_outbox(tx, &OutboxRow::first_send(Entity::Sale, "Q1", D1 + 7))
    })
    .unwrap();
    let r = run(&st, None, None, D1 + DAY);
    assert_eq!((r.outbox.sales, r.outbox.refunds, r.outbox.unsent), (1, 0, 1));
    assert_eq!(r.outbox.oldest_queued_ms, Some(D1 + 7));
    assert_eq!(r.outbox.totals[0].amount.to_string(), "12.50");
    assert!(
        render_text(&r, 0).contains("Outbox now: 1 sales, 0 refunds waiting (0 unknown, 1 unsent)")
    );
}

#[test]
fn csv_cells_follow_rfc_4180_and_cannot_run_formulas() {
    assert_eq!(csv_cell("plain", true), "plain");
    assert_eq!(csv_cell("a,b", false), "\"a,b\"");
    assert_eq!(csv_cell("say \"hi\"", false), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_cell("two\r\nlines", false), "\"two\r\nlines\"");
    for (input, want) in [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "\"'\rx\""),
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
    ] {
        assert_eq!(csv_cell(input, true), want, "{input:?}");
    }
    assert_eq!(csv_cell("-1.00", false), "-1.00");
    assert_eq!(csv_cell("a\u{1b}[2Jb\0", true), "a [2Jb ");
}

#[test]
fn the_csv_export_has_one_row_per_sale_and_refund() {
    let (_dir, st) = store();
    let mut s = sale("-1+1", D1 + 1500, "100.00", "CNY", SaleStatus::Paid);
    s.remark = Some("=cmd|' /C calc'!A0, \"big\" order".into());
    s.acquirer_transaction_id = Some("T-9".into());
    let mut f = refund("F1", &s, D1 + DAY, "30.00", RefundState::Succeeded);
    f.reason = Some("@broken\nitem".into());
    let f2 = refund("F2", &s, D1 + DAY, "5.00", RefundState::Failed);
    put(&st, &[s, sale("S2", D1 + 2000, "1000", "JPY", SaleStatus::Unknown)], &[f, f2]);
    let mut out = Vec::new();
    let req = ReportRequest { since: Some(D1), until: None };
    let n = export_csv(&st, &req, D1 + 2 * DAY, 480, &mut out).unwrap();
    assert_eq!(n, 4);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], CSV_HEADER.join(","));
    assert_eq!(
        lines[1],
        "'-1+1,sale,2026-12-07T08:00:01.500+08:00,qr,wechat,CNY,100.00,paid,30.00,T-9,,\
         \"'=cmd|' /C calc'!A0, \"\"big\"\" order\""
    );
    assert_eq!(lines[2], "S2,sale,2026-12-07T08:00:02.000+08:00,qr,wechat,JPY,1000,unknown,0,,,");
    assert_eq!(
        lines[3],
        "F1,refund,2026-12-08T08:00:00.000+08:00,qr,wechat,CNY,30.00,succeeded,,,'-1+1,\"'@broken\nitem\""
    );
    assert!(lines[4].starts_with("F2,refund,") && lines[4].ends_with(",failed,,,'-1+1,"));
    assert_eq!((lines.len(), lines[5]), (6, ""));
}
