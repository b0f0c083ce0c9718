// Idiomatic Kotlin over the generated bindings: Flows of events and "wait until final".
// Pure JVM (no Android imports), so scripts/kotlin-test.sh compiles and tests it on the desktop.
// Main-safe: every call into the store is a `suspend` call of the bindings.
package io.tillkit

import io.tillkit.core.Cashier
import io.tillkit.core.CashierEvent
import io.tillkit.core.EventListener
import io.tillkit.core.QueueStatus
import io.tillkit.core.Refund
import io.tillkit.core.Sale
import io.tillkit.core.TillKitException
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.first

/** An [EventListener] from a lambda. */
fun eventListener(onEvent: (CashierEvent) -> Unit): EventListener =
    object : EventListener {
        override fun onEvent(event: CashierEvent) = onEvent(event)
    }

/**
 * Every event of this cashier while the flow is collected. The subscription is cancelled when
 * the collector stops. Never drops events (unbounded buffer: events are small and rare).
 */
fun Cashier.events(): Flow<CashierEvent> = subscribed { send -> eventListener { send(it) } }

/**
 * The sale as it changes: its current state first, then every change. The current state is
 * read after subscribing, so no change can fall in between. Fails at once with
 * [TillKitException.UnknownSale] when this cashier has no such sale.
 */
fun Cashier.saleUpdates(saleId: String): Flow<Sale> =
    subscribed(initial = { sale(saleId) ?: throw TillKitException.UnknownSale(saleId) }) { send ->
        eventListener { event ->
            if (event is CashierEvent.SaleChanged && event.sale.id == saleId) send(event.sale)
        }
    }

/**
 * The refund as it changes: its current state first, then every change. Fails at once with
 * [TillKitException.UnknownRefund] when this cashier has no such refund.
 */
fun Cashier.refundUpdates(refundId: String): Flow<Refund> =
    subscribed(initial = { refundById(refundId) ?: throw TillKitException.UnknownRefund(refundId) }) { send ->
        eventListener { event ->
            if (event is CashierEvent.RefundChanged && event.refund.id == refundId) {
                send(event.refund)
            }
        }
    }

/** The queue badge: the current queue first, then every change. */
fun Cashier.queueUpdates(): Flow<QueueStatus> =
    subscribed(initial = { queueStatus() }) { send ->
        eventListener { event -> if (event is CashierEvent.QueueChanged) send(event.status) }
    }

/**
 * Suspends until the sale is paid or has failed, and returns it. Cancel to stop waiting. An
 * unknown sale id fails at once with [TillKitException.UnknownSale].
 */
suspend fun Cashier.awaitFinal(saleId: String): Sale = saleUpdates(saleId).first { it.isFinal }

/**
 * Suspends until the refund has succeeded, failed or expired, and returns it. An unknown refund
 * id fails at once with [TillKitException.UnknownRefund].
 */
suspend fun Cashier.awaitFinalRefund(refundId: String): Refund =
    refundUpdates(refundId).first { it.isFinal }

// `initial` is a suspend call into the store: it runs in the collector's coroutine, never
// blocking its thread (the Android main thread included); a throw there fails the flow.
private fun <T : Any> Cashier.subscribed(
    initial: suspend () -> T? = { null },
    listener: (send: (T) -> Unit) -> EventListener,
): Flow<T> =
    callbackFlow {
        val subscription = subscribe(listener { trySend(it) })
        try {
            initial()?.let { send(it) }
        } catch (e: Throwable) {
            subscription.close()
            throw e
        }
        awaitClose { subscription.close() }
    }.buffer(Channel.UNLIMITED)
