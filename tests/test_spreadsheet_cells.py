"""No spreadsheet cell the build writes becomes a formula (OWASP's CSV-injection rule).

A producer's pull request can put ``=HYPERLINK(…)`` or ``+cmd|…`` in any text; the
Meta CSV and the export sheets carry that text to an office worker's spreadsheet.
The files are opened the way that worker opens them, by LibreOffice Calc (headless,
formulas evaluated), converted to a flat OpenDocument spreadsheet, and every cell
is checked: none may hold a formula, and the hostile text is still there, as text.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ocop_catalog.outputs.feeds.data import spreadsheet_text
from scratch import GOODS_FILE, PRODUCER_FILE, build_catalog
from siteutil import REPO, build_ok

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_calc = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed "
                                "(apt-get install libreoffice-calc-nogui)")

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

#: Starts of cells that Excel or LibreOffice evaluate (the old export check let the
#: ``+``/``-`` ones followed by a digit, space, dot, comma or bracket through).
PAYLOADS = [
    '=HYPERLINK("https://evil.example/","Bấm")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "+ 1",
    "-(1)",
    "+.5*2",
    "=1+1",
    "＝1+1",
]


def test_the_rule():
    for payload in PAYLOADS:
        assert spreadsheet_text(payload) == "'" + payload
    for harmless in ("Mật ong", "180000", "8930000000019", "", "a=b", "Trà - hoa vàng"):
        assert spreadsheet_text(harmless) == harmless


def calc_cells(path: Path, out: Path, delimiter: str = ",") -> list[tuple[str | None, str]]:
    """(formula or None, text) of every cell of ``path`` as LibreOffice Calc reads it
    with formulas evaluated (CSV import option 13)."""
    out.mkdir(parents=True, exist_ok=True)
    separator = {",": "44", "\t": "9", ";": "59"}[delimiter]
    infilter = f"CSV:{separator},34,76,1,,0,false,false,false,false,false,-1,true"
    profile = out / "profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         f"--infilter={infilter}", "--convert-to", "fods", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180)
    converted = out / (path.stem + ".fods")
    assert converted.is_file(), done.stdout + done.stderr
    cells = []
    for cell in ET.parse(converted).iter(f"{{{TABLE}}}table-cell"):
        text = "".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p"))
        cells.append((cell.get(f"{{{TABLE}}}formula"), text))
    return cells


@needs_calc
def test_calc_would_run_an_unprotected_formula(tmp_path):
    """The check below can fail: Calc, opened this way, runs a bare formula."""
    raw = tmp_path / "raw.csv"
    raw.write_text('"name"\n"=1+1"\n', encoding="utf-8")
    formulas = [f for f, _ in calc_cells(raw, tmp_path / "out") if f]
    assert formulas, "LibreOffice did not evaluate the formula: the test would prove nothing"


@needs_calc
def test_no_cell_of_meta_or_export_sheets_becomes_a_formula(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    scratch.edit("site_config.yml", "theme:\n  name: material\n",
                 "theme:\n  name: material\n  custom_dir: theme\n")
    # the sample's export profile, and the feeds' default Meta CSV in every language
    profile = (REPO / "site_config.yml").read_text(encoding="utf-8")
    exports = profile[profile.index("        exports:\n"):profile.index("\nmarkdown_extensions:")]
    scratch.edit("site_config.yml", "      photo_min_side: 500\n",
                 "      photo_min_side: 500\n      feeds:\n" + exports + "\n")
    name, producer, description = PAYLOADS[0], PAYLOADS[3], PAYLOADS[2]
    scratch.edit(GOODS_FILE, "vi: Mật ong hoa rừng Tam Đảo", f"vi: '{name}'")
    scratch.edit(GOODS_FILE, "    Mật ong được **quay**", f"    {description} Mật ong được **quay**")
    scratch.edit(PRODUCER_FILE, "vi: HTX Ong mật Tam Đảo", f"vi: '{producer}'")
    site = tmp_path / "site"
    build_ok(scratch.root, site)

    sheets = [site / "feeds" / "meta" / "vi.csv",
              site / "feeds" / "exports" / "san-pham-shopee-postmart.csv"]
    seen = set()
    for sheet in sheets:
        cells = calc_cells(sheet, tmp_path / sheet.stem)
        formulas = [(f, t) for f, t in cells if f]
        assert formulas == [], f"{sheet.name}: formulas {formulas}"
        for _, text in cells:
            for payload in (name, producer, description):
                if payload in text:
                    seen.add((sheet.name, payload))
    for sheet in sheets:
        assert (sheet.name, name) in seen, f"{sheet.name} lost the product name"
        assert (sheet.name, producer) in seen, f"{sheet.name} lost the producer's name"
        assert (sheet.name, description) in seen, f"{sheet.name} lost the description"
