import Combine
import SwiftUI
import UIKit

@main
struct TillKitCashierApp: App {
    @StateObject private var model = CashierModel()
    var body: some Scene {
        WindowGroup {
            // `.task` may run again (the view re-created): start() and the registry make that harmless.
            CashierView().environmentObject(model).task { await model.start() }
                .onReceive(NotificationCenter.default.publisher(for: UIApplication.willTerminateNotification)) { _ in
                    // Best effort: iOS may end the process without this; the store is built for that.
                    Task { await CashierRegistry.shared.closeAll() }
                }
        }
    }
}
