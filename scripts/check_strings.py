#!/usr/bin/env python3
"""The apps' string tables are complete: every key in English, Simplified Chinese and
Traditional Chinese on Android (values, values-zh-rCN, values-zh-rTW) and iOS (en, zh-Hans,
zh-Hant Localizable.strings), with the same placeholders; a key for every code the bindings
export that a cashier can see (sale status and hint, next step, attention reason, refund state,
terminal status, scan outcome, reader progress and fault, error variant); and every key the app
code names exists. Exits 1 listing what is missing."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ANDROID = ROOT / "android/app/src/main/res"
IOS = ROOT / "ios/App"
ANDROID_LANGS = ["values", "values-zh-rCN", "values-zh-rTW"]
IOS_LANGS = ["en.lproj", "zh-Hans.lproj", "zh-Hant.lproj"]

# (enum, key prefix, variants left out)
CODES = [
    ("SaleHint", "hint_", ()),
    ("SaleStatus", "status_", ("Failed",)),
    ("FailReason", "status_", ()),
    ("NextStep", "next_", ()),
    ("AttentionReason", "attention_", ()),
    ("RefundState", "refund_", ()),
    ("TerminalStatus", "terminal_status_", ()),
    ("ScanOutcome", "scan_", ()),
    ("ReaderProgress", "reader_", ()),
    ("ReaderFault", "reader_fault_", ()),
    ("PrinterFault", "printer_fault_", ()),
    ("TillKitError", "error_", ()),
]


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def variants(enum):
    """The variants of `pub enum NAME` in the bindings' sources (any file: types move between
    modules): lines indented by four spaces that start with a capital, up to the enum's
    closing brace."""
    for path in sorted((ROOT / "bindings/src").rglob("*.rs")):
        text = path.read_text(encoding="utf-8")
        match = re.search(rf"^pub enum {enum} \{{\n(.*?)^\}}", text, re.S | re.M)
        if match:
            return re.findall(r"^    ([A-Z][A-Za-z0-9]*)\b", match.group(1), re.M)
    raise SystemExit(f"check_strings: enum {enum} not found in bindings/src")


def android_table(lang):
    text = (ANDROID / lang / "strings.xml").read_text(encoding="utf-8")
    return dict(re.findall(r'<string name="(\w+)">(.*?)</string>', text, re.S))


def ios_table(lang):
    text = (IOS / lang / "Localizable.strings").read_text(encoding="utf-8")
    return dict(re.findall(r'^"(\w+)"\s*=\s*"((?:[^"\\]|\\.)*)";', text, re.M))


def placeholders(value):
    return sorted(re.findall(r"%(?:\d+\$)?[sd@]", value))


def main():
    problems = []
    tables = {f"android/{l}": android_table(l) for l in ANDROID_LANGS}
    tables.update({f"ios/{l}": ios_table(l) for l in IOS_LANGS})
    reference_name, reference = next(iter(tables.items()))
    every = set().union(*(t.keys() for t in tables.values()))
    for name, table in tables.items():
        for key in sorted(every - table.keys()):
            problems.append(f"{name}: missing key {key}")
    for platform, langs in (("android", ANDROID_LANGS), ("ios", IOS_LANGS)):
        base = tables[f"{platform}/{langs[0]}"]
        for lang in langs[1:]:
            other = tables[f"{platform}/{lang}"]
            for key in base.keys() & other.keys():
                if placeholders(base[key]) != placeholders(other[key]):
                    problems.append(f"{platform}/{lang}: {key} has other placeholders than {langs[0]}")
    codes = 0
    for enum, prefix, skip in CODES:
        for variant in variants(enum):
            if variant in skip:
                continue
            codes += 1
            key = prefix + snake(variant)
            if key not in every:
                problems.append(f"no string for {enum}::{variant} (key {key})")
    used = set()
    for kt in (ROOT / "android/app/src").rglob("*.kt"):
        used.update(re.findall(r"R\.string\.(\w+)", kt.read_text(encoding="utf-8")))
    for swift in IOS.rglob("*.swift"):
        used.update(re.findall(r'\bL\("(\w+)"\s*[,)]', swift.read_text(encoding="utf-8")))
    for key in sorted(used - every):
        problems.append(f"the app code names key {key}, which no table has")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"strings: {len(reference)} keys in {len(tables)} tables, {codes} codes covered, "
          f"{len(used)} keys named in code")


if __name__ == "__main__":
    main()
