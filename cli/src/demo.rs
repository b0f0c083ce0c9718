//! `tillkit demo` and `tillkit sandbox`: the embedded sandbox acquirer, and real signed round
//! trips against it: PingPong through the core's adapter, Oceanpayment and an outage through the
//! engine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use tillkit_core::acquirer::pingpong::{PingPong, PingPongConfig, PingPongCredentials};
use tillkit_core::acquirer::{
    Acquirer, AcquirerError, HttpSettings, PayRequest, PaymentMethod, PaymentQuery, PaymentResult,
    RefundQuery, RefundRequest, RefundResult, WalletMethod,
};
use tillkit_core::money::Amount;
use tillkit_core::paycode::PaymentCode;
use tillkit_core::sign::pingpong::SignType;
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle, TerminalMode};

/// Options of `tillkit demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Sandbox time scale: 0.1 runs its delays (user paying, terminal, QR) ten times faster.
    #[arg(long, default_value_t = 0.1)]
    time_scale: f64,
}

/// Options of `tillkit sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Ledger database file (default: a temporary file).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Time scale of the sandbox's delays and notification retries (1.0 = real time).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Let the built-in terminals settle card sales by themselves after a few seconds, instead
    /// of waiting for a terminal agent polling the device channel (docs/terminal-channel.md).
    /// Terminals registered with a device key always wait for their agent.
    #[arg(long)]
    auto_settle_cards: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        ExitCode::FAILURE
    })
}

