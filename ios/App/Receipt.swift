// A receipt's text as a picture: printed through AirPrint (UIPrintInteractionController) and
// shared as an image through the share sheet.
import SwiftUI
import UIKit

enum Receipt {
    /// Monospaced lines, black on white, 384 points wide (a 58 mm receipt).
    static func image(_ text: String) -> UIImage {
        let font = UIFont.monospacedSystemFont(ofSize: 14, weight: .regular)
        let attributes: [NSAttributedString.Key: Any] = [.font: font, .foregroundColor: UIColor.black]
        let bounds = (text as NSString).boundingRect(
            with: CGSize(width: 368, height: .greatestFiniteMagnitude), options: [.usesLineFragmentOrigin],
            attributes: attributes, context: nil)
        let size = CGSize(width: 384, height: ceil(bounds.height) + 16)
        return UIGraphicsImageRenderer(size: size).image { context in
            UIColor.white.setFill()
            context.fill(CGRect(origin: .zero, size: size))
            (text as NSString).draw(in: CGRect(x: 8, y: 8, width: 368, height: size.height - 16), withAttributes: attributes)
        }
    }

    static func print(_ text: String) {
        let controller = UIPrintInteractionController.shared
        let info = UIPrintInfo(dictionary: nil)
        info.outputType = .grayscale
        info.jobName = "receipt"
        controller.printInfo = info
        controller.printingItem = image(text)
        controller.present(animated: true)
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
