//! The cashier commands: `pay`, `refund`, `cancel`, `abandon`, `sale`, `history`, `queue`,
//! `forward`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand, ValueEnum};
use tillkit_core::acquirer::{TerminalId, WalletMethod};
use tillkit_core::engine::{NoListener, RefundInput, SaleInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::SaleStatus;
use tillkit_core::store::{HistoryFilter, RefundRow, SaleRow};

use crate::connect::{connect, ConnectArgs, Connected};
use crate::exit;
use crate::out::{self, CliError};
use crate::render;
use crate::wait::{self, Deadline};

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
    /// Abandon a card or QR sale that is stuck: it leaves the list and is still resolved in
    /// the background; a charge that comes later is recorded as paid and flagged.
    Abandon {
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
        /// Only this status (queued, processing, unknown, cancelling, paid, declined, expired,
        /// cancelled, offline, terminal_busy, terminal_unreachable, cancelled_at_terminal,
        /// timed_out_at_terminal, undelivered, failed_at_terminal).
        #[arg(long)]
        status: Option<String>,
        /// Also list abandoned sales (those that need attention are always listed).
        #[arg(long)]
        include_abandoned: bool,
    },
    /// Show what waits in the outbox.
    Queue,
    /// A sale's or refund's receipt (text, ESC/POS or PNG; reprint at any time).
    Receipt(crate::receipt_cmd::ReceiptArgs),
    /// Pair, list and choose the POS terminals card sales go to.
    #[command(subcommand)]
    Terminal(crate::terminal_cmd::TerminalCommand),
    /// Forward everything waiting now, and keep going until the queue is empty or the timeout.
    Forward {
        /// Give up waiting after this many seconds (work left stays queued; at most --max-wait).
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
    /// How long this QR stays payable, in seconds (60 to 259200, one minute to three days);
    /// the configured QR lifetime when absent.
    #[arg(long, requires = "qr", value_name = "SECS")]
    qr_ttl: Option<u64>,
    /// Card on a paired terminal (`tillkit terminal add`): SERIAL, SERIAL:MODEL (checked
    /// against the paired model), or nothing for the default terminal.
    #[arg(long, group = "method", num_args = 0..=1, default_missing_value = "", value_name = "SERIAL")]
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

fn method(args: &PayArgs) -> Result<SaleMethodInput, CliError> {
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
        let (serial, model) = card.split_once(':').unwrap_or((card, ""));
        return Ok(SaleMethodInput::Card(TerminalId {
            serial: serial.into(),
            model: model.into(),
        }));
    }
    Err(CliError::bad_input("usage", "one of --code, --qr or --card is required"))
}

/// Runs a cashier command.
pub fn run(conn: ConnectArgs, command: CashierCommand) -> ExitCode {
    // The terminal's side: no cashier store, its own journal.
    let command = match command {
        CashierCommand::Terminal(crate::terminal_cmd::TerminalCommand::Run(args)) => {
            return crate::terminal_run::run(*args, &conn);
        }
        CashierCommand::Terminal(crate::terminal_cmd::TerminalCommand::Offline(offline)) => {
            return crate::terminal_offline::run(offline, &conn);
        }
        other => other,
    };
    let json = conn.json;
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return CliError::internal(e.to_string()).report(json),
    };
    let started = Instant::now();
    rt.block_on(async move {
        let connected = match connect(&conn, Arc::new(NoListener)).await {
            Ok(c) => c,
            Err(e) => return e.report(json),
        };
        let deadline = Deadline::new(started, conn.max_wait, conn.request_timeout);
        let result = execute(&connected, &conn, command, deadline).await;
        // Closing waits for an answer in flight (bounded by the request timeout), so what was
        // printed is what the store holds.
        let close_limit = Duration::from_secs(conn.request_timeout.max(1) + 2);
        if tokio::time::timeout(close_limit, connected.close()).await.is_err() {
            log::warn!("the engine did not stop in time; unsettled work stays in the store");
        }
        match result {
            Ok(code) => ExitCode::from(code),
            Err(e) => e.report(json),
        }
    })
}

fn print_sale(connected: &Connected, json: bool, sale: &SaleRow, code: u8) -> Result<(), CliError> {
    let refunds = connected.cashier.refunds(&sale.id)?;
    let next = render::sale_next_step(sale);
    if json {
        let mut value = render::sale_json(sale, &refunds);
        value["next"] = serde_json::Value::from(next);
        value["exit"] = serde_json::Value::from(code);
        out::line(value);
    } else {
        out::line(render::sale_line(sale));
        if let Some(url) = &sale.payment_redirect_url {
            out::line(format!("  payment page: {url}"));
        }
        for r in &refunds {
            out::line(render::refund_line(r));
        }
        if !next.is_empty() {
            eprintln!("{next}");
        }
    }
    Ok(())
}

fn print_refund(json: bool, refund: &RefundRow, code: u8) {
    let next = render::refund_next_step(refund);
    if json {
        let mut value = render::refund_json(refund);
        value["next"] = serde_json::Value::from(next);
        value["exit"] = serde_json::Value::from(code);
        out::line(value);
    } else {
        out::line(render::refund_line(refund).trim_start());
        if !next.is_empty() {
            eprintln!("{next}");
        }
    }
}

