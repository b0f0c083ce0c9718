//! What the commands print, and how they fail.
//!
//! Standard output may be a pipe that closes early (`tillkit history | head -1`): a write that
//! meets a closed pipe marks the output closed and every later write is skipped, so the command
//! ends as it would have, quietly, instead of panicking in `println!`.

use std::fmt::Display;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use tillkit_core::engine::CashierError;

use crate::exit;

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Prints one line on standard output, unless the reader has gone.
pub fn line(text: impl Display) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        // Nothing else can be done with an output that refuses writes either.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            log::debug!("standard output failed: {e}");
        }
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// A failed command: what to print and which exit code to end with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// The exit code (see [`crate::exit`]).
    pub exit: u8,
    /// A stable machine-readable name, for `--json`.
    pub kind: &'static str,
    /// For people.
    pub message: String,
}

impl CliError {
    /// Bad input (exit 2).
    pub fn bad_input(kind: &'static str, message: impl Into<String>) -> Self {
        CliError { exit: exit::BAD_INPUT, kind, message: message.into() }
    }

    /// An internal failure (exit 1).
    pub fn internal(message: impl Into<String>) -> Self {
        CliError { exit: exit::INTERNAL, kind: "internal", message: message.into() }
    }

    /// Prints the error (JSON on standard output under `--json`, text on standard error) and
    /// gives its exit code.
    pub fn report(&self, json: bool) -> ExitCode {
        if json {
            line(json!({
                "error": {"kind": self.kind, "message": self.message},
                "exit": self.exit,
            }));
        } else {
            eprintln!("error: {}", self.message);
        }
        ExitCode::from(self.exit)
    }
}

impl From<CashierError> for CliError {
    fn from(e: CashierError) -> Self {
        let (exit, kind) = exit::for_error(&e);
        CliError { exit, kind, message: e.to_string() }
    }
}

/// A writer that treats a closed pipe as the end of the output: the write and every later one
/// succeed without writing, so a command streaming rows ends quietly.
pub struct QuietPipe<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> QuietPipe<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        QuietPipe { inner, closed: false }
    }
}

impl<W: Write> Write for QuietPipe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}
