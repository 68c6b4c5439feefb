#!/usr/bin/env python3
"""Copy the contributor guides into the catalogs' own pages.

The guides live in this repository's docs (``docs/huong-dan-dong-gop.md``, Vietnamese, and
``docs/contributing.md``, English). Producers read them on the catalog's site, where the
"Register / update a product" page links them: each guide is an authored page
(``/contributing/``, ``/en/contributing/``) of the sample catalog (``catalog/``) and of
every catalog ``ocop init`` makes (``generator/ocop_catalog/starter/catalog/``). This
script writes those copies from the docs, made to read well on a catalog's site:

* the notes under the title (the link to the other language, which the page's language
  switch gives, and where the page comes from) are left out;
* a link to another file of the engine's docs (``[records.md](records.md#…)``) keeps its
  text only (the site does not have those files; the text says whose documentation it is);
* fenced code blocks become indented ones (the catalogs' Markdown has no fences).

``tests/test_contributor_guide.py`` fails when a copy differs from what this writes.

    python tools/sync_guides.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTER = Path("generator/ocop_catalog/starter/catalog")
#: Each guide → the pages it is copied to (relative to the repository).
GUIDES: dict[str, tuple[Path, ...]] = {
    "docs/huong-dan-dong-gop.md": (Path("catalog/contributing.md"),
                                   STARTER / "contributing.vi.md"),
    "docs/contributing.md": (Path("catalog/en/contributing.md"), STARTER / "contributing.en.md"),
}
#: A link to a Markdown file beside it (no scheme, no folder): the engine's own docs.
DOC_LINK = re.compile(r"\[([^\]]+)\]\([A-Za-z0-9_-]+\.md(?:#[^)\s]*)?\)")


def site_page(text: str) -> str:
    """The guide ``text`` as a catalog's authored page."""
    blocks = text.strip("\n").split("\n\n")
    title, rest = blocks[0], blocks[1:]
    while rest and rest[0].startswith("*") and not rest[0].startswith("**") \
            and rest[0].rstrip().endswith("*"):
        rest = rest[1:]  # the notes under the title
    body = DOC_LINK.sub(r"\1", "\n\n".join([title, *rest]))
    out: list[str] = []
    fenced = False
    for line in body.split("\n"):
        if re.match(r"^\s*```", line):
            fenced = not fenced
            continue
        out.append(("    " + line).rstrip() if fenced else line)
    return "\n".join(out) + "\n"


def pages() -> dict[Path, str]:
    """Every copy and what it must hold."""
    result = {}
    for guide, targets in GUIDES.items():
        text = site_page((ROOT / guide).read_text(encoding="utf-8"))
        for target in targets:
            result[target] = text
    return result


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for target, text in pages().items():
        path = ROOT / target
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(target.as_posix())
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for name in stale:
        print(f"{'stale' if check else 'wrote'}: {name}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
