// Receipts from Kotlin: a real sale through the sandbox, then the receipt's data, its text,
// ESC/POS and PNG renderings, a refund's receipt, a card sale's receipt, and printing on a Kotlin ReceiptPrinter and
// on the built-in network printer against a fake printer on loopback.
import io.tillkit.awaitFinalRefund
import io.tillkit.awaitFinal
import io.tillkit.core.Charset
import io.tillkit.core.EntryMode
import io.tillkit.core.Paper
import io.tillkit.core.PrintJob
import io.tillkit.core.PrinterFault
import io.tillkit.core.ReceiptCopy
import io.tillkit.core.ReceiptPrinter
import io.tillkit.core.ReceiptSettings
import io.tillkit.core.RefundState
import io.tillkit.core.SaleKind
import io.tillkit.core.SaleStatus
import io.tillkit.core.TillKitException
import io.tillkit.core.WalletMethod
import io.tillkit.core.networkPrinter
import java.io.ByteArrayOutputStream
import java.net.InetAddress
import java.net.ServerSocket
import kotlin.concurrent.thread
import kotlinx.coroutines.coroutineScope

private val merchant = ReceiptSettings(
    merchantName = "Kotlin Tea House",
    merchantAddress = "1 Test Road",
    merchantTaxId = "91-440300",
    utcOffsetMinutes = 480,
    locale = "en",
)

private suspend fun openReceiptCashier() = openCashier(config = config().copy(receipt = merchant))

private fun ByteArray.indexOf(part: ByteArray): Int =
    (0..size - part.size).firstOrNull { i -> part.indices.all { this[i + it] == part[it] } } ?: -1

/** A Kotlin printer that keeps what it was given, or throws [fault]. */
private class RecordingPrinter(private val fault: PrinterFault? = null) : ReceiptPrinter {
    val printed = mutableListOf<ByteArray>()

    override suspend fun print(job: PrintJob) {
        if (fault != null) throw TillKitException.Printer(fault, "test printer: $fault")
        printed += job.escPos(Paper.MM58, Charset.GB18030)
    }
}

/**
 * A network ESC/POS printer on loopback: answers each `DLE EOT n` status query with [status]
 * (`null`: no answer) and records everything it receives, one connection at a time.
 */
private class FakeNetworkPrinter(private val status: (Int) -> Int?) : AutoCloseable {
    private val server = ServerSocket(0, 4, InetAddress.getLoopbackAddress())
    val port: Int get() = server.localPort
    val received = ByteArrayOutputStream()

    init {
        thread(isDaemon = true) {
            while (!server.isClosed) {
                val socket = try { server.accept() } catch (e: java.io.IOException) { break }
                socket.use { s ->
                    val input = s.getInputStream()
                    val out = s.getOutputStream()
                    var (b1, b2) = -1 to -1
                    while (true) {
                        val b = try { input.read() } catch (e: java.io.IOException) { -1 }
                        if (b < 0) break
                        synchronized(received) { received.write(b) }
                        if (b1 == 0x10 && b2 == 0x04) {
                            status(b)?.let { answer ->
                                try { out.write(answer); out.flush() } catch (e: java.io.IOException) {}
                            }
                        }
                        b1 = b2
                        b2 = b
                    }
                }
            }
        }
    }

    fun bytes(): ByteArray = synchronized(received) { received.toByteArray() }

    override fun close() = server.close()
}

