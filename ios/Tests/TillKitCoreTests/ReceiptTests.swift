// The Swift twin of tests/kotlin/ReceiptTests.kt, on the offline cashier of ContractTests.swift:
// an unsent sale's receipt (data, text, ESC/POS, PNG), an unknown sale, and a Swift printer
// that records the job or throws paper out while the sale stays as it was.
import Foundation
import TillKitCore
import XCTest

final class RecordingPrinter: ReceiptPrinter, @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [Data] = []
    private let fault: PrinterFault?

    init(fault: PrinterFault? = nil) { self.fault = fault }

    func print(job: PrintJob) async throws {
        if let fault { throw TillKitError.Printer(fault: fault, reason: "test printer") }
        let bytes = job.escPos(paper: .mm58, charset: .gb18030)
        lock.lock(); defer { lock.unlock() }
        jobs.append(bytes)
    }

    var printed: [Data] { lock.lock(); defer { lock.unlock() }; return jobs }
}

final class ReceiptTests: XCTestCase {
    func testAReceiptRendersAndPrintsAndAPrintFailureLeavesTheSale() async throws {
        let cashier = try await offlineCashier()
        let code = "134567890123456789"
        let sale = try await cashier.payByCode(amount: Money(amount: "3.20", currency: "CNY"), code: code)

        let receipt = try await cashier.receipt(saleId: sale.id)
        XCTAssertEqual(receipt.saleId, sale.id)
        XCTAssertEqual(receipt.qrContent, sale.id)
        XCTAssertEqual(receipt.register, "swift-test")
        XCTAssertEqual(receipt.amount, Money(amount: "3.20", currency: "CNY"))
        XCTAssertEqual(receipt.copy, .customer)
        XCTAssertEqual(receipt.paymentCode?.hasPrefix("1345"), true)
        XCTAssertEqual(receipt.paymentCode?.hasSuffix("6789"), true)

        let text = try await cashier.receiptText(saleId: sale.id)
        XCTAssertTrue(text.contains("3.20"), text)
        XCTAssertTrue(text.contains(sale.id), text)
        let hant = try await cashier.receiptText(saleId: sale.id, locale: "zh-Hant")
        XCTAssertNotEqual(hant, text)

        let escpos = try await cashier.receiptEscPos(saleId: sale.id, paper: .mm58)
        XCTAssertEqual(Array(escpos.prefix(2)), [0x1B, 0x40])
        let png = try await cashier.receiptPng(saleId: sale.id)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])

        let unknown = await thrown("unknown sale") { try await cashier.receipt(saleId: "no-such-sale") }
        guard case .UnknownSale? = unknown as? TillKitError else {
            return XCTFail("expected UnknownSale, got \(String(describing: unknown))")
        }

        let printer = RecordingPrinter()
        try await cashier.printReceipt(saleId: sale.id, printer: printer)
        XCTAssertEqual(printer.printed.count, 1)
        XCTAssertEqual(Array(printer.printed[0].prefix(2)), [0x1B, 0x40])

        let before = try await cashier.sale(id: sale.id)
        let failed = await thrown("paper out") {
            try await cashier.printReceipt(saleId: sale.id, printer: RecordingPrinter(fault: .paperOut))
        }
        guard let e = failed as? TillKitError, case let .Printer(fault, _) = e else {
            return XCTFail("expected Printer, got \(String(describing: failed))")
        }
        XCTAssertEqual(fault, .paperOut)
        XCTAssertTrue(e.canRetry())
        let after = try await cashier.sale(id: sale.id)
        XCTAssertEqual(after, before)
        try await cashier.shutdown()
    }
}
