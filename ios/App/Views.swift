// The screens: each shows the model's state and calls one model action. No payment logic; every
// word comes from Localizable.strings (Words.swift).
import CoreImage.CIFilterBuiltins
import SwiftUI
import TillKitCore
import UIKit

struct CashierView: View {
    @EnvironmentObject var model: CashierModel
    var body: some View {
        ScrollView {
            VStack(spacing: 12) {
                HStack {
                    Button(L("new_sale"), action: model.newSale)
                    Button(L("history"), action: model.showHistory)
                    Button(L("terminals")) { model.screen = .terminals }
                    Button(L("end_of_day"), action: model.showReport)
                }
                if model.waitingForNetwork > 0 {
                    Label(L("queue_network", model.waitingForNetwork), systemImage: "icloud.slash")
                }
                // Errors carry an icon and are announced: never told by colour alone.
                if let error = model.error {
                    Label(error, systemImage: "exclamationmark.triangle.fill")
                        .onAppear { announce(error) }
                        .onChange(of: error) { announce($0) }
                }
                switch model.screen {
                case .amount: AmountView()
                case let .method(money, id): MethodView(money: money, saleId: id)
                case let .scanCode(money, id): ScanCodeView(money: money, saleId: id)
                case .progress: if let sale = model.sale { SaleView(sale: sale) }
                case .history: HistoryView()
                case let .refund(sale): RefundView(sale: sale)
                case let .receipt(saleId): ReceiptView(saleId: saleId)
                case .report: ReportView()
                case .terminals: TerminalsView()
                }
            }.padding()
        }
    }
}

/// Tells VoiceOver at once (a status change the cashier must hear).
func announce(_ text: String) {
    UIAccessibility.post(notification: .announcement, argument: text)
}

struct AmountView: View {
    @EnvironmentObject var model: CashierModel
    var body: some View {
        Picker(L("currency"), selection: Binding(get: { model.currency }, set: { model.choose(currency: $0) })) {
            ForEach(model.currencies, id: \.self) { Text($0).tag($0) }
        }.pickerStyle(.segmented)
        Text("\(model.money?.amount ?? "0") \(model.currency)").font(.system(size: 40))
        ForEach([[1, 2, 3], [4, 5, 6], [7, 8, 9]], id: \.self) { row in
            HStack { ForEach(row, id: \.self) { d in Button("\(d)") { model.digit(Int64(d)) }.font(.title) } }
        }
        HStack {
            Button(L("clear"), action: model.clear)
            Button("0") { model.digit(0) }.font(.title)
            Button(L("charge"), action: model.checkout).disabled(model.amountUnits == 0)
        }
    }
}

struct MethodView: View {
    @EnvironmentObject var model: CashierModel
    let money: Money, saleId: String
    var body: some View {
        Text("\(money.amount) \(money.currency)").font(.largeTitle)
        Button(L("scan_customer_code")) { model.screen = .scanCode(money, saleId: saleId) }
        Button(L("show_qr_wechat")) { model.payByQr(money, saleId, .wechatPay) }
        Button(L("show_qr_alipay_cn")) { model.payByQr(money, saleId, .alipayCn) }
        Button(L("show_qr_alipay_hk")) { model.payByQr(money, saleId, .alipayHk) }
        ForEach(model.terminals, id: \.serial) { t in
            Button(L("card_on_terminal", t.label ?? t.serial)) { model.payByCard(money, saleId, t) }
        }
    }
}

/// The camera, or a scan gun typing the code and Return into the field (through ScanGun, like
/// the camera's codes); the core validates both.
struct ScanCodeView: View {
    @EnvironmentObject var model: CashierModel
    let money: Money, saleId: String
    @State private var code = ""
    @State private var gun = ScanGun()
    @StateObject private var camera = CameraScanner()
    var body: some View {
        Text(L("scan_title")).font(.title3)
        CameraPreview(session: camera.session).frame(height: 280)
            .onAppear {
                camera.onOutcome = { model.scanned($0) }
                camera.start()
            }
            .onDisappear { camera.stop() }
        if let message = model.scanMessage {
            Label(message, systemImage: "exclamationmark.circle").onAppear { announce(message) }
        }
        TextField(L("scan_field_hint"), text: $code)
            .onSubmit { submit() }
        Button(L("charge")) { submit() }.disabled(code.isEmpty)
    }

    private func submit() {
        gun.push(keys: code + "\n").forEach { model.scanned($0) }
        code = ""
    }
}

/// A status as an icon and words, never colour alone.
struct StatusLabel: View {
    let hint: SaleHint
    var body: some View {
        Label(Words.hint(hint), systemImage: Self.symbol(hint))
    }
    static func symbol(_ hint: SaleHint) -> String {
        switch hint {
        case .paid: return "checkmark.circle.fill"
        case .doNotChargeAgain: return "exclamationmark.triangle.fill"
        case .waitingForNetwork, .showQr, .waitingForCustomer, .cancelling: return "hourglass"
        default: return "xmark.circle.fill"
        }
    }
}

