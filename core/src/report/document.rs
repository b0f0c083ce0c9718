//! The shift report as a printable [`Document`] (ESC/POS, PNG, or text at a paper's width),
//! localised like the receipt.

use super::labels::ReportLabel as R;
use super::model::{MethodTotal, ShiftReport, Tally};
use crate::document::{Document, Style};
use crate::order::Millis;
use crate::receipt::{local_time, Label, Locale};

/// At most this many open items (and late changes) go on paper: a roll is not a database.
/// The rest are counted ("… and N more"); the text, JSON and CSV exports list them.
pub const PAPER_LIST_CAP: usize = 20;

/// "12 × HKD 1234.50"; a line with none is "0" (a zero total has no decimals to show).
fn tally(l: Locale, t: &Tally, currency: &str) -> String {
    if t.count == 0 {
        return "0".into();
    }
    format!("{} {currency} {}", R::Count.with(l, t.count), t.total)
}

fn method(l: Locale, m: &MethodTotal) -> String {
    use crate::order::SaleKind;
    let kind = crate::store::parse_kind(&m.method);
    let wallet = m.wallet.as_deref().map(crate::store::parse_wallet).transpose();
    match (kind, wallet) {
        (Ok(kind), Ok(wallet)) => {
            let label = crate::receipt::method_label(kind, wallet).text(l);
            match (kind, wallet) {
                (SaleKind::CustomerCode, Some(_)) => {
                    format!("{label} ({})", Label::WalletCode.text(l))
                }
                (SaleKind::MerchantQr, Some(_)) => {
                    format!("{label} ({})", Label::MerchantQr.text(l))
                }
                _ => label.to_string(),
            }
        }
        // A method or wallet this build does not know: its stored name, as it is.
        _ => format!("{} {}", m.method, m.wallet.as_deref().unwrap_or("")).trim().to_string(),
    }
}

/// A stored sale status or refund state in words; an unlisted one as stored.
fn status(l: Locale, s: &str) -> String {
    let label = match s {
        "paid" => Some(Label::Paid.text(l)),
        "queued" => Some(Label::Queued.text(l)),
        "processing" => Some(Label::Processing.text(l)),
        "cancelling" => Some(Label::Cancelling.text(l)),
        "expired" => Some(Label::Expired.text(l)),
        "succeeded" => Some(Label::RefundDone.text(l)),
        "failed" => Some(Label::RefundFailed.text(l)),
        "unknown" => Some(R::Unknown.text(l)),
        "declined" => Some(R::Declined.text(l)),
        "cancelled" => Some(R::Cancelled.text(l)),
        _ => None,
    };
    label.map_or_else(|| s.to_string(), str::to_string)
}

fn entity(l: Locale, e: &str) -> &'static str {
    if e == "refund" {
        R::Refund.text(l)
    } else {
        R::Sale.text(l)
    }
}

