// A card transaction with its screen as a Flow. Pure JVM (no Android imports), so
// scripts/kotlin-test.sh compiles and tests it on the desktop.
package io.tillkit

import io.tillkit.core.AuthorizationHost
import io.tillkit.core.CardReader
import io.tillkit.core.CardTransaction
import io.tillkit.core.ReaderLimits
import io.tillkit.core.ReaderProgress
import io.tillkit.core.ReaderProgressListener
import io.tillkit.core.ReaderRequest
import io.tillkit.core.ReaderResult
import kotlin.coroutines.cancellation.CancellationException
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow

/** A [ReaderProgressListener] from a lambda. */
fun readerProgressListener(onProgress: (ReaderProgress) -> Unit): ReaderProgressListener =
    object : ReaderProgressListener {
        override fun onProgress(transactionId: String, progress: ReaderProgress) = onProgress(progress)
    }

/**
 * One card sale or refund on [reader] (the app's wrapper of its terminal SDK, `linkCardReader`,
 * or in a development build with the `simulators` feature `simulatedCardReader`). Collect [progress] for the screen, call [run] for the result, wire
 * the cashier's cancel button to [cancel]. Close it when done.
 */
class CardPayment(
    reader: CardReader,
    host: AuthorizationHost,
    request: ReaderRequest,
    limits: ReaderLimits? = null,
) : AutoCloseable {
    private val updates = Channel<ReaderProgress>(Channel.UNLIMITED)
    private val transaction =
        CardTransaction(reader, host, readerProgressListener { updates.trySend(it) }, request, limits)

    /** What the screen should say, as it changes. Ends when [run] returns. One collector. */
    val progress: Flow<ReaderProgress> = updates.receiveAsFlow()

    /**
     * Runs the transaction to its end (see `CardTransaction.run`). Cancelling the calling
     * coroutine also cancels the transaction, so a closed screen never leaves the reader waiting.
     */
    suspend fun run(): ReaderResult =
        try {
            transaction.run()
        } catch (e: CancellationException) {
            transaction.cancel()
            throw e
        } finally {
            updates.close()
        }

    /** The cashier's cancel: the transaction stops and [run] returns how it ended. */
    fun cancel() = transaction.cancel()

    override fun close() = transaction.close()
}
