"""The contributor guide reaches producers on the catalog's site.

The guides are this repository's docs (docs/huong-dan-dong-gop.md, docs/contributing.md);
tools/sync_guides.py copies them as authored pages of the sample catalog and of the
``ocop init`` starter, which the form page links (tests/test_form.py builds and follows
that link; tests/test_init.py checks a new catalog's). Here: the copies are current, and
they read as pages of a catalog's site (no link to a file the site does not have, no
fenced block its Markdown would not render).
"""

from __future__ import annotations

import re
import subprocess
import sys

import markdown
import pytest
from siteutil import REPO

TOOL = REPO / "tools" / "sync_guides.py"
COPIES = {"docs/huong-dan-dong-gop.md": ["catalog/contributing.md",
                                         "generator/ocop_catalog/starter/catalog/contributing.vi.md"],
          "docs/contributing.md": ["catalog/en/contributing.md",
                                   "generator/ocop_catalog/starter/catalog/contributing.en.md"]}


def test_the_copies_of_the_guides_are_current():
    done = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + "\nrun: python tools/sync_guides.py"


@pytest.mark.parametrize("guide", sorted(COPIES))
def test_a_copy_reads_as_a_page_of_the_catalog(guide):
    source = (REPO / guide).read_text(encoding="utf-8")
    for rel in COPIES[guide]:
        page = (REPO / rel).read_text(encoding="utf-8")
        assert page.splitlines()[0] == source.splitlines()[0]  # the same title
        assert "sync_guides" not in page and "```" not in page
        assert not re.search(r"\]\([^)]*\.md", page)  # no link to the engine's docs
        # every section of the guide is there, in order
        assert re.findall(r"^## .*$", page, re.MULTILINE) == re.findall(r"^## .*$", source,
                                                                   re.MULTILINE)
        # the commands stay code blocks in the catalogs' Markdown (no fenced_code there)
        rendered = markdown.markdown(page, extensions=["attr_list", "tables", "admonition"])
        assert "<pre><code>ocop new producer" in rendered
        # and what the guide is for
        for words in ("HEIC", "✗", "pull request", "maintainers:", "ocop new"):
            assert words in page, (rel, words)
