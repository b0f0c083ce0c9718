// The Swift twin of the report test in tests/kotlin/ReportTests.kt, on the offline cashier of
// ContractTests.swift: an unsent sale is counted as not final and listed as open; closing the
// shift starts the next one empty, and a close on a stale report is refused.
import Foundation
import TillKitCore
import XCTest

final class ReportTests: XCTestCase {
    func testTheShiftReportCountsClosesAndRefusesAStaleClose() async throws {
        let cashier = try await offlineCashier()
        let sale = try await cashier.payByCode(amount: Money(amount: "3.00", currency: "CNY"),
                                               code: "134567890123456789")
        let report = try await cashier.shiftReport(request: nil)
        XCTAssertNil(report.closed)
        XCTAssertEqual(report.currencies.map(\.currency), ["CNY"])
        let pending: Int64 = report.currencies[0].pending.count
        XCTAssertEqual(pending, 1)
        XCTAssertEqual(report.currencies[0].pending.total, Money(amount: "3.00", currency: "CNY"))
        XCTAssertEqual(report.openItems.map(\.id), [sale.id])

        let closed = try await cashier.closeShift(operator: "Ann", expected: report.range)
        XCTAssertEqual(closed.closed?.seq, 1)
        XCTAssertEqual(closed.closed?.operator, "Ann")
        let next = try await cashier.shiftReport(request: nil)
        XCTAssertTrue(next.currencies.isEmpty)
        XCTAssertEqual(next.range.afterClose, 1)

        let stale = await thrown("close on a stale report") {
            try await cashier.closeShift(operator: nil, expected: report.range)
        }
        guard let e = stale as? TillKitError, case let .ShiftAlreadyClosed(seq, register, _) = e else {
            return XCTFail("expected ShiftAlreadyClosed, got \(String(describing: stale))")
        }
        XCTAssertEqual(seq, 1)
        XCTAssertEqual(register, "swift-test")
        XCTAssertFalse(e.canRetry())

        let text = try await cashier.closedReportText(seq: 1, utcOffsetMinutes: 480)
        XCTAssertTrue(text.contains("closed shift 1"), text)
        XCTAssertTrue(text.contains("3.00"), text)
        let reprint = try await cashier.closedReport(seq: 1)
        XCTAssertEqual(reprint, closed)
        try await cashier.shutdown()
    }
}
