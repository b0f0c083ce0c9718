// A card transaction with its screen as an AsyncStream (the Swift twin of android's
// CardPayments.kt).
import Foundation

/// A `ReaderProgressListener` from a closure.
public final class ClosureProgressListener: ReaderProgressListener, @unchecked Sendable {
    private let body: (ReaderProgress) -> Void
    public init(_ body: @escaping (ReaderProgress) -> Void) { self.body = body }
    public func onProgress(transactionId: String, progress: ReaderProgress) throws { body(progress) }
}

/// One card sale or refund on `reader` (the app's wrapper of its reader, `linkCardReader`, or in
/// a development build with the `simulators` feature `simulatedCardReader(scenario:)`). Iterate `progress` for the screen, await `run()` for the
/// result, wire the cashier's cancel button to `cancel()`.
public final class CardPayment: @unchecked Sendable {
    /// What the screen should say, as it changes. Finishes when `run()` returns. One iterator.
    public let progress: AsyncStream<ReaderProgress>
    private let continuation: AsyncStream<ReaderProgress>.Continuation
    private let transaction: CardTransaction

    /// Throws `TillKitError.InvalidInput` on a bad id, amount or limit; nothing starts yet.
    public init(reader: CardReader, host: AuthorizationHost, request: ReaderRequest,
                limits: ReaderLimits? = nil) throws {
        let (stream, continuation) = AsyncStream.makeStream(of: ReaderProgress.self,
                                                            bufferingPolicy: .unbounded)
        progress = stream
        self.continuation = continuation
        transaction = try CardTransaction(
            reader: reader, host: host,
            listener: ClosureProgressListener { continuation.yield($0) },
            request: request, limits: limits)
    }

    /// Runs the transaction to its end (see `CardTransaction.run()`). Cancelling the calling
    /// task cancels the transaction too, so a closed screen never leaves the reader waiting.
    public func run() async throws -> ReaderResult {
        defer { continuation.finish() }
        let transaction = self.transaction
        return try await withTaskCancellationHandler {
            try await transaction.run()
        } onCancel: {
            transaction.cancel()
        }
    }

    /// The cashier's cancel: the transaction stops and `run()` returns how it ended.
    public func cancel() { transaction.cancel() }
}
