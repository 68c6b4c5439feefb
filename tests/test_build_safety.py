"""``ocop build`` never leaves no site, never publishes a half-built one, and knows when
it is really up to date (issue: hardening against hostile pull requests, §7).

Builds run as a user runs them: ``ocop build`` in a subprocess on a small scratch
catalog, interrupted with real signals (SIGKILL, Ctrl-C's SIGINT), on real file
systems that are full or read-only (small tmpfs mounts; skipped where this
machine cannot mount).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ocop_catalog import build as build_module
from ocop_catalog.housekeeping import committed, record_of
from scratch import GOODS_DECISION, GOODS_FILE, SERVICE, build_catalog, set_goods_price
from siteutil import (
    BUILD_EPOCH,
    REPO,
    build_log,
    build_ok,
    default_sigint,
    ocop_command,
    run_build,
    script_env,
    stop,
)

PAGE = Path("products") / "mat-ong-hoa-rung" / "index.html"


@pytest.fixture
def repo(tmp_path) -> Path:
    scratch = build_catalog(tmp_path / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    return scratch.root


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _dots(folder: Path) -> list[str]:
    """Hidden folders beside the site that a build left behind (but the spare, which the
    next build uses: tests/test_spare.py)."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith(".") and not p.name.endswith(".spare"))


def _wait_for_no_dots(folder: Path, seconds: float = 30) -> None:
    """Leftovers are deleted by a background process: wait for it."""
    deadline = time.monotonic() + seconds
    while _dots(folder):
        assert time.monotonic() < deadline, f"left behind: {_dots(folder)}"
        time.sleep(0.05)


def _start_build(repo: Path, site: Path) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    return subprocess.Popen([*ocop_command(), "build", "-d", str(site)], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)  # Ctrl-C as in a terminal


def _when_staging_has(site: Path, rel: str, process: subprocess.Popen) -> Path | None:
    """Wait until the build's staging folder holds ``rel``; the staging folder (None: the
    build ended before). (Named by
    the build's process: the folder of an earlier build, swapped out and being deleted in
    the background, keeps its staging name for a while.)"""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:  # it ended first (the caller finds out how)
            return None
        for path in site.parent.glob(f".{site.name}.building-{process.pid}-*"):
            if (path / rel).exists():
                return path
        time.sleep(0.005)
    raise AssertionError("the build never wrote into a staging folder")


def _published_then_changed(repo: Path, site: Path) -> dict[str, bytes]:
    """Build ``site``, then change a price: what the site held before the next build."""
    build_ok(repo, site)
    before = _tree(site)
    record = repo / GOODS_FILE
    record.write_text(record.read_text(encoding="utf-8").replace("amount: 250000",
                                                                 "amount: 260000"),
                      encoding="utf-8")
    return before


def _break_an_input(repo: Path) -> None:
    """Nine stars for the goods, in the decision that recognises it."""
    record = repo / GOODS_DECISION
    record.write_text(record.read_text(encoding="utf-8").replace("stars: 4", "stars: 9"),
                      encoding="utf-8")


# --------------------------------------------------------------------------
# The swap
# --------------------------------------------------------------------------


def test_the_swap_is_one_step_where_the_system_has_one(tmp_path):
    old, new = tmp_path / "site", tmp_path / ".site.building-1-x"
    (old / "a").mkdir(parents=True)
    (new / "b").mkdir(parents=True)
    if not build_module._exchange(new, old):
        pytest.skip("this file system cannot exchange two folders")
    assert (old / "b").is_dir() and (new / "a").is_dir()


def test_a_swap_cut_short_is_mended_before_anything_else(repo, tmp_path):
    """Killed between the two renames of the fallback swap: no site, the old one beside
    it. The next build puts it back first, so even a failed build leaves a site."""
    site = tmp_path / "site"
    build_ok(repo, site)
    before = _tree(site)
    os.replace(site, tmp_path / ".site.old-4242-deadbeef")
    _break_an_input(repo)
    result = run_build(repo, site)
    assert result.returncode == 1, result.stderr
    assert _tree(site) == before, "the old site was not put back"


