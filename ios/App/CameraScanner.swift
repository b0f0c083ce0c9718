// AVFoundation frames to the core's live scanning session: the luma plane of each 420f frame
// goes to CodeScanner.submitFrame read in place (a Data over the locked CVPixelBuffer's base
// address, no copy; AVFoundation recycles the buffers from its pool). The core decodes one frame
// at a time and drops the ones arriving meanwhile, de-duplicates and validates. The app only
// forwards the code. The frames' rotation follows the device's orientation.
import AVFoundation
import SwiftUI
import TillKitCore
import UIKit

final class CameraScanner: NSObject, ObservableObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    private let scanner = CodeScanner(thorough: false)
    private let queue = DispatchQueue(label: "io.tillkit.scan")
    private var orientationObserver: NSObjectProtocol?
    var onOutcome: (ScanOutcome) -> Void = { _ in }

    /// Clockwise turn that makes the back camera's buffers upright: they are landscape with the
    /// home side to the right (`UIDeviceOrientation.landscapeLeft`). Face up/down and unknown
    /// keep the last rotation.
    static func rotation(for orientation: UIDeviceOrientation) -> Int32? {
        switch orientation {
        case .portrait: return 90
        case .landscapeLeft: return 0
        case .portraitUpsideDown: return 270
        case .landscapeRight: return 180
        default: return nil
        }
    }

    private func follow(_ orientation: UIDeviceOrientation) {
        guard let degrees = Self.rotation(for: orientation) else { return }
        // On the frame queue: a frame being decoded keeps the rotation it started with.
        queue.async { try? self.scanner.setRotation(degrees: degrees) }
    }

    func start() {
        if orientationObserver == nil {
            UIDevice.current.beginGeneratingDeviceOrientationNotifications()
            follow(UIDevice.current.orientation == .unknown ? .portrait : UIDevice.current.orientation)
            orientationObserver = NotificationCenter.default.addObserver(
                forName: UIDevice.orientationDidChangeNotification, object: nil, queue: .main
            ) { [weak self] _ in self?.follow(UIDevice.current.orientation) }
        }
        guard let camera = AVCaptureDevice.default(for: .video),
              let input = try? AVCaptureDeviceInput(device: camera) else { return }
        let output = AVCaptureVideoDataOutput()
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: queue)
        session.beginConfiguration()
        if session.canAddInput(input) { session.addInput(input) }
        if session.canAddOutput(output) { session.addOutput(output) }
        session.commitConfiguration()
        queue.async { self.session.startRunning() }
    }

    /// Stops the camera on the frame queue: after the frame being analysed, if any, so no decode
    /// runs once it has stopped. The scanner stays usable for the next start().
    func stop() {
        if let observer = orientationObserver {
            NotificationCenter.default.removeObserver(observer)
            UIDevice.current.endGeneratingDeviceOrientationNotifications()
            orientationObserver = nil
        }
        queue.async { self.session.stopRunning() }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sample: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard let pixels = CMSampleBufferGetImageBuffer(sample) else { return }
        // The plane is read only while its base address is locked: the whole call runs inside.
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        guard let base = CVPixelBufferGetBaseAddressOfPlane(pixels, 0) else { return }
        let width = CVPixelBufferGetWidthOfPlane(pixels, 0)
        let height = CVPixelBufferGetHeightOfPlane(pixels, 0)
        let stride = CVPixelBufferGetBytesPerRowOfPlane(pixels, 0)
        // No copy and no ownership: the Data only points at the locked plane during the call.
        let plane = Data(bytesNoCopy: base, count: stride * height, deallocator: .none)
        // A malformed frame is skipped: the next one comes in ~30 ms.
        guard let result = try? scanner.submitFrame(
            data: plane, width: Int32(width), height: Int32(height), stride: Int32(stride), format: .luma8),
            case let .found(found) = result else { return }
        // The code goes to a sale now: shown again later, it is refused as used.
        if case let .paymentCode(code, _, _) = found { try? scanner.markUsed(code: code) }
        DispatchQueue.main.async { self.onOutcome(found) }
    }
}

/// The camera preview.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession
    func makeUIView(context: Context) -> UIView {
        let view = UIView()
        let layer = AVCaptureVideoPreviewLayer(session: session)
        layer.videoGravity = .resizeAspectFill
        view.layer.addSublayer(layer)
        DispatchQueue.main.async { layer.frame = view.bounds }
        return view
    }
    func updateUIView(_ view: UIView, context: Context) {
        view.layer.sublayers?.first?.frame = view.bounds
    }
}