async fn execute(
    connected: &Connected,
    conn: &ConnectArgs,
    command: CashierCommand,
    deadline: Deadline,
) -> Result<u8, CliError> {
    let cashier = &connected.cashier;
    let json = conn.json;
    match command {
        CashierCommand::Receipt(args) => crate::receipt_cmd::run(connected, args, json).await,
        CashierCommand::Pay(args) => {
            let amount = Amount::parse(&args.amount, &args.currency)
                .map_err(|e| CliError::bad_input("invalid_amount", e.to_string()))?;
            let input = SaleInput {
                sale_id: args.sale_id.clone(),
                amount,
                method: method(&args)?,
                remark: args.remark.clone(),
                qr_lifetime: args.qr_ttl.map(Duration::from_secs),
            };
            let first = cashier.start_sale(input).await?;
            let sale = if args.no_wait {
                first
            } else {
                wait::sale(connected, json, &first.id, deadline).await?
            };
            let code = exit::for_sale(sale.status);
            print_sale(connected, json, &sale, code)?;
            Ok(code)
        }
        CashierCommand::Refund { sale, amount, refund_id, reason, no_wait } => {
            let currency = cashier
                .sale(&sale)?
                .ok_or_else(|| CliError::bad_input("unknown_sale", format!("no sale {sale}")))?
                .amount
                .currency();
            let amount = amount
                .map(|a| Amount::parse(&a, currency.code()))
                .transpose()
                .map_err(|e| CliError::bad_input("invalid_amount", e.to_string()))?;
            let refund = cashier.refund(&sale, RefundInput { refund_id, amount, reason }).await?;
            let refund =
                if no_wait { refund } else { wait::refund(connected, refund, deadline).await? };
            let code = exit::for_refund(refund.state);
            print_refund(json, &refund, code);
            Ok(code)
        }
        CashierCommand::Cancel { sale } => {
            let sale = cashier.cancel(&sale).await?;
            let sale = if sale.status.is_final() {
                sale
            } else {
                wait::sale(connected, json, &sale.id, deadline).await?
            };
            // The command did what it was asked when the sale can no longer be paid.
            let code = match sale.status {
                SaleStatus::Failed(_) => exit::OK,
                SaleStatus::Paid => exit::DECLINED,
                other => exit::for_sale(other),
            };
            print_sale(connected, json, &sale, code)?;
            Ok(code)
        }
        CashierCommand::Abandon { sale } => {
            let sale = cashier.abandon_sale(&sale).await?;
            print_sale(connected, json, &sale, exit::OK)?;
            Ok(exit::OK)
        }
        CashierCommand::Sale { sale } => {
            let found = cashier
                .sale(&sale)?
                .ok_or_else(|| CliError::bad_input("unknown_sale", format!("no sale {sale}")))?;
            print_sale(connected, json, &found, exit::OK)?;
            Ok(exit::OK)
        }
        CashierCommand::History { limit, status, include_abandoned } => {
            let statuses = match status {
                Some(s) => vec![SaleStatus::parse(&s).ok_or_else(|| {
                    CliError::bad_input("usage", format!("unknown status {s:?}"))
                })?],
                None => Vec::new(),
            };
            let sales = cashier.history(&HistoryFilter {
                statuses,
                limit: Some(limit),
                include_abandoned,
                ..HistoryFilter::default()
            })?;
            if json {
                let list: Vec<_> = sales.iter().map(|s| render::sale_json(s, &[])).collect();
                out::line(serde_json::Value::Array(list));
            } else {
                for s in &sales {
                    out::line(render::sale_line(s));
                }
            }
            Ok(exit::OK)
        }
        CashierCommand::Terminal(command) => crate::terminal_cmd::execute(cashier, json, command),
        CashierCommand::Queue => {
            let q = cashier.queue_status()?;
            if json {
                out::line(render::queue_json(&q));
            } else {
                let totals: Vec<String> =
                    q.totals.iter().map(|(c, v)| format!("{v} {c}")).collect();
                out::line(format!(
                    "{} sales, {} refunds waiting ({} unknown, {} unsent); totals: {}; oldest {} s",
                    q.sales,
                    q.refunds,
                    q.unknown,
                    q.unsent,
                    if totals.is_empty() { "-".into() } else { totals.join(", ") },
                    q.oldest_age_ms.unwrap_or(0) / 1000
                ));
            }
            Ok(exit::OK)
        }
        CashierCommand::Forward { timeout } => {
            let made_due = cashier.forward_now()?;
            let start = Instant::now();
            let limit = Duration::from_secs(timeout);
            let mut progress = render::Progress::new();
            let mut q = cashier.queue_status()?;
            while q.sales + q.refunds > 0 && start.elapsed() < limit && !deadline.passed() {
                progress.show(
                    &format!("{} sales and {} refunds waiting", q.sales, q.refunds),
                    Some(
                        deadline
                            .left_ms()
                            .min(limit.saturating_sub(start.elapsed()).as_millis() as u64),
                    ),
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
                q = cashier.queue_status()?;
            }
            progress.finish();
            // Unknown outcomes still waiting matter more than unsent ones.
            let code = if q.sales + q.refunds == 0 {
                exit::OK
            } else if q.unknown > 0 {
                exit::UNKNOWN
            } else {
                exit::OFFLINE
            };
            if json {
                let mut value = render::queue_json(&q);
                value["exit"] = serde_json::Value::from(code);
                out::line(value);
            } else {
                out::line(format!(
                    "forwarded {made_due} waiting steps; {} sales and {} refunds still waiting",
                    q.sales, q.refunds
                ));
            }
            Ok(code)
        }
    }
}
