use std::sync::Mutex;

use super::*;
use crate::money::Amount;
use crate::reader::sim::{SimScenario, SimulatedCardReader};
use crate::reader::{EmvData, ReaderOutcome, ReaderTxKind};

/// A host that answers as told and counts what it was asked.
struct Host {
    verdict: Option<bool>,
    asked: Mutex<Vec<Vec<u8>>>,
}

impl Host {
    fn new(verdict: Option<bool>) -> Self {
        Host { verdict, asked: Mutex::new(Vec::new()) }
    }
}

#[async_trait::async_trait]
impl AuthorizationHost for Host {
    async fn authorize(
        &self,
        _: &ReaderRequest,
        emv: &EmvData,
    ) -> Result<OnlineResponse, ReaderError> {
        self.asked.lock().unwrap().push(emv.as_bytes().to_vec());
        match self.verdict {
            Some(approved) => Ok(OnlineResponse {
                approved,
                auth_code: approved.then(|| "A1B2C3".into()),
                issuer_tlv: Vec::new(),
                unable_to_go_online: false,
            }),
            None => Err(ReaderError::Disconnected("host down".into())),
        }
    }
}

fn request(id: &str) -> ReaderRequest {
    ReaderRequest {
        transaction_id: id.into(),
        kind: ReaderTxKind::Sale,
        amount: Amount::parse("12.34", "HKD").unwrap(),
    }
}

fn fast() -> ReaderLimits {
    ReaderLimits {
        // Above the slow reader's 300 ms per step.
        card_wait: Duration::from_millis(600),
        pin_entry: Duration::from_millis(600),
        reader_step: Duration::from_millis(2000),
        host: Duration::from_millis(200),
        cancel: Duration::from_millis(200),
    }
}

async fn run(
    scenario: SimScenario,
    host: &Host,
    cancel: &CancelHandle,
) -> (Result<ReaderResult, ReaderError>, Vec<ReaderProgress>) {
    let reader = SimulatedCardReader::new(scenario);
    let seen = Mutex::new(Vec::new());
    let report = |p: ReaderProgress| seen.lock().unwrap().push(p);
    let result = run_transaction(&reader, host, &request("T1"), &fast(), cancel, &report).await;
    (result, seen.into_inner().unwrap())
}

#[tokio::test]
async fn every_scenario_ends_as_the_card_and_host_decide() {
    use ReaderOutcome as O;
    for (scenario, verdict, outcome, reversal) in [
        (SimScenario::Approve, Some(true), O::ApprovedOnline, false),
        (SimScenario::Approve, Some(false), O::Declined, false),
        (SimScenario::Approve, None, O::Declined, false),
        (SimScenario::CardDeclines, Some(true), O::Declined, true),
        (SimScenario::PinRetryThenApprove, Some(true), O::ApprovedOnline, false),
        (SimScenario::CardRemovedEarly, Some(true), O::CardRemoved, true),
        (SimScenario::NoCard, Some(true), O::TimedOut, false),
        (SimScenario::OfflineApprove, Some(true), O::ApprovedOffline, false),
        (SimScenario::Slow, Some(true), O::ApprovedOnline, false),
        (SimScenario::Disconnect, Some(true), O::Cancelled, false),
    ] {
        let host = Host::new(verdict);
        let (result, _) = run(scenario, &host, &CancelHandle::new()).await;
        let finish = result.unwrap().finish;
        assert_eq!(
            (finish.outcome, finish.needs_reversal),
            (outcome, reversal),
            "{scenario:?} {verdict:?}"
        );
        let asked = host.asked.lock().unwrap().len();
        let expect_asked = !matches!(
            scenario,
            SimScenario::NoCard | SimScenario::OfflineApprove | SimScenario::Disconnect
        );
        assert_eq!(asked, usize::from(expect_asked), "{scenario:?}");
    }
}

