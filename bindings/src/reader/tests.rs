use std::sync::Mutex;

use super::*;
use crate::money::Money;

struct Issuer {
    approve: bool,
}

#[async_trait::async_trait]
impl AuthorizationHost for Issuer {
    async fn authorize(
        &self,
        request: ReaderRequest,
        card: CardAuthorization,
    ) -> Result<OnlineResponse, TillKitError> {
        assert_eq!(card.amount, request.amount, "the card's request is the sale's");
        assert_eq!(card.masked_pan, "476173******0119", "masked, never the full number");
        Ok(OnlineResponse {
            approved: self.approve,
            auth_code: self.approve.then(|| "A1B2C3".into()),
            issuer_tlv: Vec::new(),
            unable_to_go_online: false,
        })
    }
}

#[derive(Default, Clone)]
struct Screen(Arc<Mutex<Vec<ReaderProgress>>>);

impl ReaderProgressListener for Screen {
    fn on_progress(&self, id: String, progress: ReaderProgress) -> Result<(), TillKitError> {
        assert_eq!(id, "card-1");
        self.0.lock().expect("lock").push(progress);
        // A throwing listener must not stop the transaction.
        Err(TillKitError::AppCallback { reason: "ui gone".into() })
    }
}

fn request(id: &str, amount: &str) -> ReaderRequest {
    ReaderRequest {
        transaction_id: id.into(),
        kind: ReaderTxKind::Sale,
        amount: Money { amount: amount.into(), currency: "CNY".into() },
    }
}

/// The simulator as apps get it (`simulated_card_reader`, feature `simulators`), or the same
/// reader built directly when the feature is off.
fn simulated(scenario: SimScenario) -> Arc<dyn CardReader> {
    #[cfg(feature = "simulators")]
    return simulated_card_reader(scenario);
    #[cfg(not(feature = "simulators"))]
    Arc::new(CoreBacked(SimulatedCardReader::new(scenario)))
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    rt.block_on(f)
}

#[test]
fn the_simulator_behind_the_ffi_trait_runs_an_approved_sale() {
    let screen = Screen::default();
    let tx = CardTransaction::new(
        simulated(SimScenario::Approve),
        Box::new(Issuer { approve: true }),
        Box::new(screen.clone()),
        request("card-1", "12.50"),
        None,
    )
    .expect("valid");
    let result = block_on(tx.run()).expect("ran");
    assert_eq!((result.outcome, result.needs_reversal), (ReaderOutcome::ApprovedOnline, false));
    let card = result.card.expect("the card, masked");
    assert_eq!(card.masked_pan, "476173******0119");
    assert_eq!(result.problem, None);
    let seen = screen.0.lock().expect("lock").clone();
    assert_eq!(seen.first(), Some(&ReaderProgress::PresentCard));
    assert!(seen.contains(&ReaderProgress::EnterPin { attempts_left: Some(3) }));
    assert!(seen.contains(&ReaderProgress::Authorizing));
    assert_eq!(seen.last(), Some(&ReaderProgress::RemoveCard));
    let again = block_on(tx.run());
    assert!(matches!(again, Err(TillKitError::InvalidInput { .. })), "{again:?}");
}

#[test]
fn a_cancel_before_run_ends_the_transaction_without_a_card() {
    let tx = CardTransaction::new(
        simulated(SimScenario::NoCard),
        Box::new(Issuer { approve: true }),
        Box::new(Screen::default()),
        request("card-1", "1.00"),
        None,
    )
    .expect("valid");
    tx.cancel();
    let result = block_on(tx.run()).expect("ran");
    assert_eq!(result.outcome, ReaderOutcome::Cancelled);
    assert!(!result.needs_reversal);
}

#[test]
fn a_busy_reader_fails_run_with_a_busy_fault() {
    let reader = simulated(SimScenario::NoCard);
    block_on(reader.begin(request("other-sale", "1.00"))).expect("first begins");
    let tx = CardTransaction::new(
        reader,
        Box::new(Issuer { approve: true }),
        Box::new(Screen::default()),
        request("card-1", "1.00"),
        None,
    )
    .expect("valid");
    let e = block_on(tx.run()).expect_err("busy");
    assert!(matches!(e, TillKitError::Reader { fault: crate::error::ReaderFault::Busy, .. }));
}

#[test]
fn bad_ids_amounts_and_limits_name_the_field() {
    let make = |req: ReaderRequest, limits: Option<ReaderLimits>| {
        CardTransaction::new(
            simulated(SimScenario::Approve),
            Box::new(Issuer { approve: true }),
            Box::new(Screen::default()),
            req,
            limits,
        )
        .map(|_| ())
    };
    let field = |r: Result<(), TillKitError>| match r {
        Err(TillKitError::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    assert_eq!(field(make(request("a b", "1.00"), None)), "transaction_id");
    assert_eq!(field(make(request("", "1.00"), None)), "transaction_id");
    assert_eq!(field(make(request("ok", "0"), None)), "amount");
    assert_eq!(field(make(request("ok", "1.001"), None)), "amount");
    let zero = ReaderLimits { host_ms: 0, ..ReaderLimits::default() };
    assert_eq!(field(make(request("ok", "1.00"), Some(zero))), "limits.host_ms");
    let huge = ReaderLimits { card_wait_ms: i64::MAX, ..ReaderLimits::default() };
    assert_eq!(field(make(request("ok", "1.00"), Some(huge))), "limits.card_wait_ms");
    let negative = ReaderLimits { pin_entry_ms: -5, ..ReaderLimits::default() };
    assert_eq!(field(make(request("ok", "1.00"), Some(negative))), "limits.pin_entry_ms");
}

#[test]
fn default_limits_are_the_cores() {
    let core = tillkit_core::reader::session::ReaderLimits::default();
    assert_eq!(
        tillkit_core::reader::session::ReaderLimits::try_from(default_reader_limits()),
        Ok(core)
    );
}
