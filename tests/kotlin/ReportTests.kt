// The end-of-day report from Kotlin: real sales through the sandbox, then the report's counts
// and totals, the open items, closing the shift (with its CSV export), a stale close refused,
// text, ESC/POS, PNG and CSV.
import io.tillkit.awaitFinal
import io.tillkit.awaitFinalRefund
import io.tillkit.core.RefundState
import io.tillkit.core.ReportRequest
import io.tillkit.core.SaleStatus
import io.tillkit.core.TillKitException
import io.tillkit.core.WalletMethod
import java.io.File

fun registerReportTests() {
    Tests.test("the shift report counts the day's sales, lists the open ones, closes, renders") {
        openCashier().use { cashier ->
            val coffee = cashier.payByCode(cny("12.00"), wechatCode())
            checkEq(SaleStatus.Paid, coffee.status, "first sale")
            checkEq(SaleStatus.Paid, cashier.payByCode(cny("4.00"), wechatCode()).status, "second")
            val qr = cashier.payByQr(cny("8.00"), WalletMethod.ALIPAY_CN)
            checkEq(SaleStatus.Paid, cashier.awaitFinal(qr.id).status, "QR sale")
            cashier.payByCode(cny("3.51"), wechatCode()) // sandbox: declined
            val stuck = cashier.payByQr(cny("3.54"), WalletMethod.WECHAT_PAY) // stays processing
            val back = cashier.refund(coffee.id, cny("2.00"))
            checkEq(RefundState.SUCCEEDED, cashier.awaitFinalRefund(back.id).state, "refund")

            val report = cashier.shiftReport()
            check(report.closed == null) { "an open shift's report is not closed" }
            check(report.range.sinceLastClose) { "the default is since the last close" }
            checkEq(null, report.range.afterClose, "no close yet")
            val cnyDay = report.currencies.single()
            checkEq("CNY", cnyDay.currency, "currency")
            checkEq(3L, cnyDay.paid.count, "paid count")
            checkEq(cny("24.00"), cnyDay.paid.total, "paid total")
            checkEq(1L, cnyDay.refunded.count, "refunds")
            checkEq(cny("2.00"), cnyDay.refunded.total, "refunded")
            checkEq(cny("22.00"), cnyDay.net, "net")
            checkEq(1L, cnyDay.notPaid.count, "declined")
            checkEq(cny("3.51"), cnyDay.notPaid.total, "declined total")
            checkEq(1L, cnyDay.pending.count, "not final")
            val byMethod = report.paidByMethod.associate { (it.method to it.wallet) to (it.count to it.total) }
            checkEq(
                mapOf(("code" to "wechat") to (2L to cny("16.00")), ("qr" to "alipay_cn") to (1L to cny("8.00"))),
                byMethod,
                "paid by method and wallet",
            )
            checkEq(listOf(cny("2.00")), report.refundedByMethod.map { it.total }, "refunded by method")
            val open = report.openItems.single { it.id == stuck.id }
            checkEq("sale", open.entity, "open item kind")
            checkEq(cny("3.54"), open.amount, "open item amount")
            check(open.inRange) { "taken in this shift" }
            checkEq("kotlin-test", report.register, "register")

            val closedCsv = File.createTempFile("tillkit-close", ".csv")
            val closed = cashier.closeShiftExporting(closedCsv.path, operator = "Ann", expected = report.range)
            val closedLines = closedCsv.readLines().filter { it.isNotEmpty() }
            checkEq(7, closedLines.size, "the close's export: a header, five sales and a refund")
            closedCsv.delete()
            checkEq(1L, closed.closed?.seq, "the first close")
            checkEq("Ann", closed.closed?.operator, "operator")
            checkEq(report.currencies, closed.currencies, "the close covers what was shown")
            val next = cashier.shiftReport()
            checkEq(emptyList(), next.currencies, "the next shift starts empty")
            checkEq(emptyList(), next.paidByMethod, "no paid sales in the next shift")
            checkEq(1L, next.range.afterClose, "follows close 1")
            val stale = assertThrows<TillKitException.ShiftAlreadyClosed>("close with a stale range") {
                cashier.closeShift(expected = report.range)
            }
            checkEq(1L, stale.seq, "names the close that came in between")
            checkEq("kotlin-test", stale.register, "and its register")
            val staleCsv = File(closedCsv.path + ".stale")
            assertThrows<TillKitException.ShiftAlreadyClosed>("an exporting close with a stale range") {
                cashier.closeShiftExporting(staleCsv.path, expected = report.range)
            }
            check(!staleCsv.exists()) { "a refused close leaves no export" }
            checkEq(1, cashier.closedShifts().size, "the stale closes closed nothing")
            checkEq(closed, cashier.closedReport(1L), "a reprint is the report as closed")

            val text = cashier.closedReportText(1L, utcOffsetMinutes = 480)
            for (part in listOf("closed shift 1", "by Ann", "24.00", "22.00", "3.54", "+08:00")) {
                check(part in text) { "the text has $part:\n$text" }
            }
            check("No sales or refunds" in cashier.reportText()) { "the open shift's text says empty" }

            val pngMagic = byteArrayOf(0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)
            val png = cashier.closedReportPng(1L, locale = "zh-Hant", paperMm = 58, utcOffsetMinutes = 480)
            check(png.size > 1000 && png.copyOfRange(0, 8).contentEquals(pngMagic)) { "a PNG" }
            check(cashier.reportPng().copyOfRange(0, 8).contentEquals(pngMagic)) { "the open shift's PNG" }
            val escpos = cashier.closedReportEscPos(1L, charset = "ascii", utcOffsetMinutes = 480)
            check(escpos[0] == 0x1B.toByte() && escpos[1] == '@'.code.toByte()) { "ESC @ first" }
            val cut = (0 until escpos.size - 1).any { escpos[it] == 0x1D.toByte() && escpos[it + 1] == 'V'.code.toByte() }
            check(cut) { "the printout is cut" }
            val printed = String(escpos, Charsets.US_ASCII)
            for (part in listOf("SHIFT REPORT", "CNY 24.00", "CNY 22.00", "Ann", "+08:00")) {
                check(part in printed) { "the printout has $part" }
            }
            check(cashier.reportEscPos(paperMm = 58, charset = "big5").size > 100) { "the open shift prints" }
            val badPaper = assertThrows<TillKitException.InvalidInput>("57 mm paper") { cashier.reportPng(paperMm = 57) }
            checkEq("paper_mm", badPaper.field, "names the paper")
            val badCharset = assertThrows<TillKitException.InvalidInput>("a charset") {
                cashier.reportEscPos(charset = "utf-8")
            }
            checkEq("charset", badCharset.field, "names the charset")

            val csv = File.createTempFile("tillkit-report", ".csv")
            val rows = cashier.exportReportCsv(ReportRequest(sinceMs = 0L), csv.path)
            val lines = csv.readLines().filter { it.isNotEmpty() }
            checkEq(6L, rows, "five sales and a refund")
            checkEq(rows.toInt() + 1, lines.size, "a header and one line per row")
            check(lines[0].startsWith("id,kind,time,method")) { "header: ${lines[0]}" }
            check(lines.any { coffee.id in it && "12.00" in it }) { "the first sale is a row: $lines" }
            csv.delete()

            val bad = assertThrows<TillKitException.InvalidInput>("a negative start") {
                cashier.shiftReport(ReportRequest(sinceMs = -1L))
            }
            checkEq("since_ms", bad.field, "names the field")
            assertThrows<TillKitException.InvalidInput>("an unknown close") { cashier.closedReport(9L) }
            val second = cashier.closeShift()
            checkEq(2L, second.closed?.seq, "a close without an expected range closes what is open")
            checkEq(listOf(2L, 1L), cashier.closedShifts().map { it.info.seq }, "closes, newest first")
            cashier.shutdown()
        }
    }
}
