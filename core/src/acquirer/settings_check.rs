//! Checks of an acquirer's settings that need no network, and the QR lifetimes it accepts.
//! The engine runs them at open and reports a failure as `InvalidConfig { field }`.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::settings::AcquirerSettings;

/// A setting that cannot work: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    /// The setting (`acc_id`, `billing.email`, `request_timeout`, …).
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> InvalidSetting {
    InvalidSetting { field, reason: reason.into() }
}

/// An identifier the acquirers echo in signed messages: 1–`max` characters of a conservative
/// set (PingPong advises against punctuation in business values).
pub fn id(field: &'static str, value: &str, max: usize) -> Result<(), InvalidSetting> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if value.is_empty() || value.len() > max || !value.chars().all(ok) {
        return Err(invalid(field, format!("1–{max} characters of A–Z, a–z, 0–9, '-', '_', '.'")));
    }
    Ok(())
}

/// Free text of 1–`max` characters without control characters.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<(), InvalidSetting> {
    let n = value.chars().count();
    if n == 0 || n > max || value.chars().any(char::is_control) {
        return Err(invalid(field, format!("1–{max} characters, no control characters")));
    }
    Ok(())
}

/// A duration that must not be zero.
pub fn positive(field: &'static str, d: Duration) -> Result<(), InvalidSetting> {
    if d.is_zero() {
        return Err(invalid(field, "must be longer than zero"));
    }
    Ok(())
}

/// PingPong's documented `timeExpire` range, on its own clock.
const PINGPONG_QR_LIFETIME: RangeInclusive<Duration> =
    Duration::from_secs(60)..=Duration::from_secs(3 * 24 * 3600);

impl AcquirerSettings {
    /// Checks the identifiers, key names, billing fields and timeouts of these settings.
    pub fn check(&self) -> Result<(), InvalidSetting> {
        let http = match self {
            AcquirerSettings::PingPong { http, acc_id, client_id, salt_key, .. } => {
                id("acc_id", acc_id, 64)?;
                id("client_id", client_id, 64)?;
                text("salt_key", salt_key, 128)?;
                http
            }
            AcquirerSettings::Oceanpayment {
                http,
                account,
                terminal,
                secure_code_key,
                billing,
                ..
            } => {
                id("account", account, 20)?;
                id("terminal", terminal, 20)?;
                text("secure_code_key", secure_code_key, 128)?;
                text("billing.first_name", &billing.first_name, 50)?;
                text("billing.last_name", &billing.last_name, 50)?;
                text("billing.email", &billing.email, 50)?;
                text("billing.country", &billing.country, 100)?;
                text("billing.state", &billing.state, 100)?;
                http
            }
        };
        positive("connect_timeout", http.connect_timeout)?;
        positive("request_timeout", http.request_timeout)?;
        if let Some(query) = self.oceanpayment_query_http() {
            positive("query_http.connect_timeout", query.connect_timeout)?;
            positive("query_http.request_timeout", query.request_timeout)?;
        }
        Ok(())
    }

    /// The QR lifetimes the acquirer accepts, when it enforces them (PingPong's `timeExpire`:
    /// 1 minute to 3 days); `None` when the lifetime is TillKit's alone (Oceanpayment).
    pub fn qr_lifetime_range(&self) -> Option<RangeInclusive<Duration>> {
        match self {
            AcquirerSettings::PingPong { .. } => Some(PINGPONG_QR_LIFETIME),
            AcquirerSettings::Oceanpayment { .. } => None,
        }
    }

    /// Checks a QR lifetime (a sale's own, or the policy's default) against
    /// [`AcquirerSettings::qr_lifetime_range`], so that a sale is refused before anything is
    /// sent rather than by the acquirer.
    pub fn check_qr_lifetime(&self, d: Duration) -> Result<(), String> {
        match self.qr_lifetime_range() {
            Some(range) if !range.contains(&d) => Err(format!(
                "{} s: must be {} s to {} s",
                d.as_secs(),
                range.start().as_secs(),
                range.end().as_secs()
            )),
            None if d.is_zero() => Err("must be longer than zero".into()),
            _ => Ok(()),
        }
    }
}