def test_killed_builds_leave_the_site_and_their_staging_folders_are_removed(repo, tmp_path):
    site = tmp_path / "site"
    before = _published_then_changed(repo, site)
    killed = 0
    for _ in range(_ATTEMPTS):
        process = _start_build(repo, site)
        _when_staging_has(site, "index.html", process)
        if not _stopped_before_publishing(process, site, before):
            _built_all_the_same(process, repo, site)
            before = _tree(site)
            continue
        process.kill()
        process.communicate(timeout=120)
        assert _tree(site) == before, "a killed build changed the published site"
        killed += 1
        if killed == 3:
            break
    assert killed == 3, f"{_ATTEMPTS} builds, {killed} killed: the others ended first"
    assert len([n for n in _dots(tmp_path) if ".building-" in n]) >= 1
    # a staging folder of a build that is still running is left alone
    running = subprocess.Popen(["sleep", "60"])
    alive = tmp_path / f".site.building-{running.pid}-abcd"
    alive.mkdir()
    try:
        build_ok(repo, site)
        assert f"{_price(repo) // 1000}.000" in (site / PAGE).read_text(encoding="utf-8")
        deadline = time.monotonic() + 30
        while [n for n in _dots(tmp_path) if n != alive.name]:
            assert time.monotonic() < deadline, f"left behind: {_dots(tmp_path)}"
            time.sleep(0.05)
        assert alive.is_dir()
    finally:
        running.kill()
        running.wait()


def test_ctrl_c_ends_with_one_line_and_the_previous_site(repo, tmp_path):
    site = tmp_path / "site"
    before = _published_then_changed(repo, site)
    for _ in range(_ATTEMPTS):
        process = _start_build(repo, site)
        _when_staging_has(site, "index.html", process)
        if _stopped_before_publishing(process, site, before):
            process.send_signal(signal.SIGINT)
            os.kill(process.pid, signal.SIGCONT)
        out, err = _built_all_the_same(process, repo, site, interrupted=True)
        if out is not None:
            before = _tree(site)
            continue
        assert process.returncode == 130, err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert "ocop build: interrupted; nothing was built, the previous site is unchanged" in err
        assert _tree(site) == before
        _wait_for_no_dots(tmp_path)
        return
    pytest.fail(f"{_ATTEMPTS} builds each ended before their Ctrl-C")


def test_ctrl_c_while_the_site_is_swapped_in_publishes_it_and_says_so(repo, tmp_path):
    """Ctrl-C between the swap and the build's record of it: the build finishes first,
    says the site was built, and the next build knows it is up to date (a swapped site
    left unrecorded was called unchanged, and the build after took nothing over)."""
    site = tmp_path / "site"
    _published_then_changed(repo, site)
    script = (
        "import os, signal, sys, threading\n"
        "from ocop_catalog import build, cli\n"
        "swap = build._swap\n"
        "def swap_then_ctrl_c(staging, target):\n"
        "    replaced = swap(staging, target)\n"
        "    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)\n"
        "    return replaced\n"
        "build._swap = swap_then_ctrl_c\n"
        f"sys.exit(cli.main(['build', '-d', {str(site)!r}]))\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    done = subprocess.run([sys.executable, "-c", script], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300, check=False,
                          preexec_fn=default_sigint)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert ("ocop build: interrupted as the new site was being published; it was finished "
            f"first: the site is built in {site}") in done.stderr
    assert "260.000" in (site / PAGE).read_text(encoding="utf-8")
    assert "is up to date (no input changed)" in run_build(repo, site).stdout


#: Builds started to interrupt a few: on a small catalog a build can end before it is
#: stopped (a busy machine runs the test late), then it is tried again with a new price.
_ATTEMPTS = 8


def _stopped_before_publishing(process: subprocess.Popen, site: Path,
                               before: dict[str, bytes]) -> bool:
    """Stop the build; whether it has not published yet (``site`` holds ``before``). If
    it has, or it ended, it is let go on."""
    if not stop(process):
        return False
    if _tree(site) == before:
        return True
    os.kill(process.pid, signal.SIGCONT)
    return False


