"""Build benchmark: a synthetic catalog of N products, built cold and again.

    python benchmarks/bench_build.py -n 10000

Prints the cold build time, the time per page, the CPU time (user and system apart), the
cold build's peak memory of the largest build process, the no-op rebuild time (same input,
warm caches), the rebuild after a one-product change (a price: once right after the cold
build, without a spare, then again, as every later build runs, with how long each light
output and print took in its worker beside the pages), after a price moved across
the listings' price filters (every page of the product's listings shows new filter counts)
and after a change to a template every product page uses (incremental: files whose inputs
did not change are taken over), the CPU time of the one-product changes, a build on the
next day with nothing changed (the nightly build: product and lot pages state the day they
were checked, and are written from the previous day's with the new day's text), the site's
size and media per product, and the compressed transfer size of a product page's first
view on a phone (HTML, CSS, JS and the main photo a 360 px wide, 2x screen picks). Then
the same catalog as the starter's GitHub Actions workflows build it, each run on a fresh
runner (a fresh checkout, the cache folder and site restored from the last run's cache
entry): a pull request's one-price change and the next nightly build.
Figures, not pass/fail: targets are discussed in README.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_catalog  # noqa: E402

EPOCH = "1796083200"  # 2026-12-01, so certificate statuses do not depend on the day


#: What the last run_build logged: files taken over from the previous build, keyed files.
TAKEN: list[tuple[int, int]] = []
#: The CPU time (user and system, every process) of the last run_build.
CPU: list[float] = []
#: Files the last build wrote again for its day from the previous day's (see run_build).
REDATED: list[int] = []
#: The log (stderr) of the last run_build.
LOG: list[str] = []
#: What the last run_build logged of its light outputs (and of print, made beside the
#: pages): each one's seconds in its worker, as the log says them.
LIGHT: list[str] = []


def run_build(root: Path, site: Path, epoch: str = EPOCH) -> tuple[float, dict[str, float]]:
    """Run ``ocop build`` in ``root`` on the build day ``epoch``: wall-clock seconds, and the
    catalog phases it logged."""
    ocop = Path(sys.executable).with_name("ocop")
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    os.sync()  # flush earlier writes (the synthetic catalog) so they do not slow this build
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(ocop), "build", "-d", str(site)], cwd=root, env=env, check=True,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    LOG[:] = [done.stderr]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[:] = [after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime]
    line = next((x for x in done.stderr.splitlines() if "catalog:" in x), "")
    phases = {name: float(value) for name, value in re.findall(r"(\w+) ([\d.]+)s", line)}
    found = re.search(r"incremental: (\d+) of (\d+) keyed files", done.stderr)
    TAKEN[:] = [(int(found.group(1)), int(found.group(2))) if found else (0, 0)]
    found = re.search(r"(\d+) written again for the build day", done.stderr)
    REDATED[:] = [int(found.group(1)) if found else 0]
    found = re.search(r"feeds: \d+ files, done [\d.]+ s after the other outputs \(([^)]*)\)"
                      r"(?:; print: \d+ files, beside the pages \(([\d.]+ s)\))?", done.stderr)
    LIGHT[:] = [found.group(1) + (f"; print beside the pages {found.group(2)}"
                                  if found.group(2) else "")] if found else []
    return seconds, phases


def change_one_product(root: Path) -> str:
    """Raise the price of one product (the first); its id."""
    path = sorted((root / "products").glob("*/*/product.yml"))[0]
    text = path.read_text(encoding="utf-8")
    amount = re.search(r"amount: (\d+)", text)
    path.write_text(text.replace(amount.group(0), f"amount: {int(amount.group(1)) + 5000}", 1),
                    encoding="utf-8")
    return path.parent.name


def change_price_across(root: Path) -> str:
    """Move the first product's price across the listings' price limits (beyond the
    largest, or back under the smallest): every page of its listings shows new filter
    counts. Its new price."""
    path = sorted((root / "products").glob("*/*/product.yml"))[0]
    text = path.read_text(encoding="utf-8")
    amount = re.search(r"amount: (\d+)", text)
    new = 2_000_000 if int(amount.group(1)) <= 1_000_000 else 40_000
    path.write_text(text.replace(amount.group(0), f"amount: {new}", 1), encoding="utf-8")
    return f"{new:,} đồng"


def change_template(root: Path, name: str = "ocop/partials/passport.html") -> str:
    """Override one of the theme's templates with a changed copy (an attribute added)."""
    from ocop_catalog.edition.theme import PACKAGED

    text = (PACKAGED / name).read_text(encoding="utf-8")
    target = root / "overrides" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace("<section", '<section data-changed="1"', 1), encoding="utf-8")
    return name


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost",
                    "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   cwd=root, check=True, capture_output=True)


