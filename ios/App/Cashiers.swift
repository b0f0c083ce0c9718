// One Cashier per data directory for the whole process: SwiftUI may run `.task` twice (a view
// re-created, a second window), and a second `Cashier.open` on the same store would be refused
// (StoreInUse) or, worse, race the first. The actor hands every caller the same instance.
import Foundation
import OSLog
import TillKitCore

/// TillKit's log lines to the unified log. The core never passes secrets (codes are masked).
/// `TillKitCore.Logger` is written out: `os.Logger` has the same name.
final class OSLogLogger: TillKitCore.Logger, @unchecked Sendable {
    private let osLog = os.Logger(subsystem: "io.tillkit", category: "core")
    func log(level: LogLevel, target: String, message: String) throws {
        let type: OSLogType = level == .error ? .error : level == .warn ? .default : .debug
        osLog.log(level: type, "\(target, privacy: .public): \(message, privacy: .public)")
    }
}

actor CashierRegistry {
    static let shared = CashierRegistry()
    private var open: [String: Task<Cashier, Error>] = [:]
    private var logging = false

    /// The cashier of `dataDir`, opened by `make` on first use; callers asking at the same time
    /// wait for the same opening. A failed opening is forgotten, so the next call tries again.
    func cashier(dataDir: String, make: @escaping @Sendable () async throws -> Cashier) async throws -> Cashier {
        if !logging {
            try setLogger(logger: OSLogLogger(), level: .info)
            logging = true
        }
        if let opening = open[dataDir] { return try await opening.value }
        let opening = Task { try await make() }
        open[dataDir] = opening
        do {
            return try await opening.value
        } catch {
            if open[dataDir] == opening { open[dataDir] = nil }
            throw error
        }
    }

    /// Shuts every cashier down; work in flight resumes at the next open.
    func closeAll() async {
        let all = open.values
        open = [:]
        for opening in all {
            if let cashier = try? await opening.value { try? await cashier.shutdown() }
        }
    }
}
