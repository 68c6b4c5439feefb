"""``ocop serve`` benchmark: how soon an edited price shows in the preview.

    python benchmarks/bench_serve.py -n 1000 --edits 5

Generates a synthetic catalog of N products (benchmarks/synthetic.py), starts
``ocop serve`` on a free port, waits for the first build, then raises one product's
price EDITS times, a few seconds apart, the way an editor saves a file, and prints
for each edit the seconds until the product page served over HTTP shows the new price
(the page polled every 50 ms: what a browser reloaded by the live-reload script would
get), with the first build's time and the median; and, for each, when the build that
follows the pages' (the feeds and print assets) was over, as its log line tells. Figures,
not pass/fail: README.md discusses the target.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_catalog  # noqa: E402

EPOCH = "1796083200"  # 2026-12-01, as in bench_build.py


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--products", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="keep the synthetic repo here")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="ocop-bench-serve-"))
    root = work / "repo"
    if not (root / "site_config.yml").is_file():
        make_catalog(root, args.products)
    record = sorted((root / "products").glob("*/*/product.yml"))[0]
    port = _free_port()
    url = f"http://127.0.0.1:{port}/products/{record.parent.name}/"
    ocop = Path(sys.executable).with_name("ocop")
    log = open(work / "serve.log", "wb")
    start = time.perf_counter()
    process = subprocess.Popen([str(ocop), "serve", "-a", f"127.0.0.1:{port}"], cwd=root,
                               env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while "</html>" not in _get(url):
            if process.poll() is not None:
                sys.exit(f"ocop serve stopped; see {work / 'serve.log'}")
            time.sleep(0.1)
        print(f"synthetic catalog      {args.products} products in {root}")
        print(f"first build, served    {time.perf_counter() - start:8.2f} s")
        seconds, rest = [], []
        done = "the feeds and print assets are up to date too"
        for i in range(args.edits):
            time.sleep(3)  # the edits of a person, not of a script
            text = record.read_text(encoding="utf-8")
            amount = 500_000 + 1_000 * i + int(time.time()) % 997
            changed, found = re.subn(r"amount: \d+", f"amount: {amount}", text, count=1)
            if not found:
                sys.exit(f"no price to change in {record}")
            record.write_text(changed, encoding="utf-8")
            edited = time.perf_counter()
            while f'"price":"{amount}"' not in _get(url):
                if time.perf_counter() - edited > 300:
                    sys.exit("the edit did not show within 300 s")
                time.sleep(0.05)
            seconds.append(time.perf_counter() - edited)
            while (work / "serve.log").read_text(encoding="utf-8", errors="replace").count(
                    done) <= i:
                if time.perf_counter() - edited > 300:
                    sys.exit("the feeds and print assets were not made within 300 s")
                time.sleep(0.02)
            rest.append(time.perf_counter() - edited)
            print(f"edit {i + 1} shown after     {seconds[-1]:8.2f} s"
                  f"   (feeds and print assets {rest[-1]:5.2f} s)")
        print(f"median                 {statistics.median(seconds):8.2f} s"
              f"   (feeds and print assets {statistics.median(rest):5.2f} s)")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
