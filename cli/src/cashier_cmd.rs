//! The cashier commands: `pay`, `refund`, `cancel`, `abandon`, `sale`, `history`, `queue`,
//! `forward`, `report`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand, ValueEnum};
use tillkit_core::acquirer::{TerminalId, WalletMethod};
use tillkit_core::engine::{NoListener, RefundInput, SaleInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::SaleStatus;
use tillkit_core::store::{RefundRow, SaleRow};

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
        #[command(flatten)]
        conn: ConnectArgs,
    },
    /// Cancel a sale that is not paid yet.
    Cancel {
        /// The sale.
        sale: String,
        #[command(flatten)]
        conn: ConnectArgs,
    },
    /// Abandon a card or QR sale that is stuck: it leaves the list and is still resolved in
    /// the background; a charge that comes later is recorded as paid and flagged.
    Abandon {
        /// The sale.
        sale: String,
        #[command(flatten)]
        conn: ConnectArgs,
    },
    /// Show one sale with its refunds.
    Sale {
        /// The sale.
        sale: String,
        #[command(flatten)]
        conn: ConnectArgs,
    },
    /// List sales, newest first, with their time, method and refunds, and totals.
    History(crate::history_cmd::HistoryArgs),
    /// The shift (end-of-day) report: totals by method, wallet and currency, refunds, net,
    /// sales still open or needing attention, the outbox; `--close` closes the shift.
    Report(crate::report_cmd::ReportArgs),
    /// Show what waits: for the network (not sent yet, or outcome unknown) and for a customer
    /// (a QR shown, a wallet asking its owner to confirm).
    Queue {
        #[command(flatten)]
        conn: ConnectArgs,
    },
    /// A sale's or refund's receipt (text, ESC/POS or PNG; reprint at any time).
    Receipt(crate::receipt_cmd::ReceiptArgs),
    /// Pair, list and choose the POS terminals card sales go to.
    Terminal(TerminalArgs),
    /// Forward everything waiting now, and keep going until the queue is empty or the timeout.
    Forward {
        /// Give up waiting after this many seconds (work left stays queued; at most --max-wait).
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        #[command(flatten)]
        conn: ConnectArgs,
    },
}

/// `terminal` with its connection options (they apply to every terminal command).
#[derive(Debug, Args)]
pub struct TerminalArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    #[command(subcommand)]
    command: crate::terminal_cmd::TerminalCommand,
}

impl CashierCommand {
    /// The connection options given to this command.
    fn conn(&self) -> &ConnectArgs {
        match self {
            CashierCommand::Pay(args) => &args.conn,
            CashierCommand::Terminal(args) => &args.conn,
            CashierCommand::History(args) => &args.conn,
            CashierCommand::Report(args) => &args.conn,
            CashierCommand::Receipt(args) => &args.conn,
            CashierCommand::Refund { conn, .. }
            | CashierCommand::Cancel { conn, .. }
            | CashierCommand::Abandon { conn, .. }
            | CashierCommand::Sale { conn, .. }
            | CashierCommand::Queue { conn }
            | CashierCommand::Forward { conn, .. } => conn,
        }
    }
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
    /// ISO 4217 currency: CNY, HKD, … (lower case is accepted).
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
    #[command(flatten)]
    conn: ConnectArgs,
}

/// The names `--status` accepts; a wrong one is refused with this list.
pub(crate) fn status_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(SaleStatus::ALL.map(SaleStatus::as_str))
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
pub fn run(command: CashierCommand) -> ExitCode {
    let conn = command.conn().clone();
    // The terminal's side: no cashier store, its own journal.
    let command = match command {
        CashierCommand::Terminal(TerminalArgs {
            command: crate::terminal_cmd::TerminalCommand::Run(args),
            ..
        }) => {
            return crate::terminal_run::run(*args, &conn);
        }
        CashierCommand::Terminal(TerminalArgs {
            command: crate::terminal_cmd::TerminalCommand::Offline(offline),
            ..
        }) => {
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
            let amount = Amount::parse(&args.amount, &args.currency.to_ascii_uppercase())
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
                // Waiting would have drawn it: without the wait, the customer still needs it.
                if !json {
                    wait::draw_qr(&first);
                }
                first
            } else {
                wait::sale(connected, json, &first.id, deadline).await?
            };
            let code = exit::for_sale(sale.status);
            print_sale(connected, json, &sale, code)?;
            Ok(code)
        }
        CashierCommand::Refund { sale, amount, refund_id, reason, no_wait, .. } => {
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
        CashierCommand::Cancel { sale, .. } => {
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
        CashierCommand::Abandon { sale, .. } => {
            let sale = cashier.abandon_sale(&sale).await?;
            print_sale(connected, json, &sale, exit::OK)?;
            Ok(exit::OK)
        }
        CashierCommand::Sale { sale, .. } => {
            let found = cashier
                .sale(&sale)?
                .ok_or_else(|| CliError::bad_input("unknown_sale", format!("no sale {sale}")))?;
            print_sale(connected, json, &found, exit::OK)?;
            Ok(exit::OK)
        }
        CashierCommand::History(args) => crate::history_cmd::execute(cashier, json, args),
        CashierCommand::Report(args) => crate::report_cmd::execute(cashier, json, args).await,
        CashierCommand::Terminal(args) => crate::terminal_cmd::execute(cashier, json, args.command),
        CashierCommand::Queue { .. } => crate::queue_cmd::queue(cashier, json),
        CashierCommand::Forward { timeout, .. } => {
            crate::queue_cmd::forward(cashier, json, Duration::from_secs(timeout), deadline).await
        }
    }
}
