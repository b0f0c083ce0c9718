// Idiomatic Swift over the generated bindings (the twin of android's CashierFlows.kt): streams of
// events, sales, refunds and the queue, and "wait until final". Every store call is `async`.
// In an app that also imports `os`, name our logger trait `TillKitCore.Logger` (`os.Logger`).
import Foundation

// The generated error has the Rust `Display` text as `description` but does not declare the
// conformance: declaring it makes `"\(error)"` and `localizedDescription` (uniffi's
// `errorDescription` is `String(reflecting:)`) that text too.
extension TillKitError: CustomStringConvertible {}

/// An `EventListener` from a closure.
public final class ClosureListener: EventListener, @unchecked Sendable {
    private let body: (CashierEvent) -> Void
    public init(_ body: @escaping (CashierEvent) -> Void) { self.body = body }
    public func onEvent(event: CashierEvent) throws { body(event) }
}

public extension Cashier {
    /// Every event while the stream is iterated; the subscription ends with the iteration.
    func events() -> AsyncStream<CashierEvent> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let subscription = subscribe(listener: ClosureListener { continuation.yield($0) })
            continuation.onTermination = { _ in subscription.cancel() }
        }
    }

    /// The sale as it changes: its current state first (read after subscribing), then changes.
    /// Fails at once with `TillKitError.UnknownSale` when this cashier has no such sale.
    func saleUpdates(_ saleId: String) -> AsyncThrowingStream<Sale, Error> {
        updates(initial: { cashier in
            guard let sale = try await cashier.sale(id: saleId) else {
                throw TillKitError.UnknownSale(id: saleId)
            }
            return sale
        }, match: { event in
            if case let .saleChanged(sale) = event, sale.id == saleId { return sale }
            return nil
        })
    }

    /// The refund as it changes: its current state first, then changes. Fails at once with
    /// `TillKitError.UnknownRefund` when this cashier has no such refund.
    func refundUpdates(_ refundId: String) -> AsyncThrowingStream<Refund, Error> {
        updates(initial: { cashier in
            guard let refund = try await cashier.refundById(id: refundId) else {
                throw TillKitError.UnknownRefund(id: refundId)
            }
            return refund
        }, match: { event in
            if case let .refundChanged(refund) = event, refund.id == refundId { return refund }
            return nil
        })
    }

    /// The queue badge: the current queue first, then every change.
    func queueUpdates() -> AsyncThrowingStream<QueueStatus, Error> {
        updates(initial: { cashier in try await cashier.queueStatus() }, match: { event in
            if case let .queueChanged(status) = event { return status }
            return nil
        })
    }

    /// Waits until the sale is paid or has failed. Cancel the task to stop waiting. An unknown
    /// sale id fails at once with `TillKitError.UnknownSale`.
    func awaitFinal(_ saleId: String) async throws -> Sale {
        for try await sale in saleUpdates(saleId) where sale.isFinal { return sale }
        throw CancellationError()
    }

    /// Waits until the refund has succeeded, failed or expired. An unknown refund id fails at
    /// once with `TillKitError.UnknownRefund`.
    func awaitFinalRefund(_ refundId: String) async throws -> Refund {
        for try await refund in refundUpdates(refundId) where refund.isFinal { return refund }
        throw CancellationError()
    }

    /// Subscribes, then reads the current value (an async store call, off the caller's
    /// thread), then yields every matching event until the iteration ends.
    private func updates<T>(
        initial: @escaping @Sendable (Cashier) async throws -> T?,
        match: @escaping @Sendable (CashierEvent) -> T?
    ) -> AsyncThrowingStream<T, Error> {
        AsyncThrowingStream(bufferingPolicy: .unbounded) { continuation in
            let subscription = subscribe(listener: ClosureListener { event in
                if let value = match(event) { continuation.yield(value) }
            })
            let read = Task {
                do {
                    if let current = try await initial(self) { continuation.yield(current) }
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                read.cancel()
                subscription.cancel()
            }
        }
    }
}

/// The app's key store: secrets in the Keychain of this device, readable after its first unlock.
public final class KeychainKeyStore: KeyStore, @unchecked Sendable {
    private let service: String
    public init(service: String = "io.tillkit") { self.service = service }

    public func get(name: String) throws -> Data? {
        var query = base(name)
        query[kSecReturnData as String] = true
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess else { throw TillKitError.AppCallback(reason: "Keychain \(status)") }
        return item as? Data
    }

    /// Replaces the secret in one step (`SecItemUpdate`), so a failure never leaves the name
    /// without a value; adds it when there is none yet.
    public func put(name: String, value: Data) throws {
        let update: [String: Any] = [kSecValueData as String: value,
                                     kSecAttrAccessible as String: Self.accessible]
        var status = SecItemUpdate(base(name) as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            var item = base(name)
            item[kSecValueData as String] = value
            item[kSecAttrAccessible as String] = Self.accessible
            status = SecItemAdd(item as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw TillKitError.AppCallback(reason: "Keychain \(status)") }
    }

    // Readable after the first unlock, so that the engine can forward queued sales and
    // refunds while the phone is locked; never synced or restored to another device.
    private static let accessible = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly

    private func base(_ name: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword,
         kSecAttrService as String: service,
         kSecAttrAccount as String: name]
    }
}