struct SaleView: View {
    @EnvironmentObject var model: CashierModel
    let sale: Sale
    var body: some View {
        Text("\(sale.amount.amount) \(sale.amount.currency)").font(.largeTitle)
        StatusLabel(hint: sale.hint).font(.title2)
            .onAppear { announce(Words.hint(sale.hint)) }
            .onChange(of: sale.hint) { announce(Words.hint($0)) }
        if sale.hint == .showQr, let content = sale.qr?.content, !content.isEmpty { QrImage(content: content) }
        if sale.isFinal && sale.status != .paid { Text(Words.next(sale.nextStep)) }
        // A person must look: a charge after cancel, an answer that did not match, a bad signature.
        if let reason = sale.attentionReason {
            Label(L("needs_attention", Words.attention(reason)), systemImage: "exclamationmark.triangle.fill")
        }
        if model.canCancel { Button(L("cancel_sale"), action: model.cancelSale) }
        // Stuck: the cashier may stop waiting; the core keeps resolving it.
        if !sale.isFinal && sale.hint != .waitingForNetwork {
            Button(L("abandon_sale"), action: model.abandonSale)
            Text(L("abandon_explained")).font(.footnote)
        }
        if sale.status == .paid { Button(L("receipt")) { model.showReceipt(sale.id) } }
        if sale.isFinal { Button(L("done"), action: model.newSale) }
    }
}

struct HistoryView: View {
    @EnvironmentObject var model: CashierModel
    var body: some View {
        ForEach(model.history, id: \.id) { s in
            HStack {
                VStack(alignment: .leading) {
                    Text("\(s.amount.amount) \(s.amount.currency)")
                    StatusLabel(hint: s.hint)
                }
                Spacer()
                if s.status == .paid {
                    Button(L("refund")) { model.openRefund(s) }
                    Button(L("receipt")) { model.showReceipt(s.id) }
                }
            }
        }
    }
}

/// Partial or full refunds, with what was refunded and what remains.
struct RefundView: View {
    @EnvironmentObject var model: CashierModel
    let sale: Sale
    @State private var amount = ""
    var body: some View {
        Text("\(sale.amount.amount) \(sale.amount.currency)").font(.title)
        if let info = model.refundInfo {
            let refunded = L("refunded_total", "\(info.refunded.amount) \(info.refunded.currency)",
                             "\(sale.amount.amount) \(sale.amount.currency)")
            Text(refunded).onChange(of: refunded) { announce($0) }
            Text(L("refundable", "\(info.refundable.amount) \(info.refundable.currency)"))
            ForEach(info.refunds, id: \.id) { r in Text("\(r.amount.amount) \(r.amount.currency) · \(Words.refund(r.state))") }
        }
        TextField(L("refund_amount"), text: $amount).keyboardType(.decimalPad)
        HStack {
            Button(L("refund")) { model.refund(sale, amount); amount = "" }.disabled(amount.isEmpty)
            Button(L("refund_all")) { model.refund(sale, "") }
        }
    }
}

struct ReceiptView: View {
    @EnvironmentObject var model: CashierModel
    let saleId: String
    var body: some View {
        if let text = model.receipt {
            Text(text).font(.system(.body, design: .monospaced))
            HStack {
                Button(L("print_receipt")) { model.printReceipt(saleId) }
                Button(L("share_receipt")) { model.shareReceipt(saleId) }
            }
            .sheet(isPresented: Binding(get: { model.receiptImage != nil }, set: { if !$0 { model.receiptImage = nil } })) {
                if let image = model.receiptImage { ShareSheet(items: [image]) }
            }
        } else {
            Text(L("receipt_unavailable"))
        }
    }
}

struct ReportView: View {
    @EnvironmentObject var model: CashierModel
    var body: some View {
        Text(L("report_title")).font(.title2)
        if let text = model.report {
            Text(text).font(.system(.body, design: .monospaced))
        } else {
            Text(L("report_unavailable"))
        }
    }
}

struct TerminalsView: View {
    @EnvironmentObject var model: CashierModel
    @State private var serial = ""
    @State private var deviceModel = ""
    @State private var label = ""
    var body: some View {
        if model.terminals.isEmpty { Text(L("no_terminal")) }
        ForEach(model.terminals, id: \.serial) { t in
            HStack {
                Text("\(t.label ?? t.serial) (\(t.model)) · \(Words.terminal(t.status))")
                Spacer()
                if t.isDefault { Text(L("default_terminal")) } else { Button(L("make_default")) { model.makeDefault(t) } }
                Button(L("remove")) { model.unpair(t) }
            }
        }
        TextField(L("serial"), text: $serial)
        TextField(L("model"), text: $deviceModel)
        TextField(L("label"), text: $label)
        Button(L("pair")) { model.pair(serial: serial, model: deviceModel, label: label) }
            .disabled(serial.isEmpty || deviceModel.isEmpty)
    }
}

struct QrImage: View {
    let content: String
    var body: some View {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(content.utf8)
        let scaled = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 10, y: 10))
        if let scaled, let cg = CIContext().createCGImage(scaled, from: scaled.extent) {
            return AnyView(Image(decorative: cg, scale: 1).interpolation(.none).resizable().frame(width: 280, height: 280)
                .accessibilityLabel(L("payment_qr")))
        }
        return AnyView(Text(content))
    }
}
