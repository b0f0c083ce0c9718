//! How the cashier commands show things: text or JSON, a QR in the terminal, a spinner.

use std::io::{IsTerminal, Write};

use serde_json::{json, Value};
use tillkit_core::acquirer::{PaymentStatus, RefundStatus, WalletMethod};
use tillkit_core::engine::{NextStep, QueueStatus, SaleHint};
use tillkit_core::order::{Millis, SaleKind, SaleStatus};
// Acquirer text made safe for a terminal (escape sequences a hostile answer could carry).
use tillkit_core::report::clean_text as printable;
use tillkit_core::store::{RefundRow, SaleRow};

/// A sale as JSON.
pub fn sale_json(s: &SaleRow, refunds: &[RefundRow]) -> Value {
    json!({
        "id": s.id,
        "kind": kind_name(s.kind),
        "wallet": s.wallet.map(wallet_name),
        "terminal": s.terminal.as_ref().map(|t| json!({"serial": t.serial, "model": t.model})),
        "amount": s.amount.to_major_string(),
        "currency": s.amount.currency().code(),
        "status": s.status.as_str(),
        "hint": SaleHint::of(s).text(),
        "next_step": NextStep::of(s.status).as_str(),
        "abandoned": s.abandoned_at.is_some(),
        "abandoned_at_ms": s.abandoned_at,
        "attention": s.attention,
        "attention_reason": s.attention_reason.as_ref().map(|r| r.as_db()),
        "qr": s.qr.as_ref().filter(|q| !q.content.is_empty()).map(|q| json!({"content": q.content, "image_url": q.image_url, "expires_at_ms": q.expires_at_unix_ms})),
        "payment_redirect_url": s.payment_redirect_url,
        "acquirer_transaction_id": s.acquirer_transaction_id,
        "result_code": s.result_code,
        "result_description": s.result_description,
        "card": s.card.as_ref().map(|c| json!({"brand": c.brand, "masked": c.masked_number})),
        "created_at_ms": s.created_at,
        "updated_at_ms": s.updated_at,
        "refunds": refunds.iter().map(refund_json).collect::<Vec<_>>(),
    })
}

/// A sale kind's name in the output: `customer_code`, `merchant_qr`, `card`.
pub fn kind_name(kind: SaleKind) -> &'static str {
    match kind {
        SaleKind::CustomerCode => "customer_code",
        SaleKind::MerchantQr => "merchant_qr",
        SaleKind::Card => "card",
    }
}

/// A wallet's name in the output, as `pay --qr` spells it.
pub fn wallet_name(wallet: WalletMethod) -> &'static str {
    match wallet {
        WalletMethod::WechatPay => "wechat",
        WalletMethod::AlipayCn => "alipay-cn",
        WalletMethod::AlipayHk => "alipay-hk",
    }
}

/// An acquirer payment status for the demo's lines.
pub fn payment_status_name(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Processing => "processing",
        PaymentStatus::Succeeded => "succeeded",
        PaymentStatus::Failed => "failed",
        PaymentStatus::Closed => "closed",
        PaymentStatus::Cancelled => "cancelled",
    }
}

/// An acquirer refund status for the demo's lines.
pub fn refund_status_name(status: RefundStatus) -> &'static str {
    match status {
        RefundStatus::Processing => "processing",
        RefundStatus::Succeeded => "succeeded",
        RefundStatus::Failed => "failed",
    }
}

/// Amounts per currency, `28.80 CNY, 5.00 HKD`, or `-` when there are none.
pub fn totals_text(totals: &[(String, String)]) -> String {
    if totals.is_empty() {
        return "-".into();
    }
    totals.iter().map(|(c, v)| format!("{v} {c}")).collect::<Vec<_>>().join(", ")
}

/// A refund as JSON.
pub fn refund_json(r: &RefundRow) -> Value {
    json!({
        "id": r.id,
        "sale_id": r.sale_id,
        "amount": r.amount.to_major_string(),
        "currency": r.amount.currency().code(),
        "state": r.state.as_str(),
        "acquirer_refund_id": r.acquirer_refund_id,
        "result_code": r.result_code,
        "created_at_ms": r.created_at,
    })
}

