// swift-tools-version:5.9
// TillKit for iOS: the Rust core as an XCFramework (scripts/build-xcframework.sh builds it and
// generates Sources/TillKitCore/TillKitCore.swift, never committed) plus small async wrappers.
// `swift test` on a Mac runs Tests/TillKitCoreTests against the framework's macOS slice.
import PackageDescription

let package = Package(
    name: "TillKit",
    // macOS only so that `swift test` runs on the developer's Mac; the apps are iOS.
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [.library(name: "TillKitCore", targets: ["TillKitCore"])],
    targets: [
        .binaryTarget(name: "TillKitCoreFFI", path: "TillKitCoreFFI.xcframework"),
        .target(
            name: "TillKitCore",
            dependencies: ["TillKitCoreFFI"],
            // A static Rust library carries no link directives of its own: these are what its
            // crates declare on Apple (`cargo rustc --print native-static-libs`):
            // Security and CoreFoundation (the Keychain key store, URLSessionTransport's trust
            // anchors; with TILLKIT_FEATURES=bundled-http also rustls-platform-verifier); the
            // libc crate needs iconv.
            linkerSettings: [
                .linkedFramework("Security"),
                .linkedFramework("CoreFoundation"),
                .linkedLibrary("iconv"),
            ]
        ),
        .testTarget(name: "TillKitCoreTests", dependencies: ["TillKitCore"]),
    ]
)
