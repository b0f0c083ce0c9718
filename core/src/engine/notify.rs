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
            Notification::Refund { result, .. } => {
                let id = result.merchant_refund_id.clone().unwrap_or_default();
                let _guard = inner.locks.lock(Entity::Refund, &id).await;
                super::refund_step::apply_reported(inner, result, now)?;
            }
        }
        Ok(inner.acquirer.notification_ack().to_string())
    }
}
