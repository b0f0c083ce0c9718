#!/usr/bin/env python3
"""Every relative link in the repository's Markdown files points to a file that exists in the
repository, and no README, doc or help text points into a directory outside it (`../shared`,
`shared/docs`). Exits 1 naming each broken link."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIP = {"target", ".tools", "node_modules", ".git", "build"}
OUTSIDE = re.compile(r"\.\./shared|shared/docs")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def files(*patterns):
    for pattern in patterns:
        for path in ROOT.rglob(pattern):
            if not SKIP.intersection(path.relative_to(ROOT).parts):
                yield path


def main():
    broken = []
    for md in files("*.md"):
        text = md.read_text(encoding="utf-8")
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target):
                continue
            if not (md.parent / target).exists():
                broken.append(f"{md.relative_to(ROOT)}: link to missing {target}")
        if OUTSIDE.search(text):
            broken.append(f"{md.relative_to(ROOT)}: points outside the repository (shared/)")
    for rs in files("*.rs"):
        if rs.relative_to(ROOT).parts[:2] == ("cli", "src") and OUTSIDE.search(rs.read_text(encoding="utf-8")):
            broken.append(f"{rs.relative_to(ROOT)}: help text points outside the repository")
    for line in broken:
        print(line, file=sys.stderr)
    if broken:
        sys.exit(1)
    print("doc links: ok")


if __name__ == "__main__":
    main()
