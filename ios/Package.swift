// swift-tools-version:5.9
// TillKit for iOS: the Rust core as an XCFramework (scripts/build-xcframework.sh builds it and
// generates Sources/TillKitCore/TillKitCore.swift, never committed) plus small async wrappers.
import PackageDescription

let package = Package(
    name: "TillKit",
    platforms: [.iOS(.v15)],
    products: [.library(name: "TillKitCore", targets: ["TillKitCore"])],
    targets: [
        .binaryTarget(name: "TillKitCoreFFI", path: "TillKitCoreFFI.xcframework"),
        .target(name: "TillKitCore", dependencies: ["TillKitCoreFFI"]),
    ]
)
