#!/usr/bin/env bash
# Builds TillKitCoreFFI.xcframework (static libraries for iOS devices and simulators, and for
# macOS so that `swift test` runs the package's tests on the Mac; size profile) and generates the
# Swift bindings into Sources/TillKitCore. Runs on a Mac with Xcode and
# `rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin`.
# TILLKIT_FEATURES=simulators builds a development framework with `simulatedCardReader`; the
# libraries and the generated Swift are built with the same features.
# Without the library's own HTTP client (`--no-default-features`): the app passes
# `URLSessionTransport` (Sources/TillKitCore/URLSessionTransport.swift), so URLSession's trust,
# ATS and proxies apply; TILLKIT_FEATURES=bundled-http puts reqwest and rustls back.
set -euo pipefail
cd "$(dirname "$0")/../.."   # the workspace root
FEATURES=(--no-default-features --features "${TILLKIT_FEATURES:-}")

OUT=ios/build
rm -rf "$OUT" ios/TillKitCoreFFI.xcframework && mkdir -p "$OUT/headers" "$OUT/sim" "$OUT/mac"

for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin; do
    echo "== $target"
    cargo rustc -p tillkit-ffi "${FEATURES[@]}" --lib --crate-type staticlib --profile release-small --target "$target"
done
lipo -create -output "$OUT/sim/libtillkit_ffi.a" \
    target/aarch64-apple-ios-sim/release-small/libtillkit_ffi.a \
    target/x86_64-apple-ios/release-small/libtillkit_ffi.a
lipo -create -output "$OUT/mac/libtillkit_ffi.a" \
    target/aarch64-apple-darwin/release-small/libtillkit_ffi.a \
    target/x86_64-apple-darwin/release-small/libtillkit_ffi.a

echo "== Swift bindings (from the host build: a stripped library has no uniffi metadata)"
cargo build -p tillkit-ffi "${FEATURES[@]}"
cargo build -p uniffi-bindgen
target/debug/uniffi-bindgen generate target/debug/libtillkit_ffi.dylib \
    --language swift --out-dir "$OUT/gen" --no-format
mv "$OUT/gen/TillKitCore.swift" ios/Sources/TillKitCore/
mv "$OUT/gen/TillKitCoreFFI.h" "$OUT/headers/"
mv "$OUT/gen/TillKitCoreFFI.modulemap" "$OUT/headers/module.modulemap"

echo "== XCFramework"
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release-small/libtillkit_ffi.a -headers "$OUT/headers" \
    -library "$OUT/sim/libtillkit_ffi.a" -headers "$OUT/headers" \
    -library "$OUT/mac/libtillkit_ffi.a" -headers "$OUT/headers" \
    -output ios/TillKitCoreFFI.xcframework
