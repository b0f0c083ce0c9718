//! `queue` and `forward`: what waits for the network (not sent yet, or sent with the outcome
//! unknown) told apart from what waits for a customer (a QR on show, a wallet or a terminal
//! asking its owner). `forward` can only help the first: it returns without waiting for
//! customers.

use std::time::{Duration, Instant};

use serde_json::json;
use tillkit_core::engine::{Cashier, QueueStatus};
use tillkit_core::order::SaleStatus;

use crate::exit;
use crate::out::{self, CliError};
use crate::render;
use crate::wait::Deadline;

/// The queue, split by what it waits for.
struct Waiting {
    q: QueueStatus,
    /// Sales the acquirer holds while a customer scans, confirms or presents a card.
    customer: u32,
}

impl Waiting {
    fn read(cashier: &Cashier) -> Result<Waiting, CliError> {
        let q = cashier.queue_status()?;
        let processing = cashier.count_sales(SaleStatus::Processing)?;
        let customer = u32::try_from(processing).unwrap_or(u32::MAX);
        Ok(Waiting { q, customer })
    }

    /// Not sent yet, or sent with the outcome unknown: the network's part.
    fn network(&self) -> u32 {
        self.q.unsent + self.q.unknown
    }

    /// Everything but the customers: what `forward` waits for (the network, and answers the
    /// acquirer still owes, such as a refund in progress).
    fn not_customer(&self) -> u32 {
        (self.q.sales + self.q.refunds).saturating_sub(self.customer)
    }

    fn json(&self) -> serde_json::Value {
        let mut value = render::queue_json(&self.q);
        value["waiting_for_network"] = json!(self.network());
        value["waiting_for_customer"] = json!(self.customer);
        value
    }

    fn text(&self) -> String {
        let q = &self.q;
        let at_acquirer = self.not_customer().saturating_sub(self.network());
        format!(
            "waiting for the network: {} ({} not sent yet, {} outcome unknown); waiting for a \
             customer: {}; in progress at the acquirer: {}\n{} sales, {} refunds; totals {}; \
             oldest {} s",
            self.network(),
            q.unsent,
            q.unknown,
            self.customer,
            at_acquirer,
            q.sales,
            q.refunds,
            render::totals_text(&q.totals),
            q.oldest_age_ms.unwrap_or(0) / 1000
        )
    }
}

/// `tillkit queue`.
pub fn queue(cashier: &Cashier, json: bool) -> Result<u8, CliError> {
    let waiting = Waiting::read(cashier)?;
    out::line(if json { waiting.json().to_string() } else { waiting.text() });
    Ok(exit::OK)
}

/// `tillkit forward`: sends what waits now and watches until nothing but customers is left,
/// `limit` passes or the command's deadline.
pub async fn forward(
    cashier: &Cashier,
    json: bool,
    limit: Duration,
    deadline: Deadline,
) -> Result<u8, CliError> {
    let made_due = cashier.forward_now()?;
    let start = Instant::now();
    let mut progress = render::Progress::new();
    let mut waiting = Waiting::read(cashier)?;
    while waiting.not_customer() > 0 && start.elapsed() < limit && !deadline.passed() {
        let left = limit.saturating_sub(start.elapsed()).as_millis() as u64;
        let text = format!(
            "{} waiting for the network, {} for the acquirer's answer",
            waiting.network(),
            waiting.not_customer().saturating_sub(waiting.network())
        );
        progress.show(&text, Some(deadline.left_ms().min(left)));
        tokio::time::sleep(Duration::from_millis(200)).await;
        waiting = Waiting::read(cashier)?;
    }
    progress.finish();
    // Unknown outcomes still waiting matter more than unsent ones; customers are not the
    // network's failure.
    let code = if waiting.not_customer() == 0 {
        exit::OK
    } else if waiting.q.unknown > 0 {
        exit::UNKNOWN
    } else {
        exit::OFFLINE
    };
    if json {
        let mut value = waiting.json();
        value["exit"] = json!(code);
        out::line(value);
    } else {
        out::line(format!("forwarded {made_due} waiting steps"));
        out::line(waiting.text());
    }
    Ok(code)
}
