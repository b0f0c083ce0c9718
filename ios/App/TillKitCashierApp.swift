import SwiftUI

@main
struct TillKitCashierApp: App {
    @StateObject private var model = CashierModel()
    var body: some Scene {
        WindowGroup { CashierView().environmentObject(model).task { await model.start() } }
    }
}