def _built_all_the_same(process: subprocess.Popen, repo: Path, site: Path,
                        interrupted: bool = False) -> tuple[str | None, str]:
    """Wait for the build; when it built the whole site (it ended first, or its Ctrl-C
    came while it was publishing), assert so and raise the price for the next attempt:
    its output, else None and its log."""
    out, err = process.communicate(timeout=120)
    if process.returncode == 0:
        assert "Site built in" in out, err
    elif interrupted and "interrupted as the new site was being published" in err:
        assert process.returncode == 130, err
    else:
        assert interrupted, f"the build was not stopped but failed: {err}"
        return None, err
    price = _price(repo)
    assert f"{price // 1000}.000" in (site / PAGE).read_text(encoding="utf-8")
    set_goods_price(repo, price + 10000)
    return out, err


def _price(repo: Path) -> int:
    """The goods' price in its record."""
    found = re.search(r"amount: (\d+)", (repo / GOODS_FILE).read_text(encoding="utf-8"))
    assert found
    return int(found[1])


# --------------------------------------------------------------------------
# Full disks and read-only folders (real mounts)
# --------------------------------------------------------------------------


def _mount(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def mounts():
    mounted: list[Path] = []
    yield mounted
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("options, reason", [
    ("size=64k", "No space left on device"),
    ("ro,size=64k", "Read-only file system"),
])
def test_a_full_or_read_only_disk_ends_with_one_line(repo, tmp_path, mounts, options, reason):
    folder = tmp_path / "disk"
    _mount(folder, options)
    mounts.append(folder)
    result = run_build(repo, folder / "site")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ocop build: ") and reason in last, result.stderr
    assert last.endswith("nothing was built, the previous site is unchanged")


# --------------------------------------------------------------------------
# Up to date: by content, and only with the site the last build wrote
# --------------------------------------------------------------------------


def _build_says(repo: Path, site: Path) -> str:
    result = run_build(repo, site)
    assert result.returncode == 0, result.stderr
    return "built" if "Site built in" in result.stdout else "skipped"


def test_up_to_date_means_same_contents_and_the_same_site(repo, tmp_path):
    site = tmp_path / "site"
    assert _build_says(repo, site) == "built"
    assert _build_says(repo, site) == "skipped"

    # an input edited with its size and modification time kept
    record = repo / GOODS_FILE
    stat = record.stat()
    text = record.read_text(encoding="utf-8")
    assert "amount: 250000" in text
    record.write_text(text.replace("amount: 250000", "amount: 260000"), encoding="utf-8")
    os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert record.stat().st_size == stat.st_size
    assert _build_says(repo, site) == "built"
    assert "260.000" in (site / PAGE).read_text(encoding="utf-8")
    assert _build_says(repo, site) == "skipped"

    # a page of the published site deleted, or damaged
    (site / PAGE).unlink()
    assert _build_says(repo, site) == "built"
    assert (site / PAGE).is_file()
    (site / PAGE).write_text("damaged", encoding="utf-8")
    assert _build_says(repo, site) == "built"
    assert "260.000" in (site / PAGE).read_text(encoding="utf-8")
    assert _build_says(repo, site) == "skipped"


def _as_if_large(repo: Path, site: Path) -> None:
    """Make the record of ``site``'s last build say it had more files than
    :data:`WALK_PARALLEL_FROM`: the next build walks the site in forked processes, beside
    the build when an input changed, as it does at 10,000 products."""
    record = record_of(repo, site.resolve())
    state = json.loads(record.read_text(encoding="utf-8"))
    state["files"] = build_module.WALK_PARALLEL_FROM
    record.write_text(json.dumps(state), encoding="utf-8")


def test_a_site_walked_beside_the_build_is_trusted_only_if_unchanged(repo, tmp_path):
    """On a large site, a build whose inputs changed goes on while the published site is
    walked, trusting it as recorded; the walk's result is checked before the swap. A site
    found as recorded: an incremental build (files kept from the spare). A site damaged
    since it was built: built again taking nothing over, with a warning. Either way, what
    a cold build of the same input makes."""
    site, cold = tmp_path / "site", tmp_path / "cold"
    build_log(repo, site)
    for amount in (260000, 270000):  # the second build has a spare
        _as_if_large(repo, site)
        set_goods_price(repo, amount)
        log = build_log(repo, site)
        assert "was changed since it was built" not in log and "building again" not in log
    taken = re.search(r"incremental: (\d+) of (\d+) keyed files", log)
    kept = re.search(r"spare site: (\d+) files kept", log)
    assert taken and kept, log[-3000:]
    assert int(kept.group(1)) == int(taken.group(1)) > int(taken.group(2)) / 2
    assert "270.000" in (site / PAGE).read_text(encoding="utf-8")
    build_log(repo, cold)
    assert _tree(site) == _tree(cold)

    # the published site damaged by hand (a page a price does not change), then an input
    # changed
    _as_if_large(repo, site)
    assert "mat-ong" not in (site / "404.html").read_text(encoding="utf-8")
    (site / "404.html").write_text("damaged", encoding="utf-8")
    set_goods_price(repo, 280000)
    log = build_log(repo, site)
    assert "the published site was changed since it was built" in log
    after = log.split("changed since it was built")[1]
    assert "spare site" not in after and "incremental:" not in after
    assert "280.000" in (site / PAGE).read_text(encoding="utf-8")
    _wait_for_no_dots(tmp_path)  # the discarded staging folder (the spare it was) is gone
    shutil.rmtree(cold)
    build_log(repo, cold)
    assert _tree(site) == _tree(cold)
    assert _build_says(repo, site) == "skipped"

    # a damaged spare and a published site changed by hand: the site's check comes first
    # (it explains a missing file too), one warning, built again taking nothing over
    for amount, damage in ((290000, False), (300000, True)):
        _as_if_large(repo, site)
        set_goods_price(repo, amount)
        if damage:
            spare = tmp_path / f".{site.name}.spare"
            kept = spare / "qr" / f"{SERVICE}.png"  # a file the price leaves as it was
            assert kept.is_file()
            kept.unlink()
            (site / "404.html").write_text("damaged", encoding="utf-8")
        log = build_log(repo, site)
    assert log.count("building again") == 1 and "was changed since it was built" in log
    assert "Traceback" not in log
    shutil.rmtree(cold)
    build_log(repo, cold)
    assert _tree(site) == _tree(cold)


def test_a_large_site_walked_in_two_processes_is_seen_as_in_one(repo, tmp_path):
    """A site of many files (as the last build counted them) is walked in forked
    processes, a top-level folder each (beside a build, which goes on meanwhile, at the
    lowest priority): the same digest and files, in the same order, as one process; an
    edit that keeps the size (not the time) is seen by both."""
    site = tmp_path / "site"
    assert _build_says(repo, site) == "built"
    (site / "top-level-file.txt").write_text("x", encoding="utf-8")  # a file at the top

    def walk(size: int, beside: bool = False) -> tuple[str | None, list[str]]:
        files: list[str] = []
        found = build_module._SiteWalk(site, True, size, beside=beside)
        assert (found._pool is not None) == (size >= build_module.WALK_PARALLEL_FROM)
        if found._pool is not None:  # os.nice(0): a process's niceness, unchanged
            base, niceness = os.nice(0), found._pool.apply(os.nice, (0,))
            if beside:  # lower, unless the suite runs at the lowest priority already
                assert niceness == min(19, base + build_module.WALK_NICENESS)
                assert niceness > base or base == 19
            else:  # a walk the build waits for at once: as this process
                assert niceness == base
        return found.result(files), files

    one, files = walk(0)
    assert walk(build_module.WALK_PARALLEL_FROM) == (one, files)
    assert walk(build_module.WALK_PARALLEL_FROM, beside=True) == (one, files)
    assert len(files) > 100 and "top-level-file.txt" in files and PAGE.as_posix() in files
    assert files == sorted(files, key=lambda rel: rel.split("/"))  # name order, folder by folder
    page = site / PAGE
    stat = page.stat()
    page.write_bytes(page.read_bytes().replace(b"<html", b"<HTML", 1))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert walk(build_module.WALK_PARALLEL_FROM)[0] == walk(0)[0] != one
    assert build_module._SiteWalk(tmp_path / "none", True, 10**9).result() is None


# --------------------------------------------------------------------------
# ocop serve's own preview
# --------------------------------------------------------------------------

_OWN_BUILDS = """
import json, sys
from pathlib import Path
from ocop_catalog import build
from ocop_catalog.parallel import unfreeze
from scratch import set_goods_price

walked = []
walk = build._SiteWalk
class Watched(walk):
    def __init__(self, target, with_files, size, **options):
        if not with_files:  # the walk of the published site (with_files: of the staging)
            walked.append(str(target))
        super().__init__(target, with_files, size, **options)
build._SiteWalk = Watched
repo, site, other = map(Path, sys.argv[1:4])
config = repo / "site_config.yml"
seen = []
def step(what):
    _, built = build.build_site(config, site, own=True)
    unfreeze()
    seen.append([what, built, len(walked)])
step("first")
set_goods_price(repo, 260000); step("price")
step("nothing")
set_goods_price(repo, 270000); step("price again")
# the disk fills as the record of a new preview is written: the preview is swapped, its
# record is the old one, so the next build walks it
remember = build._remember_build
def full_disk(record, state):
    build._remember_build = remember
    raise OSError(28, "No space left on device")
build._remember_build = full_disk
set_goods_price(repo, 265000)
try:
    step("record fails")
except OSError:
    seen.append(["record fails", "OSError", len(walked)])
step("after the failed record")
if other.name:  # another program's build of the folder: this process's trust is gone
    import subprocess
    set_goods_price(repo, 275000)
    subprocess.run(json.loads(sys.argv[4]), check=True, capture_output=True)
    set_goods_price(repo, 280000); step("after another build")
print(json.dumps(seen))
"""


def test_serve_trusts_the_preview_its_own_builds_left(repo, tmp_path):
    """``ocop serve`` walks its preview to check it once: later builds of the same process
    trust it as its last build left it (build_site ``own``), unless another program built
    it since; each rebuild is still the site a cold build makes."""
    site = tmp_path / "site"
    other = [*ocop_command(), "build", "-d", str(site)]
    done = subprocess.run([sys.executable, "-c", _OWN_BUILDS, str(repo), str(site), "other",
                           json.dumps(other)],
                          cwd=repo, env=script_env(), capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    steps = json.loads(done.stdout.strip().splitlines()[-1])
    # walked: before the first build (there was no site yet), after a build whose record
    # was not written, and after another program's build
    assert steps == [["first", True, 1], ["price", True, 1], ["nothing", False, 1],
                     ["price again", True, 1], ["record fails", "OSError", 1],
                     ["after the failed record", True, 2], ["after another build", True, 3]
                     ], steps
    assert "280.000" in (site / PAGE).read_text(encoding="utf-8")
    cold = tmp_path / "cold"
    build_ok(repo, cold)
    assert _tree(site) == _tree(cold)


def test_publishing_holds_back_python_s_own_ctrl_c_only():
    """What holds a Ctrl-C back while a new site is swapped in: it takes the place of
    Python's own handler, and gives it back; an ignored SIGINT stays ignored."""
    def ctrl_c() -> None:  # to this thread (the main one: a test runner has others)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    def within(seconds: float, done=lambda: False) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            time.sleep(0.001)  # Python runs a handler between two of its steps

    assert threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with build_module._publishing() as caught:
            ctrl_c()
            within(10, lambda: bool(caught))
        assert caught == [signal.SIGINT]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with pytest.raises(KeyboardInterrupt):  # the next Ctrl-C is one again
            ctrl_c()
            within(10)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with build_module._publishing() as caught:
            ctrl_c()
            within(0.2)
        assert caught == [] and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def _git(root: Path, *args: str) -> None:
    """git in the catalog at ``root``, as a producer committing."""
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Producer",
                    "-c", "user.email=producer@example.com", *args],
                   check=True, capture_output=True)