/// The report laid out for paper or an image, in `locale`, times at `utc_offset_minutes` east
/// of UTC.
pub fn report_document(r: &ShiftReport, locale: Locale, utc_offset_minutes: i32) -> Document {
    let l = locale;
    let t = |label: R| label.text(l);
    // Offsets are validated to ±18 h where they come in; an absurd one shows UTC.
    let offset = i16::try_from(utc_offset_minutes).unwrap_or(0);
    let at = |ms| local_time(ms, offset);
    let mut d = Document::new();
    d.text(t(R::Title), Style::HEADLINE);
    match &r.closed {
        Some(c) => d.text(&format!("{} #{}", t(R::ShiftNo), c.seq), Style::TITLE),
        None => d.text(t(R::NotClosed), Style::TITLE),
    };
    d.rule();
    d.pair(t(R::Register), &r.register);
    match (r.range.since_last_close, r.range.after_close) {
        (true, None) => d.pair(t(R::From), t(R::TheBeginning)),
        (true, Some(seq)) => {
            d.pair(t(R::AfterClose), &format!("#{seq}"));
            d.pair(t(R::From), &at(r.range.since_ms))
        }
        (false, _) => d.pair(t(R::From), &at(r.range.since_ms)),
    };
    d.pair(t(R::To), &at(r.range.until_ms));
    match &r.closed {
        Some(c) => {
            d.pair(t(R::ClosedAt), &at(c.closed_ms));
            if let Some(op) = &c.operator {
                d.pair(t(R::Operator), op);
            }
        }
        None => {
            d.pair(t(R::Generated), &at(r.generated_ms));
        }
    }
    d.rule();
    if r.currencies.is_empty() {
        d.text(t(R::NoRecords), Style::CENTER);
    }
    for c in &r.currencies {
        let cur = c.currency.as_str();
        d.text(cur, Style::TITLE);
        d.pair(t(R::PaidSales), &tally(l, &c.paid, cur));
        d.pair(t(R::Refunded), &tally(l, &c.refunded, cur));
        d.bold_pair(t(R::Net), &format!("{cur} {}", c.net));
        d.pair(t(R::NotPaid), &tally(l, &c.not_paid, cur));
        d.pair(t(R::SalesNotFinal), &tally(l, &c.pending, cur));
        d.pair(t(R::RefundsNotMade), &tally(l, &c.refunds_failed, cur));
        d.pair(t(R::RefundsNotFinal), &tally(l, &c.refunds_pending, cur));
        d.rule();
    }
    for (title, rows) in
        [(R::PaidByMethod, &r.paid_by_method), (R::RefundedByMethod, &r.refunded_by_method)]
    {
        if rows.is_empty() {
            continue;
        }
        d.text(t(title), Style { bold: true, ..Style::PLAIN });
        for m in rows {
            let value = format!("{} {} {}", R::Count.with(l, m.count), m.currency, m.total);
            d.pair(&method(l, m), &value);
        }
        d.rule();
    }
    open_items(&mut d, r, l, &at);
    late_changes(&mut d, r, l, &at);
    let q = &r.outbox;
    d.text(t(R::Outbox), Style { bold: true, ..Style::PLAIN });
    d.pair(t(R::Sales), &q.sales.to_string());
    d.pair(t(R::Refunds), &q.refunds.to_string());
    d.pair(t(R::UnknownOutcome), &q.unknown.to_string());
    d.pair(t(R::NeverSent), &q.unsent.to_string());
    for a in &q.totals {
        d.pair("", &format!("{} {}", a.currency, a.amount));
    }
    if let Some(oldest) = q.oldest_queued_ms {
        d.pair(t(R::Oldest), &at(oldest));
    }
    d.feed(1);
    d
}

fn open_items(d: &mut Document, r: &ShiftReport, l: Locale, at: &dyn Fn(Millis) -> String) {
    if r.open_items.is_empty() {
        return;
    }
    let total = r.open_items.len() as u64 + r.open_items_more;
    d.text(&format!("{} ({total})", R::OpenItems.text(l)), Style { bold: true, ..Style::PLAIN });
    for i in r.open_items.iter().take(PAPER_LIST_CAP) {
        d.text(&format!("{} {}", entity(l, &i.entity), i.id), Style::PLAIN);
        d.pair(&at(i.created_ms), &format!("{} {}", i.currency, i.amount));
        let mut why = status(l, &i.status);
        if i.attention_reason.is_some() {
            why = format!("{why}, {}", R::NeedsAttention.text(l));
        }
        if !i.in_range {
            why = format!("{why} ({})", R::EarlierShift.text(l));
        }
        d.pair("", &why);
    }
    let more = total.saturating_sub(r.open_items.len().min(PAPER_LIST_CAP) as u64);
    if more > 0 {
        d.text(&R::AndMore.with(l, more), Style::PLAIN);
    }
    d.rule();
}

fn late_changes(d: &mut Document, r: &ShiftReport, l: Locale, at: &dyn Fn(Millis) -> String) {
    if r.late_changes.is_empty() {
        return;
    }
    let total = r.late_changes.len() as u64 + r.late_changes_more;
    d.text(&format!("{} ({total})", R::LateChanges.text(l)), Style { bold: true, ..Style::PLAIN });
    d.text(R::NotInTotals.text(l), Style::PLAIN);
    for c in r.late_changes.iter().take(PAPER_LIST_CAP) {
        d.text(&format!("{} {}", entity(l, &c.entity), c.id), Style::PLAIN);
        d.pair(R::Taken.text(l), &at(c.created_ms));
        d.pair(R::Changed.text(l), &at(c.changed_ms));
        let now = status(l, &c.status);
        let change = match &c.status_at_close {
            Some(was) => format!("{} -> {now}", status(l, was)),
            None => now,
        };
        d.pair(&format!("{} {}", c.currency, c.amount), &change);
    }
    let more = total.saturating_sub(r.late_changes.len().min(PAPER_LIST_CAP) as u64);
    if more > 0 {
        d.text(&R::AndMore.with(l, more), Style::PLAIN);
    }
    d.rule();
}
