#!/usr/bin/env bash
# Runs every test of the workspace: unit tests, property tests, the sandbox acquirer over real
# HTTP on 127.0.0.1, the end-to-end tests in tests/, the apps' string tables and doc links, and
# the Kotlin contract of the bindings on the JVM.
#
# Prerequisites (checked below, with what is missing named):
#   - Rust 1.89 or later (rustup), a C compiler (SQLite is built from source), python3;
#   - for the Kotlin part (scripts/kotlin-test.sh): Linux, a JDK 17+ (`java`), npm, and JNA
#     (Debian `libjna-java`; the script installs it with apt-get when missing).
# On macOS the Kotlin part cannot run (it loads the Linux .so and installs JNA with apt-get):
# the script stops with that message before building; TILLKIT_SKIP_KOTLIN=1 runs the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in cargo cc python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${TILLKIT_SKIP_KOTLIN:-0}" != 1 ]; then
    if [ "$(uname -s)" != Linux ]; then
        echo "error: the Kotlin contract tests (scripts/kotlin-test.sh) run on Linux only;" >&2
        echo "       on $(uname -s) run TILLKIT_SKIP_KOTLIN=1 $0 for the Rust tests and checks." >&2
        exit 1
    fi
    for tool in java npm; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool (Kotlin tests; or TILLKIT_SKIP_KOTLIN=1)")
    done
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "error: missing prerequisites: ${missing[*]}" >&2
    exit 1
fi

# Every string key in English, Simplified and Traditional Chinese on both apps, every code the
# bindings export has its key, and no doc link leaves the repository.
python3 scripts/check_strings.py
python3 scripts/check_links.py
cargo test --workspace --all-targets "$@"
if [ "${TILLKIT_SKIP_KOTLIN:-0}" != 1 ]; then
    # The Kotlin contract of the bindings on the JVM (also generates the Swift bindings).
    bash scripts/kotlin-test.sh
fi