def _validate(root: Path) -> subprocess.CompletedProcess:
    """``ocop validate`` of the catalog at ``root``, as a pull request's check runs it."""
    return subprocess.run([*ocop_command(), "validate"], cwd=root, capture_output=True,
                          text=True, timeout=300, check=False)


def test_a_cache_committed_to_the_repository_stops_the_build_saying_how_to_remove_it(
        tmp_path):
    """A pull request that commits files under the build's cache (a drawn label under
    the name the build would look for) gets no build: the cache is one a pull request
    could write, and its files would be published as the build's own. The message says
    which files and how to remove them, in Vietnamese and English; once they are out of
    the repository, the catalog builds."""
    scratch = build_catalog(tmp_path / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    forged = scratch.root / ".cache" / "ocop" / "print" / "products" / "forged.pdf"
    forged.parent.mkdir(parents=True)
    forged.write_bytes(b"%PDF-1.4 a label that leads elsewhere")

    git = functools.partial(_git, scratch.root)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "a product, and a cache")
    # the pull request's check says so first, at the file
    checked = _validate(scratch.root)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert ".cache/ocop/print/products/forged.pdf" in checked.stdout
    assert "cache_committed" in checked.stdout
    assert "git rm -r .cache/ocop" in checked.stdout
    site = tmp_path / "site"
    done = run_build(scratch.root, site)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert ".cache/ocop/print/products/forged.pdf" in done.stderr
    assert "git rm -r .cache/ocop" in done.stderr
    assert "Bộ nhớ đệm của bản dựng '.cache/ocop' có tệp được commit vào kho mã" in done.stderr
    assert "The build's cache '.cache/ocop' has files committed to the repository" in done.stderr
    assert not site.exists()

    # as the message says: out of the repository and off the disk
    git("rm", "-r", "-q", ".cache/ocop")
    git("commit", "-q", "-m", "the cache out of the repository")
    assert not forged.exists()
    done = run_build(scratch.root, site)
    assert done.returncode == 0, done.stderr
    assert (site / "index.html").is_file()

    # a committed link in the cache's place, leading to committed files, is found too
    shutil.rmtree(scratch.root / ".cache")
    elsewhere = scratch.root / "products" / "stash" / "ocop" / "print"
    elsewhere.mkdir(parents=True)
    (elsewhere / "forged.pdf").write_bytes(b"%PDF-1.4 a label that leads elsewhere")
    (scratch.root / ".cache").symlink_to(Path("products") / "stash")
    git("add", "-A")
    git("commit", "-q", "-m", "a cache through a link")
    done = run_build(scratch.root, tmp_path / "other-site")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "(.cache)" in done.stderr  # the link itself is named
    assert not (tmp_path / "other-site").exists()


