//! `tillkit reader simulate`: the byte-level card reader simulator on loopback TCP, so that the
//! link (`docs/reader-link.md`) can be tried by hand or from another program.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use tillkit_core::reader::link::sim::{ReaderSim, Scenario, SimConfig};
use tillkit_core::reader::link::tcp::TcpListenerTransport;

use crate::out::{self, CliError};

/// External card readers.
#[derive(Debug, Args)]
pub struct ReaderArgs {
    #[command(subcommand)]
    command: ReaderCommand,
}

#[derive(Debug, Subcommand)]
enum ReaderCommand {
    /// Run the byte-level reader simulator on a loopback TCP port until Ctrl-C. Prints
    /// `listening ADDRESS scenario NAME` first.
    Simulate {
        /// What the simulated card does: approve, decline, pin-retry, card-removed, no-card,
        /// cancel, link-drop, garbage, slow, flood.
        #[arg(long, default_value = "approve", value_parser = parse_scenario)]
        scenario: Scenario,
        /// Loopback address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:7420", value_parser = parse_loopback)]
        listen: SocketAddr,
        /// Largest write, in bytes (20 to 244 imitate Bluetooth LE packets).
        #[arg(long, default_value_t = 244, value_parser = clap::value_parser!(u16).range(1..=4096))]
        chunk: u16,
    },
}

fn parse_scenario(name: &str) -> Result<Scenario, String> {
    Scenario::from_name(name).ok_or_else(|| {
        let names: Vec<_> = Scenario::ALL.iter().map(|s| s.name()).collect();
        format!("unknown scenario {name:?}; one of {}", names.join(", "))
    })
}

/// A simulated reader answers anyone who connects: it stays on the loopback interface.
fn parse_loopback(text: &str) -> Result<SocketAddr, String> {
    let addr: SocketAddr =
        text.parse().map_err(|_| format!("{text:?} is not an address like 127.0.0.1:7420"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{addr} is not a loopback address; the simulator listens on 127.0.0.1 or ::1 only"
        ));
    }
    Ok(addr)
}

/// Runs the command.
pub fn run(args: ReaderArgs) -> ExitCode {
    match args.command {
        ReaderCommand::Simulate { scenario, listen, chunk } => {
            simulate(scenario, listen, usize::from(chunk))
        }
    }
}

fn simulate(scenario: Scenario, listen: SocketAddr, chunk: usize) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            return CliError::internal(format!("cannot start the runtime: {e}")).report(false)
        }
    };
    rt.block_on(async {
        let transport = match TcpListenerTransport::bind(listen, chunk).await {
            Ok(t) => t,
            Err(e) => {
                return CliError::bad_input("listen", format!("cannot listen on {listen}: {e}"))
                    .report(false)
            }
        };
        let addr = match transport.local_addr() {
            Ok(a) => a,
            Err(e) => return CliError::internal(e.to_string()).report(false),
        };
        let sim = ReaderSim::spawn(transport, SimConfig::new(scenario));
        out::line(format!("listening {addr} scenario {}", scenario.name()));
        if let Err(e) = tokio::signal::ctrl_c().await {
            return CliError::internal(format!("cannot wait for Ctrl-C: {e}")).report(false);
        }
        out::line(format!(
            "stopped: {} transactions started, {} approved",
            sim.started(),
            sim.approved()
        ));
        ExitCode::SUCCESS
    })
}