/// The queue as JSON.
pub fn queue_json(q: &QueueStatus) -> Value {
    json!({
        "sales": q.sales,
        "refunds": q.refunds,
        "unknown": q.unknown,
        "unsent": q.unsent,
        "totals": q.totals.iter().map(|(c, v)| json!({"currency": c, "amount": v})).collect::<Vec<_>>(),
        "oldest_age_ms": q.oldest_age_ms,
        "online": q.online,
    })
}

/// One line about a sale.
pub fn sale_line(s: &SaleRow) -> String {
    let mut line = format!(
        "{}  {:>12} {}  {:<11} {}",
        s.id,
        s.amount.to_major_string(),
        s.amount.currency(),
        s.status.as_str(),
        SaleHint::of(s).text()
    );
    match (&s.result_code, &s.result_description) {
        // Why it failed, in the acquirer's words ("no terminal T8/PAX-A920 is registered").
        (Some(code), Some(why)) if matches!(s.status, SaleStatus::Failed(_)) => {
            line.push_str(&format!("  [{}: {}]", printable(code, 16), printable(why, 120)));
        }
        (Some(code), _) => line.push_str(&format!("  [{}]", printable(code, 16))),
        (None, _) => {}
    }
    if s.abandoned_at.is_some() {
        line.push_str("  ABANDONED");
    }
    if s.attention {
        line.push_str("  NEEDS ATTENTION");
        if let Some(reason) = &s.attention_reason {
            line.push_str(&format!(": {}", reason.text()));
        }
    }
    line
}

/// How a sale was paid, in the store's words: `card`, `code/wechat`, `qr/alipay_hk`.
pub fn method_label(s: &SaleRow) -> String {
    use tillkit_core::store::{kind_str, wallet_str};
    match s.wallet {
        Some(w) => format!("{}/{}", kind_str(s.kind), wallet_str(w)),
        None => kind_str(s.kind).to_string(),
    }
}

/// What the refunds of a sale returned: those that succeeded.
pub fn refunded(refunds: &[RefundRow]) -> rust_decimal::Decimal {
    use tillkit_core::order::RefundState;
    refunds.iter().filter(|r| r.state == RefundState::Succeeded).map(|r| r.amount.value()).sum()
}

/// One line of `history`: when, how, then the sale as [`sale_line`] shows it, and what was
/// refunded of it.
pub fn history_line(s: &SaleRow, refunded: &rust_decimal::Decimal, offset: i32) -> String {
    let when = tillkit_core::report::time::format_rfc3339(s.created_at, offset);
    let mut line = format!("{when}  {:<13} {}", method_label(s), sale_line(s));
    if !refunded.is_zero() {
        line.push_str(&format!("  refunded {refunded} {}", s.amount.currency()));
    }
    line
}

/// A sale of `history` as JSON: [`sale_json`] with its time, method and what was refunded.
pub fn history_json(s: &SaleRow, refunded: &rust_decimal::Decimal, offset: i32) -> Value {
    let mut value = sale_json(s, &[]);
    value["created_at"] =
        Value::from(tillkit_core::report::time::format_rfc3339(s.created_at, offset));
    value["method"] = Value::from(method_label(s));
    let mut refunded = *refunded;
    refunded.rescale(s.amount.currency().exponent());
    value["refunded"] = Value::from(refunded.to_string());
    value
}

/// The totals under `history`, per currency: sales listed, paid, refunded, net.
pub fn history_totals(rows: &[(SaleRow, rust_decimal::Decimal)]) -> Vec<String> {
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;
    let mut per: BTreeMap<&str, (u64, u64, Decimal, Decimal, u32)> = BTreeMap::new();
    for (s, refunded) in rows {
        let c = s.amount.currency();
        let t = per.entry(c.code()).or_insert((0, 0, Decimal::ZERO, Decimal::ZERO, c.exponent()));
        t.0 += 1;
        if s.status == SaleStatus::Paid {
            t.1 += 1;
            t.2 += s.amount.value();
        }
        t.3 += refunded;
    }
    per.into_iter()
        .map(|(code, (n, paid_n, mut paid, mut refunded, exp))| {
            let mut net = paid - refunded;
            for v in [&mut paid, &mut refunded, &mut net] {
                v.rescale(exp);
            }
            format!(
                "total {code}: {n} sales listed, {paid_n} paid {paid}, refunded {refunded}, net {net}"
            )
        })
        .collect()
}

