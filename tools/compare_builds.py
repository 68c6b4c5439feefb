"""Build a catalog and compare the site with a reference build, file by file.

    python tools/compare_builds.py save  REF_DIR  [--products N]   # build and keep as reference
    python tools/compare_builds.py check REF_DIR  [--products N]   # build again and compare

Without ``--products`` the repository's sample catalog is built; with it, a synthetic
catalog of N products (benchmarks/synthetic.py, the benchmark's catalog). The build date
is fixed (SOURCE_DATE_EPOCH), so two builds of the same input must be byte-identical.
For a refactor that should not change what the build writes: save before, check after.
Files that differ are listed (at most 20 shown); the exit code is 1 when any differ.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EPOCH = "1796083200"  # 2026-12-01


def build(products: int | None, site: Path) -> None:
    """Build the sample (or a synthetic catalog) into ``site``."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    ocop = Path(sys.executable).with_name("ocop")
    if products is None:
        root = REPO
    else:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from synthetic import make_catalog

        root = Path(tempfile.mkdtemp(prefix="ocop-compare-"))
        make_catalog(root / "catalog-repo", products)
        root = root / "catalog-repo"
    if site.exists():
        shutil.rmtree(site)
    try:
        subprocess.run([str(ocop), "build", "-d", str(site)], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except subprocess.CalledProcessError as exc:
        sys.exit(f"the build failed:\n{exc.stderr[-3000:]}")
    finally:
        if products is not None:
            shutil.rmtree(root.parent, ignore_errors=True)


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def compare(reference: Path, site: Path,
            names: tuple[str, str] = ("the reference", "the new build")) -> list[str]:
    """Paths that are only on one side (the sides called ``names``) or differ in
    content."""
    old, new = files(reference), files(site)
    problems = [f"only in {names[0]}: {p}" for p in sorted(old - new)]
    problems += [f"only in {names[1]}: {p}" for p in sorted(new - old)]
    problems += [f"differs: {p}" for p in sorted(old & new)
                 if not filecmp.cmp(reference / p, site / p, shallow=False)]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("reference", type=Path)
    parser.add_argument("--products", type=int, help="a synthetic catalog of N products")
    args = parser.parse_args()
    reference = args.reference.resolve()
    if args.action == "save":
        build(args.products, reference)
        print(f"reference: {len(files(reference))} files in {reference}")
        return 0
    with tempfile.TemporaryDirectory(prefix="ocop-compare-site-") as tmp:
        site = Path(tmp) / "site"
        build(args.products, site)
        problems = compare(reference, site)
        for line in problems[:20]:
            print(line)
        if len(problems) > 20:
            print(f"... and {len(problems) - 20} more")
        print(f"{len(files(site))} files, {len(problems)} differences")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
