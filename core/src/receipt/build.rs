//! Receipts from stored rows.

use super::Locale;
use super::{Receipt, ReceiptCard, ReceiptCopy, ReceiptRefund, ReceiptSettings};
use crate::money::{Amount, MoneyError};
use crate::order::RefundState;
use crate::store::{RefundRow, SaleRow};

/// Why no receipt was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The refund is not one of this sale's.
    #[error("refund {refund_id} is not a refund of sale {sale_id}")]
    RefundOfAnotherSale {
        /// The refund.
        refund_id: String,
        /// The sale.
        sale_id: String,
    },
    /// The refunds' sum does not fit the amount type (never for stored rows).
    #[error("refund total: {0}")]
    Total(String),
}

impl From<MoneyError> for ReceiptError {
    fn from(e: MoneyError) -> Self {
        ReceiptError::Total(e.to_string())
    }
}

/// The receipt of a sale, with what its refunds gave back so far.
pub fn sale_receipt(
    sale: &SaleRow,
    refunds: &[RefundRow],
    settings: &ReceiptSettings,
    register: &str,
    copy: ReceiptCopy,
    locale: Locale,
) -> Result<Receipt, ReceiptError> {
    let refunded = refunds
        .iter()
        .filter(|r| r.sale_id == sale.id && r.state == RefundState::Succeeded)
        .try_fold(None::<Amount>, |sum, r| match sum {
            None => Ok(Some(r.amount)),
            Some(sum) => sum.checked_add(&r.amount).map(Some),
        })?;
    Ok(Receipt {
        merchant: settings.merchant.clone(),
        register: register.to_string(),
        copy,
        locale,
        utc_offset_minutes: settings.utc_offset_minutes,
        sale_id: sale.id.clone(),
        sale_at_ms: sale.created_at,
        method: sale.kind,
        wallet: sale.wallet,
        payment_code: sale.code_masked.clone(),
        card: card(sale),
        acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
        amount: sale.amount,
        refunded,
        status: sale.status,
        refund: None,
    })
}

/// The receipt of one refund of a sale.
pub fn refund_receipt(
    sale: &SaleRow,
    refunds: &[RefundRow],
    refund_id: &str,
    settings: &ReceiptSettings,
    register: &str,
    copy: ReceiptCopy,
    locale: Locale,
) -> Result<Receipt, ReceiptError> {
    let refund =
        refunds.iter().find(|r| r.id == refund_id && r.sale_id == sale.id).ok_or_else(|| {
            ReceiptError::RefundOfAnotherSale {
                refund_id: refund_id.to_string(),
                sale_id: sale.id.clone(),
            }
        })?;
    let mut receipt = sale_receipt(sale, refunds, settings, register, copy, locale)?;
    receipt.refund = Some(ReceiptRefund {
        id: refund.id.clone(),
        amount: refund.amount,
        state: refund.state,
        acquirer_refund_id: refund.acquirer_refund_id.clone(),
        at_ms: refund.created_at,
    });
    Ok(receipt)
}

fn card(sale: &SaleRow) -> Option<ReceiptCard> {
    if sale.card.is_none() && sale.card_details.is_none() {
        return None;
    }
    let summary = sale.card.as_ref();
    let details = sale.card_details.as_ref();
    let last4 = summary.and_then(|c| c.masked_number.as_deref()).and_then(|m| {
        let digits: Vec<char> = m.chars().filter(char::is_ascii_digit).collect();
        (digits.len() >= 4 && m.len() >= 4).then(|| m.chars().skip(m.chars().count() - 4).collect())
    });
    Some(ReceiptCard {
        brand: summary.and_then(|c| c.brand.clone()),
        last4: last4.filter(|l: &String| l.chars().all(|c| c.is_ascii_digit())),
        entry_mode: details.and_then(|d| d.entry_mode),
        aid: details.and_then(|d| d.aid.clone()),
        application_label: details.and_then(|d| d.application_label.clone()),
        auth_code: details.and_then(|d| d.auth_code.clone()),
    })
}