/// One line about a refund.
pub fn refund_line(r: &RefundRow) -> String {
    format!(
        "  refund {}  {} {}  {}",
        r.id,
        r.amount.to_major_string(),
        r.amount.currency(),
        r.state.as_str()
    )
}

/// The QR drawn with half-block characters, for a terminal.
pub fn qr_text(content: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(content.as_bytes()).ok()?;
    Some(code.render::<Dense1x2>().dark_color(Dense1x2::Light).light_color(Dense1x2::Dark).build())
}

/// A sale's progress line: its state and what the screen should say.
pub fn sale_progress(sale: &SaleRow) -> String {
    format!("{}: {}", sale.status.as_str(), SaleHint::of(sale).text())
}

/// A refund's progress line.
pub fn refund_progress(r: &RefundRow) -> String {
    format!("refund {}: {}", r.id, r.state.as_str())
}

/// What to do next about a sale in this state (empty when nothing is left to do).
pub fn sale_next_step(s: &SaleRow) -> String {
    use tillkit_core::order::{FailReason, SaleStatus};
    match s.status {
        SaleStatus::Paid => String::new(),
        SaleStatus::Queued => format!(
            "not sent yet, nothing charged: `tillkit forward` sends it while it is still valid; \
             see `tillkit sale {}`",
            s.id
        ),
        SaleStatus::Failed(FailReason::Offline) => {
            "the acquirer could not be reached: nothing charged; take the payment again".into()
        }
        SaleStatus::Failed(_) => format!("nothing charged: {}", NextStep::of(s.status).text()),
        SaleStatus::Processing | SaleStatus::Unknown | SaleStatus::Cancelling => format!(
            "not final yet: do NOT charge again; `tillkit sale {}` shows the outcome once the \
             acquirer settles it (`tillkit forward` keeps resolving it; `tillkit abandon {}` \
             takes it off the list meanwhile)",
            s.id, s.id
        ),
    }
}

/// What to do next about a refund in this state.
pub fn refund_next_step(r: &RefundRow) -> String {
    use tillkit_core::order::RefundState;
    match r.state {
        RefundState::Succeeded => String::new(),
        RefundState::Failed | RefundState::Expired => {
            "the refund was not made: no money moved".into()
        }
        RefundState::Queued => {
            "not sent yet: `tillkit forward` sends it when the acquirer can be reached".into()
        }
        RefundState::Unknown | RefundState::Processing => format!(
            "not final yet: do NOT refund again; `tillkit sale {}` shows it once settled",
            r.sale_id
        ),
    }
}

/// Shows progress on stderr: a spinner line on a terminal, one line per change otherwise.
pub struct Progress {
    tty: bool,
    frame: usize,
    last: String,
}

impl Progress {
    /// A progress display.
    pub fn new() -> Self {
        Progress { tty: std::io::stderr().is_terminal(), frame: 0, last: String::new() }
    }

    /// Updates the display with a state line and the time left in the current wait.
    pub fn show(&mut self, text: &str, left_ms: Option<Millis>) {
        const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
        let mut err = std::io::stderr();
        if self.tty {
            self.frame = (self.frame + 1) % FRAMES.len();
            let left = left_ms.map(|ms| format!(" ({} s left)", ms / 1000)).unwrap_or_default();
            let _ = write!(err, "\r\x1b[2K{} {text}{left}", FRAMES[self.frame]);
            let _ = err.flush();
        } else if text != self.last {
            let _ = writeln!(err, "{text}");
        }
        self.last = text.to_string();
    }

    /// Ends the spinner line.
    pub fn finish(&self) {
        if self.tty {
            let _ = writeln!(std::io::stderr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn acquirer_text_cannot_drive_the_terminal() {
        assert_eq!(printable("no terminal\u{1b}[2J here", 120), "no terminal [2J here");
        assert_eq!(printable("abcdef", 3), "abc…");
        assert_eq!(printable("ok", 3), "ok");
    }
}
