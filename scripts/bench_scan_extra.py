#!/usr/bin/env python3
"""A second generated frame set for bench_scan.py, made independently of core/src/scan/synth.rs.

The symbols come from zxing-cpp's encoder (not rxing's), the rendering is numpy's, and each
frame stresses one thing the Rust generator does little or none of:

  blur      Gaussian defocus of 0.35-0.8 module
  glare     a saturating light band across the frame (part of the symbol washed out)
  moire     two beating screen-pixel gratings near the module pitch
  lowlight  a dim, low-contrast screen (20-60 levels) with strong sensor noise
  small     Code 128 modules of 1.3-1.9 px, QR modules of 1.8-2.6 px
  tilted    Code 128 turned 25-50 degrees, QR turned anywhere, with perspective
  both      a Code 128 and a QR with *different* codes side by side (either counts; a
            text that mixes the two is a misread)
  empty     no symbol at all, clutter with stripes and squares (any read is a misread; the
            time is the cost of a frame with nothing to find)

Usage (normally through bench_scan.py): python3 bench_scan_extra.py DIR COUNT SEED
"""
import csv
import sys
from pathlib import Path

import numpy as np

KINDS = ("blur", "glare", "moire", "lowlight", "small", "tilted", "both", "empty")
SIZES = ((1280, 720), (1920, 1080))


def payment_code(rng):
    """A WeChat Pay (18 digits, 10-15) or Alipay (16-24 digits, 25-30) number."""
    if rng.integers(2) == 0:
        prefix, length = int(rng.integers(10, 16)), 18
    else:
        prefix, length = int(rng.integers(25, 31)), int(rng.integers(16, 25))
    return str(prefix) + "".join(str(d) for d in rng.integers(0, 10, length - 2))


def modules(text, qr):
    """The symbol's modules (1 = dark) without quiet zone, from zxing-cpp's encoder."""
    import zxingcpp

    fmt = zxingcpp.BarcodeFormat.QRCode if qr else zxingcpp.BarcodeFormat.Code128
    image = np.asarray(zxingcpp.create_barcode(text, fmt).to_image(scale=1, add_quiet_zones=False))
    dark = image < 128
    return dark if qr else dark[:1, :]


def place(canvas, weight, dark, module, angle, centre, height_modules, rng, persp=0.0):
    """Draws `dark` (module grid) on the float canvas (0 black .. 1 white) with a white card
    around it: `module` px a module, turned by `angle` degrees about `centre`, with a slight
    perspective. 2x2 supersampled. `weight` is where the card is (for the level mapping)."""
    rows, cols = dark.shape
    quiet = 4  # QR's quiet zone, in modules
    if rows == 1:  # a bar code: bars `height_modules` modules tall, ten modules of quiet zone
        dark = np.repeat(dark, height_modules, axis=0)
        rows, quiet = height_modules, 10
    card_w, card_h = (cols + 2 * quiet) * module, (rows + 2 * quiet) * module
    half = 0.5 * np.hypot(card_w, card_h) * (1 + persp) + 2
    h, w = canvas.shape
    x0, x1 = int(max(0, centre[0] - half)), int(min(w, centre[0] + half))
    y0, y1 = int(max(0, centre[1] - half)), int(min(h, centre[1] + half))
    if x1 <= x0 or y1 <= y0:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    cos, sin = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    acc = np.zeros_like(xs)
    inside_any = np.zeros(xs.shape, bool)
    px, py = rng.uniform(-persp, persp, 2) / half
    for ox, oy in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)):
        dx, dy = xs + ox - centre[0], ys + oy - centre[1]
        z = 1.0 + px * dx + py * dy
        dx, dy = dx / z, dy / z
        u = (dx * cos + dy * sin) / module + (cols + 2 * quiet) / 2
        v = (-dx * sin + dy * cos) / module + (rows + 2 * quiet) / 2
        on_card = (u >= 0) & (v >= 0) & (u < cols + 2 * quiet) & (v < rows + 2 * quiet)
        i = np.clip(u.astype(np.int32) - quiet, 0, cols - 1)
        j = np.clip(v.astype(np.int32) - quiet, 0, rows - 1)
        in_symbol = (u >= quiet) & (v >= quiet) & (u < cols + quiet) & (v < rows + quiet)
        value = np.where(in_symbol & dark[j, i], 0.0, 1.0)
        region = canvas[y0:y1, x0:x1]
        acc += np.where(on_card, value, region)
        inside_any |= on_card
    canvas[y0:y1, x0:x1] = acc / 4
    weight[y0:y1, x0:x1] |= inside_any


def box_blur(img, r, axis):
    if r < 1:
        return img
    pad = [(0, 0), (0, 0)]
    pad[axis] = (r + 1, r)
    c = np.cumsum(np.pad(img, pad, mode="edge"), axis=axis, dtype=np.float64)
    n = img.shape[axis]
    hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
    lo = np.take(c, np.arange(0, n), axis=axis)
    return ((hi - lo) / (2 * r + 1)).astype(np.float32)


