//! Receipts from the store, at any time (a reprint is the same call).

use super::{Cashier, CashierError};
use crate::receipt::{refund_receipt, sale_receipt, Locale, Receipt, ReceiptCopy};

impl Cashier {
    /// The receipt of a sale, or of one of its refunds, as the store has them now. `locale`
    /// `None` takes the configured one.
    pub fn receipt(
        &self,
        sale_id: &str,
        refund_id: Option<&str>,
        copy: ReceiptCopy,
        locale: Option<Locale>,
    ) -> Result<Receipt, CashierError> {
        let sale = self.sale(sale_id)?.ok_or_else(|| CashierError::UnknownSale(sale_id.into()))?;
        let refunds = self.refunds(sale_id)?;
        let config = &self.inner.config;
        let locale = locale.unwrap_or(config.receipt.locale);
        let register = &config.cashier_device_id;
        let built = match refund_id {
            None => sale_receipt(&sale, &refunds, &config.receipt, register, copy, locale),
            Some(id) => {
                if !refunds.iter().any(|r| r.id == id) {
                    return Err(CashierError::UnknownRefund(id.into()));
                }
                refund_receipt(&sale, &refunds, id, &config.receipt, register, copy, locale)
            }
        };
        built.map_err(|e| CashierError::InvalidInput { field: "refund_id", reason: e.to_string() })
    }
}
