#!/usr/bin/env python3
"""Side-by-side benchmark: zxing-cpp (PyPI) vs `tillkit scan --bench`.

Both decoders get the same 8-bit gray PGM files (the protocol in
shared/testdata/barcodes/README.md), decode each image BENCH_REPEAT times and keep the
median; both run single-threaded, in the same run, one after the other per image set.

Usage: scripts/bench-scan.sh [--frames N] [--extra N] [--seed S] [--baseline EXE]
(the .sh installs what this needs). Sets: the shared images, frames from the Rust generator
(synth.rs), and an independent numpy generator (bench_scan_extra.py: blur, glare, moire, low
light, small, tilted, two codes, empty frames). `--baseline` adds a row for another tillkit
binary (e.g. main's build) in the same run.
"""
import argparse
import csv
import io
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The shared test images sit beside the checkout; a git worktree elsewhere sets TILLKIT_SHARED.
DATA = Path(os.environ.get("TILLKIT_SHARED", ROOT.parent / "shared")) / "testdata" / "barcodes"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
WORK = TARGET / "bench-scan"
EXE = TARGET / "release" / "tillkit"


def norm_format(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


def to_pgm(src, dst):
    """Transparent pixels composited onto white, then 8-bit gray (the README's rule)."""
    from PIL import Image

    if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    img = Image.open(src)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    img.convert("L").save(dst, format="PPM")


def load_manifest():
    with open(DATA / "manifest.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cases = []
    for row in rows:
        pgm = WORK / "pgm" / (row["file"].rsplit(".", 1)[0] + ".pgm")
        to_pgm(DATA / row["file"], pgm)
        expected = {row["expected_text"]} | ({row["alt_expected_text"]} if row["alt_expected_text"] else set())
        cases.append({"pgm": str(pgm), "format": norm_format(row["format"]), "expected": expected})
    return cases


def run_zxing(paths, repeat):
    import numpy as np
    import zxingcpp
    from PIL import Image

    results = {}
    for path in paths:
        gray = np.asarray(Image.open(path).convert("L"))
        times, found = [], None
        for _ in range(repeat):
            t0 = time.perf_counter()
            found = zxingcpp.read_barcode(gray)
            times.append((time.perf_counter() - t0) * 1000.0)
        symbols = [(norm_format(found.format.name), found.text)] if found and found.valid else []
        results[path] = (statistics.median(times), symbols)
    return results


def run_tillkit(paths, repeat, exe=EXE):
    env = dict(os.environ, BENCH_REPEAT=str(repeat))
    # Bytes in and out: text mode would turn the "\r\n" inside decoded texts into "\n".
    out = subprocess.run([str(exe), "scan", "--bench"], input=("\n".join(paths) + "\n").encode(),
                         capture_output=True, env=env, check=False)
    if out.returncode not in (0, 2):
        sys.exit(f"tillkit failed: {out.stderr.decode(errors='replace')}")
    results = {}
    for row in csv.DictReader(io.StringIO(out.stdout.decode("utf-8"), newline="")):
        ms, symbols = results.get(row["file"], (float(row["decode_ms"] or 0), []))
        if row["format"]:
            symbols.append((norm_format(row["format"]), row["text"]))
        results[row["file"]] = (ms, symbols)
    return results


def score(cases, results, any_format=False):
    """(decoded, misreads, median ms). A frame without a symbol (empty `expected`) counts as
    decoded when nothing came back."""
    decoded = misread = 0
    times = []
    for case in cases:
        ms, symbols = results[case["pgm"]]
        times.append(ms)
        ok = any((any_format or f == case["format"]) and t in case["expected"] for f, t in symbols)
        decoded += ok or not (symbols or case["expected"])
        misread += bool(symbols) and not ok
    return decoded, misread, statistics.median(times) if times else float("nan")


def report(title, groups, repeat, any_format=False, baseline=None):
    print(f"\n== {title} (median of {repeat} decodes per image, single-threaded) ==")
    print(f"{'set':<22}{'decoder':<14}{'decoded':>12}{'misreads':>10}{'median ms':>11}{'ratio':>8}")
    for name, cases in groups:
        paths = [c["pgm"] for c in cases]
        rows = [("zxing-cpp", score(cases, run_zxing(paths, repeat), any_format))]
        if baseline:
            rows.append(("tillkit-base", score(cases, run_tillkit(paths, repeat, baseline), any_format)))
        rows.append(("tillkit", score(cases, run_tillkit(paths, repeat), any_format)))
        zx_ms = rows[0][1][2]
        for label, (dec, mis, med) in rows:
            ratio = f"{med / zx_ms:.2f}" if label != "zxing-cpp" and zx_ms > 0 else ""
            print(f"{name:<22}{label:<14}{f'{dec}/{len(cases)}':>12}{mis:>10}{med:>11.3f}{ratio:>8}")


def synth_cases(count, seed):
    out_dir = WORK / f"synth-{seed}-{count}"
    manifest = out_dir / "manifest.csv"
    if not manifest.exists():
        subprocess.run(["cargo", "run", "--quiet", "--release", "-p", "tillkit-core", "--features", "synth",
                        "--example", "synth_frames", "--", str(out_dir), str(count), str(seed)],
                       cwd=ROOT, check=True)
    with open(manifest, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [{"pgm": str(out_dir / r["file"]), "format": "any", "expected": {r["expected_text"]},
             "size": r["size"]} for r in rows]


def extra_cases(count, seed):
    out_dir = WORK / f"extra-{seed}-{count}"
    manifest = out_dir / "manifest.csv"
    if not manifest.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_scan_extra.py"), str(out_dir),
                        str(count), str(seed)], check=True)
    with open(manifest, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [{"pgm": str(out_dir / r["file"]), "format": "any",
             "expected": set(filter(None, r["expected_text"].split("|"))), "size": r["size"],
             "kind": r["kind"]} for r in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200, help="synthetic frames per size")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--extra", type=int, default=80, help="frames per size of the extra set")
    parser.add_argument("--skip-synth", action="store_true")
    parser.add_argument("--skip-manifest", action="store_true")
    parser.add_argument("--by-kind", action="store_true", help="extra set: one row per kind")
    parser.add_argument("--baseline", type=Path, help="another tillkit binary to compare")
    args = parser.parse_args()
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    import zxingcpp

    print(f"zxing-cpp {zxingcpp.__version__ if hasattr(zxingcpp, '__version__') else '?'}, "
          f"tillkit {EXE}" + (f", baseline {args.baseline}" if args.baseline else ""))
    if not args.skip_manifest:
        cases = load_manifest()
        groups = [(f"manifest {fmt}", [c for c in cases if c["format"] == fmt]) for fmt in ("code128", "qrcode")]
        report("shared/testdata/barcodes", groups, repeat, baseline=args.baseline)
    if not args.skip_synth:
        frames = synth_cases(args.frames, args.seed)
        sizes = sorted({c["size"] for c in frames})
        report("synthetic payment-code frames (Code 128 + QR, either counts)",
               [(f"synth {s}", [c for c in frames if c["size"] == s]) for s in sizes], repeat,
               any_format=True, baseline=args.baseline)
    if args.extra > 0:
        frames = extra_cases(args.extra, args.seed)
        sizes = sorted({c["size"] for c in frames})
        groups = []
        for s in sizes:
            coded = [c for c in frames if c["size"] == s and c["expected"]]
            groups.append((f"extra {s}", coded))
            groups.append((f"extra {s} empty", [c for c in frames if c["size"] == s and not c["expected"]]))
            if args.by_kind:
                kinds = sorted({c["kind"] for c in coded})
                groups += [(f"  {s} {k}", [c for c in coded if c["kind"] == k]) for k in kinds]
        report("independent frames (bench_scan_extra.py; either code counts; empty: none may be read)",
               groups, repeat, any_format=True, baseline=args.baseline)


if __name__ == "__main__":
    main()
