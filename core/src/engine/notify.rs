//! Asynchronous notifications from the acquirer: verified, then applied through the same
//! machines as any answer. A bad one changes nothing.

use super::error::CashierError;
use super::Cashier;
use crate::acquirer::Notification;
use crate::store::Entity;

impl Cashier {
    /// Verifies and applies a notification body as received (raw bytes). Returns the body to
    /// answer the acquirer with. Duplicates and late arrivals are harmless: the state machines
    /// refuse transitions that would go backwards.
    pub async fn handle_notification(&self, body: &[u8]) -> Result<String, CashierError> {
        let inner = &self.inner;
        inner.check_open()?;
        let notification = inner.acquirer.parse_notification(body).map_err(|e| {
            log::warn!("notification rejected: {e}");
            CashierError::Notification(e.to_string())
        })?;
        let now = inner.now();
        match notification {
            Notification::Payment(result) => {
                let sale_id = result.merchant_transaction_id.clone();
                if self.sale(&sale_id)?.is_none() {
                    return Err(CashierError::UnknownSale(sale_id));
                }
                let _guard = inner.locks.lock(Entity::Sale, &sale_id).await;
                super::sale_step::apply_reported(inner, result, now)?;
            }
            Notification::Refund { merchant_transaction_id, result } => {
                let id = refund_named(self, &merchant_transaction_id, &result)?;
                let _guard = inner.locks.lock(Entity::Refund, &id).await;
                super::refund_step::apply_reported(
                    inner,
                    &merchant_transaction_id,
                    &id,
                    result,
                    now,
                )?;
            }
        }
        Ok(inner.acquirer.notification_ack().to_string())
    }
}

/// Which stored refund a notification is about: by our refund id when it carries one, else by
/// the acquirer's refund id among the sale's refunds (Oceanpayment's `push_id`).
fn refund_named(
    cashier: &Cashier,
    sale_id: &str,
    result: &crate::acquirer::RefundResult,
) -> Result<String, CashierError> {
    if let Some(id) = &result.merchant_refund_id {
        return Ok(id.clone());
    }
    let theirs = result
        .acquirer_refund_id
        .as_deref()
        .ok_or_else(|| CashierError::Notification("refund notification names no refund".into()))?;
    let refunds = cashier.refunds(sale_id)?;
    refunds
        .into_iter()
        .find(|r| r.acquirer_refund_id.as_deref() == Some(theirs))
        .map(|r| r.id)
        .ok_or_else(|| CashierError::UnknownRefund(theirs.to_string()))
}
