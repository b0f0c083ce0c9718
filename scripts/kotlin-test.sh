#!/usr/bin/env bash
# Tests the Kotlin contract of the bindings on the desktop JVM:
#   1. builds libtillkit_ffi.so (debug, with the test-only `sandbox` feature) and uniffi-bindgen;
#   2. generates the Kotlin and Swift bindings from it (Swift is only generated: no compiler
#      here, but a change that breaks generation fails this script);
#   3. compiles the generated Kotlin, the pure-JVM wrappers of android/tillkit (CashierFlows.kt,
#      CardPayments.kt, HttpUrlConnectionTransport.kt) and tests/kotlin/*.kt with kotlinc, and runs them against the library
#      and an in-process sandbox acquirer. The last line is "N passed, N failed"; any failure
#      exits non-zero.
# Installs its tools when missing: JNA (Debian libjna-java) and the Kotlin compiler (npm
# kotlin-compiler, which carries kotlinx-coroutines) under .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

KOTLIN_VERSION=2.4.20
TOOLS=$PWD/.tools
KT=$TOOLS/node_modules/kotlin-compiler
JNA=/usr/share/java/jna.jar
# Cargo's output directory: CARGO_TARGET_DIR when set (a shared or per-worktree build).
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$TARGET/kotlin-tests

if [ ! -f "$JNA" ]; then
    echo "== installing JNA (libjna-java)"
    apt-get update -qq && apt-get install -y -qq --no-install-recommends libjna-java >/dev/null
fi
if [ ! -x "$KT/bin/kotlinc" ]; then
    echo "== installing kotlin-compiler $KOTLIN_VERSION (npm)"
    npm install --prefix "$TOOLS" --no-save --no-package-lock "kotlin-compiler@$KOTLIN_VERSION" >/dev/null
fi

# `simulators` (also implied by `sandbox`) exports `simulatedCardReader` for ReaderTests.kt.
# HTTP: the debug and release builds carry the library's own client with `bundled-roots` (the
# verifier it uses on Android), so HttpsTests.kt runs it here; PROFILE=release-small builds
# without it (`--no-default-features`), as the shipped Android and iOS libraries are, and the
# tests send through android/tillkit's HttpUrlConnectionTransport. HTTP=app or HTTP=bundled
# picks the other way for a profile.
# PROFILE=release measures the FFI figures on the optimised library (the tests pass either way);
# PROFILE=release-small runs them on the shipped build (fat LTO, identical functions folded,
# SQLite's trimmed options), kept unstripped because the bindings are generated from it;
# TILLKIT_SCAN_BENCH=1 adds the camera-frame figures (Bench.kt runScanBenchmarks: per-frame
# overhead over the Rust decode, copied vs direct ByteBuffer, 1080p and 720p; empty-frame cost).
PROFILE=${PROFILE:-debug}
if [ "$PROFILE" = release-small ]; then HTTP=${HTTP:-app}; else HTTP=${HTTP:-bundled}; fi
if [ "$HTTP" = app ]; then
    FEATURES=(--no-default-features --features tillkit-ffi/sandbox,tillkit-ffi/simulators)
else
    FEATURES=(--features tillkit-ffi/sandbox,tillkit-ffi/simulators,tillkit-ffi/bundled-roots)
fi
echo "== building the library ($PROFILE, HTTP client: $HTTP) and the binding generator"
if [ "$PROFILE" = release ]; then
    cargo build -q --release -p tillkit-ffi "${FEATURES[@]}"
elif [ "$PROFILE" = release-small ]; then
    CARGO_PROFILE_RELEASE_SMALL_STRIP=false cargo build -q --profile release-small -p tillkit-ffi \
        "${FEATURES[@]}"
else
    cargo build -q -p tillkit-ffi "${FEATURES[@]}"
fi
cargo build -q -p uniffi-bindgen
rm -rf "$OUT" && mkdir -p "$OUT/lib"
# A private copy: a later workspace build without the feature must not swap it under the JVM.
cp "$TARGET/$PROFILE/libtillkit_ffi.so" "$OUT/lib/"

echo "== generating Kotlin and Swift"
"$TARGET/debug/uniffi-bindgen" generate "$OUT/lib/libtillkit_ffi.so" \
    --language kotlin --language swift --out-dir "$OUT/bindings" --no-format
test -s "$OUT/bindings/TillKitCore.swift" -a -s "$OUT/bindings/TillKitCoreFFI.h"

echo "== compiling Kotlin"
CP=$JNA:$KT/lib/kotlinx-coroutines-core-jvm.jar
"$KT/bin/kotlinc" -nowarn -classpath "$CP" \
    $(find "$OUT/bindings" -name '*.kt') \
    android/tillkit/src/main/kotlin/io/tillkit/CashierFlows.kt \
    android/tillkit/src/main/kotlin/io/tillkit/CardPayments.kt \
    android/tillkit/src/main/kotlin/io/tillkit/HttpUrlConnectionTransport.kt \
    tests/kotlin/*.kt \
    -d "$OUT/tests.jar" 2>&1 | grep -v '^warning: ' || true
test -s "$OUT/tests.jar"

echo "== running"
TILLKIT_BENCH_PROFILE=$PROFILE TILLKIT_SCAN_BENCH=${TILLKIT_SCAN_BENCH:-0} java -ea -Djna.library.path="$OUT/lib" \
    -cp "$OUT/tests.jar:$CP:$KT/lib/kotlin-stdlib.jar" HarnessKt
