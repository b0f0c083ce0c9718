//! Abandoning a sale: the cashier gives up waiting for a card or QR sale that is stuck. It
//! leaves the cashier's screen and is still resolved in the background; a charge that comes
//! later is recorded as paid and flagged, never lost and never refunded by itself.

use super::error::CashierError;
use super::events::CashierEvent;
use super::Cashier;
use crate::order::{AttemptEvent, SaleStatus};
use crate::store::{self, Entity, SaleRow};

impl Cashier {
    /// Abandons a sale that has not ended (queued, processing, unknown or cancelling): it is
    /// marked abandoned (history leaves it out unless it needs a person) and resolved as before,
    /// except that it is never sent (again): an unsent one is withdrawn at once, an unseen one
    /// only watched. If it is charged after all, it ends paid with
    /// `AttentionReason::PaidAfterAbandon`. Abandoning it again changes nothing; a sale that
    /// has ended cannot be abandoned ([`CashierError::CannotAbandon`]).
    pub async fn abandon_sale(&self, sale_id: &str) -> Result<SaleRow, CashierError> {
        let inner = &self.inner;
        inner.check_open()?;
        let guard = inner.locks.lock(Entity::Sale, sale_id).await;
        let now = inner.now();
        let marked = inner.store.write(|tx, _| {
            let Some(mut sale) = store::load_sale(tx, sale_id)? else { return Ok(None) };
            if sale.status.is_final() || sale.abandoned_at.is_some() {
                return Ok(Some((sale, false)));
            }
            sale.abandoned_at = Some(now);
            sale.updated_at = now;
            store::update_sale(tx, &sale)?;
            store::journal(tx, now, Entity::Sale, sale_id, "abandoned", sale.status.as_str())?;
            Ok(Some((sale, true)))
        })?;
        let Some((sale, changed)) = marked else {
            return Err(CashierError::UnknownSale(sale_id.into()));
        };
        if !changed && sale.abandoned_at.is_none() {
            let reason = format!("the sale has already ended ({})", sale.status.as_str());
            return Err(CashierError::CannotAbandon { id: sale_id.into(), reason });
        }
        if changed {
            inner.emit(CashierEvent::SaleChanged(sale.clone()));
            if sale.status == SaleStatus::Queued {
                // Never sent: an abandoned sale must not reach a terminal nobody stands at.
                let event = AttemptEvent::Withdrawn;
                super::sale_step::apply_event(inner, sale_id, event, None, now, "abandoned")?;
            }
            inner.wake.notify_one();
        }
        drop(guard);
        self.sale(sale_id)?.ok_or_else(|| CashierError::UnknownSale(sale_id.into()))
    }
}