#[tokio::test]
async fn the_screen_follows_a_pin_retry() {
    let (result, progress) =
        run(SimScenario::PinRetryThenApprove, &Host::new(Some(true)), &CancelHandle::new()).await;
    let result = result.unwrap();
    assert_eq!(result.finish.outcome, ReaderOutcome::ApprovedOnline);
    let card = result.card.clone().expect("the card's data, masked");
    assert_eq!(card.masked_pan, "476173******0119");
    assert_eq!((card.aid.as_str(), card.label.as_deref()), ("A0000000031010", Some("VISA CREDIT")));
    assert!(!format!("{result:?}").contains("4761730000000119"), "no full PAN in Debug");
    assert_eq!(
        progress,
        vec![
            ReaderProgress::PresentCard,
            ReaderProgress::Reading { entry: Some(crate::reader::EntryMode::Chip) },
            ReaderProgress::Reading { entry: None },
            ReaderProgress::EnterPin { attempts_left: Some(3) },
            ReaderProgress::PinIncorrect { attempts_left: 2 },
            ReaderProgress::Reading { entry: None },
            ReaderProgress::Authorizing,
            ReaderProgress::RemoveCard,
        ]
    );
}

#[tokio::test]
async fn a_cashier_cancel_while_waiting_for_a_card_ends_it_cancelled() {
    let host = Host::new(Some(true));
    let cancel = CancelHandle::new();
    let later = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        later.cancel();
    });
    let (result, progress) = run(SimScenario::NoCard, &host, &cancel).await;
    assert_eq!(result.unwrap().finish.outcome, ReaderOutcome::Cancelled);
    assert_eq!(progress, vec![ReaderProgress::PresentCard, ReaderProgress::Cancelling]);
    assert!(host.asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_busy_reader_refuses_a_second_transaction_and_resumes_its_own() {
    let reader = SimulatedCardReader::new(SimScenario::NoCard);
    reader.begin(&request("T1")).await.unwrap();
    assert_eq!(reader.begin(&request("T2")).await, Err(ReaderError::Busy));
    assert_eq!(reader.begin(&request("T1")).await, Ok(()), "the same id resumes");
    let host = Host::new(Some(true));
    let none = |_: ReaderProgress| {};
    let (req, limits, cancel) = (request("T2"), fast(), CancelHandle::new());
    let busy = run_transaction(&reader, &host, &req, &limits, &cancel, &none).await;
    assert_eq!(busy, Err(ReaderError::Busy));
}

/// A reader that reports the card's data for another amount than the sale's.
struct Lying(SimulatedCardReader, &'static str);

#[async_trait::async_trait]
impl CardReader for Lying {
    async fn status(&self) -> Result<crate::reader::ReaderStatus, ReaderError> {
        self.0.status().await
    }
    async fn begin(&self, request: &ReaderRequest) -> Result<(), ReaderError> {
        let other =
            ReaderRequest { amount: Amount::parse(self.1, "HKD").unwrap(), ..request.clone() };
        self.0.begin(&other).await
    }
    async fn next_event(&self) -> Result<crate::reader::ReaderEvent, ReaderError> {
        self.0.next_event().await
    }
    async fn online_response(&self, r: &OnlineResponse) -> Result<(), ReaderError> {
        self.0.online_response(r).await
    }
    async fn cancel(&self) -> Result<(), ReaderError> {
        self.0.cancel().await
    }
}

#[tokio::test]
async fn card_data_for_another_amount_is_never_sent_to_the_host_nor_approved_offline() {
    for scenario in [SimScenario::Approve, SimScenario::OfflineApprove] {
        let reader = Lying(SimulatedCardReader::new(scenario), "1.00");
        let host = Host::new(Some(true));
        let none = |_: ReaderProgress| {};
        let (req, limits, cancel) = (request("T9"), fast(), CancelHandle::new());
        let result = run_transaction(&reader, &host, &req, &limits, &cancel, &none).await.unwrap();
        assert!(host.asked.lock().unwrap().is_empty(), "{scenario:?}: the host was not asked");
        assert!(
            matches!(result.finish.outcome, ReaderOutcome::Cancelled | ReaderOutcome::Declined),
            "{scenario:?}: {result:?}"
        );
        assert!(!result.finish.needs_reversal);
        let problem = result.problem.unwrap();
        assert!(problem.contains("1.00") && problem.contains("12.34"), "{problem}");
    }
}
