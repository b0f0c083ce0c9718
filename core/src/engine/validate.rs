//! The configuration is checked whole at open, before anything is written: a broken setting
//! is an `InvalidConfig` naming it, not a store full of sales that sit "unknown" forever.

use super::config::CashierConfig;
use super::error::CashierError;
use crate::acquirer::settings_check::{id, positive, InvalidSetting};

fn invalid(field: &'static str, reason: impl Into<String>) -> CashierError {
    CashierError::InvalidConfig { field, reason: reason.into() }
}

impl From<InvalidSetting> for CashierError {
    fn from(e: InvalidSetting) -> Self {
        CashierError::InvalidConfig { field: e.field, reason: e.reason }
    }
}

/// Checks everything that can be checked without the network.
pub(crate) fn config(c: &CashierConfig) -> Result<(), CashierError> {
    id("cashier_device_id", &c.cashier_device_id, 64)?;
    if let Some(url) = &c.notification_url {
        let parsed =
            url::Url::parse(url).map_err(|e| invalid("notification_url", e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.query().is_some()
            || url.len() > 255
        {
            return Err(invalid(
                "notification_url",
                "an http(s) URL of at most 255 characters without a query string",
            ));
        }
    }
    let p = &c.policy;
    positive("policy.poll_min", p.poll_min)?;
    positive("policy.backoff_min", p.backoff_min)?;
    positive("policy.qr_lifetime", p.qr_lifetime)?;
    if p.poll_min > p.poll_max {
        return Err(invalid("policy.poll_max", "shorter than poll_min"));
    }
    if p.backoff_min > p.backoff_max {
        return Err(invalid("policy.backoff_max", "shorter than backoff_min"));
    }
    // Sent as `timeExpire` where the acquirer bounds it.
    c.acquirer
        .check_qr_lifetime(p.qr_lifetime)
        .map_err(|reason| invalid("policy.qr_lifetime", reason))?;
    if c.max_parallel_steps == 0 {
        return Err(invalid("max_parallel_steps", "at least 1"));
    }
    c.acquirer.check()?;
    c.receipt
        .check()
        .map_err(|e| CashierError::InvalidConfig { field: e.field, reason: e.reason })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquirer::HttpSettings;
    use std::time::Duration;

    use crate::acquirer::AcquirerSettings;
    use crate::sign::pingpong::SignType;

    fn pingpong() -> CashierConfig {
        CashierConfig::new(
            AcquirerSettings::PingPong {
                http: HttpSettings::new("http://127.0.0.1:1"),
                acc_id: "2018092714313010016".into(),
                client_id: "2018092714313010016".into(),
                sign_type: SignType::Sha256,
                salt_key: "salt".into(),
                order_terminal: Default::default(),
            },
            "till-1",
        )
    }

    fn field_of(c: &CashierConfig) -> Option<&'static str> {
        match config(c) {
            Err(CashierError::InvalidConfig { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn a_sound_config_passes() {
        assert_eq!(config(&pingpong()), Ok(()));
    }

    #[test]
    fn each_broken_setting_is_named() {
        let mut c = pingpong();
        c.cashier_device_id = "till 1".into();
        assert_eq!(field_of(&c), Some("cashier_device_id"));
        let mut c = pingpong();
        c.notification_url = Some("http://[::1".into());
        assert_eq!(field_of(&c), Some("notification_url"));
        let mut c = pingpong();
        c.notification_url = Some("ftp://example.com/n".into());
        assert_eq!(field_of(&c), Some("notification_url"));
        let mut c = pingpong();
        if let AcquirerSettings::PingPong { acc_id, .. } = &mut c.acquirer {
            acc_id.clear();
        }
        assert_eq!(field_of(&c), Some("acc_id"));
        let mut c = pingpong();
        if let AcquirerSettings::PingPong { http, .. } = &mut c.acquirer {
            http.request_timeout = Duration::ZERO;
        }
        assert_eq!(field_of(&c), Some("request_timeout"));
        let mut c = pingpong();
        c.policy.poll_max = Duration::from_millis(1);
        assert_eq!(field_of(&c), Some("policy.poll_max"));
        let mut c = pingpong();
        c.max_parallel_steps = 0;
        assert_eq!(field_of(&c), Some("max_parallel_steps"));
    }
}
