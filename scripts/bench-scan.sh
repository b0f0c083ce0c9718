#!/usr/bin/env bash
# Side-by-side scan benchmark: zxing-cpp 3.1.1 vs `tillkit scan --bench` on the shared test
# images and on generated 720p/1080p payment-code frames. Run on demand (not part of CI).
#   scripts/bench-scan.sh [--frames N] [--seed S] [--skip-synth]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check "zxing-cpp==3.1.1" numpy pillow
cargo build --quiet --release -p tillkit-cli
exec python3 scripts/bench_scan.py "$@"
