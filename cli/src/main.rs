//! `tillkit`: the TillKit command line — demo, sandbox acquirer, cashier commands, payment-code
//! scanning and signature tools.
//!
//! The connection options (`--data-dir`, `--acquirer`, `--json`, …) belong to the cashier
//! commands only; `argv::cashier_first` lets them come before the command name too.

mod argv;
mod cashier_cmd;
mod connect;
mod demo;
mod demo_ocean;
mod demo_terminal;
mod emv_cmd;
mod exit;
mod history_cmd;
mod out;
mod queue_cmd;
mod reader_cmd;
mod receipt_cmd;
mod render;
mod report_cmd;
mod report_out;
mod scan_cmd;
mod settings;
mod sign_cmd;
mod terminal_cmd;
mod terminal_offline;
mod terminal_run;
mod wait;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// TillKit: the open core for in-person payments.
#[derive(Debug, Parser)]
#[command(name = "tillkit", version, about, after_help = exit::HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the embedded sandbox acquirer and run real signed sales and a refund against it.
    Demo(demo::DemoArgs),
    /// Run the sandbox acquirer (PingPong v4 + Oceanpayment) until Ctrl-C.
    Sandbox(demo::SandboxArgs),
    /// Compute or verify an acquirer signature.
    Sign(sign_cmd::SignArgs),
    /// Decode payment codes from images, a camera, or the benchmark protocol on stdin.
    Scan(scan_cmd::ScanArgs),
    /// Decode EMV card data (BER-TLV) as JSON, card numbers masked.
    Emv(emv_cmd::EmvArgs),
    /// External card readers: `reader simulate` runs the byte-level reader simulator.
    Reader(reader_cmd::ReaderArgs),
    // Boxed: every cashier command carries the connection options.
    #[command(flatten)]
    Cashier(Box<cashier_cmd::CashierCommand>),
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = match Cli::try_parse_from(argv::cashier_first(std::env::args_os().collect())) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match cli.command {
        Command::Demo(args) => demo::run_demo(args),
        Command::Sandbox(args) => demo::run_sandbox(args),
        Command::Sign(args) => sign_cmd::run(args),
        Command::Scan(args) => scan_cmd::run(args),
        Command::Emv(args) => emv_cmd::run(args),
        Command::Reader(args) => reader_cmd::run(args),
        Command::Cashier(command) => cashier_cmd::run(*command),
    }
}

/// Help and version go to standard output as usual; a usage error exits 2, as JSON on standard
/// output when `--json` was asked for.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let informational = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    let note = argv::misplaced_option_note(&e);
    if !informational && std::env::args_os().any(|a| a == "--json") {
        let message = e.to_string();
        let message = message.trim().trim_start_matches("error: ");
        let message = match &note {
            Some(note) => format!("{message}\n{note}"),
            None => message.to_string(),
        };
        return out::CliError::bad_input("usage", message).report(true);
    }
    let _ = e.print();
    if let Some(note) = note {
        eprintln!("{note}");
    }
    ExitCode::from(if informational { exit::OK } else { exit::BAD_INPUT })
}
