#!/usr/bin/env python3
"""Makes core/src/document/font.bin: the glyphs of GNU Unifont (8x16 and 16x16 bitmaps) that
the rendered documents need, so that the library carries a few kilobytes of font instead of
Unifont's 2 MB.

Taken: printable ASCII, Latin-1, a few currency and punctuation marks, the full-width forms,
and every non-ASCII character in the source files named (default: the receipt and report labels). A text
with a character outside this set renders a box in its place (document::font).

Usage: scripts/receipt-font.py [UNIFONT_HEX] [SOURCE.rs ...]
(UNIFONT_HEX defaults to Debian's /usr/share/unifont/unifont.hex: `apt-get install unifont`.)

Format: b"TKF1", then records of 36 bytes sorted by code point: the code point (3 bytes,
big-endian), the width in pixels (8 or 16), 32 bytes of rows (8-wide glyphs: one byte a row,
16 rows, then 16 zero bytes; 16-wide: two bytes a row).
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCES = ["core/src/receipt/labels.rs", "core/src/report/labels.rs"]
OUT = os.path.join(ROOT, "core/src/document/font.bin")


def wanted(sources):
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    chars |= {0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC, 0x20A9}
    chars |= set(range(0x3000, 0x3012)) | set(range(0xFF01, 0xFF5F))
    for path in sources:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            chars |= {ord(c) for c in f.read() if ord(c) > 0x7F}
    return chars


def main():
    args = sys.argv[1:]
    hex_path = "/usr/share/unifont/unifont.hex"
    if args and args[0].endswith(".hex"):
        hex_path, args = args[0], args[1:]
    chars = wanted(args or DEFAULT_SOURCES)
    glyphs = {}
    with open(hex_path, encoding="ascii") as f:
        for line in f:
            cp, bits = line.strip().split(":")
            cp = int(cp, 16)
            if cp in chars:
                glyphs[cp] = bytes.fromhex(bits)
    missing = sorted(c for c in chars if c not in glyphs and c >= 0x100)
    if missing:
        sys.exit("not in Unifont: " + " ".join(f"U+{c:04X}" for c in missing))
    out = bytearray(b"TKF1")
    for cp in sorted(glyphs):
        rows = glyphs[cp]
        width = 8 if len(rows) == 16 else 16
        out += cp.to_bytes(3, "big") + bytes([width]) + rows.ljust(32, b"\0")
    with open(OUT, "wb") as f:
        f.write(out)
    print(f"{len(glyphs)} glyphs, {len(out)} bytes -> {OUT}")


main()
