//! The `tillkit` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod scan_cmd;

/// TillKit: the cashier's command line.
#[derive(Parser, Debug)]
#[command(name = "tillkit", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode payment codes from images, a camera, or the benchmark protocol on stdin.
    Scan(scan_cmd::ScanArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Scan(args) => scan_cmd::run(args),
    }
}
