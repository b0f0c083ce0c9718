// Sales and refunds end to end: Kotlin -> generated bindings -> core -> sandbox over HTTP.
import io.tillkit.awaitFinal
import io.tillkit.awaitFinalRefund
import io.tillkit.core.CashierEvent
import io.tillkit.core.FailReason
import io.tillkit.core.HistoryFilter
import io.tillkit.core.NextStep
import io.tillkit.core.RefundState
import io.tillkit.core.SaleHint
import io.tillkit.core.SaleKind
import io.tillkit.core.SaleStatus
import io.tillkit.core.TerminalId
import io.tillkit.core.TillKitException
import io.tillkit.core.WalletMethod
import io.tillkit.saleUpdates
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList

fun registerSaleTests() {
    Tests.test("a customer-code sale is paid on the first answer") {
        val listener = RecordingListener()
        openCashier(listener).use { cashier ->
            val sale = cashier.payByCode(cny("12.00"), wechatCode(), remark = "coffee")
            checkEq(SaleStatus.Paid, sale.status, "status")
            checkEq(SaleHint.PAID, sale.hint, "hint")
            check(sale.isFinal) { "a paid sale is final" }
            checkEq(SaleKind.CUSTOMER_CODE, sale.kind, "kind")
            checkEq(WalletMethod.WECHAT_PAY, sale.wallet, "wallet")
            checkEq(cny("12.00"), sale.amount, "amount")
            checkEq("coffee", sale.remark, "remark")
            check(sale.acquirerTransactionId != null) { "the acquirer's id is recorded" }
            checkEq(sale, cashier.sale(sale.id), "lookup")
            val history = cashier.history(HistoryFilter(statuses = listOf(SaleStatus.Paid)))
            checkEq(listOf(sale.id), history.map { it.id }, "history of paid sales")
            check(cashier.journal(sale.id).any { it.kind == "created" }) { "journal has the creation" }
            checkEq(true, cashier.online(), "online after an answer")
            cashier.shutdown()
        }
    }

    Tests.test("a stuck QR sale can be abandoned: off the list, still resolved") {
        openCashier().use { cashier ->
            // Sandbox cents 54: the order stays processing.
            val sale = cashier.payByQr(cny("3.54"), WalletMethod.WECHAT_PAY)
            checkEq(NextStep.WAIT, sale.nextStep, "not final: wait")
            checkEq(null, sale.abandonedAtMs, "not abandoned yet")
            val abandoned = cashier.abandonSale(sale.id)
            check(abandoned.abandonedAtMs != null) { "marked abandoned" }
            checkEq(SaleStatus.Processing, abandoned.status, "still being resolved")
            val shown = cashier.history().map { it.id }
            check(sale.id !in shown) { "off the cashier's list: $shown" }
            val all = cashier.history(HistoryFilter(includeAbandoned = true)).map { it.id }
            check(sale.id in all) { "listed on request: $all" }
            val paid = cashier.payByCode(cny("1.00"), wechatCode())
            checkEq(NextStep.DONE, paid.nextStep, "paid: nothing to do")
            val cannot = assertThrows<TillKitException.CannotAbandon>("abandon a paid sale") {
                cashier.abandonSale(paid.id)
            }
            checkEq(paid.id, cannot.saleId, "names the sale")
            cashier.shutdown()
        }
    }

    Tests.test("a declined code sale says declined") {
        openCashier().use { cashier ->
            val sale = cashier.payByCode(cny("3.51"), wechatCode())
            checkEq(SaleStatus.Failed(FailReason.DECLINED), sale.status, "status")
            checkEq(SaleHint.DECLINED, sale.hint, "hint")
            check(sale.resultCode != null) { "the acquirer's code is shown" }
            cashier.shutdown()
        }
    }

    Tests.test("a customer still paying in the wallet: waiting, then paid") {
        openCashier().use { cashier ->
            val sale = cashier.payByCode(cny("4.52"), wechatCode())
            checkEq(SaleHint.WAITING_FOR_CUSTOMER, sale.hint, "first answer")
            checkEq(SaleStatus.Paid, cashier.awaitFinal(sale.id).status, "final")
            cashier.shutdown()
        }
    }

    Tests.test("an answer lost after the charge: do not charge again, then paid") {
        openCashier().use { cashier ->
            val sale = cashier.payByCode(cny("5.56"), wechatCode())
            checkEq(SaleHint.DO_NOT_CHARGE_AGAIN, sale.hint, "first answer")
            checkEq(SaleStatus.Unknown, sale.status, "status")
            val final = cashier.awaitFinal(sale.id)
            checkEq(SaleStatus.Paid, final.status, "resolved by query")
            cashier.shutdown()
        }
    }

    Tests.test("a QR sale shows its QR content, in the answer and in an event, then is paid") {
        val listener = RecordingListener()
        openCashier(listener).use { cashier ->
            val sale = cashier.payByQr(cny("8.00"), WalletMethod.ALIPAY_CN)
            checkEq(SaleHint.SHOW_QR, sale.hint, "hint")
            val content = sale.qr?.content
            check(!content.isNullOrEmpty()) { "the QR content is there: ${sale.qr}" }
            check(sale.qr?.expiresAtUnixMs != null) { "the QR has an expiry" }
            val shown = listener.snapshot().filterIsInstance<CashierEvent.SaleChanged>()
                .any { it.sale.id == sale.id && it.sale.qr?.content == content }
            check(shown) { "a SaleChanged event carried the QR content" }
            checkEq(SaleStatus.Paid, cashier.awaitFinal(sale.id).status, "paid by the customer")
            cashier.shutdown()
        }
    }

    Tests.test("a QR sale carries its own QR lifetime to the core; outside 1 min to 3 days it is refused") {
        openCashier().use { cashier ->
            // Sandbox cents 63: the non-hosted answer, with a payment page to open.
            val sale = cashier.payByQr(cny("8.63"), WalletMethod.WECHAT_PAY, qrLifetimeMs = 120_000L)
            val expiry = sale.qr?.expiresAtUnixMs ?: error("no QR expiry: ${sale.qr}")
            checkEq(120_000L, expiry - sale.createdAtMs, "the sale's own lifetime")
            check(sale.paymentRedirectUrl?.startsWith("http://127.0.0.1:") == true) {
                "the payment page: ${sale.paymentRedirectUrl}"
            }
            val short = assertThrows<TillKitException.InvalidInput>("59 s") {
                cashier.payByQr(cny("1.00"), WalletMethod.WECHAT_PAY, qrLifetimeMs = 59_000L)
            }
            checkEq("qr_lifetime", short.field, "field")
            cashier.shutdown()
        }
    }

    Tests.test("a card sale goes only to a paired terminal, and is paid there") {
        openCashier().use { cashier ->
            val unpaired = assertThrows<TillKitException.UnknownTerminal>("not paired") {
                cashier.payByCard(cny("20.00"), terminal)
            }
            checkEq(terminal.serial, unpaired.serial, "names the serial")
            val paired = cashier.addTerminal(terminal.serial, terminal.model, "Counter 1")
            check(paired.isDefault) { "the first terminal is the default: $paired" }
            checkEq(listOf(terminal.serial), cashier.terminals().map { it.serial }, "listed")
            assertThrows<TillKitException.InvalidInput>("another model") {
                cashier.payByCard(cny("20.00"), TerminalId(terminal.serial, "SUNMI-P2"))
            }
            val sale = cashier.payByCard(cny("20.00"), terminal)
            checkEq(SaleKind.CARD, sale.kind, "kind")
            checkEq(terminal, sale.terminal, "terminal")
            checkEq(SaleHint.WAITING_FOR_CUSTOMER, sale.hint, "waiting for the card")
            val final = cashier.awaitFinal(sale.id)
            checkEq(SaleStatus.Paid, final.status, "paid on the terminal")
            cashier.shutdown()
        }
    }

    Tests.test("saleUpdates starts with the current state and follows changes") {
        openCashier().use { cashier ->
            val sale = cashier.payByCode(cny("6.52"), wechatCode())
            val seen = cashier.saleUpdates(sale.id).take(2).toList()
            checkEq(sale.id, seen.first().id, "first is the current sale")
            check(seen.first().updatedAtMs <= seen.last().updatedAtMs) { "in order: $seen" }
            cashier.shutdown()
        }
    }

    Tests.test("a refund of part of a paid sale, then of the rest") {
        openCashier().use { cashier ->
            val sale = cashier.payByCode(cny("30.00"), wechatCode())
            checkEq(cny("30.00"), cashier.refundable(sale.id), "all refundable")
            check(!cashier.canCancel(sale.id)) { "a paid sale is refunded, not cancelled" }
            val part = cashier.refund(sale.id, cny("10.00"), reason = "one item back")
            checkEq(cny("20.00"), cashier.refundable(sale.id), "what remains")
            checkEq(cny("10.00"), part.amount, "amount")
            check(!part.full) { "a partial refund is not full" }
            checkEq(RefundState.SUCCEEDED, cashier.awaitFinalRefund(part.id).state, "refunded")
            val rest = cashier.refund(sale.id)
            checkEq(cny("20.00"), rest.amount, "the rest")
            checkEq(RefundState.SUCCEEDED, cashier.awaitFinalRefund(rest.id).state, "refunded")
            checkEq(listOf(part.id, rest.id), cashier.refunds(sale.id).map { it.id }, "refunds")
            checkEq(rest.id, cashier.refundById(rest.id)?.id, "lookup")
            cashier.shutdown()
        }
    }

    Tests.test("an Oceanpayment cashier sells on the pay host and refunds on the query host") {
        val ocean = io.tillkit.core.AcquirerConfig.Oceanpayment(
            baseUrl = sandbox.url(),
            queryUrl = sandbox.url(),
            account = sandbox.oceanpaymentAccount(),
            terminal = sandbox.oceanpaymentTerminal(),
            secureCodeKey = OCEAN_KEY,
            billing = io.tillkit.core.BillingDefaults(
                firstName = "Walk-in", lastName = "Customer", email = "till@shop.example",
                country = "CN", state = "GD", phone = null, city = null, address = null,
                zip = null, ip = null,
            ),
        )
        val keys = MemoryKeyStore().apply { put(OCEAN_KEY, sandbox.oceanpaymentSecureCode().toByteArray()) }
        openCashier(config = config().copy(acquirer = ocean), keyStore = keys).use { cashier ->
            val sale = cashier.awaitFinal(cashier.payByCode(cny("9.00"), wechatCode()).id)
            checkEq(SaleStatus.Paid, sale.status, "paid through Oceanpayment")
            val refund = cashier.refund(sale.id, cny("4.00"))
            checkEq(RefundState.SUCCEEDED, cashier.awaitFinalRefund(refund.id).state, "refunded")
            cashier.shutdown()
        }
    }
}

private const val OCEAN_KEY = "oceanpayment.secure_code"
