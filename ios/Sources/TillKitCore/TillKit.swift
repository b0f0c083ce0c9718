// Idiomatic Swift over the generated bindings: an AsyncStream of events and "wait until final".
import Foundation

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
    func saleUpdates(_ saleId: String) -> AsyncThrowingStream<Sale, Error> {
        AsyncThrowingStream(bufferingPolicy: .unbounded) { continuation in
            let subscription = subscribe(listener: ClosureListener { event in
                if case let .saleChanged(sale) = event, sale.id == saleId { continuation.yield(sale) }
            })
            continuation.onTermination = { _ in subscription.cancel() }
            do {
                if let current = try sale(id: saleId) { continuation.yield(current) }
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    /// Waits until the sale is paid or has failed. Cancel the task to stop waiting.
    func awaitFinal(_ saleId: String) async throws -> Sale {
        for try await sale in saleUpdates(saleId) where sale.isFinal { return sale }
        throw CancellationError()
    }
}

/// The app's key store: secrets in the Keychain, readable only on this device when unlocked.
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

    public func put(name: String, value: Data) throws {
        SecItemDelete(base(name) as CFDictionary)
        var item = base(name)
        item[kSecValueData as String] = value
        item[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw TillKitError.AppCallback(reason: "Keychain \(status)") }
    }

    private func base(_ name: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword,
         kSecAttrService as String: service,
         kSecAttrAccount as String: name]
    }
}
