// The app's state; every payment decision comes from the core (amount rules, code rules, hints).
import Foundation
import OSLog
import TillKitCore

enum Screen: Equatable {
    case amount, method(Money, saleId: String), scanCode(Money, saleId: String), progress, history
}

final class OSLogLogger: Logger, @unchecked Sendable {
    private let log = os.Logger(subsystem: "io.tillkit", category: "core")
    func log(level: LogLevel, target: String, message: String) throws {
        let type: OSLogType = level == .error ? .error : level == .warn ? .default : .debug
        log.log(level: type, "\(target, privacy: .public): \(message, privacy: .public)")
    }
}

@MainActor
final class CashierModel: ObservableObject {
    let currency = "CNY"
    @Published var screen: Screen = .amount
    @Published var amountUnits: Int64 = 0
    @Published var sale: Sale?
    @Published var history: [Sale] = []
    @Published var queued: UInt32 = 0
    @Published var error: String?
    private var cashier: Cashier?
    private var following: Task<Void, Error>?

    func start() async {
        do {
            try setLogger(logger: OSLogLogger(), level: .info)
            let keys = KeychainKeyStore()
            // The sandbox's published test salt; a real app provisions its own.
            if try keys.get(name: "pingpong.salt") == nil {
                try keys.put(name: "pingpong.salt", value: Data("F78BC96A55548B2319EE68E0".utf8))
            }
            let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            let cashier = try await Cashier.open(config: Self.config, dataDir: dir.appendingPathComponent("tillkit").path,
                                                 keyStore: keys, listener: ClosureListener { _ in })
            self.cashier = cashier
            // The sandbox's demo terminal, paired once in the core's registry (card sales go
            // only to paired terminals); a real app pairs its terminals on a settings screen.
            if try cashier.terminals().isEmpty {
                _ = try cashier.addTerminal(serial: "SANDBOX-T1", model: "PAX-A920", label: "Sandbox")
            }
            Task { for await event in cashier.events() { if case let .queueChanged(q) = event { queued = q.sales + q.refunds } } }
        } catch { self.error = "\(error)" }
    }

    var money: Money? { amountUnits == 0 ? nil : try? moneyFromMinorUnits(units: amountUnits, currency: currency) }
    func digit(_ d: Int64) { if amountUnits < 100_000_000_000 { amountUnits = amountUnits * 10 + d } }
    func clear() { amountUnits = 0 }
    /// One sale id per checkout: a repeated tap or a retry returns the same sale, never a second charge.
    func checkout() { if let m = money { screen = .method(m, saleId: UUID().uuidString) } }

    func payByCode(_ m: Money, _ id: String, _ code: String) { begin { try await $0.payByCode(amount: m, code: code, saleId: id) } }
    func payByQr(_ m: Money, _ id: String, _ w: WalletMethod) { begin { try await $0.payByQr(amount: m, wallet: w, saleId: id) } }
    func payByCard(_ m: Money, _ id: String, _ t: TerminalId) { begin { try await $0.payByCard(amount: m, terminal: t, saleId: id) } }
    func cancelSale() { act { c in if let s = self.sale { self.sale = try await c.cancel(saleId: s.id) } } }
    func refund(_ s: Sale) { act { c in _ = try await c.refund(saleId: s.id); self.showHistory() } }
    func showHistory() {
        act { c in
            self.history = try c.history(filter: HistoryFilter(statuses: [], since: nil, until: nil, limit: 100))
            self.screen = .history
        }
    }
    func newSale() { following?.cancel(); sale = nil; amountUnits = 0; screen = .amount }

    private func begin(_ call: @escaping (Cashier) async throws -> Sale) {
        act { c in
            let started = try await call(c)
            self.sale = started
            self.screen = .progress
            self.following?.cancel()
            self.following = Task { for try await s in c.saleUpdates(started.id) { self.sale = s } }
        }
    }

    private func act(_ body: @escaping (Cashier) async throws -> Void) {
        guard let cashier else { return }
        error = nil
        Task { do { try await body(cashier) } catch { self.error = "\(error)" } }
    }

    static let config = CashierConfig(
        acquirer: .pingPong(baseUrl: "http://127.0.0.1:8080", accId: "2018092714313010016291",
                            clientId: "2018092714313010016", signType: .sha256, saltKey: "pingpong.salt"),
        cashierDeviceId: "ios-demo", alipayRegion: .mainland, platform: .ios)
}