def commit(root: Path, message: str) -> None:
    """Commit everything in the catalog ``root`` (a git repository from the first call;
    its cache folder ignored, as ``ocop init`` has it)."""
    if not (root / ".git").is_dir():
        (root / ".gitignore").write_text(".cache/\n", encoding="utf-8")
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def on_a_fresh_runner(root: Path, site: Path, epoch: str, change: Callable[[Path], str]
                      ) -> tuple[float, float, tuple[int, int], str, int]:
    """A build as a GitHub Actions run of the starter's workflows makes it (a pull request's
    preview, or a push's or the nightly publish, which saves the entry the next run
    restores): the catalog checked out afresh at the same path, its cache folder and site
    restored as ``actions/cache`` restores them (one tar in POSIX format: names, sizes and
    modification times to the nanosecond kept, inodes and change times new), no spare
    beside the site, then ``change`` made and ``ocop build``. The catalog as committed is
    what the last build built. Here the site is a sibling of the catalog's folder (the
    starter builds ``site/`` inside the checkout; the build's record is kept by the site's
    absolute path either way). Seconds, CPU seconds, keyed files taken over and of them,
    what ``change`` said and how many files were written from the day before's."""
    commit(root, "published")
    entry = root.parent / "cache-entry.tar"
    subprocess.run(["tar", "--posix", "-cf", str(entry), "-C", str(root.parent),
                    f"{root.name}/.cache", site.name], check=True)
    published = root.with_name(root.name + ".published")
    shutil.rmtree(published, ignore_errors=True)
    root.rename(published)
    shutil.rmtree(site)
    shutil.rmtree(site.with_name(f".{site.name}.spare"), ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(published), str(root)], check=True)
    shutil.rmtree(published)  # before the entry is extracted: the disk holds one copy
    subprocess.run(["tar", "-xf", str(entry), "-C", str(root.parent)], check=True)
    entry.unlink()
    said = change(root)
    seconds, _ = run_build(root, site, epoch)
    # kept beside the catalog, for where the time went
    (root.parent / f"fresh-runner-{epoch}.log").write_text(LOG[0], encoding="utf-8")
    return seconds, CPU[0], TAKEN[0], said, REDATED[0]


def site_size(site: Path) -> tuple[int, int, int, int]:
    """(files, bytes) of the whole site and of its media/ folder."""
    files = size = media_files = media = 0
    for path in site.rglob("*"):
        if path.is_file():
            n = path.stat().st_size
            files += 1
            size += n
            if path.relative_to(site).parts[0] == "media":
                media_files += 1
                media += n
    return files, size, media_files, media


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def first_view_bytes(site: Path, page: Path) -> dict[str, int]:
    """Compressed bytes of what a 360 px, 2x phone loads for a product page's first view."""
    html = page.read_text(encoding="utf-8")
    sizes = {"html": gz(page)}
    for kind, pattern in (("css", r'<link rel="stylesheet" href="([^"]+)"'),
                          ("js", r'<script src="([^"]+)"')):
        sizes[kind] = sum(gz((page.parent / m).resolve()) for m in re.findall(pattern, html))
    srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', html)
    if srcset:
        candidates = [c.strip().rsplit(" ", 1) for c in srcset.group(1).split(",")]
        wanted = [(int(w[:-1]), u) for u, w in candidates]
        width, url = min((c for c in wanted if c[0] >= 720), default=max(wanted))
        sizes["photo"] = (page.parent / url).resolve().stat().st_size  # already compressed
    sizes["total"] = sum(sizes.values())
    return sizes


