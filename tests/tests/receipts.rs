//! Receipts end to end: real sales through the sandbox over HTTP, their receipts built from the
//! store, rendered, and printed to a fake ESC/POS printer on 127.0.0.1 whose bytes are decoded
//! back; printer faults are typed errors and leave the sale as it was.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use secrecy::ExposeSecret;
use tillkit_core::acquirer::TerminalId;
use tillkit_core::document::escpos::{Charset, EscPosOptions};
use tillkit_core::document::escpos_decode::{decode, Command};
use tillkit_core::document::png::{render_png, PngOptions};
use tillkit_core::document::{render_text, Paper};
use tillkit_core::engine::{Cashier, RefundInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::{RefundState, SaleStatus};
use tillkit_core::printer::{EscPosPrinter, PrinterError, ReceiptPrinter, TcpTransport};
use tillkit_core::receipt::{Locale, MerchantInfo, ReceiptCopy};
use tillkit_sandbox::{Sandbox, SandboxConfig, TerminalMode};
use tillkit_tests::agent_proc::{AgentProcess, AgentSpec};
use tillkit_tests::printer::{FakeMode, FakePrinter};
use tillkit_tests::{cashier_config, key_store, sale_input, unique_id, wechat_code, Recorder};

const LIMIT: Duration = Duration::from_secs(30);

fn count(commands: &[Command], which: &Command) -> usize {
    commands.iter().filter(|c| *c == which).count()
}

async fn open_cashier(sb: &tillkit_sandbox::SandboxHandle, dir: &std::path::Path) -> Cashier {
    let mut config = cashier_config(sb, &sb.url(), 0.02);
    config.receipt.merchant = MerchantInfo {
        name: "美心茶餐廳 Maxim's".into(),
        address: Some("G/F, 600 Nathan Road, Mong Kok".into()),
        tax_id: Some("12345678-000".into()),
    };
    config.receipt.utc_offset_minutes = 480;
    Cashier::open(config, dir, key_store(sb), Recorder::new()).await.unwrap()
}

fn printer(addr: &str) -> EscPosPrinter {
    let transport = TcpTransport::new(addr, Duration::from_secs(2));
    let options = EscPosOptions { paper: Paper::Mm58, ..EscPosOptions::default() };
    EscPosPrinter::new(Box::new(transport), options, Duration::from_millis(500))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallet_sale_and_its_partial_refund_print_and_printer_faults_leave_the_sale_alone() {
    let sb = tillkit_tests::sandbox(0.1).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier = open_cashier(&sb, dir.path()).await;
    let id = unique_id("RC");
    let code = wechat_code();
    cashier
        .start_sale(sale_input(&id, "30.00", SaleMethodInput::CustomerCode(code.clone())))
        .await
        .unwrap();
    let sale = tillkit_tests::wait_final(&cashier, &id, LIMIT).await;
    assert_eq!(sale.status, SaleStatus::Paid);
    let refund = RefundInput {
        refund_id: Some(format!("{id}-R1")),
        amount: Some(Amount::parse("12.50", "CNY").unwrap()),
        reason: None,
    };
    let refund_id = cashier.refund(&id, refund).await.unwrap().id;
    let r = tillkit_tests::wait_refund_final(&cashier, &refund_id, LIMIT).await;
    assert_eq!(r.state, RefundState::Succeeded);

    let receipt = cashier.receipt(&id, None, ReceiptCopy::Customer, None).unwrap();
    let text = render_text(&receipt.document(), 32);
    let masked = format!("{}**********{}", &code[..4], &code[code.len() - 4..]);
    for want in [
        "Maxim's",
        "TEST-REGISTER",
        id.as_str(),
        "WeChat Pay",
        masked.as_str(),
        "CNY 30.00",
        "CNY 12.50",
        "PAID",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    assert!(!text.contains(&code), "never the whole payment code");
    let acquirer_id = sale.acquirer_transaction_id.clone().unwrap();
    assert!(text.contains(&acquirer_id), "{text}");

    let refund_receipt = cashier
        .receipt(&id, Some(&refund_id), ReceiptCopy::Merchant, Some(Locale::ZhHans))
        .unwrap();
    let refund_text = render_text(&refund_receipt.document(), 48);
    for want in ["退款", "商户联", refund_id.as_str(), "原交易", "CNY 12.50", "已退款"] {
        assert!(refund_text.contains(want), "{want:?} missing from\n{refund_text}");
    }
    let (png, w, _) = render_png(&refund_receipt.document(), &PngOptions::default()).unwrap();
    assert!(png.starts_with(b"\x89PNG") && w > 0);

    // Both print on a ready printer; the bytes read back as the receipts.
    let fake = FakePrinter::start(FakeMode::Ready).await;
    let p = printer(&fake.addr);
    p.print(&receipt.document()).await.unwrap();
    p.print(&refund_receipt.document()).await.unwrap();
    let cuts =
        |b: &[u8]| decode(b, Charset::Gb18030).map_or(0, |d| count(&d.commands, &Command::Cut));
    let bytes = fake.received_when(|b| cuts(b) == 2, LIMIT).await;
    let decoded = decode(&bytes, Charset::Gb18030).unwrap();
    assert_eq!(decoded.qr_codes, [id.clone(), id.clone()]);
    assert_eq!(decoded.commands.iter().filter(|c| **c == Command::Cut).count(), 2);
    let statuses = decoded.commands.iter().filter(|c| matches!(c, Command::Status(_))).count();
    assert_eq!(statuses, 4, "printer then paper status before each job");
    let lines: Vec<&str> = decoded.lines.iter().map(|l| l.text.as_str()).collect();
    assert!(lines.contains(&"美心茶餐廳"), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("退款金额") && l.ends_with("CNY 12.50")),
        "{lines:?}"
    );

    // Faults are typed errors, nothing is printed, and the sale is as it was.
    let before = cashier.sale(&id).unwrap().unwrap();
    for (mode, expect) in [
        (FakeMode::PaperOut, PrinterError::PaperOut),
        (FakeMode::CoverOpen, PrinterError::CoverOpen),
    ] {
        fake.set_mode(mode);
        fake.clear();
        assert_eq!(p.print(&receipt.document()).await, Err(expect));
        let sent = decode(&fake.received(), Charset::Gb18030).unwrap();
        assert!(sent.lines.is_empty() && sent.qr_codes.is_empty(), "{sent:?}");
    }
    fake.set_mode(FakeMode::Silent);
    assert!(matches!(p.print(&receipt.document()).await, Err(PrinterError::Offline(_))));
    drop(fake);
    let nobody = printer("127.0.0.1:9");
    assert!(matches!(nobody.print(&receipt.document()).await, Err(PrinterError::Offline(_))));
    assert_eq!(cashier.sale(&id).unwrap().unwrap(), before, "printing never touches the sale");
    // A reprint reads the store again and gives the same receipt.
    assert_eq!(cashier.receipt(&id, None, ReceiptCopy::Customer, None).unwrap(), receipt);
    cashier.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_sale_receipt_shows_brand_last_four_auth_code_and_the_card_application() {
    let config = SandboxConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        time_scale: 0.1,
        terminals: TerminalMode::Agent,
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier = open_cashier(&sb, &dir.path().join("cash")).await;
    let (serial, model) = ("T-RCPT", "PAX-A920");
    cashier.add_terminal(serial, model, None).unwrap();
    let (key_id, hex) = sb.register_device(serial, model).unwrap();
    let spec = AgentSpec {
        exe: PathBuf::from(env!("CARGO_BIN_EXE_agent-child")),
        url: sb.url(),
        dir: dir.path().join("agent"),
        reader: "sim:approve".into(),
        offline_limit: "none".into(),
        key: (key_id, hex.expose_secret().to_string()),
        gate: None,
        card_wait: Duration::from_millis(1500),
    };
    let agent = AgentProcess::start(&spec).unwrap();
    assert!(agent.wait_line("connected", LIMIT).await.is_some(), "{:?}", agent.lines());
    let id = unique_id("RK");
    let card = SaleMethodInput::Card(TerminalId { serial: serial.into(), model: model.into() });
    cashier.start_sale(sale_input(&id, "42.00", card)).await.unwrap();
    let sale = tillkit_tests::wait_final(&cashier, &id, LIMIT).await;
    assert_eq!(sale.status, SaleStatus::Paid, "{sale:?}");
    let details = sale.card_details.clone().expect("the terminal's card details are kept");
    let auth_code = details.auth_code.clone().expect("an auth code");
    let masked = sale.card.as_ref().and_then(|c| c.masked_number.clone()).expect("masked PAN");
    assert!(masked.contains('*'), "{masked}");

    let receipt = cashier.receipt(&id, None, ReceiptCopy::Merchant, Some(Locale::En)).unwrap();
    let card = receipt.card.clone().unwrap();
    assert!(card.brand.is_some() && card.last4.is_some(), "{card:?}");
    let text = render_text(&receipt.document(), 48);
    let number = format!("{} ****{}", card.brand.unwrap(), card.last4.unwrap());
    for want in [number.as_str(), auth_code.as_str(), "Auth code", "Signature", "CNY 42.00"] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    if let Some(aid) = &details.aid {
        assert!(text.contains(aid.as_str()), "{text}");
    }
    assert!(details.entry_mode.is_some() && details.aid.is_some(), "{details:?}");
    cashier.close().await;
    drop(agent);
}
