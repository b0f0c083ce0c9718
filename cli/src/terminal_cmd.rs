//! `tillkit terminal add|remove|default|list`: the POS terminals card sales may go to
//! (`terminal run`, the terminal's own side, is in `terminal_run.rs`).

use clap::Subcommand;
use serde_json::json;
use tillkit_core::engine::Cashier;
use tillkit_core::store::TerminalRow;

use crate::exit;
use crate::out::{self, CliError};

/// A terminal command.
#[derive(Debug, Subcommand)]
pub enum TerminalCommand {
    /// Pair a terminal (or rename it, or correct its model). The first one is the default.
    Add {
        /// Serial number (`deviceSn`).
        #[arg(long)]
        serial: String,
        /// Model (`deviceModel`), e.g. PAX-A920.
        #[arg(long)]
        model: String,
        /// A name for the screen ("Counter 2").
        #[arg(long)]
        label: Option<String>,
    },
    /// Forget a terminal.
    Remove {
        /// Serial number.
        serial: String,
    },
    /// Make a paired terminal the default for `pay --card`.
    Default {
        /// Serial number.
        serial: String,
    },
    /// List the paired terminals, the default first.
    List,
    /// Play the POS terminal: run the terminal agent (take the card sales the acquirer routes
    /// to --serial/--model on a card reader, report each result) until Ctrl-C.
    Run(Box<crate::terminal_run::RunArgs>),
    /// The offline card approvals kept on this terminal: list them, forward them now.
    #[command(subcommand)]
    Offline(crate::terminal_offline::OfflineCommand),
}

fn as_json(t: &TerminalRow) -> serde_json::Value {
    json!({
        "serial": t.serial,
        "model": t.model,
        "label": t.label,
        "default": t.is_default,
        "status": t.status.as_str(),
        "last_seen_ms": t.last_seen_ms,
    })
}

fn as_text(t: &TerminalRow) -> String {
    let mark = if t.is_default { "*" } else { " " };
    let label = t.label.as_deref().unwrap_or("");
    format!("{mark} {:<20} {:<12} {:<12} {label}", t.serial, t.model, t.status.as_str())
}

/// Runs a terminal command; returns the exit code.
pub fn execute(cashier: &Cashier, json: bool, command: TerminalCommand) -> Result<u8, CliError> {
    match command {
        TerminalCommand::Add { serial, model, label } => {
            let t = cashier.add_terminal(&serial, &model, label.as_deref())?;
            out::line(if json {
                as_json(&t).to_string()
            } else {
                format!("paired {}", as_text(&t))
            });
        }
        TerminalCommand::Remove { serial } => {
            cashier.remove_terminal(&serial)?;
            out::line(if json {
                json!({"removed": serial}).to_string()
            } else {
                format!("removed {serial}")
            });
        }
        TerminalCommand::Default { serial } => {
            cashier.set_default_terminal(&serial)?;
            out::line(if json {
                json!({"default": serial}).to_string()
            } else {
                format!("default: {serial}")
            });
        }
        TerminalCommand::Run(_) | TerminalCommand::Offline(_) => {
            // Dispatched before the cashier's store is opened (cashier_cmd::run).
            return Err(CliError::internal("the terminal's own commands are not cashier commands"));
        }
        TerminalCommand::List => {
            let all = cashier.terminals()?;
            if json {
                out::line(serde_json::Value::Array(all.iter().map(as_json).collect()));
            } else if all.is_empty() {
                out::line("no terminal paired: tillkit terminal add --serial S --model M");
            } else {
                all.iter().for_each(|t| out::line(as_text(t)));
            }
        }
    }
    Ok(exit::OK)
}
