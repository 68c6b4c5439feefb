"""Instructions one ``ocop serve`` rebuild executes: a count that does not drift.

    python benchmarks/count_rebuild.py -n 1000

Wall and CPU times of a rebuild on a shared machine move by more than a change of a tenth
of a second makes (docs/performance.md, "2026-12-06, evening"); an instruction count does
not. Generates a synthetic catalog of N products (benchmarks/synthetic.py), then runs, under
``valgrind --tool=callgrind`` with counting off, what ``ocop serve`` does: a first build into
the preview folder, a price changed and built again; then counting is switched on
(``callgrind_control``), the price changed once more and built, and the instructions of that
rebuild are printed. Everything runs in one process (the page and feed workers' work too:
forking is switched off), so that every instruction is counted, in every process it would
have run in. Needs valgrind (Debian's package). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import EPOCH, change_one_product  # noqa: E402
from synthetic import make_catalog  # noqa: E402

READY = "counting may start"


def child(root: Path, go: Path) -> None:
    """In valgrind: the builds (the first two uncounted), as ``ocop serve`` runs them."""
    import importlib
    import pkgutil

    import ocop_catalog

    for info in pkgutil.walk_packages(ocop_catalog.__path__, "ocop_catalog."):
        if ".starter" in info.name or ".theme" in info.name:
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "can_fork"):
            module.can_fork = lambda: False  # every worker's work in this process
    from ocop_catalog.build import build_site
    from ocop_catalog.parallel import unfreeze

    def build() -> None:
        build_site(root / "site_config.yml", root / ".cache/ocop/preview",
                   site_url="http://127.0.0.1:8000/", own=True)
        unfreeze()

    build()
    change_one_product(root)
    build()
    print(READY, flush=True)
    while not go.exists():
        time.sleep(0.1)
    change_one_product(root)
    build()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--products", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, help="keep the synthetic repo here")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ocop-count-rebuild-"))
    root = work / "repo"
    if not (root / "site_config.yml").is_file():
        make_catalog(root, args.products)
    go, out, log = work / "count", work / "callgrind.out", work / "count.log"
    go.unlink(missing_ok=True)
    with open(log, "w", encoding="utf-8") as errors:  # the builds' log and valgrind's
        process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={out}", sys.executable, __file__, "--child", str(root),
             str(go)],
            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, stdout=subprocess.PIPE,
            stderr=errors, text=True)
        for line in process.stdout:
            if line.strip() == READY:
                subprocess.run(["callgrind_control", "-i", "on", str(process.pid)],
                               check=True, capture_output=True)
                go.touch()
                break
        process.stdout.read()
        done = process.wait()
    said = log.read_text(encoding="utf-8")
    found = re.search(r"Collected : (\d+)", said)
    if done != 0 or not go.exists() or found is None:
        sys.exit(f"the builds failed before the count; see {log}")
    print(f"synthetic catalog      {args.products} products in {root}")
    print(f"one price rebuild      {int(found.group(1)) / 1e9:.3f} billion instructions "
          "(one process, as ocop serve runs it, the workers' work in it)")


if __name__ == "__main__":
    main()
