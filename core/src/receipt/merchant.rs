//! Who the receipt is from: the merchant header and the merchant's clock, from the cashier's
//! configuration, checked at open.

use super::labels::Locale;

/// The merchant's header on receipts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MerchantInfo {
    /// The shop's name (at most 64 characters; empty: no name line).
    pub name: String,
    /// The address, one line (at most 160 characters; wraps on paper).
    pub address: Option<String>,
    /// The tax or business registration number (at most 32 letters, digits, spaces and
    /// `-./`).
    pub tax_id: Option<String>,
}

/// How receipts are made: the merchant, the time zone, the default language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiptSettings {
    /// The header.
    pub merchant: MerchantInfo,
    /// The merchant's offset from UTC in minutes (UTC+8: 480), at most ±14 hours.
    ///
    /// A fixed offset, not a zone name: the core carries no time-zone database (a zone with
    /// summer time needs the app to set the current offset, which the platform knows).
    pub utc_offset_minutes: i16,
    /// The language of receipts when a call names none.
    pub locale: Locale,
}

/// A receipt setting that is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidReceiptSetting {
    /// The setting.
    pub field: &'static str,
    /// Why.
    pub reason: String,
}

fn text(field: &'static str, value: &str, max: usize) -> Result<(), InvalidReceiptSetting> {
    let bad = |reason: &str| Err(InvalidReceiptSetting { field, reason: reason.into() });
    if value.chars().count() > max {
        return bad(&format!("at most {max} characters"));
    }
    // Control characters would reach printers as commands (ESC, GS, DLE): the renderers
    // remove them anyway, but a configuration that holds them is a mistake to be told.
    if value.chars().any(char::is_control) {
        return bad("control characters (line breaks, ESC, GS, …) are not allowed");
    }
    Ok(())
}

impl ReceiptSettings {
    /// Checks every field.
    pub fn check(&self) -> Result<(), InvalidReceiptSetting> {
        let m = &self.merchant;
        text("receipt.merchant.name", &m.name, 64)?;
        if let Some(a) = &m.address {
            text("receipt.merchant.address", a, 160)?;
        }
        if let Some(t) = &m.tax_id {
            let ok = !t.trim().is_empty()
                && t.len() <= 32
                && t.chars().all(|c| c.is_ascii_alphanumeric() || " -./".contains(c));
            if !ok {
                return Err(InvalidReceiptSetting {
                    field: "receipt.merchant.tax_id",
                    reason: "1 to 32 letters, digits, spaces and -./".into(),
                });
            }
        }
        if !(-840..=840).contains(&self.utc_offset_minutes) {
            return Err(InvalidReceiptSetting {
                field: "receipt.utc_offset_minutes",
                reason: "between -840 and 840 (±14 hours)".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_field_by_field() {
        let mut s = ReceiptSettings::default();
        assert!(s.check().is_ok());
        s.merchant.name = "茶餐廳 Café".into();
        s.merchant.tax_id = Some("91440300-MA5F.1".into());
        s.utc_offset_minutes = 480;
        assert!(s.check().is_ok());
        let field = |s: &ReceiptSettings| s.check().err().map(|e| e.field);
        let mut bad = s.clone();
        bad.merchant.name = "Shop\x1b@".into();
        assert_eq!(field(&bad), Some("receipt.merchant.name"));
        bad = s.clone();
        bad.merchant.address = Some("x".repeat(161));
        assert_eq!(field(&bad), Some("receipt.merchant.address"));
        bad = s.clone();
        bad.merchant.tax_id = Some("12;DROP".into());
        assert_eq!(field(&bad), Some("receipt.merchant.tax_id"));
        bad = s.clone();
        bad.utc_offset_minutes = 841;
        assert_eq!(field(&bad), Some("receipt.utc_offset_minutes"));
    }
}
