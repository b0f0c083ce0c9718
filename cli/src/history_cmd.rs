//! `tillkit history`: sales newest first, with when they were taken, how they were paid and
//! what was refunded, and per-currency totals of the list; `--since`/`--until` select by time.

use clap::Args;
use tillkit_core::engine::Cashier;
use tillkit_core::order::SaleStatus;
use tillkit_core::store::HistoryFilter;

use crate::exit;
use crate::out::{self, CliError};
use crate::render;
use crate::report_cmd::{parse_offset_flag, parse_time_flag};

/// Options of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// At most this many.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Only this status (queued, processing, unknown, cancelling, paid, declined, expired,
    /// cancelled, offline, terminal_busy, terminal_unreachable, cancelled_at_terminal,
    /// timed_out_at_terminal, undelivered, failed_at_terminal).
    #[arg(long, value_parser = crate::cashier_cmd::status_names())]
    pub status: Option<String>,
    /// Also list abandoned sales (those that need attention are always listed).
    #[arg(long)]
    pub include_abandoned: bool,
    /// Only sales taken at or after TIME (RFC 3339, or YYYY-MM-DD for that day's midnight
    /// at --utc-offset).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only sales taken before TIME (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The merchant's offset from UTC for shown times and dates (+08:00); default UTC.
    #[arg(long, value_name = "±HH:MM", default_value = "Z", allow_hyphen_values = true)]
    pub utc_offset: String,
    #[command(flatten)]
    pub conn: crate::connect::ConnectArgs,
}

/// Runs `history`.
pub fn execute(cashier: &Cashier, json: bool, args: HistoryArgs) -> Result<u8, CliError> {
    let statuses = match &args.status {
        // clap has refused any name not in `status_names()`.
        Some(s) => vec![SaleStatus::parse(s)
            .ok_or_else(|| CliError::bad_input("usage", format!("unknown status '{s}'")))?],
        None => Vec::new(),
    };
    let offset = parse_offset_flag(&args.utc_offset)?;
    let since = args.since.as_deref().map(|v| parse_time_flag("since", v, offset)).transpose()?;
    let until = args.until.as_deref().map(|v| parse_time_flag("until", v, offset)).transpose()?;
    if let (Some(s), Some(u)) = (since, until) {
        if u <= s {
            return Err(CliError::bad_input("invalid_time", "--until: must be later than --since"));
        }
    }
    let sales = cashier.history(&HistoryFilter {
        statuses,
        since,
        until,
        limit: Some(args.limit),
        include_abandoned: args.include_abandoned,
    })?;
    let ids: Vec<&str> = sales.iter().map(|s| s.id.as_str()).collect();
    let mut refunds = cashier.refunds_of_sales(&ids)?;
    let rows: Vec<_> = sales
        .into_iter()
        .map(|s| {
            let refunded = render::refunded(&refunds.remove(&s.id).unwrap_or_default());
            (s, refunded)
        })
        .collect();
    if json {
        let list: Vec<_> = rows.iter().map(|(s, r)| render::history_json(s, r, offset)).collect();
        out::line(serde_json::Value::Array(list));
    } else {
        for (s, r) in &rows {
            out::line(render::history_line(s, r, offset));
        }
        for line in render::history_totals(&rows) {
            out::line(line);
        }
    }
    Ok(exit::OK)
}