fun registerReceiptTests() {
    Tests.test("a sale's receipt: its data, text in three languages, ESC/POS and PNG") {
        openReceiptCashier().use { cashier ->
            val code = wechatCode()
            val sale = cashier.payByCode(cny("12.34"), code)
            checkEq(SaleStatus.Paid, sale.status, "sale")

            val receipt = cashier.receipt(sale.id)
            checkEq("Kotlin Tea House", receipt.merchantName, "merchant")
            checkEq("91-440300", receipt.merchantTaxId, "tax id")
            checkEq("kotlin-test", receipt.register, "register")
            checkEq(ReceiptCopy.CUSTOMER, receipt.copy, "the customer's copy by default")
            checkEq("en", receipt.locale, "configured language")
            checkEq(sale.id, receipt.saleId, "sale id")
            checkEq(sale.id, receipt.qrContent, "the QR is the sale id")
            checkEq(SaleKind.CUSTOMER_CODE, receipt.method, "method")
            checkEq(WalletMethod.WECHAT_PAY, receipt.wallet, "wallet")
            checkEq(cny("12.34"), receipt.amount, "amount")
            checkEq(null, receipt.refunded, "nothing refunded yet")
            checkEq(SaleStatus.Paid, receipt.status, "status")
            checkEq(null, receipt.refund, "a sale's receipt")
            checkEq(sale.acquirerTransactionId, receipt.acquirerTransactionId, "acquirer id")
            val masked = receipt.paymentCode ?: throw Failure("a code sale shows its masked code")
            check(masked.startsWith(code.take(4)) && masked.endsWith(code.takeLast(4)) && '*' in masked) {
                "masked code $masked of $code"
            }
            check(receipt.timeText.endsWith("+08:00")) { "merchant time: ${receipt.timeText}" }

            val text = cashier.receiptText(sale.id)
            for (part in listOf("12.34", masked, sale.id, "Kotlin Tea House")) {
                check(part in text) { "the text has $part:\n$text" }
            }
            val hans = cashier.receiptText(sale.id, locale = "zh-Hans")
            val hant = cashier.receiptText(sale.id, locale = "zh-TW")
            check(hans != text && hant != text && hans != hant) { "three languages:\n$hans\n$hant" }
            check(hans.any { it.code > 0x3000 }) { "Chinese labels:\n$hans" }
            checkEq(text, cashier.receiptText(sale.id, locale = "xx-unknown"), "unknown tag: English")
            checkEq("zh-Hant", cashier.receipt(sale.id, locale = "zh-Hant").locale, "tag")
            val merchantCopy = cashier.receiptText(sale.id, copy = ReceiptCopy.MERCHANT)
            check(merchantCopy != text) { "the merchant's copy says so" }
            val narrow = cashier.receiptText(sale.id, paper = Paper.MM58)
            check(narrow.lines().all { it.length <= 32 }) { "58 mm: 32 columns:\n$narrow" }

            val escpos = cashier.receiptEscPos(sale.id, paper = Paper.MM58)
            checkEq(listOf<Byte>(0x1B, 0x40), escpos.take(2), "starts with ESC @")
            check(escpos.indexOf(byteArrayOf(0x1D, 0x28, 0x6B)) > 0) { "the QR is GS ( k" }
            check(escpos.indexOf(byteArrayOf(0x1D, 0x56)) > 0) { "ends with a cut (GS V)" }
            check(escpos.indexOf("12.34".toByteArray()) > 0) { "the amount is printed" }
            val png = cashier.receiptPng(sale.id)
            checkEq(
                listOf(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A).map { it.toByte() },
                png.take(8),
                "PNG signature",
            )
            cashier.shutdown()
        }
    }

    Tests.test("a refund's receipt refers to its sale; unknown ids fail by kind") {
        openReceiptCashier().use { cashier ->
            val sale = cashier.payByCode(cny("20.00"), wechatCode())
            val refund = cashier.refund(sale.id, cny("5.00"))
            checkEq(RefundState.SUCCEEDED, cashier.awaitFinalRefund(refund.id).state, "refund")
            val receipt = cashier.receipt(sale.id, refundId = refund.id)
            checkEq(sale.id, receipt.saleId, "refers to its sale")
            checkEq(refund.id, receipt.refund?.id, "the refund")
            checkEq(cny("5.00"), receipt.refund?.amount, "refund amount")
            checkEq(cny("5.00"), receipt.refunded, "refunded so far")
            val text = cashier.receiptText(sale.id, refundId = refund.id)
            check(refund.id in text && sale.id in text && "5.00" in text) { "refund text:\n$text" }
            checkEq(cny("5.00"), cashier.receipt(sale.id).refunded, "the sale's receipt shows it too")

            val unknown = assertThrows<TillKitException.UnknownSale>("unknown sale") {
                cashier.receipt("no-such-sale")
            }
            checkEq("no-such-sale", unknown.id, "names the id")
            assertThrows<TillKitException.UnknownSale>("unknown sale, rendered") {
                cashier.receiptPng("no-such-sale")
            }
            assertThrows<TillKitException.UnknownRefund>("unknown refund") {
                cashier.receipt(sale.id, refundId = "no-such-refund")
            }
            cashier.shutdown()
        }
    }

    Tests.test("printing on an app's printer: bytes arrive; a paper-out is typed; the sale stays") {
        openReceiptCashier().use { cashier ->
            val sale = cashier.payByCode(cny("7.00"), wechatCode())
            val printer = RecordingPrinter()
            cashier.printReceipt(sale.id, printer)
            val bytes = printer.printed.single()
            checkEq(listOf<Byte>(0x1B, 0x40), bytes.take(2), "ESC/POS from the job")
            check(bytes.indexOf("7.00".toByteArray()) > 0) { "the amount is printed" }

            val before = cashier.sale(sale.id)
            val e = assertThrows<TillKitException.Printer>("paper out") {
                cashier.printReceipt(sale.id, RecordingPrinter(PrinterFault.PAPER_OUT))
            }
            checkEq(PrinterFault.PAPER_OUT, e.fault, "fault")
            check(e.canRetry()) { "reprint after loading paper" }
            checkEq(before, cashier.sale(sale.id), "the sale is unchanged")
            checkEq(SaleStatus.Paid, cashier.sale(sale.id)?.status, "still paid")
            cashier.shutdown()
        }
    }

    Tests.test("the network printer checks the status, then prints; paper out prints nothing") {
        openReceiptCashier().use { cashier ->
            val sale = cashier.payByCode(cny("9.00"), wechatCode())
            FakeNetworkPrinter { 0x12 }.use { fake ->
                cashier.printReceipt(sale.id, networkPrinter("127.0.0.1", fake.port, Paper.MM58))
                eventually("the job arrives") { fake.bytes().indexOf(byteArrayOf(0x1D, 0x56)) > 0 }
                val got = fake.bytes()
                checkEq(listOf<Byte>(0x10, 0x04, 0x01), got.take(3), "a status query first")
                check(got.indexOf(byteArrayOf(0x1B, 0x40)) > 0) { "then the job" }
                check(got.indexOf("9.00".toByteArray()) > 0) { "with the amount" }
            }
            // Offline (bit 3) because of paper (n=2: bit 5).
            FakeNetworkPrinter { n -> if (n == 1) 0x1A else if (n == 2) 0x32 else 0x12 }.use { fake ->
                val e = assertThrows<TillKitException.Printer>("paper out") {
                    cashier.printReceipt(sale.id, networkPrinter("127.0.0.1", fake.port))
                }
                checkEq(PrinterFault.PAPER_OUT, e.fault, "fault")
                check(fake.bytes().indexOf(byteArrayOf(0x1B, 0x40)) < 0) { "nothing printed" }
            }
            FakeNetworkPrinter { null }.use { fake ->
                val e = assertThrows<TillKitException.Printer>("no answer") {
                    cashier.printReceipt(sale.id, networkPrinter("127.0.0.1", fake.port, timeoutMs = 300L))
                }
                checkEq(PrinterFault.OFFLINE, e.fault, "a silent printer is offline")
            }
            assertThrows<TillKitException.InvalidInput>("bad port") { networkPrinter("127.0.0.1", 0) }
            checkEq(SaleStatus.Paid, cashier.sale(sale.id)?.status, "printing never changed the sale")
            cashier.shutdown()
        }
    }

    Tests.test("a card sale's receipt shows the card as the terminal read it") {
        val terminal = pairTerminal()
        val events = AgentEvents()
        terminal.open(FakeTerminal(Script.CHIP_PIN), events).use { agent ->
            coroutineScope {
                val running = start(agent, events)
                agentCashier(terminal).use { cashier ->
                    val sale = cashier.payByCard(cny("20.00"), terminal.id)
                    checkEq(SaleStatus.Paid, cashier.awaitFinal(sale.id).status, "paid on the terminal")
                    val receipt = cashier.receipt(sale.id, copy = ReceiptCopy.MERCHANT)
                    checkEq(SaleKind.CARD, receipt.method, "method")
                    checkEq(null, receipt.paymentCode, "no wallet code on a card receipt")
                    val card = receipt.card ?: throw Failure("a card sale's receipt has the card: $receipt")
                    val last4 = card.last4 ?: throw Failure("last 4 digits: $card")
                    // The fake reader's result carries no POS entry mode tag: shown only where given.
                    card.entryMode?.let { checkEq(EntryMode.CHIP, it, "read from the chip") }
                    check(card.brand != null) { "the brand: $card" }
                    val text = cashier.receiptText(sale.id, copy = ReceiptCopy.MERCHANT)
                    check("****$last4" in text) { "the card number's end:\n$text" }
                    card.authCode?.let { code -> check(code in text) { "auth code $code:\n$text" } }
                    card.aid?.let { aid -> check(aid in text) { "AID $aid:\n$text" } }
                    cashier.shutdown()
                }
                agent.stop()
                running.await()
            }
        }
    }

    Tests.test("a bad receipt setting fails open with InvalidConfig naming it") {
        val bad = config().copy(receipt = merchant.copy(merchantTaxId = "12;DROP"))
        val e = assertThrows<TillKitException.InvalidConfig>("bad tax id") { openCashier(config = bad) }
        checkEq("receipt.merchant.tax_id", e.field, "names the setting")
    }
}
