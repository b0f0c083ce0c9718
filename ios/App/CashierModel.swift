// The app's state; every payment decision comes from the core (amount rules, code rules, hints,
// whether a sale can be cancelled). Store and network calls are `async` and run off the main
// actor; the Keychain is used from a detached task. Every failure is shown in words (Words.swift).
import Foundation
import TillKitCore
import UIKit

enum Screen: Equatable {
    case amount, method(Money, saleId: String), scanCode(Money, saleId: String), progress, history
    case refund(Sale), receipt(saleId: String), report, terminals
}

/// What the refund screen shows: the refunds, what they add up to, what remains refundable.
struct RefundInfo { let refunds: [Refund]; let refunded: Money; let refundable: Money }

@MainActor
final class CashierModel: ObservableObject {
    /// HKD for AlipayHK and Hong Kong shops.
    let currencies = ["CNY", "HKD"]
    @Published var currency = "CNY"
    @Published var screen: Screen = .amount
    @Published var amountUnits: Int64 = 0
    @Published var sale: Sale?
    @Published var canCancel = false
    @Published var history: [Sale] = []
    @Published var refundInfo: RefundInfo?
    @Published var terminals: [Terminal] = []
    @Published var waitingForNetwork: Int32 = 0
    @Published var scanMessage: String?
    @Published var receipt: String?
    /// The receipt's image while the share sheet shows it.
    @Published var receiptImage: UIImage?
    @Published var report: String?
    @Published var error: String?
    private var cashier: Cashier?
    private var following: Task<Void, Never>?
    private var watchingQueue: Task<Void, Never>?

