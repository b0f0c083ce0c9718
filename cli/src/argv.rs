//! The connection options belong to the cashier commands (`tillkit pay --data-dir D …`), but
//! scripts and the docs also write them before the command (`tillkit --data-dir D pay …`).
//! [`cashier_first`] moves the cashier command's name in front of such options, so that both
//! orders parse, while the other commands (`sandbox`, `sign`, `scan`, …) refuse them.

use std::ffi::OsString;

use clap::{Args, Subcommand};

use crate::cashier_cmd::CashierCommand;
use crate::connect::ConnectArgs;

/// The long names of the connection options, each with whether it takes a value.
fn connect_options() -> Vec<(String, bool)> {
    let command = ConnectArgs::augment_args(clap::Command::new("tillkit"));
    command
        .get_arguments()
        .filter_map(|a| Some((a.get_long()?.to_string(), a.get_action().takes_values())))
        .collect()
}

/// The names of the cashier commands (`pay`, `refund`, …, `terminal`).
fn cashier_commands() -> Vec<String> {
    let command = CashierCommand::augment_subcommands(clap::Command::new("tillkit"));
    command.get_subcommands().map(|c| c.get_name().to_string()).collect()
}

/// `tillkit [connection options] CASHIER-COMMAND rest` becomes
/// `tillkit CASHIER-COMMAND [connection options] rest`; anything else is left as it is (an
/// option before `sandbox` is then refused by the parser, naming it).
pub fn cashier_first(mut args: Vec<OsString>) -> Vec<OsString> {
    let options = connect_options();
    let mut i = 1;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        let Some(long) = arg.strip_prefix("--") else { break };
        let (name, inline_value) = match long.split_once('=') {
            Some((name, _)) => (name, true),
            None => (long, false),
        };
        let Some((_, takes_value)) = options.iter().find(|(o, _)| o == name) else {
            return args;
        };
        i += if *takes_value && !inline_value { 2 } else { 1 };
    }
    let is_cashier = args
        .get(i)
        .and_then(|a| a.to_str())
        .is_some_and(|name| cashier_commands().iter().any(|c| c == name));
    if i > 1 && is_cashier {
        let name = args.remove(i);
        args.insert(1, name);
    }
    args
}

/// For a connection option given to a command it does not apply to (`tillkit sandbox
/// --data-dir d`): which commands take it.
pub fn misplaced_option_note(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    if e.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else { return None };
    let name = arg.trim_start_matches("--").split('=').next().unwrap_or_default();
    connect_options().iter().any(|(o, _)| o == name).then(|| {
        format!(
            "note: --{name} is an option of the cashier commands ({}) only",
            cashier_commands().join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::cashier_first;

    fn moved(line: &str) -> String {
        let args = line.split(' ').map(Into::into).collect();
        let out: Vec<String> =
            cashier_first(args).into_iter().map(|a| a.to_string_lossy().into_owned()).collect();
        out.join(" ")
    }

    #[test]
    fn connection_options_may_come_before_a_cashier_command() {
        assert_eq!(
            moved("tillkit --data-dir d --json pay --amount 1"),
            "tillkit pay --data-dir d --json --amount 1"
        );
        assert_eq!(
            moved("tillkit --base-url=u terminal list"),
            "tillkit terminal --base-url=u list"
        );
        assert_eq!(moved("tillkit pay --json"), "tillkit pay --json");
    }

    #[test]
    fn other_commands_are_left_for_the_parser_to_refuse() {
        assert_eq!(moved("tillkit --data-dir d sandbox"), "tillkit --data-dir d sandbox");
        assert_eq!(moved("tillkit --help"), "tillkit --help");
        // `queue` is the value of --data-dir here, not the command.
        assert_eq!(moved("tillkit --data-dir queue sign"), "tillkit --data-dir queue sign");
    }
}
