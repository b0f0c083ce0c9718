//! A charge that appears after the cashier cancelled: the request reached the acquirer late.
//! It is recorded as paid (no lost sale), flagged "charged after cancel: refund or keep", and,
//! where the merchant configured it, refunded automatically under a refund id derived from the
//! sale, so that doing it twice (a second notification, a crash and a replay) refunds once.

use crate::order::{FailReason, Millis, RefundState, SaleStatus};
use crate::store::{self, RefundRow, SaleRow, StoreError};

/// The journal kind (and the attention reason until reasons are typed).
pub(crate) const KIND: &str = "charged_after_cancel";

/// Whether a sale going from `before` to `to` is a charge after the cashier cancelled.
pub(crate) fn detect(before: &SaleRow, to: SaleStatus) -> bool {
    to == SaleStatus::Paid
        && before.status != SaleStatus::Paid
        && (before.cancel_requested || before.status == SaleStatus::Failed(FailReason::Cancelled))
}

/// The refund id of the automatic refund of a sale: one per sale, whoever asks.
pub(crate) fn refund_id(sale_id: &str) -> String {
    format!("{sale_id}-CAC")
}

/// Queues the automatic refund of `sale` in the caller's transaction, unless it exists.
/// Returns the new refund, for the event.
pub(crate) fn queue_refund(
    tx: &rusqlite::Connection,
    sale: &SaleRow,
    now: Millis,
) -> Result<Option<RefundRow>, StoreError> {
    let id = refund_id(&sale.id);
    if store::load_refund(tx, &id)?.is_some() {
        return Ok(None);
    }
    let held = store::refunds_held(tx, &sale.id)?;
    let remaining = sale.amount.value() - held;
    if remaining <= rust_decimal::Decimal::ZERO {
        return Ok(None);
    }
    let amount = crate::money::Amount::new(remaining, sale.amount.currency())
        .map_err(|e| StoreError::BadRow { what: "amount", reason: e.to_string() })?;
    let refund = RefundRow {
        id: id.clone(),
        sale_id: sale.id.clone(),
        amount,
        state: RefundState::Queued,
        full: held.is_zero(),
        reason: Some("charged after cancel".into()),
        acquirer_refund_id: None,
        result_code: None,
        result_description: None,
        attention: false,
        attention_reason: None,
        created_at: now,
        updated_at: now,
    };
    store::queue_new_refund(tx, &refund, now, " (automatic)")?;
    Ok(Some(refund))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::SaleKind;

    fn sale(status: SaleStatus, cancel_requested: bool) -> SaleRow {
        SaleRow {
            id: "S1".into(),
            kind: SaleKind::CustomerCode,
            wallet: None,
            terminal: None,
            amount: crate::money::Amount::parse("10.00", "CNY").unwrap(),
            status,
            attention: false,
            attention_reason: None,
            cancel_requested,
            remark: None,
            qr: None,
            payment_redirect_url: None,
            acquirer_transaction_id: None,
            result_code: None,
            result_description: None,
            card: None,
            card_details: None,
            code_masked: None,
            created_at: 0,
            updated_at: 0,
            abandoned_at: None,
        }
    }

    #[test]
    fn only_a_charge_after_a_cancel_counts() {
        for status in SaleStatus::ALL {
            for cancel in [false, true] {
                let expected = status != SaleStatus::Paid
                    && (cancel || status == SaleStatus::Failed(FailReason::Cancelled));
                assert_eq!(detect(&sale(status, cancel), SaleStatus::Paid), expected);
                assert!(!detect(&sale(status, cancel), SaleStatus::Unknown));
            }
        }
        assert_eq!(refund_id("S1"), refund_id("S1"));
    }
}
