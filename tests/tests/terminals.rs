//! The terminal registry: a card sale goes only to a paired terminal, under its paired model,
//! and nothing is sent for one that is not paired (a mistyped serial would route the payment to
//! someone else's terminal).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tillkit_core::acquirer::TerminalId;
use tillkit_core::engine::{CashierError, NoListener, SaleMethodInput};
use tillkit_core::order::SaleStatus;
use tillkit_core::store::TerminalStatus;
use tillkit_tests::*;

fn card(serial: &str, model: &str) -> SaleMethodInput {
    SaleMethodInput::Card(TerminalId { serial: serial.into(), model: model.into() })
}

#[tokio::test]
async fn card_sales_go_only_to_paired_terminals() {
    let sb = sandbox(0.01).await;
    let dir = tempfile::tempdir().unwrap();
    let listener = std::sync::Arc::new(NoListener);
    let cashier = cashier(&sb, &sb.url(), dir.path(), key_store(&sb), listener, 0.01).await;

    // Nothing paired: refused before anything is stored or sent.
    let id = unique_id("TR");
    let e = cashier.start_sale(sale_input(&id, "3.00", card("SANDBOX-T2", "SUNMI-P2"))).await;
    assert!(matches!(e, Err(CashierError::UnknownTerminal(ref s)) if s == "SANDBOX-T2"), "{e:?}");
    let e = cashier.start_sale(sale_input(&id, "3.00", card("", ""))).await;
    assert!(matches!(e, Err(CashierError::UnknownTerminal(_))), "no default yet: {e:?}");
    assert!(cashier.sale(&id).unwrap().is_none());
    assert_eq!(ledger_order(&sb, &id).await, None, "nothing sent");

    // Bad serials and labels are typed errors.
    for (serial, model, label) in
        [("", "M", None), ("S 1", "M", None), ("S", "", None), ("S", "M", Some(""))]
    {
        let e = cashier.add_terminal(serial, model, label);
        assert!(matches!(e, Err(CashierError::InvalidInput { .. })), "{serial:?} {model:?}: {e:?}");
    }

    let t1 = cashier.add_terminal("SANDBOX-T1", "PAX-A920", Some("Counter 1")).unwrap();
    let t2 = cashier.add_terminal("SANDBOX-T2", "SUNMI-P2", None).unwrap();
    assert!(t1.is_default && !t2.is_default, "the first paired is the default");

    // The mistyped model of issue 11 (T2 sent as PAX-A920) is refused, naming the paired one.
    let e = cashier.start_sale(sale_input(&id, "3.00", card("SANDBOX-T2", "PAX-A920"))).await;
    match e {
        Err(CashierError::InvalidInput { field: "terminal.model", reason }) => {
            assert!(reason.contains("SUNMI-P2"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // An empty serial goes to the default; an empty model takes the paired one.
    cashier.start_sale(sale_input(&id, "3.00", card("", ""))).await.unwrap();
    let paid = wait_final(&cashier, &id, Duration::from_secs(20)).await;
    assert_eq!(paid.status, SaleStatus::Paid);
    assert_eq!(
        paid.terminal,
        Some(TerminalId { serial: "SANDBOX-T1".into(), model: "PAX-A920".into() })
    );
    let id2 = unique_id("TR");
    cashier.start_sale(sale_input(&id2, "4.00", card("SANDBOX-T2", ""))).await.unwrap();
    let paid = wait_final(&cashier, &id2, Duration::from_secs(20)).await;
    assert_eq!(paid.terminal.unwrap().model, "SUNMI-P2");

    // Default, rename, remove: the oldest remaining becomes the default.
    cashier.set_default_terminal("SANDBOX-T2").unwrap();
    assert_eq!(cashier.terminals().unwrap()[0].serial, "SANDBOX-T2");
    cashier.add_terminal("SANDBOX-T2", "SUNMI-P2", Some("Back room")).unwrap();
    assert_eq!(cashier.terminals().unwrap()[0].label.as_deref(), Some("Back room"));
    cashier.remove_terminal("SANDBOX-T2").unwrap();
    let left = cashier.terminals().unwrap();
    assert_eq!((left.len(), left[0].is_default), (1, true));
    // SANDBOX-T1 took a payment: the registry saw it ready, and when.
    assert_eq!(left[0].status, TerminalStatus::Ready);
    assert!(left[0].last_seen_ms.is_some());
    assert!(matches!(cashier.remove_terminal("SANDBOX-T2"), Err(CashierError::UnknownTerminal(_))));
    assert!(matches!(cashier.set_default_terminal("NOPE"), Err(CashierError::UnknownTerminal(_))));
    cashier.close().await;

    // Paired terminals are in the store: they survive a restart.
    let listener = std::sync::Arc::new(NoListener);
    let again =
        tillkit_tests::cashier(&sb, &sb.url(), dir.path(), key_store(&sb), listener, 0.01).await;
    assert_eq!(again.terminals().unwrap().len(), 1);
    again.close().await;
    sb.shutdown().await;
}
