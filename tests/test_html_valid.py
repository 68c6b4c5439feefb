"""Every page is valid HTML, as the W3C's Nu Html Checker (vnu.jar) reads it: the
catalog pages, the authored pages MkDocs renders from ``catalog/`` and the 404 page (all
in the catalog's own frame since they left Material's, whose drawer and search checkboxes
had 20 errors on the sample).

The checker is Java; ``.ci/run`` installs it from the npm package ``vnu-jar``
into ``.cache/vnu/`` (set ``OCOP_VNU_JAR`` to use another copy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from siteutil import REPO

VNU = Path(os.environ.get("OCOP_VNU_JAR")
           or REPO / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.skip("needs Java and vnu.jar: npm install --prefix .cache/vnu vnu-jar "
                    "(.ci/run does)")
    return [java, "-Xss8m", "-jar", str(VNU)]


def test_every_page_is_valid_html(sample_site, vnu):
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 400
    kinds = {p.relative_to(sample_site).parts[0] for p in pages}
    assert {"products", "producers", "categories", "areas", "sales-points", "kiosk", "q",
            "about-ocop", "ocop-mark", "404.html"} <= kinds
    _check(vnu, sample_site, pages)


def test_a_catalog_with_no_products_yet_is_valid_html(tmp_path, vnu):
    """What 'ocop init' gives before the first producer: a site that says so, valid."""
    from test_init import init, ocop

    repo = tmp_path / "new"
    assert init(repo).returncode == 0
    assert ocop("build", cwd=repo).returncode == 0
    site = repo / "site"
    pages = sorted(site.rglob("*.html"))
    assert {site / "index.html", site / "404.html", site / "about-ocop/index.html"} <= set(pages)
    _check(vnu, site, pages)


def test_the_preview_page_is_valid_html(tmp_path, vnu):
    """The page of ``ocop preview`` (what a pull request's check keeps), in both its
    languages, with changed, new and removed files to list."""
    from ocop_catalog.edition.theme import PACKAGED
    from ocop_catalog.preview import PAGE, preview_strings, write_preview

    before, site = tmp_path / "before", tmp_path / "site"
    for folder, title in ((before, "cũ"), (site, "mới & <khác>")):
        (folder / "products" / "a").mkdir(parents=True)
        (folder / "products" / "a" / "index.html").write_text(
            f"<html lang=vi><title>{title}</title>", encoding="utf-8")
    (before / "gone.json").write_text("{}", encoding="utf-8")
    for folder, css in ((before, "p{}"), (site, "p{color:red}")):  # a sheet no changed page
        (folder / "index.html").write_text(  # loads: the home page kept to show it
            '<title>home</title><link rel="stylesheet" href="x.css">', encoding="utf-8")
        (folder / "x.css").write_text(css, encoding="utf-8")
    (site / "feeds").mkdir()
    (site / "feeds" / "new.xml").write_text("<feed/>", encoding="utf-8")
    pages = []
    for lang in ("vi", "en"):
        made = write_preview(before, site, tmp_path / lang, preview_strings((PACKAGED,), lang),
                             (PACKAGED,))
        assert made.pages and made.showing and made.other and made.changes.removed
        pages.append(tmp_path / lang / PAGE)
    _check(vnu, tmp_path, pages)


def _check(vnu: list[str], site: Path, pages: list[Path]) -> None:
    done = subprocess.run([*vnu, "--errors-only", "--format", "json", "--stdout",
                           *map(str, pages)], capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), f"vnu.jar failed ({done.returncode}): {done.stderr[-2000:]}"
    try:
        messages = json.loads(done.stdout)["messages"]
    except ValueError:
        pytest.fail(f"vnu.jar wrote no JSON report: {done.stdout[-1000:]}{done.stderr[-1000:]}")
    # "error", and "non-document-error" (a file it could not read) count
    errors = [f"{m.get('url', '').rsplit(str(site), 1)[-1]}:{m.get('lastLine')}: "
              f"{m.get('message')}" for m in messages
              if m.get("type") != "info" and not _newer_than_the_checker(m)]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors[:40])


#: The one thing the HTML standard allows that vnu.jar (26.9.27) does not know yet: the
#: ``blocking`` attribute on ``<link rel="expect">`` (the standard's "link element" allows
#: it on a link whose rel is ``expect`` or ``stylesheet``; Chromium since 124), which
#: base.html uses so that a page is not drawn before its header has been read. Only that
#: exact tag is let through: ``blocking`` on any other link is still an error.
_EXPECT = '<link rel="expect" href="#header-read" blocking="render">'


def _newer_than_the_checker(message: dict) -> bool:
    extract = message.get("extract") or ""
    start, length = message.get("hiliteStart"), message.get("hiliteLength")
    flagged = extract[start:start + length] if start is not None and length else ""
    return ("“blocking” attribute" in (message.get("message") or "")
            and flagged == _EXPECT)