    /// Opens (or joins) the process's cashier; safe to call again (`.task` may run twice).
    func start() async {
        guard cashier == nil else { return }
        do {
            let keys = KeychainKeyStore()
            let saltKey = Self.saltKey, config = Self.config
            // The sandbox's published test salt; a real app provisions its own. Off the main actor:
            // the Keychain blocks.
            try await Task.detached {
                if try keys.get(name: saltKey) == nil {
                    try keys.put(name: saltKey, value: Data("F78BC96A55548B2319EE68E0".utf8))
                }
            }.value
            let dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask,
                                                  appropriateFor: nil, create: true)
                .appendingPathComponent("tillkit").path
            let cashier = try await CashierRegistry.shared.cashier(dataDir: dir) {
                try await Cashier.open(config: config, dataDir: dir, keyStore: keys, listener: ClosureListener { _ in },
                                       httpTransport: URLSessionTransport(trustedCAs: Self.sandboxRoots))
            }
            guard self.cashier == nil else { return }
            self.cashier = cashier
            terminals = try await cashier.terminals()
            watchingQueue = Task { [weak self] in
                do {
                    for try await q in cashier.queueUpdates() { self?.waitingForNetwork = q.unsent + q.unknown }
                } catch {
                    self?.error = Words.error(error)
                }
            }
        } catch { self.error = Words.error(error) }
    }

    var money: Money? { amountUnits == 0 ? nil : try? moneyFromMinorUnits(units: amountUnits, currency: currency) }
    func digit(_ d: Int64) { if amountUnits < 100_000_000_000 { amountUnits = amountUnits * 10 + d } }
    func clear() { amountUnits = 0 }
    func choose(currency code: String) { currency = code; amountUnits = 0 }
    /// One sale id per checkout: a repeated tap or a retry returns the same sale, never a second charge.
    func checkout() { if let m = money { screen = .method(m, saleId: UUID().uuidString) } }

    func payByCode(_ m: Money, _ id: String, _ code: String) { begin { try await $0.payByCode(amount: m, code: code, saleId: id) } }
    func payByQr(_ m: Money, _ id: String, _ w: WalletMethod) { begin { try await $0.payByQr(amount: m, wallet: w, saleId: id) } }
    func payByCard(_ m: Money, _ id: String, _ t: Terminal) {
        begin { try await $0.payByCard(amount: m, terminal: TerminalId(serial: t.serial, model: t.model), saleId: id) }
    }

    /// A code from the camera or a scan gun; only the scan screen takes it.
    func scanned(_ outcome: ScanOutcome) {
        guard case let .scanCode(money, id) = screen else { return }
        if case let .paymentCode(code, _, _) = outcome {
            scanMessage = nil
            payByCode(money, id, code)
        } else {
            scanMessage = Words.scan(outcome)
        }
    }

    func cancelSale() { act { c in if let s = self.sale { try await self.show(c, try await c.cancel(saleId: s.id)) } } }
    /// Stops waiting for a stuck sale: it leaves the screen and is still resolved in the background.
    func abandonSale() { act { c in if let s = self.sale { try await self.show(c, try await c.abandonSale(saleId: s.id)) } } }

    func showHistory() {
        act { c in
            self.history = try await c.history(filter: HistoryFilter(limit: 100))
            self.screen = .history
        }
    }

    func openRefund(_ s: Sale) { act { c in self.refundInfo = try await Self.refundInfo(c, s); self.screen = .refund(s) } }

    /// Refunds `text` of the sale (everything that remains when blank); the core checks the amount.
    func refund(_ s: Sale, _ text: String) {
        act { c in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let amount = trimmed.isEmpty ? nil : try parseMoney(amount: trimmed, currency: s.amount.currency)
            _ = try await c.refund(saleId: s.id, amount: amount)
            self.refundInfo = try await Self.refundInfo(c, s)
        }
    }

    func showReceipt(_ saleId: String) {
        act { c in
            self.receipt = try await c.receiptText(saleId: saleId, locale: Self.localeTag)
            self.screen = .receipt(saleId: saleId)
        }
    }
    /// Prints through AirPrint; a printer fault shows as an error and the sale stays as it is.
    func printReceipt(_ saleId: String) {
        act { c in try await c.printReceipt(saleId: saleId, printer: ReceiptOutput.AirPrinter(), locale: Self.localeTag) }
    }
    /// Shares TillKit's PNG of the receipt.
    func shareReceipt(_ saleId: String) {
        act { c in self.receiptImage = UIImage(data: try await c.receiptPng(saleId: saleId, locale: Self.localeTag)) }
    }
    func showReport() { act { c in self.report = try await Self.reportText(c); self.screen = .report } }

    func pair(serial: String, model: String, label: String) {
        act { c in
            _ = try await c.addTerminal(serial: serial.trimmingCharacters(in: .whitespaces),
                                        model: model.trimmingCharacters(in: .whitespaces),
                                        label: label.isEmpty ? nil : label)
            self.terminals = try await c.terminals()
        }
    }
    func makeDefault(_ t: Terminal) { act { c in try await c.setDefaultTerminal(serial: t.serial); self.terminals = try await c.terminals() } }
    func unpair(_ t: Terminal) { act { c in try await c.removeTerminal(serial: t.serial); self.terminals = try await c.terminals() } }

    func newSale() { following?.cancel(); sale = nil; amountUnits = 0; screen = .amount }

    /// The device's language for receipts (`zh-Hant-TW`, `en-GB`…); TillKit takes the nearest.
    static var localeTag: String { Locale.preferredLanguages.first ?? "en" }

    /// The open shift's report (since the last close) as text, times in the device's zone.
    private static func reportText(_ c: Cashier) async throws -> String? {
        let offsetMinutes = Int32(TimeZone.current.secondsFromGMT() / 60)
        return try await c.reportText(request: nil, utcOffsetMinutes: offsetMinutes)
    }

    private static func refundInfo(_ c: Cashier, _ s: Sale) async throws -> RefundInfo {
        let refunds = try await c.refunds(saleId: s.id)
        let refundable = try await c.refundable(saleId: s.id)
        // Held by refunds = the sale less what remains; decimal arithmetic, never floating point.
        let refunded = (Decimal(string: s.amount.amount) ?? 0) - (Decimal(string: refundable.amount) ?? 0)
        let money = try parseMoney(amount: "\(refunded)", currency: s.amount.currency)
        return RefundInfo(refunds: refunds, refunded: money, refundable: refundable)
    }

    private func show(_ c: Cashier, _ s: Sale) async throws {
        sale = s
        if s.isFinal {
            canCancel = false
        } else {
            canCancel = try await c.canCancel(saleId: s.id)
        }
    }

    private func begin(_ call: @escaping (Cashier) async throws -> Sale) {
        act { c in
            let started = try await call(c)
            try await self.show(c, started)
            self.screen = .progress
            self.following?.cancel()
            self.following = Task {
                do {
                    for try await s in c.saleUpdates(started.id) { try await self.show(c, s) }
                } catch is CancellationError {
                } catch {
                    self.error = Words.error(error)
                }
            }
        }
    }

    private func act(_ body: @escaping (Cashier) async throws -> Void) {
        guard let cashier else { return }
        error = nil
        Task { do { try await body(cashier) } catch { self.error = Words.error(error) } }
    }

    static let saltKey = "pingpong.salt"

    /// `tillkit sandbox` on the development Mac, at its default 127.0.0.1:8787, which the
    /// simulator reaches directly. The core sends plain HTTP only to loopback: an iPhone on the
    /// Wi-Fi reaches the sandbox over HTTPS (`tillkit sandbox --listen 0.0.0.0:8787 --tls-cert …
    /// --tls-key …`), with TILLKIT_SANDBOX_URL=https://<Mac's IP>:8787 in the scheme's
    /// environment and the CA as `sandbox-ca.pem` in the app's resources (ios/README.md).
    static let sandboxURL = ProcessInfo.processInfo.environment["TILLKIT_SANDBOX_URL"] ?? "http://127.0.0.1:8787"

    static let config = CashierConfig(
        acquirer: .pingPong(baseUrl: sandboxURL, accId: "2018092714313010016291",
                            clientId: "2018092714313010016", signType: .sha256, saltKey: saltKey),
        cashierDeviceId: "ios-demo", alipayRegion: .mainland, platform: .ios,
        receipt: ReceiptSettings(merchantName: "TillKit Demo",
                                 utcOffsetMinutes: Int32(TimeZone.current.secondsFromGMT() / 60),
                                 locale: localeTag))

    /// The CA of a sandbox served over HTTPS, when the app bundle carries one (URLSession trusts
    /// it besides the system's roots).
    static let sandboxRoots: [String] = Bundle.main.url(forResource: "sandbox-ca", withExtension: "pem")
        .flatMap { try? String(contentsOf: $0, encoding: .utf8) }
        .map { [$0] } ?? []
}
