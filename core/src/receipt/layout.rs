//! A receipt as a document: header, what was paid and how, the amounts, the QR for look-ups.

use super::labels::Label;
use super::{Receipt, ReceiptCopy};
use crate::acquirer::WalletMethod;
use crate::document::{Document, Style};
use crate::money::Amount;
use crate::order::{RefundState, SaleKind, SaleStatus};
use crate::reader::EntryMode;

fn money(a: &Amount) -> String {
    format!("{} {}", a.currency().code(), a.to_major_string())
}

fn method(r: &Receipt) -> Label {
    method_label(r.method, r.wallet)
}

/// How a sale's method is named on paper: the wallet when there is one, else the kind.
pub(crate) fn method_label(kind: SaleKind, wallet: Option<WalletMethod>) -> Label {
    match (kind, wallet) {
        (SaleKind::Card, _) => Label::Card,
        (_, Some(WalletMethod::WechatPay)) => Label::WechatPay,
        (_, Some(WalletMethod::AlipayCn)) => Label::Alipay,
        (_, Some(WalletMethod::AlipayHk)) => Label::AlipayHk,
        (SaleKind::CustomerCode, None) => Label::WalletCode,
        (SaleKind::MerchantQr, None) => Label::MerchantQr,
    }
}

fn sale_status(s: SaleStatus) -> Label {
    match s {
        SaleStatus::Queued => Label::Queued,
        SaleStatus::Processing => Label::Processing,
        SaleStatus::Unknown => Label::Unknown,
        SaleStatus::Cancelling => Label::Cancelling,
        SaleStatus::Paid => Label::Paid,
        SaleStatus::Failed(_) => Label::NotPaid,
    }
}

fn refund_state(s: RefundState) -> Label {
    match s {
        RefundState::Queued => Label::Queued,
        RefundState::Unknown => Label::Unknown,
        RefundState::Processing => Label::Processing,
        RefundState::Succeeded => Label::RefundDone,
        RefundState::Failed => Label::RefundFailed,
        RefundState::Expired => Label::Expired,
    }
}

fn entry(e: EntryMode) -> Label {
    match e {
        EntryMode::Contactless => Label::Contactless,
        EntryMode::Chip => Label::Chip,
        EntryMode::Swipe => Label::Swipe,
    }
}

/// Lays a receipt out.
pub(super) fn document(r: &Receipt) -> Document {
    let l = r.locale;
    let t = |label: Label| label.text(l);
    let mut d = Document::new();
    if !r.merchant.name.trim().is_empty() {
        d.text(&r.merchant.name, Style::HEADLINE);
    }
    if let Some(address) = &r.merchant.address {
        d.text(address, Style::CENTER);
    }
    if let Some(tax_id) = &r.merchant.tax_id {
        d.text(&format!("{} {tax_id}", t(Label::TaxId)), Style::CENTER);
    }
    d.rule();
    d.text(t(if r.refund.is_some() { Label::Refund } else { Label::Sale }), Style::TITLE);
    let copy = match r.copy {
        ReceiptCopy::Customer => Label::CustomerCopy,
        ReceiptCopy::Merchant => Label::MerchantCopy,
    };
    d.text(t(copy), Style::CENTER);
    d.rule();
    d.pair(t(Label::Date), &r.time_text());
    d.pair(t(Label::Register), &r.register);
    match &r.refund {
        Some(f) => {
            d.pair(t(Label::RefundId), &f.id);
            d.pair(t(Label::OriginalSale), &r.sale_id);
        }
        None => {
            d.pair(t(Label::SaleId), &r.sale_id);
        }
    }
    d.pair(t(Label::Method), t(method(r)));
    if let Some(code) = &r.payment_code {
        d.pair(t(Label::PaymentCode), code);
    }
    if let Some(c) = &r.card {
        let number = match (&c.brand, &c.last4) {
            (Some(b), Some(l4)) => format!("{b} ****{l4}"),
            (None, Some(l4)) => format!("****{l4}"),
            (Some(b), None) => b.clone(),
            (None, None) => String::new(),
        };
        if !number.is_empty() {
            d.pair(t(Label::CardNumber), &number);
        }
        if let Some(e) = c.entry_mode {
            d.pair(t(Label::Entry), t(entry(e)));
        }
        if let Some(label) = &c.application_label {
            d.pair(t(Label::Application), label);
        }
        if let Some(aid) = &c.aid {
            d.pair(t(Label::Aid), aid);
        }
        if let Some(code) = &c.auth_code {
            d.pair(t(Label::AuthCode), code);
        }
    }
    let reference = match &r.refund {
        Some(f) => f.acquirer_refund_id.as_ref(),
        None => r.acquirer_transaction_id.as_ref(),
    };
    if let Some(reference) = reference {
        d.pair(t(Label::AcquirerRef), reference);
    }
    d.rule();
    match &r.refund {
        Some(f) => {
            d.bold_pair(t(Label::RefundAmount), &money(&f.amount));
            d.pair(t(Label::Total), &money(&r.amount));
            if let Some(refunded) = &r.refunded {
                d.pair(t(Label::Refunded), &money(refunded));
            }
            d.pair(t(Label::Status), t(refund_state(f.state)));
        }
        None => {
            d.bold_pair(t(Label::Total), &money(&r.amount));
            if let Some(refunded) = &r.refunded {
                d.pair(t(Label::Refunded), &money(refunded));
            }
            d.pair(t(Label::Status), t(sale_status(r.status)));
        }
    }
    d.rule();
    if r.copy == ReceiptCopy::Merchant && r.method == SaleKind::Card {
        d.feed(2);
        d.text(&format!("{}: ________________", t(Label::Signature)), Style::PLAIN);
        d.feed(1);
    }
    d.qr(r.qr_content());
    d.text(t(Label::ScanToLookUp), Style::CENTER);
    d.feed(1);
    d.text(t(Label::ThankYou), Style::TITLE);
    d
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
