#!/usr/bin/env bash
# Builds the TillKit AAR: the Rust core for each Android ABI (cargo-ndk, size profile), the
# Kotlin bindings generated from the host build (a stripped .so has no uniffi metadata; the
# generated code is the same for every target), then `gradle :tillkit:assembleRelease`.
# Works with bash 3.2 on macOS and on Linux (no GNU-only flags).
#
# Needs: the Android NDK (ANDROID_NDK_HOME; Gradle passes the pinned one), `cargo install
# cargo-ndk`, and `rustup target add aarch64-linux-android armv7-linux-androideabi
# x86_64-linux-android`. 16 KB page alignment for Android 15 comes from .cargo/config.toml.
#
#   --rust-only          stop after the libraries and the bindings (what Gradle's preBuild runs)
#   TILLKIT_FEATURES=simulators   a development AAR with `simulatedCardReader` (the core and the
#                        generated Kotlin are built with the same features, so they agree)
#   TILLKIT_ABIS="arm64-v8a"      fewer ABIs for a faster development build
#   TILLKIT_RUST_PROFILE=dev      an unoptimised core (default: release-small)
set -euo pipefail
cd "$(dirname "$0")/../.."   # the workspace root

RUST_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --rust-only) RUST_ONLY=1 ;;
        *) echo "usage: $0 [--rust-only]" >&2; exit 2 ;;
    esac
done
for tool in cargo cargo-ndk; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: $tool not found (cargo-ndk: cargo install cargo-ndk)" >&2
        exit 1
    fi
done
if [ -z "${ANDROID_NDK_HOME:-}" ]; then
    echo "error: set ANDROID_NDK_HOME to the NDK (the version pinned in android/tillkit/build.gradle.kts)" >&2
    exit 1
fi

# No HTTP client of the library's own (`--no-default-features`): apps pass
# io.tillkit.HttpUrlConnectionTransport (or their own OkHttp one), so the device's trust store,
# network security config and proxies apply; TILLKIT_FEATURES=bundled-http puts it back.
FEATURES=(--no-default-features --features "${TILLKIT_FEATURES:-}")
ABIS=(${TILLKIT_ABIS:-arm64-v8a armeabi-v7a x86_64})
PROFILE=${TILLKIT_RUST_PROFILE:-release-small}
JNI=android/tillkit/src/main/jniLibs
GEN=android/tillkit/build/generated/uniffi
TARGET=${CARGO_TARGET_DIR:-target}
case "$(uname -s)" in
    Darwin) HOST_LIB=libtillkit_ffi.dylib ;;
    *) HOST_LIB=libtillkit_ffi.so ;;
esac

echo "== Rust core for ${ABIS[*]} ($PROFILE)"
targets=()
for abi in "${ABIS[@]}"; do targets+=(-t "$abi"); done
cargo ndk "${targets[@]}" --platform 26 -o "$JNI" build -p tillkit-ffi "${FEATURES[@]}" --profile "$PROFILE"

echo "== Kotlin bindings"
cargo build -p tillkit-ffi "${FEATURES[@]}"
cargo build -p uniffi-bindgen
rm -rf "$GEN"
"$TARGET/debug/uniffi-bindgen" generate "$TARGET/debug/$HOST_LIB" \
    --language kotlin --out-dir "$GEN" --no-format

if [ "$RUST_ONLY" = 1 ]; then
    exit 0
fi
echo "== AAR"
cd android
gradle :tillkit:assembleRelease
ls -l tillkit/build/outputs/aar/
