//! Times simulated card sales through the reader session: from "card presented" (the reader's
//! `CardDetected`) to the session's result, with the simulated reader and an issuer that
//! answers at once, so that the figure is the core's own cost per sale.
//!
//! `cargo run --release -p tillkit-core --example reader_sale -- [SALES]`

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tillkit_core::money::Amount;
use tillkit_core::reader::machine::ReaderProgress;
use tillkit_core::reader::session::{
    run_transaction, AuthorizationHost, CancelHandle, ReaderLimits,
};
use tillkit_core::reader::sim::{SimScenario, SimulatedCardReader};
use tillkit_core::reader::{EmvData, OnlineResponse, ReaderError, ReaderRequest, ReaderTxKind};

struct Issuer;

#[async_trait::async_trait]
impl AuthorizationHost for Issuer {
    async fn authorize(
        &self,
        _: &ReaderRequest,
        _: &EmvData,
    ) -> Result<OnlineResponse, ReaderError> {
        Ok(OnlineResponse {
            approved: true,
            auth_code: Some("A1B2C3".into()),
            issuer_tlv: Vec::new(),
            unable_to_go_online: false,
        })
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sales: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut times: Vec<Duration> = Vec::with_capacity(sales);
    rt.block_on(async {
        for i in 0..sales {
            let reader = SimulatedCardReader::new(SimScenario::Approve);
            let request = ReaderRequest {
                transaction_id: format!("T{i}"),
                kind: ReaderTxKind::Sale,
                amount: Amount::parse("12.34", "HKD")?,
            };
            let presented: Mutex<Option<Instant>> = Mutex::new(None);
            let progress = |p: ReaderProgress| {
                if matches!(p, ReaderProgress::Reading { entry: Some(_) }) {
                    *presented.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                }
            };
            let limits = ReaderLimits::default();
            let result = run_transaction(
                &reader,
                &Issuer,
                &request,
                &limits,
                &CancelHandle::new(),
                &progress,
            )
            .await?;
            let end = Instant::now();
            let start = presented.lock().unwrap_or_else(|e| e.into_inner()).ok_or("no card")?;
            if result.finish.outcome != tillkit_core::reader::ReaderOutcome::ApprovedOnline {
                return Err(format!("sale {i}: {:?}", result.finish.outcome).into());
            }
            times.push(end - start);
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    println!(
        "{sales} simulated sales, card presented -> approved: median {:?}, p99 {:?}, max {:?}",
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}
