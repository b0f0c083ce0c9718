// The Swift twin of tests/kotlin/ContractTests.kt: what an iOS developer writes against. Runs
// on a Mac with `swift test` (ios/README.md); needs no acquirer: the cashier points at a closed
// port, so every sale stays unsent.
import Foundation
import TillKitCore
import XCTest

final class MemoryKeyStore: KeyStore, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Data] = [:]

    func get(name: String) throws -> Data? {
        lock.lock(); defer { lock.unlock() }
        return values[name]
    }

    func put(name: String, value: Data) throws {
        lock.lock(); defer { lock.unlock() }
        values[name] = value
    }
}

/// A cashier on a fresh directory whose acquirer cannot be reached (port 9 on this machine).
func offlineCashier() async throws -> Cashier {
    let keys = MemoryKeyStore()
    try keys.put(name: "pingpong.salt", value: Data("test-salt".utf8))
    let config = CashierConfig(
        acquirer: .pingPong(baseUrl: "http://127.0.0.1:9", accId: "acc", clientId: "client",
                            signType: .sha256, saltKey: "pingpong.salt"),
        cashierDeviceId: "swift-test",
        alipayRegion: .mainland,
        requestTimeoutMs: 3_000,
        platform: .ios)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    // The package's library has no HTTP client of its own: URLSession sends.
    return try await Cashier.open(config: config, dataDir: dir.path, keyStore: keys,
                                  listener: ClosureListener { _ in },
                                  httpTransport: URLSessionTransport())
}

/// The error `body` throws, or a test failure when it throws nothing.
func thrown<T>(_ what: String, _ body: () async throws -> T) async -> Error? {
    do {
        _ = try await body()
        XCTFail("\(what): nothing was thrown")
        return nil
    } catch {
        return error
    }
}

final class ContractTests: XCTestCase {
    func testErrorTextIsTheRustDisplayText() async throws {
        let cashier = try await offlineCashier()
        let error = await thrown("refund of an unknown sale") { try await cashier.refund(saleId: "nope") }
        guard let e = error as? TillKitError, case let .UnknownSale(id) = e else {
            return XCTFail("expected UnknownSale, got \(String(describing: error))")
        }
        XCTAssertEqual(id, "nope")
        XCTAssertEqual(e.description, "no sale nope")
        XCTAssertEqual("\(e)", "no sale nope")
        XCTAssertEqual(e.localizedDescription, "no sale nope")
        try await cashier.shutdown()
    }

    func testEveryErrorSaysWhetherRetryingCanHelp() {
        XCTAssertTrue(TillKitError.Offline(reason: "no route").canRetry())
        XCTAssertTrue(TillKitError.StoreInUse(path: "/d").canRetry())
        XCTAssertFalse(TillKitError.OutcomeUnknown(detail: "timeout").canRetry())
        XCTAssertFalse(TillKitError.UnknownSale(id: "s").canRetry())
    }

    func testTimesAreInt64CountsInt32AndRecordsHaveDefaults() async throws {
        let cashier = try await offlineCashier()
        let sale = try await cashier.payByCode(amount: Money(amount: "3.00", currency: "CNY"),
                                               code: "134567890123456789")
        let created: Int64 = sale.createdAtMs
        XCTAssertGreaterThan(created, 0)
        let unsent: Int32 = try await cashier.queueStatus().unsent
        XCTAssertGreaterThanOrEqual(unsent, 1)
        let filter = HistoryFilter()
        XCTAssertNil(filter.limit)
        let newest = try await cashier.history(filter: HistoryFilter(limit: 1))
        XCTAssertEqual(newest.map(\.id), [sale.id])
        let pollMs: Int64 = defaultPolicy().pollMinMs
        let decimals: Int32 = try currencyDecimals(currency: "JPY")
        XCTAssertGreaterThan(pollMs, 0)
        XCTAssertEqual(decimals, 0)
        try await cashier.shutdown()
    }

    // From the main actor, as a SwiftUI view model calls them: each store call is awaited.
    @MainActor
    func testStoreCallsAreAwaitedFromTheMainActor() async throws {
        let cashier = try await offlineCashier()
        let history = try await cashier.history()
        let sale = try await cashier.sale(id: "nope")
        let queue = try await cashier.queueStatus()
        let terminals = try await cashier.terminals()
        let forwarded: Int32 = try await cashier.forwardNow()
        XCTAssertTrue(history.isEmpty)
        XCTAssertNil(sale)
        XCTAssertEqual(queue.sales, 0)
        XCTAssertTrue(terminals.isEmpty)
        XCTAssertEqual(forwarded, 0)
        try await cashier.shutdown()
    }

    func testAwaitFinalFailsAtOnceOnAnUnknownId() async throws {
        let cashier = try await offlineCashier()
        let sale = await thrown("awaitFinal") { try await cashier.awaitFinal("no-such-sale") }
        guard let e = sale as? TillKitError, case .UnknownSale = e else {
            return XCTFail("expected UnknownSale, got \(String(describing: sale))")
        }
        let refund = await thrown("awaitFinalRefund") { try await cashier.awaitFinalRefund("no-such-refund") }
        guard let r = refund as? TillKitError, case .UnknownRefund = r else {
            return XCTFail("expected UnknownRefund, got \(String(describing: refund))")
        }
        try await cashier.shutdown()
    }

    func testTheScanningTypeIsCodeScanner() {
        let scanner = CodeScanner(thorough: false)
        let submitted: Int64 = scanner.stats().submitted
        XCTAssertEqual(submitted, 0)
        let outcomes = ScanGun().push(keys: "134650720866361395\n")
        guard outcomes.count == 1, case let .paymentCode(code, _, _) = outcomes[0] else {
            return XCTFail("expected one payment code, got \(outcomes)")
        }
        XCTAssertEqual(code, "134650720866361395")
    }
}
