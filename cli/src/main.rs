//! `tillkit`: the TillKit command line — demo, sandbox acquirer, cashier commands, payment-code
//! scanning and signature tools.

mod cashier_cmd;
mod connect;
mod demo;
mod render;
mod scan_cmd;
mod sign_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// TillKit: the open core for in-person payments.
#[derive(Debug, Parser)]
#[command(name = "tillkit", version, about)]
struct Cli {
    #[command(flatten)]
    connect: connect::ConnectArgs,
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
    #[command(flatten)]
    Cashier(cashier_cmd::CashierCommand),
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(args) => demo::run_demo(args),
        Command::Sandbox(args) => demo::run_sandbox(args),
        Command::Sign(args) => sign_cmd::run(args),
        Command::Scan(args) => scan_cmd::run(args),
        Command::Cashier(command) => cashier_cmd::run(cli.connect, command),
    }
}