/// Runs `tillkit sandbox`.
pub fn run_sandbox(args: SandboxArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match tillkit_sandbox::tls::TlsIdentity::from_files(cert, key) {
            Ok(identity) => Some(identity),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(crate::exit::BAD_INPUT);
            }
        },
        _ => None,
    };
    let config = SandboxConfig {
        listen: args.listen,
        db_path: args.db,
        time_scale: args.time_scale,
        tls,
        terminals: if args.auto_settle_cards {
            TerminalMode::AutoSettle
        } else {
            TerminalMode::Agent
        },
        ..SandboxConfig::default()
    };
    match rt.block_on(tillkit_sandbox::run_until_ctrl_c(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `tillkit demo`.
pub fn run_demo(args: DemoArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(demo(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What a demo step gives: anything that fails ends the demo with its message.
pub(crate) type DemoResult<T> = Result<T, Box<dyn std::error::Error>>;

async fn demo(args: DemoArgs) -> DemoResult<()> {
    let config = SandboxConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        time_scale: args.time_scale,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await?;
    println!("sandbox acquirer listening on {}", sandbox.url());
    let acquirer = pingpong_for(&sandbox)?;
    let poll = Duration::from_secs_f64((4.0 * args.time_scale).max(0.05));
    let run = DemoRun { acquirer: &acquirer, poll, started: Instant::now() };

    let wechat = PaymentCode::parse("134650720866361395")?;
    let alipay = PaymentCode::parse("2865072086636139")?;
    let paid = run
        .sale(
            "WeChat Pay code",
            PaymentMethod::CustomerCode { code: wechat, wallet: WalletMethod::WechatPay },
            "12.50",
        )
        .await?;
    run.sale(
        "Alipay code",
        PaymentMethod::CustomerCode { code: alipay, wallet: WalletMethod::AlipayCn },
        "8.80",
    )
    .await?;
    run.sale("merchant QR", PaymentMethod::MerchantQr { wallet: WalletMethod::WechatPay }, "23.00")
        .await?;
    run.refund(&paid, "5.00").await?;
    let data = std::env::temp_dir().join(unique("tillkit-demo"));
    crate::demo_terminal::terminal_sales(&sandbox, &run, &data.join("terminals")).await?;
    crate::demo_ocean::oceanpayment(&sandbox, args.time_scale, &data.join("oceanpayment")).await?;
    outage(&sandbox, args.time_scale, &data.join("outage")).await?;
    let _ = std::fs::remove_dir_all(&data);
    sandbox.shutdown().await;
    println!("demo finished in {:.1} s", run.started.elapsed().as_secs_f64());
    Ok(())
}

/// A PingPong adapter pointed at the sandbox with its test credentials.
pub fn pingpong_for(sandbox: &SandboxHandle) -> Result<PingPong, AcquirerError> {
    let creds = &sandbox.credentials().pingpong;
    PingPong::new(PingPongConfig {
        http: HttpSettings::new(sandbox.url()),
        credentials: PingPongCredentials {
            acc_id: creds.acc_id.clone(),
            client_id: creds.client_id.clone(),
            salt: creds.salt.clone(),
            sign_type: SignType::Sha256,
        },
    })
}

pub(crate) struct DemoRun<'a> {
    acquirer: &'a PingPong,
    poll: Duration,
    started: Instant,
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}-{nanos}")
}

impl DemoRun<'_> {
    pub(crate) async fn sale(
        &self,
        label: &str,
        method: PaymentMethod,
        amount: &str,
    ) -> DemoResult<PaymentResult> {
        let order = unique("DEMO");
        let request = PayRequest {
            merchant_transaction_id: order.clone(),
            request_id: format!("{order}-1"),
            amount: Amount::parse(amount, "CNY")?,
            method,
            cashier_device_id: "DEMO-REGISTER-1".into(),
            notification_url: None,
            expires_at_unix: None,
            remark: None,
        };
        let mut result = self.acquirer.pay(&request).await?;
        if let Some(qr) = &result.qr {
            println!("  {label}: show QR {}", qr.content);
        }
        let query = PaymentQuery {
            merchant_transaction_id: order,
            request_id: Some(request.request_id.clone()),
            acquirer_transaction_id: result.acquirer_transaction_id.clone(),
            amount: request.amount,
        };
        let mut polls = 0;
        while !result.status.is_final() && polls < 200 {
            tokio::time::sleep(self.poll).await;
            result = self.acquirer.query(&query).await?;
            polls += 1;
        }
        println!(
            "{label:<22} {} -> {} after {polls} queries ({})",
            request.amount,
            crate::render::payment_status_name(result.status),
            result.result_code.as_deref().unwrap_or("-")
        );
        Ok(result)
    }

    async fn refund(&self, sale: &PaymentResult, amount: &str) -> DemoResult<RefundResult> {
        let paid = sale.amount.ok_or("the sale has no amount")?;
        let amount = Amount::parse(amount, paid.currency().code())?;
        let refund_id = unique("REFUND");
        let request = RefundRequest {
            merchant_transaction_id: sale.merchant_transaction_id.clone(),
            acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
            merchant_refund_id: refund_id.clone(),
            amount,
            full: false,
            reason: Some("demo partial refund".into()),
            terminal: None,
            cashier_device_id: "DEMO-REGISTER-1".into(),
            notification_url: None,
        };
        let mut result = self.acquirer.refund(&request).await?;
        let query = RefundQuery {
            merchant_transaction_id: sale.merchant_transaction_id.clone(),
            merchant_refund_id: refund_id,
            acquirer_refund_id: result.acquirer_refund_id.clone(),
            amount,
        };
        while !result.status.is_final() {
            tokio::time::sleep(self.poll).await;
            result = self.acquirer.refund_query(&query).await?;
        }
        println!(
            "{:<22} {amount} of {paid} -> {}",
            "partial refund",
            crate::render::refund_status_name(result.status)
        );
        Ok(result)
    }
}

/// The engine through an outage: a sale whose answer is lost stays "unknown: do not charge
/// again" and resolves as paid when the network returns; a refund made during the outage waits
/// in the queue and is forwarded.
async fn outage(sandbox: &SandboxHandle, time_scale: f64, dir: &std::path::Path) -> DemoResult<()> {
    use std::sync::Arc;
    use tillkit_core::engine::{
        AcquirerSettings, Cashier, CashierConfig, MemoryKeyStore, NoListener, RefundInput,
        SaleHint, SaleInput, SaleMethodInput,
    };
    use tillkit_sandbox::proxy::{Fault, FaultMix, FaultProxy};

    println!("\n-- the engine through an outage (a fault proxy sits between it and the sandbox)");
    let proxy = FaultProxy::start(sandbox.addr(), FaultMix::none()).await?;
    let creds = &sandbox.credentials().pingpong;
    let mut config = CashierConfig::new(
        AcquirerSettings::PingPong {
            http: HttpSettings::new(proxy.url()),
            acc_id: creds.acc_id.clone(),
            client_id: creds.client_id.clone(),
            sign_type: SignType::Sha256,
            salt_key: "salt".into(),
            order_terminal: Default::default(),
        },
        "DEMO-REGISTER-1",
    );
    config.policy = config.policy.scaled(time_scale.clamp(0.01, 1.0));
    // PingPong's `timeExpire` range starts at 60 s (checked at open); the sandbox compresses it.
    config.policy.qr_lifetime = config.policy.qr_lifetime.max(Duration::from_secs(60));
    use secrecy::ExposeSecret;
    let keys = Arc::new(MemoryKeyStore::with("salt", creds.salt.expose_secret().as_bytes()));
    let cashier = Cashier::open(config, dir, keys, Arc::new(NoListener)).await?;
    let show = |s: &tillkit_core::store::SaleRow| {
        println!("  sale {} {}: {} ({})", s.id, s.amount, s.status.as_str(), SaleHint::of(s).text())
    };
    let code = |c: &str| SaleMethodInput::CustomerCode(c.to_string());
    let first = cashier
        .start_sale(SaleInput {
            sale_id: None,
            amount: Amount::parse("30.00", "CNY")?,
            method: code("134650720866360001"),
            remark: None,
            qr_lifetime: None,
        })
        .await?;
    show(&first);

    // The acquirer commits the next sale, but its answer never arrives; then the network goes.
    proxy.set_mix(FaultMix {
        weights: vec![(Fault::DropResponse, 1)],
        seed: 7,
        delay: Duration::ZERO,
    });
    let lost = cashier
        .start_sale(SaleInput {
            sale_id: None,
            amount: Amount::parse("18.80", "CNY")?,
            method: code("134650720866360002"),
            remark: None,
            qr_lifetime: None,
        })
        .await?;
    proxy.go_down();
    show(&lost);
    let refund = cashier
        .refund(
            &first.id,
            RefundInput {
                refund_id: None,
                amount: Some(Amount::parse("10.00", "CNY")?),
                reason: Some("outage demo".into()),
            },
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let q = cashier.queue_status()?;
    println!(
        "  network down: refund {} {} is {}; queue: {} sales, {} refunds, totals {}",
        refund.id,
        refund.amount,
        refund.state.as_str(),
        q.sales,
        q.refunds,
        crate::render::totals_text(&q.totals)
    );
    if let Some(s) = cashier.sale(&lost.id)? {
        show(&s);
    }

    println!("  network back");
    proxy.set_mix(FaultMix::none());
    proxy.come_up().await?;
    cashier.forward_now()?;
    let started = Instant::now();
    loop {
        let q = cashier.queue_status()?;
        if q.sales + q.refunds == 0 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if let Some(s) = cashier.sale(&lost.id)? {
        show(&s);
    }
    if let Some(r) = cashier.refund_by_id(&refund.id)? {
        println!("  refund {} {}: {}", r.id, r.amount, r.state.as_str());
    }
    let charges =
        sandbox.order(tillkit_sandbox::Acquirer::PingPong, &lost.id)?.map(|o| o.charges.len());
    println!("  sandbox ledger: sale {} charged {} time(s)", lost.id, charges.unwrap_or(0));
    cashier.close().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