def test_a_site_or_spare_committed_to_the_repository_is_reported_by_validate(tmp_path):
    """A pull request that commits files of the built site or of the spare beside it (a
    page under a name the site has) hears it from ``ocop validate``, at the first file,
    with how to remove them, in Vietnamese and English: a build gives such a spare up
    and trusts no site other than it recorded, but says so only in its log."""
    scratch = build_catalog(tmp_path / "repo")
    for rel in ("site/index.html", ".site.spare/san-pham/index.html"):
        page = scratch.root / rel
        page.parent.mkdir(parents=True)
        page.write_text("<p>a page passed off as the catalog's</p>", encoding="utf-8")

    git = functools.partial(_git, scratch.root)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "a product, and a site")
    checked = _validate(scratch.root)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    for rel, folder in (("site/index.html", "site"),
                        (".site.spare/san-pham/index.html", ".site.spare")):
        at = lines.index(f"{rel}:1:1: lỗi/error site_committed")
        vi, en = lines[at + 1], lines[at + 2]
        assert vi.startswith(f"    vi: thư mục trang web đã dựng '{folder}' có tệp được "
                             "commit vào kho mã")
        assert en.startswith(f"    en: the built site's folder '{folder}' has files committed")
        assert f"git rm -r {folder}," in en and f"keep '{folder}/' ignored" in en
    assert "Traceback" not in checked.stderr
    # a folder named as the catalog itself or above it, whatever the way, is not one
    # whose files git tracks: the catalog's records are not reported as a built site
    for named in ("products/..", ".", "products/../..", ".."):
        assert committed(scratch.root, scratch.root / named) == []
    assert committed(scratch.root, scratch.root / "products" / ".." / "site")[0] == \
        "site/index.html"

    # as the message says: out of the repository, and the check passes
    git("rm", "-r", "-q", "site", ".site.spare")
    git("commit", "-q", "-m", "the site out of the repository")
    checked = _validate(scratch.root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "site_committed" not in checked.stdout