def gaussian(img, sigma):
    """Three box passes per axis approximate a Gaussian of this sigma."""
    r = int(round(np.sqrt(12 * sigma * sigma / 3 + 1) - 1) / 2)
    for _ in range(3):
        img = box_blur(box_blur(img, r, 0), r, 1)
    return img


def background(rng, w, h):
    """Clutter: a gradient, grey squares, and stripe patches (bar-like, a trap for 1D readers)."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    a, b = rng.uniform(0.15, 0.6, 2)
    img = a + (b - a) * xs / w
    for _ in range(rng.integers(4, 12)):
        x, y = rng.integers(0, w), rng.integers(0, h)
        s = rng.integers(10, h // 4)
        img[y:y + s, x:x + s] = rng.uniform(0.1, 0.9)
    for _ in range(rng.integers(1, 4)):
        x, y = rng.integers(0, w - 200), rng.integers(0, h - 60)
        pw, ph = rng.integers(80, 300), rng.integers(20, 80)
        period = rng.uniform(3, 12)
        patch = (np.sin(xs[y:y + ph, x:x + pw] * 2 * np.pi / period) > 0).astype(np.float32)
        img[y:y + ph, x:x + pw] = 0.2 + 0.6 * patch
    return img


def frame(kind, rng, w, h):
    """One frame (uint8 gray) and the set of texts it shows."""
    canvas = background(rng, w, h)
    card = np.zeros((h, w), bool)
    texts = set()
    centre = (w / 2 + rng.uniform(-0.2, 0.2) * w, h / 2 + rng.uniform(-0.15, 0.15) * h)
    qr = bool(rng.integers(2))
    module = rng.uniform(3, 6) if qr else rng.uniform(2.0, 3.5)
    angle = rng.uniform(-12, 12) + (rng.choice([0, 90, 180, 270]) if qr else rng.choice([0, 180]))
    persp = 0.0
    if kind == "small":
        module = rng.uniform(1.8, 2.6) if qr else rng.uniform(1.3, 1.9)
    elif kind == "tilted":
        angle = rng.uniform(0, 360) if qr else rng.choice([-1, 1]) * rng.uniform(25, 50)
        persp = rng.uniform(0.05, 0.2)
    if kind == "both":
        for offset, is_qr in ((-0.22, False), (0.22, True)):
            code = payment_code(rng)
            texts.add(code)
            m = rng.uniform(3.5, 5.5) if is_qr else rng.uniform(2.0, 3.0)
            place(canvas, card, modules(code, is_qr), m, rng.uniform(-8, 8),
                  (w / 2 + offset * w, h / 2 + rng.uniform(-0.1, 0.1) * h), 30, rng)
    elif kind != "empty":
        code = payment_code(rng)
        texts.add(code)
        place(canvas, card, modules(code, qr), module, angle, centre, int(rng.integers(18, 40)),
              rng, persp)
    # Screen levels, then the degradation of the kind, then noise.
    black, white = rng.uniform(5, 50), rng.uniform(180, 250)
    noise = rng.uniform(1, 5)
    if kind == "lowlight":
        black = rng.uniform(3, 15)
        white = black + rng.uniform(20, 60)
        noise = rng.uniform(3, 8)
    img = np.where(card, black + (white - black) * canvas, 255 * canvas).astype(np.float32)
    if kind == "moire":
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        for _ in range(2):
            period = module * rng.uniform(0.7, 1.4)
            theta = rng.uniform(0, np.pi)
            phase = 2 * np.pi * (xs * np.cos(theta) + ys * np.sin(theta)) / period
            img *= 1 - rng.uniform(0.1, 0.25) * (0.5 + 0.5 * np.sin(phase))
    if kind == "glare":
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        theta = rng.uniform(0, np.pi)
        d = (xs - centre[0]) * np.cos(theta) + (ys - centre[1]) * np.sin(theta) - rng.uniform(-60, 60)
        width = rng.uniform(0.03, 0.1) * w
        img += rng.uniform(90, 220) * np.exp(-(d / width) ** 2)
    sigma = rng.uniform(0.35, 0.8) * module if kind == "blur" else rng.uniform(0.0, 0.3) * module
    if sigma >= 0.5:
        img = gaussian(img, sigma)
    img += rng.normal(0, noise, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8), texts


def write_set(out_dir, count, seed):
    """Writes COUNT frames per size (kinds in turn) as PGM and a manifest listing every text."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for w, h in SIZES:
        for index in range(count):
            kind = KINDS[index % len(KINDS)]
            rng = np.random.default_rng([seed, index, w])
            img, texts = frame(kind, rng, w, h)
            name = f"{h}p-{index:04}-{kind}.pgm"
            with open(out_dir / name, "wb") as f:
                f.write(f"P5\n{w} {h}\n255\n".encode())
                f.write(img.tobytes())
            rows.append({"file": name, "size": f"{h}p", "kind": kind, "expected_text": "|".join(sorted(texts))})
    # The manifest last: its presence tells the caller the set is complete.
    with open(out_dir / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["file", "size", "kind", "expected_text"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.splitlines()[-1])
    write_set(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
