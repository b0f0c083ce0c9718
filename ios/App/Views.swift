// The screens: each shows the model's state and calls one model action. No payment logic.
import CoreImage.CIFilterBuiltins
import SwiftUI
import TillKitCore

struct CashierView: View {
    @EnvironmentObject var model: CashierModel
    var body: some View {
        VStack(spacing: 12) {
            HStack {
                Button("New sale", action: model.newSale)
                Button("History", action: model.showHistory)
                if model.queued > 0 { Text("\(model.queued) queued").padding(4).background(.orange).clipShape(Capsule()) }
            }
            if let error = model.error { Text(error).foregroundColor(.red) }
            switch model.screen {
            case .amount: AmountView()
            case let .method(money, id): MethodView(money: money, saleId: id)
            case let .scanCode(money, id): ScanCodeView(money: money, saleId: id)
            case .progress: if let sale = model.sale { SaleView(sale: sale) }
            case .history: HistoryView()
            }
            Spacer()
        }.padding()
    }
}

struct AmountView: View {
    @EnvironmentObject var model: CashierModel
    var body: some View {
        Text("\(model.money?.amount ?? "0") \(model.currency)").font(.system(size: 40))
        ForEach([[1, 2, 3], [4, 5, 6], [7, 8, 9]], id: \.self) { row in
            HStack { ForEach(row, id: \.self) { d in Button("\(d)") { model.digit(Int64(d)) }.font(.title) } }
        }
        HStack {
            Button("C", action: model.clear).font(.title)
            Button("0") { model.digit(0) }.font(.title)
            Button("Charge", action: model.checkout).disabled(model.amountUnits == 0)
        }
    }
}

struct MethodView: View {
    @EnvironmentObject var model: CashierModel
    let money: Money, saleId: String
    var body: some View {
        Text("\(money.amount) \(money.currency)").font(.largeTitle)
        Button("Scan customer's code") { model.screen = .scanCode(money, saleId: saleId) }
        Button("Show WeChat Pay QR") { model.payByQr(money, saleId, .wechatPay) }
        Button("Show Alipay QR") { model.payByQr(money, saleId, .alipayCn) }
        // An empty serial: the default paired terminal.
        Button("Card on the default terminal") { model.payByCard(money, saleId, TerminalId(serial: "", model: "")) }
    }
}

/// The camera, or a scan gun typing the code followed by Return; the core validates both.
struct ScanCodeView: View {
    @EnvironmentObject var model: CashierModel
    let money: Money, saleId: String
    @State private var code = ""
    @State private var refusal: String?
    @StateObject private var camera = CameraScanner()
    var body: some View {
        CameraPreview(session: camera.session).frame(height: 280)
            .onAppear {
                camera.onOutcome = { outcome in
                    switch outcome {
                    case let .paymentCode(code, _, _): model.payByCode(money, saleId, code)
                    case .alreadyUsed: refusal = "This code was used: ask the customer to refresh it"
                    case let .refused(reason): refusal = reason
                    }
                }
                camera.start()
            }
            .onDisappear { camera.stop() }
        if let refusal { Text(refusal) }
        TextField("Scan the customer's payment code", text: $code)
            .onSubmit { model.payByCode(money, saleId, code) }
        Button("Charge") { model.payByCode(money, saleId, code) }.disabled(code.isEmpty)
    }
}

struct SaleView: View {
    @EnvironmentObject var model: CashierModel
    let sale: Sale
    var body: some View {
        Text("\(sale.amount.amount) \(sale.amount.currency)").font(.largeTitle)
        Text(hintText(sale.hint)).font(.title2)
        if sale.hint == .showQr, let content = sale.qr?.content, !content.isEmpty { QrImage(content: content) }
        if let text = sale.resultDescription { Text(text) }
        // A person must look: a charge after cancel, an answer that did not match, a bad signature.
        if let reason = sale.attentionReason { Text("Needs attention: \(attentionText(reason: reason))") }
        if !sale.isFinal && !sale.cancelRequested { Button("Cancel sale", action: model.cancelSale) }
        if sale.isFinal { Button("Done", action: model.newSale) }
    }
}

struct HistoryView: View {
    @EnvironmentObject var model: CashierModel
    var body: some View {
        List(model.history, id: \.id) { s in
            HStack {
                Text("\(s.amount.amount) \(s.amount.currency)  \(hintText(s.hint))")
                if s.status == .paid { Button("Refund") { model.refund(s) } }
            }
        }
    }
}

struct QrImage: View {
    let content: String
    var body: some View {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(content.utf8)
        let scaled = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 10, y: 10))
        if let scaled, let cg = CIContext().createCGImage(scaled, from: scaled.extent) {
            return AnyView(Image(decorative: cg, scale: 1).interpolation(.none).resizable().frame(width: 280, height: 280))
        }
        return AnyView(Text(content))
    }
}

/// The screen's words for the core's hint (localise here, decide nothing).
func hintText(_ hint: SaleHint) -> String {
    switch hint {
    case .waitingForNetwork: return "Waiting for the network…"
    case .showQr: return "Ask the customer to scan"
    case .waitingForCustomer: return "Waiting for the customer…"
    case .doNotChargeAgain: return "Checking the payment. Do NOT charge again."
    case .cancelling: return "Cancelling…"
    case .paid: return "Paid"
    case .declined: return "Declined"
    case .expired: return "Expired, not paid"
    case .cancelled: return "Cancelled"
    case .offline: return "No connection: not charged"
    case .terminalBusy: return "Terminal busy with another payment: not charged. Use another terminal or try again."
    case .terminalUnreachable: return "Terminal not reachable: not charged. Check the terminal, then try again."
    case .cancelledAtTerminal: return "Cancelled on the terminal: not charged"
    case .timedOutAtTerminal: return "The terminal timed out: not charged. Try again."
    case .undelivered: return "The terminal never took the sale: not charged. Check the terminal."
    case .failedAtTerminal: return "The terminal failed: not charged. Try again."
    }
}
