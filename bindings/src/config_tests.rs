//! The FFI config's conversion to the core's.

use std::time::Duration;

use super::*;

fn config() -> CashierConfig {
    CashierConfig {
        acquirer: AcquirerConfig::PingPong {
            base_url: "http://127.0.0.1:1".into(),
            acc_id: "a".into(),
            client_id: "c".into(),
            sign_type: SignType::Sha256,
            salt_key: "salt".into(),
        },
        cashier_device_id: "till-1".into(),
        alipay_region: AlipayRegion::HongKong,
        notification_url: None,
        policy: None,
        limits: OfflineLimits::default(),
        connect_timeout_ms: 5000,
        request_timeout_ms: 20000,
        accept_new_key: false,
        extra_roots: Vec::new(),
        refund_charged_after_cancel: false,
        platform: None,
        receipt: None,
    }
}

#[test]
fn the_default_policy_round_trips() {
    assert_eq!(Policy::try_from(default_policy()), Ok(Policy::default()));
    let negative = PolicySettings { poll_min_ms: -1, ..default_policy() };
    assert!(
        matches!(Policy::try_from(negative), Err(TillKitError::InvalidInput { field, .. }) if field == "poll_min_ms")
    );
}

#[test]
fn the_platform_reaches_the_order_terminal() {
    let terminal = |platform| {
        let core = CoreConfig::try_from(CashierConfig { platform, ..config() }).expect("valid");
        match core.acquirer {
            AcquirerSettings::PingPong { order_terminal, .. } => Some(order_terminal),
            AcquirerSettings::Oceanpayment { .. } => None,
        }
    };
    assert_eq!(terminal(Some(Platform::Android)), Some(OrderTerminal::Android));
    assert_eq!(terminal(Some(Platform::Ios)), Some(OrderTerminal::Ios));
    assert_eq!(terminal(Some(Platform::Desktop)), Some(OrderTerminal::Desktop));
    // Tests run on the desktop: the build's platform.
    assert_eq!(terminal(None), Some(OrderTerminal::Desktop));
}

#[test]
fn oceanpayment_takes_both_hosts_with_the_same_timeouts() {
    let billing = BillingDefaults::walk_in("CN", "GD");
    let ocean = |query_url: Option<&str>| AcquirerConfig::Oceanpayment {
        base_url: "https://secure.oceanpayment.com".into(),
        query_url: query_url.map(str::to_string),
        account: "995378".into(),
        terminal: "99537801".into(),
        secure_code_key: "sc".into(),
        billing: billing.clone(),
    };
    let query = |c: CashierConfig| CoreConfig::try_from(c).expect("valid").acquirer;
    let given = query(CashierConfig { acquirer: ocean(Some("https://q.example")), ..config() });
    let q = given.oceanpayment_query_http().expect("an Oceanpayment query host");
    assert_eq!(q.base_url, "https://q.example");
    assert_eq!(q.request_timeout, Duration::from_millis(20000));
    let derived = query(CashierConfig { acquirer: ocean(None), ..config() });
    let q = derived.oceanpayment_query_http().expect("an Oceanpayment query host");
    assert_eq!(q.base_url, "https://query.oceanpayment.com");
}

#[test]
fn config_converts_and_checks_limits() {
    let core = CoreConfig::try_from(config()).expect("valid");
    assert_eq!(core.alipay_region, AlipayRegion::HongKong);
    assert_eq!(core.limits, CoreLimits::default());
    let mut bad = config();
    bad.limits.max_refund_amount = Some("ten".into());
    let e = CoreConfig::try_from(bad).unwrap_err();
    assert!(
        matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "max_refund_amount")
    );
}

#[test]
fn receipt_settings_reach_the_core_and_a_bad_offset_names_its_field() {
    use tillkit_core::receipt::Locale;
    let receipt = ReceiptSettings {
        merchant_name: "茶餐廳".into(),
        merchant_tax_id: Some("91-440".into()),
        utc_offset_minutes: 480,
        locale: "zh_TW".into(),
        ..ReceiptSettings::default()
    };
    let core = CoreConfig::try_from(CashierConfig { receipt: Some(receipt.clone()), ..config() })
        .expect("valid");
    assert_eq!(core.receipt.merchant.name, "茶餐廳");
    assert_eq!(core.receipt.merchant.tax_id.as_deref(), Some("91-440"));
    assert_eq!(core.receipt.utc_offset_minutes, 480);
    assert_eq!(core.receipt.locale, Locale::ZhHant);
    let none = CoreConfig::try_from(config()).expect("valid");
    assert_eq!(none.receipt, tillkit_core::receipt::ReceiptSettings::default());
    let bad = ReceiptSettings { utc_offset_minutes: 100_000, ..receipt };
    let err =
        CoreConfig::try_from(CashierConfig { receipt: Some(bad), ..config() }).expect_err("offset");
    assert!(
        matches!(err, TillKitError::InvalidConfig { ref field, .. } if field == "receipt.utc_offset_minutes")
    );
}
