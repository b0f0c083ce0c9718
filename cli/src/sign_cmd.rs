//! `tillkit sign`: compute or check acquirer signatures by hand.

use std::io::Read;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use secrecy::SecretString;
use tillkit_core::sign::oceanpayment::{self, OceanMessage};
use tillkit_core::sign::pingpong;

/// Compute or verify a signature; secrets may come from the environment to stay out of history.
#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(subcommand)]
    acquirer: SignAcquirer,
}

#[derive(Debug, Subcommand)]
enum SignAcquirer {
    /// PingPong v4: reads a JSON envelope on stdin and prints its `sign` (or checks it).
    Pingpong {
        /// The merchant's salt.
        #[arg(long, env = "TILLKIT_PINGPONG_SALT", hide_env_values = true)]
        salt: String,
        /// Check the envelope's `sign` instead: exit 0 when valid, 1 when not.
        #[arg(long)]
        verify: bool,
    },
    /// Oceanpayment: reads `key=value` lines on stdin and prints the `signValue` (or checks it).
    Oceanpayment {
        /// The merchant's secure code.
        #[arg(long, env = "TILLKIT_OCEANPAYMENT_SECURE_CODE", hide_env_values = true)]
        secure_code: String,
        /// Which message's field order to use.
        #[arg(long, value_parser = parse_message)]
        message: OceanMessage,
        /// Check the `signValue=` line instead: exit 0 when valid, 1 when not.
        #[arg(long)]
        verify: bool,
    },
}

fn parse_message(name: &str) -> Result<OceanMessage, String> {
    OceanMessage::from_name(name).ok_or_else(|| {
        let names: Vec<_> = OceanMessage::ALL.iter().map(|m| m.name()).collect();
        format!("unknown message {name:?}; one of {}", names.join(", "))
    })
}

/// Runs the command; exit 0 on success or a valid signature, 1 on an invalid one, 2 on bad input.
pub fn run(args: SignArgs) -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("error: cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    match args.acquirer {
        SignAcquirer::Pingpong { salt, verify } => {
            pingpong_cmd(&SecretString::from(salt), verify, &input)
        }
        SignAcquirer::Oceanpayment { secure_code, message, verify } => {
            ocean_cmd(&SecretString::from(secure_code), message, verify, &input)
        }
    }
}

/// Prints a verification's result and turns it into the exit code: 0 valid, 1 invalid.
fn verdict(result: Result<(), tillkit_core::sign::SignError>) -> ExitCode {
    match result {
        Ok(()) => {
            println!("valid");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("invalid: {e}");
            ExitCode::from(1)
        }
    }
}

fn pingpong_cmd(salt: &SecretString, verify: bool, input: &str) -> ExitCode {
    let envelope: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(input) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: stdin is not a JSON object: {e}");
            return ExitCode::from(2);
        }
    };
    if verify {
        return verdict(pingpong::verify_envelope(salt, &envelope));
    }
    match pingpong::sign_envelope(salt, &envelope) {
        Ok(sign) => {
            println!("{sign}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn ocean_cmd(code: &SecretString, message: OceanMessage, verify: bool, input: &str) -> ExitCode {
    let mut fields = std::collections::HashMap::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            eprintln!("error: line {} is not key=value", n + 1);
            return ExitCode::from(2);
        };
        fields.insert(key.trim().to_string(), value.to_string());
    }
    let get = |k: &str| fields.get(k).map(String::as_str);
    if verify {
        let Some(received) = fields.get("signValue") else {
            println!("invalid: no signValue= line");
            return ExitCode::from(1);
        };
        return verdict(oceanpayment::verify(message, get, code, received));
    }
    let missing: Vec<_> = message.fields().iter().filter(|f| !fields.contains_key(**f)).collect();
    if !missing.is_empty() {
        // Empty fields are legitimate (they sign as ""), but say so: a typo looks the same.
        let names: Vec<&str> = missing.iter().map(|f| **f).collect();
        eprintln!("note: signing {} as empty", names.join(", "));
    }
    println!("{}", oceanpayment::sign(message, get, code));
    ExitCode::SUCCESS
}
