//! The cashier commands: `pay`, `refund`, `cancel`, `sale`, `history`, `queue`, `forward`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand, ValueEnum};
use tillkit_core::acquirer::{TerminalId, WalletMethod};
use tillkit_core::engine::{NoListener, RefundInput, SaleInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::{Policy, SaleKind, SaleStatus};
use tillkit_core::store::{HistoryFilter, SaleRow};

use crate::connect::{connect, ConnectArgs, ConnectError, Connected};
use crate::render;

/// Wallet for a merchant-presented QR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QrWallet {
    /// WeChat Pay.
    Wechat,
    /// Alipay (mainland).
    AlipayCn,
    /// Alipay HK.
    AlipayHk,
}

/// A cashier command.
#[derive(Debug, Subcommand)]
pub enum CashierCommand {
    /// Take a payment: a scanned code, a QR to show, or a card on a terminal.
    Pay(PayArgs),
    /// Refund all or part of a paid sale.
    Refund {
        /// The sale.
        sale: String,
        /// Amount (default: everything that remains).
        #[arg(long)]
        amount: Option<String>,
        /// Your id for this refund (idempotency key).
        #[arg(long)]
        refund_id: Option<String>,
        /// Reason.
        #[arg(long)]
        reason: Option<String>,
        /// Return at once instead of waiting for the final state.
        #[arg(long)]
        no_wait: bool,
    },
    /// Cancel a sale that is not paid yet.
    Cancel {
        /// The sale.
        sale: String,
    },
    /// Show one sale with its refunds.
    Sale {
        /// The sale.
        sale: String,
    },
    /// List sales, newest first.
    History {
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Only this status (queued, processing, unknown, paid, declined, expired, cancelled, offline).
        #[arg(long)]
        status: Option<String>,
    },
    /// Show what waits in the outbox.
    Queue,
    /// Forward everything waiting now, and keep going until the queue is empty or the timeout.
    Forward {
        /// Give up waiting after this many seconds (work left stays queued).
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
}

/// Options of `pay`.
#[derive(Debug, Args)]
pub struct PayArgs {
    /// The code scanned from the customer's wallet.
    #[arg(long, group = "method")]
    code: Option<String>,
    /// Show a QR for the customer to scan.
    #[arg(long, group = "method", value_enum, num_args = 0..=1, default_missing_value = "wechat")]
    qr: Option<QrWallet>,
    /// Card on this terminal: SERIAL or SERIAL:MODEL (model defaults to PAX-A920).
    #[arg(long, group = "method")]
    card: Option<String>,
    /// Amount, e.g. 12.50.
    #[arg(long)]
    amount: String,
    /// ISO 4217 currency.
    #[arg(long, default_value = "CNY")]
    currency: String,
    /// Your id for this sale (idempotency key): paying again with it returns the same sale.
    #[arg(long)]
    sale_id: Option<String>,
    /// Remark for the acquirer's portal.
    #[arg(long)]
    remark: Option<String>,
    /// Return after the first answer instead of waiting for the final state.
    #[arg(long)]
    no_wait: bool,
}

fn method(args: &PayArgs) -> Result<SaleMethodInput, String> {
    if let Some(code) = &args.code {
        return Ok(SaleMethodInput::CustomerCode(code.clone()));
    }
    if let Some(w) = args.qr {
        return Ok(SaleMethodInput::MerchantQr(match w {
            QrWallet::Wechat => WalletMethod::WechatPay,
            QrWallet::AlipayCn => WalletMethod::AlipayCn,
            QrWallet::AlipayHk => WalletMethod::AlipayHk,
        }));
    }
    if let Some(card) = &args.card {
        let (serial, model) = card.split_once(':').unwrap_or((card, "PAX-A920"));
        return Ok(SaleMethodInput::Card(TerminalId {
            serial: serial.into(),
            model: model.into(),
        }));
    }
    Err("one of --code, --qr or --card is required".into())
}

/// Runs a cashier command.
pub fn run(conn: ConnectArgs, command: CashierCommand) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let connected = match connect(&conn, Arc::new(NoListener)).await {
            Ok(c) => c,
            Err(e @ ConnectError::InUse(_)) => {
                eprintln!("error: {e}");
                return ExitCode::from(6);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let result = execute(&connected, &conn, command).await;
        connected.close().await;
        match result {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

fn print_sale(connected: &Connected, json: bool, sale: &SaleRow) -> Result<(), String> {
    let refunds = connected.cashier.refunds(&sale.id).map_err(|e| e.to_string())?;
    if json {
        println!("{}", render::sale_json(sale, &refunds));
    } else {
        println!("{}", render::sale_line(sale));
        for r in &refunds {
            println!("{}", render::refund_line(r));
        }
    }
    Ok(())
}

/// Milliseconds left in the sale's current wait, as the default policy counts them.
fn time_left(sale: &SaleRow, now: u64) -> Option<u64> {
    let p = Policy::default();
    let deadline = match (sale.status, sale.kind) {
        (SaleStatus::Processing, SaleKind::MerchantQr) => sale.qr.as_ref()?.expires_at_unix_ms?,
        (SaleStatus::Processing, SaleKind::CustomerCode) => {
            sale.created_at + p.user_paying_budget.as_millis() as u64
        }
        (SaleStatus::Processing, SaleKind::Card) => {
            sale.created_at + p.terminal_timeout.as_millis() as u64
        }
        (SaleStatus::Queued, SaleKind::CustomerCode) => {
            sale.created_at + p.code_validity.as_millis() as u64
        }
        _ => return None,
    };
    Some(deadline.saturating_sub(now))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

async fn wait_sale(connected: &Connected, json: bool, id: &str) -> Result<SaleRow, String> {
    let mut progress = render::Progress::new();
    let mut qr_drawn = false;
    loop {
        let sale =
            connected.cashier.sale(id).map_err(|e| e.to_string())?.ok_or("the sale vanished")?;
        if let (false, false, Some(qr)) =
            (json, qr_drawn, sale.qr.as_ref().filter(|q| !q.content.is_empty()))
        {
            progress.finish();
            if let Some(text) = render::qr_text(&qr.content) {
                println!("{text}");
            }
            println!("QR: {}", qr.content);
            qr_drawn = true;
        }
        if sale.status.is_final() {
            progress.finish();
            return Ok(sale);
        }
        progress.show(&sale, time_left(&sale, now_ms()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn execute(
    connected: &Connected,
    conn: &ConnectArgs,
    command: CashierCommand,
) -> Result<ExitCode, String> {
    let cashier = &connected.cashier;
    let json = conn.json;
    match command {
        CashierCommand::Pay(args) => {
            let amount = Amount::parse(&args.amount, &args.currency).map_err(|e| e.to_string())?;
            let input = SaleInput {
                sale_id: args.sale_id.clone(),
                amount,
                method: method(&args)?,
                remark: args.remark.clone(),
            };
            let first = cashier.start_sale(input).await.map_err(|e| e.to_string())?;
            let sale =
                if args.no_wait { first } else { wait_sale(connected, json, &first.id).await? };
            print_sale(connected, json, &sale)?;
            Ok(if sale.status == SaleStatus::Paid || args.no_wait {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        CashierCommand::Refund { sale, amount, refund_id, reason, no_wait } => {
            let currency = cashier
                .sale(&sale)
                .map_err(|e| e.to_string())?
                .ok_or(format!("no sale {sale}"))?
                .amount
                .currency();
            let amount = amount
                .map(|a| Amount::parse(&a, currency.code()))
                .transpose()
                .map_err(|e| e.to_string())?;
            let mut refund = cashier
                .refund(&sale, RefundInput { refund_id, amount, reason })
                .await
                .map_err(|e| e.to_string())?;
            let start = Instant::now();
            while !no_wait && !refund.state.is_final() && start.elapsed() < Duration::from_secs(120)
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
                refund = cashier
                    .refund_by_id(&refund.id)
                    .map_err(|e| e.to_string())?
                    .ok_or("the refund vanished")?;
            }
            if json {
                println!("{}", render::refund_json(&refund));
            } else {
                println!("{}", render::refund_line(&refund).trim_start());
            }
            Ok(ExitCode::SUCCESS)
        }
        CashierCommand::Cancel { sale } => {
            let sale = cashier.cancel(&sale).await.map_err(|e| e.to_string())?;
            let sale = if sale.status.is_final() {
                sale
            } else {
                wait_sale(connected, json, &sale.id).await?
            };
            print_sale(connected, json, &sale)?;
            Ok(ExitCode::SUCCESS)
        }
        CashierCommand::Sale { sale } => {
            let found =
                cashier.sale(&sale).map_err(|e| e.to_string())?.ok_or(format!("no sale {sale}"))?;
            print_sale(connected, json, &found)?;
            Ok(ExitCode::SUCCESS)
        }
        CashierCommand::History { limit, status } => {
            let statuses = match status {
                Some(s) => vec![SaleStatus::parse(&s).ok_or(format!("unknown status {s:?}"))?],
                None => Vec::new(),
            };
            let sales = cashier
                .history(&HistoryFilter {
                    statuses,
                    limit: Some(limit),
                    ..HistoryFilter::default()
                })
                .map_err(|e| e.to_string())?;
            if json {
                let list: Vec<_> = sales.iter().map(|s| render::sale_json(s, &[])).collect();
                println!("{}", serde_json::Value::Array(list));
            } else {
                for s in &sales {
                    println!("{}", render::sale_line(s));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CashierCommand::Queue => {
            let q = cashier.queue_status().map_err(|e| e.to_string())?;
            if json {
                println!("{}", render::queue_json(&q));
            } else {
                let totals: Vec<String> =
                    q.totals.iter().map(|(c, v)| format!("{v} {c}")).collect();
                println!(
                    "{} sales, {} refunds waiting ({} unknown, {} unsent); totals: {}; oldest {} s",
                    q.sales,
                    q.refunds,
                    q.unknown,
                    q.unsent,
                    if totals.is_empty() { "-".into() } else { totals.join(", ") },
                    q.oldest_age_ms.unwrap_or(0) / 1000
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CashierCommand::Forward { timeout } => {
            let made_due = cashier.forward_now().map_err(|e| e.to_string())?;
            let start = Instant::now();
            let mut q = cashier.queue_status().map_err(|e| e.to_string())?;
            while q.sales + q.refunds > 0 && start.elapsed() < Duration::from_secs(timeout) {
                tokio::time::sleep(Duration::from_millis(200)).await;
                q = cashier.queue_status().map_err(|e| e.to_string())?;
            }
            if json {
                println!("{}", render::queue_json(&q));
            } else {
                println!(
                    "forwarded {made_due} waiting steps; {} sales and {} refunds still waiting",
                    q.sales, q.refunds
                );
            }
            Ok(if q.sales + q.refunds == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}
