//! The report as plain text (English), for the command line, logs and e-mail. Printed receipts
//! and images take the same [`ShiftReport`] through their own renderers.

use std::fmt::Write;

use super::model::{MethodTotal, ShiftReport, StatusTotal, Tally};
use super::time::format_rfc3339;

/// Text a merchant, customer or acquirer controls, made safe for a terminal or a log: control
/// characters become spaces, and it is cut to `max` characters (with `…` when cut).
pub fn clean(text: &str, max: usize) -> String {
    let mut out: String =
        text.chars().take(max).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn tally(t: &Tally, currency: &str) -> String {
    format!("{:>4}  {:>14} {currency}", t.count, t.total.to_string())
}

fn methods(out: &mut String, title: &str, rows: &[MethodTotal]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    for m in rows {
        let label = match &m.wallet {
            Some(w) => format!("{} {w}", m.method),
            None => m.method.clone(),
        };
        let _ = writeln!(
            out,
            "  {label:<22}{:>4}  {:>14} {}",
            m.count,
            m.total.to_string(),
            m.currency
        );
    }
}

fn statuses(out: &mut String, title: &str, rows: &[StatusTotal]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}");
    for r in rows {
        let _ = writeln!(
            out,
            "  {:<22}{:>4}  {:>14} {}",
            r.status,
            r.count,
            r.total.to_string(),
            r.currency
        );
    }
}

/// The report as lines of text, times at `offset_minutes` east of UTC.
pub fn render_text(r: &ShiftReport, offset_minutes: i32) -> String {
    let at = |ms| format_rfc3339(ms, offset_minutes);
    let mut out = String::new();
    let title = match &r.closed {
        Some(c) => format!("SHIFT REPORT — closed shift {}", c.seq),
        None => "SHIFT REPORT — not closed".to_string(),
    };
    let _ = writeln!(out, "{title}");
    let _ = writeln!(out, "Register: {}", clean(&r.register, 64));
    let since = match (r.range.since_last_close, r.range.after_close) {
        (true, None) => "the beginning".to_string(),
        (true, Some(seq)) => {
            format!("{} (close {seq}; everything stored since)", at(r.range.since_ms))
        }
        (false, _) => at(r.range.since_ms),
    };
    let _ = writeln!(out, "From:     {since}");
    let _ = writeln!(out, "To:       {}", at(r.range.until_ms));
    if let Some(c) = &r.closed {
        let by = c.operator.as_deref().map(|o| format!(" by {}", clean(o, 64))).unwrap_or_default();
        let _ = writeln!(out, "Closed:   {}{by}", at(c.closed_ms));
    } else {
        let _ = writeln!(out, "Made:     {}", at(r.generated_ms));
    }
    if r.currencies.is_empty() {
        let _ = writeln!(out, "\nNo sales or refunds in this range.");
    }
    for c in &r.currencies {
        let cur = &c.currency;
        let _ = writeln!(out, "\n{cur}");
        let _ = writeln!(out, "  Paid sales           {}", tally(&c.paid, cur));
        let _ = writeln!(out, "  Refunded             {}", tally(&c.refunded, cur));
        let _ = writeln!(out, "  NET                        {:>14} {cur}", c.net.to_string());
        let _ = writeln!(out, "  Not paid (no charge) {}", tally(&c.not_paid, cur));
        let _ = writeln!(out, "  Sales not final      {}", tally(&c.pending, cur));
        let _ = writeln!(out, "  Refunds not made     {}", tally(&c.refunds_failed, cur));
        let _ = writeln!(out, "  Refunds not final    {}", tally(&c.refunds_pending, cur));
    }
    methods(&mut out, "Paid by method", &r.paid_by_method);
    methods(&mut out, "Refunded by method", &r.refunded_by_method);
    out.push('\n');
    statuses(&mut out, "Sales by status", &r.sales_by_status);
    statuses(&mut out, "Refunds by state", &r.refunds_by_state);
    if !r.open_items.is_empty() {
        let _ = writeln!(
            out,
            "\nNEEDS ATTENTION OR NOT FINAL ({})",
            r.open_items.len() as u64 + r.open_items_more
        );
        for i in &r.open_items {
            let earlier = if i.in_range { "" } else { " (earlier shift)" };
            let _ = writeln!(
                out,
                "  {} {}  {} {}  {}{earlier}: {}",
                i.entity,
                clean(&i.id, 48),
                i.amount,
                i.currency,
                i.status,
                i.why
            );
        }
        if r.open_items_more > 0 {
            let _ = writeln!(out, "  … and {} more", r.open_items_more);
        }
    }
    if !r.late_changes.is_empty() {
        let _ = writeln!(out, "\nLATE CHANGES (taken before this range; not in its totals)");
        for l in &r.late_changes {
            let was = l.status_at_close.as_deref().map(|s| format!("{s} -> ")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {}  {} {}  {was}{}  taken {}, changed {}",
                l.entity,
                clean(&l.id, 48),
                l.amount,
                l.currency,
                l.status,
                at(l.created_ms),
                at(l.changed_ms)
            );
        }
        if r.late_changes_more > 0 {
            let _ = writeln!(out, "  … and {} more", r.late_changes_more);
        }
    }
    let q = &r.outbox;
    let _ = writeln!(
        out,
        "\nOutbox now: {} sales, {} refunds waiting ({} unknown, {} unsent)",
        q.sales, q.refunds, q.unknown, q.unsent
    );
    for t in &q.totals {
        let _ = writeln!(out, "  {:>14} {}", t.amount.to_string(), t.currency);
    }
    out
}
