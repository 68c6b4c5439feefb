"""The engine is an installed package: a wheel, installed into a fresh virtual
environment outside this checkout, starts and builds a catalog on its own.

This is what a provincial office does: ``pip install ocop-catalog``, ``ocop init``,
copy the example producer, ``ocop validate``, ``ocop build``. Nothing may come from
this repository's folders (theme, taxonomy, fonts, starter files all ship inside).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from siteutil import BUILD_EPOCH, REPO
from test_init import OFFICE, SAMPLE_WORDS, SITE_URL, _outputs, add_producer


def run(*args: str, cwd: Path | None = None, env: dict | None = None
        ) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1200, check=False)


def test_a_wheel_installed_elsewhere_starts_and_builds_a_catalog(tmp_path):
    wheels = tmp_path / "wheels"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                str(REPO))
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(wheels.glob("ocop_catalog-*.whl"))
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", str(venv)).returncode == 0
    python = venv / "bin" / "python"
    installed = run(str(python), "-m", "pip", "install", "-q", str(wheel))
    if installed.returncode != 0 and "No matching distribution" in installed.stderr:
        pytest.skip(f"the package's dependencies cannot be installed here: "
                    f"{installed.stderr[-500:]}")
    assert installed.returncode == 0, installed.stderr[-3000:]

    work = tmp_path / "office"  # far from the checkout: nothing of it is on any path
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(SOURCE_DATE_EPOCH=str(BUILD_EPOCH), PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    where = run(str(python), "-c", "import ocop_catalog; print(ocop_catalog.__file__)", cwd=work,
                env=env)
    assert str(venv) in where.stdout and str(REPO) not in where.stdout, where.stdout
    ocop = str(venv / "bin" / "ocop")
    repo = work / "ocop-lao-cai"
    started = run(ocop, "init", str(repo), "--province", "Lào Cai", "--site-url", SITE_URL,
                  "--office-name", OFFICE, "--office-team", "@ocop-lao-cai/van-phong",
                  cwd=work, env=env)
    assert started.returncode == 0, started.stderr
    add_producer(repo)
    checked = run(ocop, "validate", cwd=repo, env=env)
    assert checked.returncode == 0 and "0 error(s)" in checked.stdout, checked.stdout
    built = run(ocop, "build", cwd=repo, env=env)
    assert built.returncode == 0, built.stderr[-3000:]
    site = repo / "site"
    assert (site / "products" / "che-ta-van" / "index.html").is_file()
    assert (site / "assets" / "ocop.css").is_file()  # the packaged theme's assets
    assert list((site / "print" / "products").glob("*.pdf"))  # the packaged fonts
    offenders = [(rel, word) for rel, text in _outputs(site) for word in SAMPLE_WORDS
                 if word in text]
    assert offenders == []
