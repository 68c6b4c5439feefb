"""Every printed /01/ address is a valid GS1 Digital Link, by GS1's own checker.

The addresses are read back as a phone reads them: decoded with zxing-cpp from the QR PNGs
the build prints (products with a GTIN: qr/<id>.png; lots: qr/lots/<product>/<lot>.png),
plus the anchors of every linkset. GS1's digital-link.js (npm "digital-link.js", the
library behind GS1's Digital Link tools) is installed under .cache/digital-link/ on first
use; the test is skipped when npm is missing or cannot install it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from ocop_catalog.catalog.links import lot_segment
from PIL import Image
from siteutil import REPO, SITE_URL

PACKAGE = "digital-link.js@1.4.3"
PREFIX = REPO / ".cache" / "digital-link"
CHECK = """
const { DigitalLink } = require('digital-link.js');
const uris = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(uris.map(u => { try { return DigitalLink(u).isValid(); }
                                           catch (e) { return false; } })));
"""


@pytest.fixture(scope="module")
def valid():
    """A function: the URIs → whether digital-link.js finds each a valid Digital Link."""
    modules = PREFIX / "node_modules"
    if not (modules / "digital-link.js").is_dir():
        if not (shutil.which("npm") and shutil.which("node")):
            pytest.skip("digital-link.js needs Node and npm (apt-get install npm)")
        PREFIX.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund",
                               "--ignore-scripts", "--prefix", str(PREFIX), PACKAGE],
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            pytest.skip(f"npm could not install {PACKAGE}: {done.stderr.strip()[-300:]}")

    def check(uris: list[str]) -> list[bool]:
        done = subprocess.run(["node", "-e", CHECK], input=json.dumps(uris), cwd=PREFIX,
                              env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True, timeout=60, check=True)
        return json.loads(done.stdout)

    # the checker is not a rubber stamp
    assert check([f"{SITE_URL}01/08936047120018", f"{SITE_URL}01/08936047120017/10/A+B",
                  f"{SITE_URL}01/08936047120017"]) == [False, False, True]
    return check


def printed(site: Path) -> list[str]:
    """The /01/ addresses the printed QR codes hold."""
    found = []
    for png in sorted([*site.glob("qr/*.png"), *site.glob("qr/lots/*/*.png")]):
        [code] = zxingcpp.read_barcodes(Image.open(png).convert("L"))
        if "/01/" in code.text:
            found.append(code.text)
    return found


def test_every_printed_gs1_address_is_a_valid_digital_link(sample_site, valid):
    uris = printed(sample_site)
    assert any("/10/" in u for u in uris) and any("?17=" in u for u in uris)
    anchors = [entry["anchor"] for path in sorted(sample_site.glob("01/*/linkset.json"))
               for entry in json.loads(path.read_text("utf-8"))["linkset"]]
    assert anchors
    everything = [*uris, *anchors]
    verdicts = valid(everything)
    assert [u for u, ok in zip(everything, verdicts) if not ok] == []


def test_every_character_a_lot_code_may_hold_makes_a_valid_digital_link(valid):
    # GS1's character set 82, as the records allow it; '"' is left out: digital-link.js
    # 1.4.3 refuses %22 though the GS1 General Specifications allow it in AI 10
    chars = "!%&'()*+,-./:;<=>?_" + "AZaz09"
    uris = [f"{SITE_URL}01/08936047120017/10/A{lot_segment(c)}B?17=281231" for c in chars]
    verdicts = valid(uris)
    assert [c for c, ok in zip(chars, verdicts) if not ok] == []
