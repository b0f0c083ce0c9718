//! Notifications that do not match the stored record: never applied, never acknowledged, and
//! the record flagged for a person (the answers of our own steps are handled in the steps).

use super::error::CashierError;
use super::events::CashierEvent;
use super::Inner;
use crate::money::Amount;
use crate::order::{AttentionReason, Millis};
use crate::store::{self, Entity};

/// The notified amount must be the stored one (same currency, same decimal value). The
/// acquirers always send it, so a missing amount is a mismatch too.
pub(super) fn check_amount(
    stored: &Amount,
    reported: Option<&Amount>,
) -> Result<(), (&'static str, String)> {
    match reported {
        None => Err(("amount", "the notification has no amount".into())),
        Some(r) if r.currency() != stored.currency() => Err((
            "currency",
            format!("the notification is in {}, the record in {}", r.currency(), stored.currency()),
        )),
        Some(r) if r.value() != stored.value() => Err((
            "amount",
            format!(
                "the notification is for {r}, the record for {stored}: the id is used at the \
                 acquirer for another amount"
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// Flags a sale for a mismatching notification, journals it, tells the app, and returns the
/// error for the caller (who must not acknowledge the notification).
pub(super) fn reject_for_sale(
    inner: &Inner,
    sale_id: &str,
    (field, detail): (&'static str, String),
    now: Millis,
) -> CashierError {
    log::warn!("sale {sale_id}: notification mismatch on {field}: {detail}");
    let reason = AttentionReason::AnswerMismatch { field: field.to_string() };
    let flagged = inner.store.write(|tx, _| {
        let Some(mut sale) = store::load_sale(tx, sale_id)? else { return Ok(None) };
        super::sale_apply::flag(&mut sale, reason.clone());
        sale.updated_at = now;
        store::update_sale(tx, &sale)?;
        let line = format!("{field}: {detail}");
        store::journal(tx, now, Entity::Sale, sale_id, "notification_mismatch", &line)?;
        Ok(Some(sale))
    });
    match flagged {
        Ok(Some(sale)) => {
            inner.emit(CashierEvent::SaleChanged(sale));
            inner.emit(CashierEvent::AttentionNeeded {
                sale_id: sale_id.into(),
                refund_id: None,
                reason,
            });
        }
        Ok(None) => {}
        Err(e) => return e.into(),
    }
    CashierError::AnswerMismatch { field, detail }
}

/// The same for a refund's notification.
pub(super) fn reject_for_refund(
    inner: &Inner,
    refund_id: &str,
    (field, detail): (&'static str, String),
    now: Millis,
) -> CashierError {
    log::warn!("refund {refund_id}: notification mismatch on {field}: {detail}");
    let reason = AttentionReason::AnswerMismatch { field: field.to_string() };
    let flagged = inner.store.write(|tx, _| {
        let Some(mut refund) = store::load_refund(tx, refund_id)? else { return Ok(None) };
        super::refund_step::flag(&mut refund, reason.clone());
        refund.updated_at = now;
        store::update_refund(tx, &refund)?;
        let line = format!("{field}: {detail}");
        store::journal(tx, now, Entity::Refund, refund_id, "notification_mismatch", &line)?;
        Ok(Some(refund))
    });
    match flagged {
        Ok(Some(refund)) => {
            let sale_id = refund.sale_id.clone();
            inner.emit(CashierEvent::RefundChanged(refund));
            inner.emit(CashierEvent::AttentionNeeded {
                sale_id,
                refund_id: Some(refund_id.into()),
                reason,
            });
        }
        Ok(None) => {}
        Err(e) => return e.into(),
    }
    CashierError::AnswerMismatch { field, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notified_amounts_compare_as_decimals_in_one_currency() {
        let stored = Amount::parse("2.00", "CNY").unwrap();
        let same = Amount::parse_acquirer("2.000000", stored.currency()).unwrap();
        assert_eq!(check_amount(&stored, Some(&same)), Ok(()));
        let more = Amount::parse("250.00", "CNY").unwrap();
        assert_eq!(check_amount(&stored, Some(&more)).unwrap_err().0, "amount");
        let usd = Amount::parse("2.00", "USD").unwrap();
        assert_eq!(check_amount(&stored, Some(&usd)).unwrap_err().0, "currency");
        assert_eq!(check_amount(&stored, None).unwrap_err().0, "amount");
    }
}
