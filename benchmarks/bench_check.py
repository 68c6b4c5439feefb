"""Pull-request check benchmark: the commands the starter's ``pull-request.yml`` runs, timed
on a synthetic catalog of N products.

    python benchmarks/bench_check.py -n 10000 [--workdir DIR]

The catalog is committed and built (the last publish run: its site and cache folder are
what the check restores), then a pull request changes one product's price and adds a
product (a copy of another under a new id: it has no decision of the office yet, so it is
validated and summarised but not published), and each step of the check runs in turn,
as the workflow runs them: ``ocop validate --base``, ``ocop diff``, keeping the restored
site (``cp -al``), ``ocop build`` and ``ocop preview``, with the size of what the check
uploads against the whole site it uploaded before. The steps run on the machine that
built the published site, on its build day: a build on a fresh runner, where the cache
is restored into a new checkout, is ``bench_build.py``'s (its "fresh runner" figures);
``ocop codeowners --check``, the cache's restore and the uploads are not timed. Figures,
not pass/fail (README.md, "Performance").
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import EPOCH, change_one_product, commit, edit_options, git  # noqa: E402
from synthetic import make_catalog  # noqa: E402


def run(root: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    ocop = Path(sys.executable).with_name("ocop")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    os.sync()
    start = time.perf_counter()
    done = subprocess.run([str(ocop), *args], cwd=root, env=env, capture_output=True,
                          text=True)
    return time.perf_counter() - start, done


def size(folder: Path) -> tuple[int, int]:
    """Files and bytes under ``folder`` (each file counted, hard links or not)."""
    files = total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            files += 1
            total += path.stat().st_size
    return files, total


def add_product(root: Path) -> str:
    """A copy of the last product under a new id, in the same producer's folder."""
    source = sorted((root / "products").glob("*/*/product.yml"))[-1].parent
    new = source.with_name(source.name + "-moi")
    shutil.copytree(source, new)
    record = new / "product.yml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace(f"id: {source.name}", f"id: {new.name}", 1),
                      encoding="utf-8")
    return new.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--products", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, help="keep the synthetic repo here")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ocop-check-"))
    root = work / "repo"
    print(f"synthetic catalog: {args.products} products in {root}")
    make_catalog(root, args.products)
    edit_options(root / "site_config.yml", listing_page_size=None)
    commit(root, "published")
    from ocop_catalog.init import STARTER  # the .gitignore 'ocop init' writes

    shutil.copyfile(STARTER / "gitignore.txt", root / ".gitignore")
    commit(root, "the built site ignored")
    time.sleep(2.2)  # files written in the last two seconds are read again once settled
    seconds, done = run(root, "build")
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"publish build (cold)   {seconds:8.1f} s")
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          text=True, check=True).stdout.strip()
    git(root, "checkout", "-q", "-b", "pull-request")
    changed, added = change_one_product(root), add_product(root)
    commit(root, "pull request")
    print(f"pull request: the price of {changed}, a new product {added}")
    steps: list[tuple[str, tuple[str, ...]]] = [
        ("ocop validate --base", ("validate", "--format", "github", "--base", base)),
        ("ocop diff", ("diff", base, "HEAD")),
    ]
    for name, command in steps:
        seconds, done = run(root, *command)
        print(f"{name:22s} {seconds:8.1f} s   (exit {done.returncode})")
    before = work / "site-before"
    shutil.rmtree(before, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(["cp", "-al", str(root / "site"), str(before)], check=True)
    print(f"{'cp -al site':22s} {time.perf_counter() - start:8.1f} s")
    seconds, done = run(root, "build")
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"{'ocop build':22s} {seconds:8.1f} s")
    preview = work / "site-preview"
    shutil.rmtree(preview, ignore_errors=True)
    seconds, done = run(root, "preview", "--site", "site", "--before", str(before), "--into",
                        str(preview))
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"{'ocop preview':22s} {seconds:8.1f} s")
    kept, kept_bytes = size(preview)
    whole, whole_bytes = size(root / "site")
    print(f"uploaded: the preview  {kept:8d} files {kept_bytes / 1e6:8.1f} MB   "
          f"(the whole site: {whole} files, {whole_bytes / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