def search_budget(site: Path) -> str:
    """The most a visitor downloads (compressed) before the first result appears: the
    entry file, one term shard per word of a six-word query and one document chunk per
    result shown (20), each the largest of its kind, in the largest language."""
    worst = ""
    worst_bytes = 0
    for folder in sorted((site / "search-index").iterdir()):
        entry = gz(folder / "index.json")
        shards = sorted((gz(p) for p in (folder / "t").iterdir()), reverse=True)
        chunks = sorted((gz(p) for p in (folder / "d").iterdir()), reverse=True)
        total = entry + sum(shards[:6]) + sum(chunks[:20])
        if total > worst_bytes:
            worst_bytes = total
            worst = (f"{len(shards)} shards in {folder.name}; at most {total / 1e6:.2f} MB "
                     f"before the first result (largest shard {shards[0] / 1024:.0f} KB, "
                     f"chunk {chunks[0] / 1024:.0f} KB, compressed)")
    return worst


def edit_options(config_file: Path, **options) -> None:
    """Set (or, given None, remove) ``ocop`` plugin options in ``config_file``."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "ocop" in entry:
            for key, value in options.items():
                if value is None:
                    entry["ocop"].pop(key, None)
                else:
                    entry["ocop"][key] = value
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


#: Print assets and every feed switched off: the site alone.
SITE_ONLY = {
    "print_assets": {"enabled": False},
    "feeds": {**{key: {"enabled": False} for key in
                 ("google", "meta", "atom", "sales_points", "kiosk")},
              "catalog": False, "exports": []},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--products", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, help="keep the synthetic repo here")
    parser.add_argument("--site-only", action="store_true",
                        help="switch print assets and feeds off: time the site alone")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    root = work / "repo"
    print(f"synthetic catalog: {args.products} products in {root}")
    make_catalog(root, args.products)
    # the sample sets a small listing_page_size to show its pager; a real catalog keeps
    # the default (48 cards a page)
    edit_options(root / "site_config.yml", listing_page_size=None,
                 **(SITE_ONLY if args.site_only else {}))
    # a catalog is a git repository from its start (``ocop init``): its builds record what
    # git says its files hold, which a build on a fresh runner goes by
    commit(root, "the synthetic catalog")
    time.sleep(2.2)  # files written in the last two seconds are read again once settled
    site = work / "site"

    cold, phases = run_build(root, site)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024
    # apart: the system time moves with the state of the disk (ext4's search for a free
    # inode past lately deleted ones, docs/performance.md), the user time with the code
    user_cpu, system_cpu = usage.ru_utime, usage.ru_stime
    cpu = user_cpu + system_cpu
    # permanent-link pages (QR short links, GS1 paths, poster links) only send the
    # visitor on: counted apart, not as catalog pages
    redirects = sum(1 for top in ("q", "01", "s") for _ in (site / top).glob("*/index.html"))
    pages = sum(1 for _ in site.rglob("index.html")) - redirects
    # second and later pages of long listings (products/page/2/, ...)
    more_pages = sum(1 for _ in site.rglob("page/*/index.html"))
    noop, _ = run_build(root, site)
    product = next((site / "products").glob("*/index.html"))
    weight = first_view_bytes(site, product)
    files, size, media_files, media = site_size(site)
    # the first rebuild after a cold build has no spare to claim (ocop_catalog/build.py):
    # it makes one of hard links to the published site's files; every later one updates
    # the site the build before replaced
    change_one_product(root)
    first, first_phases = run_build(root, site)
    changed = change_one_product(root)
    one, one_phases = run_build(root, site)
    one_taken, one_cpu, one_light = TAKEN[0], CPU[0], LIGHT[:]
    # a price beyond the listings' price filters: the filter counts every page of the
    # product's listings shows change, so those pages are made again (their cards read
    # from the cards earlier builds kept)
    crossed = change_price_across(root)
    across, across_phases = run_build(root, site)
    across_taken, across_cpu = TAKEN[0], CPU[0]
    # the nightly build: nothing changed but the build day (product and lot pages state the
    # day they were checked: written from the previous day's with the day's text)
    next_day = str(int(EPOCH) + 86_400)
    nightly, nightly_phases = run_build(root, site, next_day)
    nightly_taken, nightly_redated = TAKEN[0], REDATED[0]
    template = change_template(root)  # on that day
    shared, shared_phases = run_build(root, site, next_day)
    shared_taken = TAKEN[0]
    # the same catalog on GitHub Actions (the starter's workflows): a fresh checkout with
    # the cache folder and site restored from the last publish run's cache entry; a pull
    # request's preview of a price change, then the nightly build of the day after. With
    # the theme as packaged, as the template change found it (a page drawn by an override
    # keeps the day in its key: it is made again every day, not written from the day
    # before's)
    (root / "overrides" / template).unlink()
    run_build(root, site, next_day)
    runner = on_a_fresh_runner(root, site, next_day, change_one_product)
    later = str(int(next_day) + 86_400)
    runner_nightly = on_a_fresh_runner(root, site, later, lambda _: "nothing changed")

    print(f"pages written          {pages}   (of which {more_pages} are listings' further pages;"
          f" and {redirects} permanent-link pages)")
    print(f"cold build             {cold:8.1f} s")
    print(f"time per page          {cold / pages * 1000:8.2f} ms   "
          f"({cold / (pages - more_pages) * 1000:.2f} ms not counting listings' further pages)")
    print(f"CPU time (all cores)   {cpu:8.1f} s   ({cpu / cold:.2f} cores busy on average; "
          f"user {user_cpu:.1f} s, system {system_cpu:.1f} s)")
    print(f"search index           {search_budget(site)}")
    print("  catalog phases       " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    print(f"peak memory (largest)  {peak_mb:8.0f} MB")
    print(f"no-op rebuild          {noop:8.1f} s")
    print(f"first change (no spare){first:8.1f} s   ({first / cold:.1%} of the cold build; "
          "its spare made of the published site's files)")
    print("  catalog phases       " + ", ".join(f"{k} {v:.1f} s" for k, v in first_phases.items()))
    print(f"one-product change     {one:8.1f} s   ({one / cold:.1%} of the cold build; price of "
          f"{changed}; {one_taken[0]} of {one_taken[1]} keyed files taken over; CPU "
          f"{one_cpu:.1f} s)")
    print("  catalog phases       " + ", ".join(f"{k} {v:.1f} s" for k, v in one_phases.items()))
    if one_light:  # in worker processes beside the pages from 300 products, else after them
        print(f"  light outputs        {one_light[0]}")
    print(f"price across a limit   {across:8.1f} s   ({across / cold:.1%} of the cold build; "
          f"{crossed}; {across_taken[0]} of {across_taken[1]} keyed files taken over; CPU "
          f"{across_cpu:.1f} s)")
    print("  catalog phases       "
          + ", ".join(f"{k} {v:.1f} s" for k, v in across_phases.items()))
    print(f"shared template change {shared:8.1f} s   ({shared / cold:.1%} of the cold build; "
          f"{template}, on every product page; {shared_taken[0]} of {shared_taken[1]} keyed "
          "files taken over)")
    print("  catalog phases       "
          + ", ".join(f"{k} {v:.1f} s" for k, v in shared_phases.items()))
    print(f"next day, no change    {nightly:8.1f} s   ({nightly / cold:.1%} of the cold build; "
          f"{nightly_taken[0]} of {nightly_taken[1]} keyed files taken over, "
          f"{nightly_redated} written again for the day)")
    print("  catalog phases       "
          + ", ".join(f"{k} {v:.1f} s" for k, v in nightly_phases.items()))
    for name, (seconds, used, taken, said, redated) in (("one-product change", runner),
                                                        ("next day, no change",
                                                         runner_nightly)):
        print(f"fresh runner: {name:19s}{seconds:6.1f} s   ({seconds / cold:.1%} of the cold "
              f"build; {said}; {taken[0]} of {taken[1]} keyed files taken over"
              + (f", {redated} written again for the day" if redated else "")
              + f"; CPU {used:.1f} s)")
    print(f"site                   {files} files, {size / 1e6:.0f} MB; media {media_files} files, "
          f"{media / args.products / 1024:.0f} KB per product")
    print("product page first view (compressed): "
          + ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in weight.items()))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
