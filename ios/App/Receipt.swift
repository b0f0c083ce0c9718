// Receipts on the device: AirPrint (UIPrintInteractionController) as a TillKit ReceiptPrinter,
// printing the receipt's PNG that TillKit draws, and the share sheet for that image. (Named
// `ReceiptOutput`: `Receipt` is TillKitCore's receipt record.)
import SwiftUI
import TillKitCore
import UIKit

enum ReceiptOutput {
    /// AirPrint as a receipt printer: the image, fitted to the printer's paper.
    final class AirPrinter: ReceiptPrinter, @unchecked Sendable {
        func print(job: PrintJob) async throws {
            guard let image = UIImage(data: try job.png(paper: .mm58)) else {
                throw TillKitError.Printer(fault: .failed, reason: "the receipt image did not decode")
            }
            await MainActor.run {
                guard UIPrintInteractionController.isPrintingAvailable else { return }
                let controller = UIPrintInteractionController.shared
                let info = UIPrintInfo(dictionary: nil)
                info.outputType = .grayscale
                info.jobName = "receipt"
                controller.printInfo = info
                controller.printingItem = image
                controller.present(animated: true)
            }
            if !UIPrintInteractionController.isPrintingAvailable {
                throw TillKitError.Printer(fault: .offline, reason: "this device has no printing")
            }
        }
    }
}

/// The system share sheet.
struct ShareSheet: UIViewControllerRepresentable {
    let items: [Any]
    func makeUIViewController(context: Context) -> UIActivityViewController {
        UIActivityViewController(activityItems: items, applicationActivities: nil)
    }
    func updateUIViewController(_ controller: UIActivityViewController, context: Context) {}
}
