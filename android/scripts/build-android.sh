#!/usr/bin/env bash
# Builds the TillKit AAR: the Rust core for each Android ABI (cargo-ndk, size profile), the
# Kotlin bindings generated from the host build (a stripped .so has no uniffi metadata; the
# generated code is the same for every target), then `gradle :tillkit:assembleRelease`.
# Needs: the Android NDK (ANDROID_NDK_HOME), `cargo install cargo-ndk`, and
# `rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`.
# TILLKIT_FEATURES=simulators builds a development AAR with `simulatedCardReader`; the core and
# the generated Kotlin are built with the same features, so the two always agree.
set -euo pipefail
cd "$(dirname "$0")/../.."   # the workspace root
FEATURES=(--features "${TILLKIT_FEATURES:-}")

ABIS=(arm64-v8a armeabi-v7a x86_64)
JNI=android/tillkit/src/main/jniLibs
GEN=android/tillkit/build/generated/uniffi

echo "== Rust core for ${ABIS[*]}"
targets=()
for abi in "${ABIS[@]}"; do targets+=(-t "$abi"); done
cargo ndk "${targets[@]}" -o "$JNI" build -p tillkit-ffi "${FEATURES[@]}" --profile release-small

echo "== Kotlin bindings"
cargo build -p tillkit-ffi "${FEATURES[@]}"
cargo build -p uniffi-bindgen
rm -rf "$GEN"
target/debug/uniffi-bindgen generate target/debug/libtillkit_ffi.so \
    --language kotlin --out-dir "$GEN" --no-format

echo "== AAR"
cd android
gradle :tillkit:assembleRelease
ls -l tillkit/build/outputs/aar/
