"""A catalog repository's ``overrides/`` replaces packaged theme files with the same path.

The theme ships inside the package; a province changes a template, a UI-strings file,
the CSS or a script by placing a file at the same path under ``overrides/`` (as
Material's ``custom_dir`` works). An override with a template error stops the build
with the file and line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import material as material_package
import yaml
from ocop_catalog.edition.theme import PACKAGED
from scratch import build_catalog
from siteutil import run_build


def test_the_packaged_theme_has_everything_a_build_needs():
    for rel in ("main.html", "ocop/base.html", "ocop/product.html", "ocop/i18n/vi.yml",
                "ocop/fonts/DejaVuSans.ttf", "assets/ocop.css", "assets/ocop.js",
                "assets/search.js", "assets/kiosk-sw.js"):
        assert (PACKAGED / rel).is_file(), rel


def test_override_files_replace_the_packaged_ones(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    overrides = scratch.root / "overrides"
    strings = yaml.safe_load((PACKAGED / "ocop/i18n/vi.yml").read_text(encoding="utf-8"))
    strings["search.button"] = "Tìm ngay"
    (overrides / "ocop/i18n").mkdir(parents=True)
    (overrides / "ocop/i18n/vi.yml").write_text(yaml.safe_dump(strings, allow_unicode=True),
                                                encoding="utf-8")
    (overrides / "assets").mkdir()
    (overrides / "assets/ocop.css").write_text("/* the province's own */\n", encoding="utf-8")
    (overrides / "assets/province.svg").write_text("<svg/>\n", encoding="utf-8")  # a new file
    footer = (PACKAGED / "ocop/base.html").read_text(encoding="utf-8")
    (overrides / "ocop/base.html").write_text(
        footer.replace("</footer>", "<p>Phiên bản của tỉnh</p></footer>"), encoding="utf-8")
    site = tmp_path / "site"
    result = run_build(scratch.root, site)
    assert result.returncode == 0, result.stderr
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Phiên bản của tỉnh" in home and "Tìm ngay" in home
    assert (site / "assets/ocop.css").read_text(encoding="utf-8") == "/* the province's own */\n"
    assert (site / "assets/province.svg").read_text(encoding="utf-8") == "<svg/>\n"
    # the packaged file still serves what is not overridden
    assert (site / "assets/ocop.js").read_bytes() == (PACKAGED / "assets/ocop.js").read_bytes()
    # and Material's own files are not published (the site does without them)
    material = Path(material_package.__file__).parent / "templates"
    assert (material / "assets/javascripts").is_dir()
    assert not (site / "assets/javascripts").exists() and not (site / "assets/stylesheets").exists()
    assert not (site / ".icons").exists()


def test_an_override_with_a_template_error_names_the_file_and_line(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    broken = scratch.root / "overrides/ocop/partials/card.html"
    broken.parent.mkdir(parents=True)
    broken.write_text("<article>\n{% if p %}\n<p>{{ p.id }}</p>\n", encoding="utf-8")
    result = run_build(scratch.root, tmp_path / "site")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert f"{broken}:" in result.stderr, result.stderr
    assert not (tmp_path / "site").exists()
