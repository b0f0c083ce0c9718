//! `tillkit demo`'s Oceanpayment part: a code sale and a partial refund through the engine —
//! a `Cashier` on Oceanpayment settings whose pay host and query host are both the embedded
//! sandbox, with its own data directory.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use tillkit_core::acquirer::oceanpayment::BillingDefaults;
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, MemoryKeyStore, NoListener, RefundInput, SaleHint,
    SaleInput, SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::store::{RefundRow, SaleRow};
use tillkit_sandbox::SandboxHandle;

use crate::demo::DemoResult;

/// The key-store name of the sandbox's secure code.
const SECURE_CODE_KEY: &str = "oceanpayment.secure_code";

/// How long the demo waits for a final state before it reports what it has.
const PATIENCE: Duration = Duration::from_secs(60);

fn settings(sandbox: &SandboxHandle) -> AcquirerSettings {
    let creds = &sandbox.credentials().oceanpayment;
    AcquirerSettings::Oceanpayment {
        http: HttpSettings::new(sandbox.url()),
        query_http: Some(HttpSettings::new(sandbox.url())),
        account: creds.account.clone(),
        terminal: creds.terminal.clone(),
        secure_code_key: SECURE_CODE_KEY.into(),
        billing: BillingDefaults::walk_in("CN", "GD"),
    }
}

/// Polls the store until the sale ends (the engine's driver does the querying).
async fn final_sale(cashier: &Cashier, id: &str) -> DemoResult<SaleRow> {
    let started = Instant::now();
    loop {
        let sale = cashier.sale(id)?.ok_or("the sale vanished")?;
        if sale.status.is_final() || started.elapsed() > PATIENCE {
            return Ok(sale);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn final_refund(cashier: &Cashier, id: &str) -> DemoResult<RefundRow> {
    let started = Instant::now();
    loop {
        let refund = cashier.refund_by_id(id)?.ok_or("the refund vanished")?;
        if refund.state.is_final() || started.elapsed() > PATIENCE {
            return Ok(refund);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs the Oceanpayment sale and refund in `dir` (created, and removed afterwards).
pub async fn oceanpayment(sandbox: &SandboxHandle, time_scale: f64, dir: &Path) -> DemoResult<()> {
    println!("\n-- Oceanpayment through the engine (pay host and query host: the sandbox)");
    let mut config = CashierConfig::new(settings(sandbox), "DEMO-REGISTER-2");
    config.policy = config.policy.scaled(time_scale.clamp(0.01, 1.0));
    let code = sandbox.credentials().oceanpayment.secure_code.expose_secret().to_string();
    let keys = Arc::new(MemoryKeyStore::with(SECURE_CODE_KEY, code.as_bytes()));
    let cashier = Cashier::open(config, dir, keys, Arc::new(NoListener)).await?;
    let started = cashier
        .start_sale(SaleInput {
            sale_id: None,
            amount: Amount::parse("15.00", "CNY")?,
            method: SaleMethodInput::CustomerCode("134650720866362001".into()),
            remark: None,
            qr_lifetime: None,
        })
        .await?;
    let sale = final_sale(&cashier, &started.id).await?;
    println!(
        "  {:<20} {} -> {} ({}) payment_id {}",
        "WeChat Pay code",
        sale.amount,
        sale.status.as_str(),
        SaleHint::of(&sale).text(),
        sale.acquirer_transaction_id.as_deref().unwrap_or("-")
    );
    let refund = cashier
        .refund(
            &sale.id,
            RefundInput {
                refund_id: None,
                amount: Some(Amount::parse("5.00", "CNY")?),
                reason: Some("demo partial refund".into()),
            },
        )
        .await?;
    let refund = final_refund(&cashier, &refund.id).await?;
    println!(
        "  {:<20} {} of {} -> {} refund_id {}",
        "partial refund",
        refund.amount,
        sale.amount,
        refund.state.as_str(),
        refund.acquirer_refund_id.as_deref().unwrap_or("-")
    );
    cashier.close().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
