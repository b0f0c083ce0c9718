#!/usr/bin/env bash
# Runs every test of the workspace: unit tests, property tests, the sandbox acquirer over real
# HTTP on 127.0.0.1, and the end-to-end tests in tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-targets "$@"
# The Kotlin contract of the bindings on the JVM (also generates the Swift bindings).
bash scripts/kotlin-test.sh
