"""The spare: the site a build replaces is kept beside it and brought up to date by the
next build instead of a fresh staging folder of hard links (ocop_catalog/build.py).

What must hold, checked with real ``ocop build`` processes on a small scratch catalog:
the spare shares files (inodes) with the published site, so no build ever writes into
one of them: the site a build replaces is, byte for byte, what was published; a build
killed while it brings the spare up to date leaves the published site as it was, and the
next build is right; a spare is used only when it can be trusted, and the result always
equals a cold build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scratch import GOODS_FILE, build_catalog, set_goods_price
from siteutil import BUILD_EPOCH, REPO, ocop_command, script_env, stop
from siteutil import build_log as _build

from ocop_catalog.housekeeping import record_of

PAGE = "products/mat-ong-hoa-rung/index.html"


@pytest.fixture
def repo(tmp_path) -> Path:
    scratch = build_catalog(tmp_path / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    return scratch.root


def _tree(folder: Path) -> dict[str, str]:
    """Every file's content and every folder (empty ones too) under ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "folder" for p in sorted(folder.rglob("*"))}


def _inodes(folder: Path) -> dict[int, str]:
    return {p.stat().st_ino: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def _kept(log: str) -> int | None:
    found = re.search(r"spare site: (\d+) files kept", log)
    return int(found.group(1)) if found else None


def _linked(log: str) -> bool:
    """Whether the build made its spare of the published site's files (it had none)."""
    return bool(_kept(log)) and "made of the published site's files" in log


def _cold(repo: Path, site: Path) -> dict[str, str]:
    assert not site.exists()
    _build(repo, site)
    return _tree(site)


def _wait_gone(folder: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while folder.exists():
        assert time.monotonic() < deadline, f"{folder} is still there"
        time.sleep(0.05)


def test_the_replaced_site_is_kept_unwritten_and_the_next_build_uses_it(repo, tmp_path):
    site, spare = tmp_path / "site", tmp_path / ".site.spare"
    _build(repo, site)
    assert not spare.exists()  # nothing replaced yet

    for amount in (260000, 270000, 280000):
        set_goods_price(repo, amount)
        published, inodes = _tree(site), _inodes(site)
        log = _build(repo, site)
        # most files stayed where they were in the spare (the first time, with no site
        # replaced yet, one made of the published site's files); the changed product's
        # were made
        kept = _kept(log)
        assert kept is not None and kept > 0, log
        assert _linked(log) == (amount == 260000), log
        assert spare.is_dir()
        assert not list(tmp_path.glob(".site.building-*"))
        assert f"{amount // 1000}.000" in (site / PAGE).read_text(encoding="utf-8")
        # the site this build replaced is now the spare, exactly as it was published:
        # nothing wrote into a file the spare shared with it
        assert _tree(spare) == published
        for folder in (site, spare):
            for ino, sha in _inodes(folder).items():
                assert inodes.get(ino, sha) == sha, "a build wrote into a published file"
        assert _tree(site) == _cold(repo, tmp_path / f"cold-{amount}")


def test_a_build_killed_while_it_updates_the_spare_leaves_the_site(repo, tmp_path):
    site = tmp_path / "site"
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    assert (tmp_path / ".site.spare").is_dir()
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    # a build of this small catalog may end before it is killed (a busy machine runs the
    # test late): then it is tried again with a new price
    for amount in range(270000, 350000, 10000):
        published = _tree(site)
        set_goods_price(repo, amount)
        process = subprocess.Popen([*ocop_command(), "build", "-d", str(site)], cwd=repo,
                                   env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        # kill the build as soon as it has claimed the spare as its staging folder (and
        # started to delete and replace files there)
        deadline = time.monotonic() + 120
        claimed = None
        while claimed is None and time.monotonic() < deadline and process.poll() is None:
            claimed = next(iter(tmp_path.glob(f".site.building-{process.pid}-*")), None)
            if claimed is not None and not (claimed / "index.html").exists():
                claimed = None  # the fresh folder MkDocs writes into, not the spare
            time.sleep(0.001)
        # stopped, it cannot publish before it is killed; if it has, or it ended, it built
        # the site, and the next price is tried
        if stop(process) and _tree(site) == published:
            process.send_signal(signal.SIGKILL)
            process.wait()
            break
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
        assert process.wait() == 0
        assert f"{amount // 1000}.000" in (site / PAGE).read_text(encoding="utf-8")
    else:
        pytest.fail("every build ended before it was killed")
    assert claimed is not None and not (tmp_path / ".site.spare").exists()
    assert _tree(site) == published, "a killed build changed the published site"
    log = _build(repo, site)  # the half-updated spare is not used, and is deleted: the
    # build makes one of the published site's files instead
    assert _linked(log), log
    _wait_gone(claimed)
    assert f"{amount // 1000}.000" in (site / PAGE).read_text(encoding="utf-8")
    assert _tree(site) == _cold(repo, tmp_path / "cold")


def test_a_spare_is_used_only_when_the_published_site_is_trusted(repo, tmp_path):
    site, spare = tmp_path / "site", tmp_path / ".site.spare"
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    assert spare.is_dir()
    # a file of the published site edited in place (which the spare may share)
    (site / PAGE).write_text("edited by hand", encoding="utf-8")
    set_goods_price(repo, 270000)
    log = _build(repo, site)
    assert _kept(log) is None and "incremental:" not in log  # a cold build
    assert _tree(site) == _cold(repo, tmp_path / "cold-1")
    # after it, no spare (the site it replaced was not trusted): one is made of the
    # published site's files; --full makes everything: no spare is used or made
    set_goods_price(repo, 280000)
    assert _linked(_build(repo, site))
    set_goods_price(repo, 290000)
    assert _kept(_build(repo, site, "--full")) is None
    assert _tree(site) == _cold(repo, tmp_path / "cold-2")


def test_two_builds_of_one_site_at_once_take_turns(repo, tmp_path):
    """Two builds of the same folder would claim the same spare and swap the same site:
    one waits while another holds the folder's lock (held here as a running build holds
    it), says so, and goes on once it is free."""
    import fcntl

    site = tmp_path / "site"
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    set_goods_price(repo, 270000)
    name = hashlib.sha256(os.fsencode(site.resolve())).hexdigest()[:24]
    lock = repo / ".cache" / "ocop" / "builds" / f"{name}.lock"
    assert lock.is_file()  # the builds above took it
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    with open(lock, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting = subprocess.Popen([*ocop_command(), "build", "-d", str(site)], cwd=repo,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
        said = ""
        while "waiting for it to end" not in said:
            line = waiting.stderr.readline()
            assert line, f"the build did not wait: {said[-2000:]}"
            said += line
        time.sleep(0.5)
        assert waiting.poll() is None and "270.000" not in (site / PAGE).read_text(
            encoding="utf-8")
        fcntl.flock(held, fcntl.LOCK_UN)
    waiting.communicate(timeout=600)
    assert waiting.returncode == 0
    assert "270.000" in (site / PAGE).read_text(encoding="utf-8")
    assert _tree(site) == _cold(repo, tmp_path / "cold")


def test_a_spare_missing_a_file_is_given_up_and_the_build_made_again(repo, tmp_path):
    """A file deleted from the spare by hand (one its keys say is there): the build sees it
    before the swap, says so, and builds again without the spare."""
    site, spare = tmp_path / "site", tmp_path / ".site.spare"
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    photo = sorted(spare.glob("media/*/*"))[0]  # a price change leaves photos alone
    photo.unlink()
    set_goods_price(repo, 270000)
    log = _build(repo, site)
    assert "the spare site was incomplete; building again without it" in log
    assert _tree(site) == _cold(repo, tmp_path / "cold")


def _recorded_as_walked(repo: Path, site: Path) -> None:
    """What the build recorded of the site it published (the digest of every file's name,
    size and time; how many files; those without a key), worked out without walking the
    spare, is what a walk of the site finds: else the next build would not trust it."""
    from ocop_catalog import build as build_module

    record = record_of(repo, site.resolve())
    state = json.loads(record.read_text(encoding="utf-8"))
    files: list[str] = []
    walked = build_module._SiteWalk(site.resolve(), True, 0).result(files)
    keys = build_module.read_keys(record.with_suffix(".keys.json"))
    assert (state["site"], state["files"]) == (walked, len(files))
    assert sorted(state["unkeyed"]) == sorted(set(files) - set(keys))


def test_the_site_a_spare_became_is_recorded_as_a_walk_finds_it(repo, tmp_path):
    """A build with a spare lists only the folders it changed: files it wrote without a
    key are found there, new folders of such files (a new authored page) are walked, and
    the record of the site equals a walk's, so the next build takes files over again."""
    site = tmp_path / "site"
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    page = repo / "catalog" / "huong-dan" / "index.md"
    for step, amount in enumerate((270000, 280000, 290000)):
        if step == 1:  # a page MkDocs makes in a folder of its own (no key)
            page.parent.mkdir()
            page.write_text("# Hướng dẫn\n\nMua hàng OCOP.\n", encoding="utf-8")
        if step == 2:
            shutil.rmtree(page.parent)
        set_goods_price(repo, amount)
        log = _build(repo, site)
        assert _kept(log), log
        assert (site / "huong-dan/index.html").exists() == (step == 1)
        _recorded_as_walked(repo, site)
    assert _tree(site) == _cold(repo, tmp_path / "cold")


def test_a_spare_folder_replaced_by_a_link_is_given_up(repo, tmp_path):
    """A folder of the spare replaced by a link to a copy of it (its files are all there
    by name): not the spare its keys say; the build builds again without it."""
    site, spare = tmp_path / "site", tmp_path / ".site.spare"
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    # a photo's folder: the spare's own folder is as the last build left it
    folder = next(p for p in sorted((spare / "media").iterdir()) if p.is_dir())
    shutil.copytree(folder, tmp_path / "elsewhere", symlinks=True)
    shutil.rmtree(folder)
    folder.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    set_goods_price(repo, 270000)
    log = _build(repo, site)
    assert "the spare site was incomplete; building again without it" in log
    assert not (site / folder.relative_to(spare)).is_symlink()
    assert _tree(site) == _cold(repo, tmp_path / "cold")
    _recorded_as_walked(repo, site)


@pytest.mark.parametrize("how", ["copied", "entry added"])
def test_a_spare_that_is_not_the_folder_the_last_build_kept_is_given_up(repo, tmp_path, how):
    """The spare is taken only as the very folder the last build kept (device, inode and
    change time): a copy of it put in its place (as a pull request could commit
    ``.site.spare/`` into a checkout whose cache a CI cache restored), or the folder with an
    entry added, is given up before anything of it is used: nothing of it is published by
    its keys, and the site is a cold build's."""
    site, spare = tmp_path / "site", tmp_path / ".site.spare"
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    page = spare / "producers" / "index.html"  # no price: taken over by its key
    if how == "copied":
        shutil.copytree(spare, tmp_path / "copy", symlinks=True)
        shutil.rmtree(spare)
        (tmp_path / "copy").rename(spare)
    else:
        (spare / "planted.txt").write_text("x", encoding="utf-8")
    _plant(page)
    set_goods_price(repo, 270000)
    log = _build(repo, site)
    # the site trusted, not the spare: one made of the published site's files instead
    assert "incremental:" in log and _linked(log), log
    assert "PLANTED" not in (site / page.relative_to(spare)).read_text(encoding="utf-8")
    assert _tree(site) == _cold(repo, tmp_path / "cold")
    _recorded_as_walked(repo, site)


def test_keys_files_keep_any_path_and_refuse_what_is_not_one(tmp_path):
    """The keys a build saves come back as they were, whatever a path holds (a tab, a line
    break, a line separator, a leading quote, Vietnamese letters); a file that is not one
    this program writes gives no keys (the build is a cold one): another format, damaged,
    cut short, not a regular file (a link to a device a pull request left there), or with
    a path the spare's files would be deleted by that leads out of the site."""
    from ocop_catalog.reuse import Reuse, read_keys

    saved = Reuse(tmp_path / "site")
    key = hashlib.sha256(b"a page").hexdigest()
    paths = {"products/mat-ong/index.html": key, "en/sản-phẩm/index.html": key,
             '"quoted".html': key, "tab\there": key, "line\nbreak": key,
             "sep\u2028arator": key, "made/every/time.json": ""}
    saved.keys.update(paths)
    # a page written for a day, with where it printed it
    paths["products/dated/index.html"] = f"{key}@2026-12-06"
    saved.keys["products/dated/index.html"] = f"{key}@2026-12-06"
    saved.spans["products/dated/index.html"] = "120iso,4031long"
    keys_file = tmp_path / "site.keys.json"
    saved.save(keys_file)
    spans: dict[str, str] = {}
    assert read_keys(keys_file, spans) == paths
    assert spans == {"products/dated/index.html": "120iso,4031long"}
    whole = keys_file.read_bytes()
    assert read_keys(keys_file) == paths
    head = b'{"format": 2, "files": 1}\n'
    for content in (b"", b'{"format": 1, "keys": {"a": "b"}}', b"\xff\xfe", b"[" * 100_000,
                    whole[: whole.rindex(b"\n", 0, -1) + 1],  # its last line cut off
                    whole[:-1],  # not ended
                    head + b'"unclosed\t' + key.encode() + b"\n",
                    head + b"../outside/victim\t" + key.encode() + b"\n",
                    head + b"/etc/passwd\t" + key.encode() + b"\n",
                    head + b'"a\\u0000b"\t' + key.encode() + b"\n",
                    head + b"products/x.html\tnot a key\n",
                    head + b"products/x.html\t" + key.encode() + b"@2026-12-06#12;rm\n",
                    head + b"products/x.html\t" + key.encode() + b"#12iso\n",
                    head + b"products/x.html\t" + key.encode() + b"@yesterday\n"):
        keys_file.write_bytes(content)
        assert read_keys(keys_file) == {}, content[-60:]
    keys_file.unlink()
    keys_file.symlink_to("/dev/zero")
    assert read_keys(keys_file) == {}


def test_the_record_without_a_walk_finds_what_a_walk_finds(tmp_path):
    """The files a build with a spare wrote without a key are found where they can be: in
    a folder it changed, in a new folder, in a folder of the spare that no longer holds a
    keyed file (a file written there changed that folder, not the one above it); names
    sort as a walk lists them."""
    from ocop_catalog import build as build_module
    from ocop_catalog.reuse import file_clock

    site = tmp_path / "site"
    old = ["X/k1", "X/Y/old", "a.b/k", "a/b/k", "a-b/k", "é/k", "top"]
    for rel in old:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(rel)
    time.sleep(0.02)
    since = file_clock(tmp_path)
    (site / "X/Y/old").unlink()  # a key of the spare this build does not make (pruned)
    (site / "X/Y/new").write_text("unkeyed, in a folder that held a keyed file")
    (site / "fresh/deep").mkdir(parents=True)
    (site / "fresh/deep/file").write_text("unkeyed, in new folders")
    (site / "a/b/k").unlink()
    (site / "a/b/k").write_text("made again")
    keyed = ["X/k1", "a.b/k", "a/b/k", "a-b/k", "é/k", "top"]
    files: list[str] = []
    digest, missing = build_module._digest_of(site, keyed, old, since, files)
    walked: list[str] = []
    assert digest == build_module._SiteWalk(site, True, 0).result(walked)
    assert files == walked and "X/Y/new" in files and missing == set()
    # a keyed file gone, or under a folder that is now a link: missing (the spare given up)
    (site / "top").unlink()
    shutil.move(site / "a.b", tmp_path / "a.b")
    (site / "a.b").symlink_to(tmp_path / "a.b", target_is_directory=True)
    assert build_module._digest_of(site, keyed, old, since, [])[1] == {"top", "a.b/k"}


def test_keys_files_this_process_wrote_read_as_a_fresh_process_reads_them(tmp_path):
    """'ocop serve' takes the keys files its last builds wrote from memory (reuse._WRITTEN)
    while they are as written, also once moved (the published site's keys become the
    spare's): what it gets is what a fresh process reads from the file; a file changed
    since, even with its size and modification time as they were, is read again; keys a
    fresh process would refuse are not taken from memory (checked when first taken)."""
    import os

    from ocop_catalog import reuse
    from ocop_catalog.reuse import Reuse, read_keys, replace_keys

    key = hashlib.sha256(b"a page").hexdigest()
    saved = Reuse(tmp_path / "site")
    saved.keys.update({"a/index.html": key, "b/index.html": f"{key}@2026-12-06", "c.json": ""})
    saved.spans["b/index.html"] = "120iso"
    written = tmp_path / ".site.building-1.keys.json"
    saved.save(written)
    kept = tmp_path / "site.keys.json"
    replace_keys(written, kept)
    assert str(kept) in reuse._WRITTEN

    def fresh(path):  # as a new process reads it
        found_spans: dict[str, str] = {}
        remembered = reuse._WRITTEN.pop(str(path), None)
        try:
            return read_keys(path, found_spans), found_spans
        finally:
            if remembered is not None:
                reuse._WRITTEN[str(path)] = remembered

    spans: dict[str, str] = {}
    assert (read_keys(kept, spans), spans) == fresh(kept) == (
        dict(saved.keys), {"b/index.html": "120iso"})
    read_keys(kept).clear()  # a copy: what is remembered is not changed by its reader
    assert read_keys(kept) == dict(saved.keys)
    # the same size and modification time, other content: read again
    stat = kept.stat()
    kept.write_bytes(kept.read_bytes().replace(b"a/index.html", b"z/index.html"))
    os.utime(kept, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert read_keys(kept) == fresh(kept)[0] and "z/index.html" in read_keys(kept)
    # changed so while it was remembered, then moved (as the published site's keys become
    # the spare's): read as it is, not as it was written
    saved.save(written)
    replace_keys(written, kept)
    stat = kept.stat()
    kept.write_bytes(kept.read_bytes().replace(b"a/index.html", b"y/index.html"))
    os.utime(kept, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    spare = tmp_path / "site.spare-keys.json"
    replace_keys(kept, spare)
    assert "y/index.html" in read_keys(spare) and read_keys(spare) == fresh(spare)[0]
    # keys a fresh process refuses (a path out of the site): not taken from memory either
    bad = Reuse(tmp_path / "site")
    bad.keys["../outside"] = key
    bad.save(kept)
    assert read_keys(kept) == {} and str(kept) not in reuse._WRITTEN


def _plant(page: Path) -> None:
    """``page`` written anew (a file of its own, as git writes one), with a mark."""
    text = page.read_text(encoding="utf-8")
    page.unlink()  # the spare's files are links to the published site's
    page.write_text(text.replace("</main>", "PLANTED</main>"), encoding="utf-8")


def test_a_spare_holding_committed_files_is_given_up(repo, tmp_path):
    """In a work tree that lasts between builds (a maintainer's, a self-hosted runner's),
    merging a pull request that committed a file under ``.site.spare/`` writes it into the
    kept folder itself, whose identity stays: a spare in which git tracks files is given
    up with a warning, and nothing of it is published."""
    site, spare = repo / "site", repo / ".site.spare"

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "catalog")
    for amount in (250000, 260000):
        set_goods_price(repo, amount)
        _build(repo, site)
    page = spare / "producers" / "index.html"
    _plant(page)
    git("add", "-f", str(page.relative_to(repo)))
    git("commit", "-q", "-m", "a pull request's file")
    set_goods_price(repo, 270000)
    log = _build(repo, site)
    assert "incremental:" in log and _linked(log), log
    assert "holds files committed to the repository (.site.spare/producers/index.html)" in log
    assert "PLANTED" not in (site / "producers" / "index.html").read_text(encoding="utf-8")
    assert _tree(site) == _cold(repo, tmp_path / "cold")


#: A build in a Python process of its own, in ``mode``: "forked" links the published site
#: into the spare in a forked process (as a site of thousands of files is), "no links"
#: plays a disk without hard links (FAT, some network shares). Prints what it ended with.
_LINKING = r"""
import errno, os, sys
from pathlib import Path
from ocop_catalog import build
repo, site, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if "forked" in mode:
    build.LINK_FORKED_FROM = 0
if "no links" in mode:
    def no_link(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")
    os.link = no_link
if "slow" in mode:  # a pause before the spare is linked
    import time
    link_tree, paused = build._link_tree, []
    def slowly(source, into):
        if not paused:  # the first call: the spare itself
            paused.append(into)
            time.sleep(6)
        return link_tree(source, into)
    build._link_tree = slowly
try:
    build.build_site(repo / "site_config.yml", site)
except build.BuildFailed as exc:
    print("failed:", exc)
    if "slow" in mode:  # a process that goes on (as 'ocop serve' does) after the failure
        time.sleep(7)
else:
    print("built")
"""


def _build_linking(repo: Path, site: Path, mode: str) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", _LINKING, str(repo), str(site), mode],
                          cwd=repo, env=script_env(), capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout.strip(), done.stderr


def _no_staging_left(tmp_path: Path) -> None:
    deadline = time.monotonic() + 30
    while list(tmp_path.glob(".site.building-*")):
        assert time.monotonic() < deadline, list(tmp_path.glob(".site.building-*"))
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["here", "forked"])
def test_a_build_with_no_spare_makes_one_of_the_published_sites_files(repo, tmp_path, mode):
    """The first build after a cold one (as on a fresh runner, whose cache entry holds the
    site without a spare) makes its spare of hard links to the published site's files, in
    this process or, for a large site, in a forked one: the files whose key is unchanged
    stay, nothing is written into a published file, the result is a cold build's and its
    record is what a walk finds."""
    site, spare = tmp_path / "site", tmp_path / ".site.spare"
    _build(repo, site)
    set_goods_price(repo, 260000)
    published, inodes = _tree(site), _inodes(site)
    outcome, log = _build_linking(repo, site, mode)
    assert outcome == "built" and _linked(log), log
    # every file taken over stayed where it was in the spare: none linked one by one
    taken = re.search(r"incremental: (\d+) of \d+ keyed files taken over", log)
    assert taken is not None and _kept(log) == int(taken.group(1)) > 0, log
    assert "260.000" in (site / PAGE).read_text(encoding="utf-8")
    assert _tree(spare) == published  # the site replaced, now the spare, as published
    for folder in (site, spare):
        for ino, sha in _inodes(folder).items():
            assert inodes.get(ino, sha) == sha, "a build wrote into a published file"
    _no_staging_left(tmp_path)
    _recorded_as_walked(repo, site)
    assert _tree(site) == _cold(repo, tmp_path / "cold")


@pytest.mark.parametrize("mode", ["here", "forked"])
def test_a_disk_without_hard_links_builds_without_a_spare(repo, tmp_path, mode):
    """Where no hard link can be made, the spare is not made: the build writes into a
    folder of its own (the files taken over copied), as a cold one's, and leaves nothing
    beside the site."""
    site = tmp_path / "site"
    _build(repo, site)
    set_goods_price(repo, 260000)
    outcome, log = _build_linking(repo, site, f"{mode}, no links")
    assert outcome == "built" and _kept(log) is None and "incremental:" in log, log
    assert "260.000" in (site / PAGE).read_text(encoding="utf-8")
    _no_staging_left(tmp_path)
    _recorded_as_walked(repo, site)
    assert _tree(site) == _cold(repo, tmp_path / "cold")


@pytest.mark.parametrize("when", ["loading the records", "rendering the pages"])
def test_a_failed_build_leaves_no_spare_it_made(repo, tmp_path, when):
    """A build that fails while its spare is being made (stopped: nothing made after), or
    once it writes into it, leaves the published site as it was and nothing beside it; the
    next build is right."""
    site = tmp_path / "site"
    _build(repo, site)
    published = _tree(site)
    record = repo / GOODS_FILE
    text = record.read_text(encoding="utf-8")
    if when == "loading the records":
        record.write_text(re.sub(r"amount: \d+", "amount: -5", text, count=1),
                          encoding="utf-8")
    else:  # a template error in the catalog's theme, met once the outputs run
        override = repo / "overrides" / "ocop" / "partials" / "passport.html"
        override.parent.mkdir(parents=True, exist_ok=True)
        override.write_text("{{ broken( }}", encoding="utf-8")
    slow = when == "loading the records"  # still linking when the records fail
    outcome, log = _build_linking(repo, site, "forked, slow" if slow else "forked")
    assert outcome.startswith("failed:"), (outcome, log)
    assert _tree(site) == published
    _no_staging_left(tmp_path)
    if slow:  # the linking process was stopped: it made nothing while the process went on
        assert not list(tmp_path.glob(".site.building-*"))
    record.write_text(text, encoding="utf-8")
    shutil.rmtree(repo / "overrides", ignore_errors=True)
    set_goods_price(repo, 260000)
    _build(repo, site)
    assert _tree(site) == _cold(repo, tmp_path / "cold")


def test_no_spare_is_made_of_a_site_holding_a_symbolic_link(tmp_path):
    """A build writes no symbolic link: a folder of the published site replaced by a link
    since its build (which a walk beside a large site's build tells only before the swap)
    is not linked into a spare, where the build's unlinking and writing would reach what
    the link leads to."""
    from ocop_catalog import build as build_module

    site, outside = tmp_path / "site", tmp_path / "outside"
    (site / "products").mkdir(parents=True)
    (site / "index.html").write_text("home", encoding="utf-8")
    (site / "products" / "index.html").write_text("list", encoding="utf-8")
    outside.mkdir()
    (outside / "a.jpg").write_bytes(b"a photo kept elsewhere")
    (site / "photos").symlink_to(outside, target_is_directory=True)
    spare = tmp_path / ".site.building-1-spare"
    assert build_module._link_site((str(site), str(spare), ["photos/a.jpg"])) is None
    assert (outside / "a.jpg").read_bytes() == b"a photo kept elsewhere"
    # without the link, the same site is linked, less the files its build wrote unkeyed
    (site / "photos").unlink()
    shutil.rmtree(spare)
    assert build_module._link_site((str(site), str(spare), ["index.html"])) is not None
    assert sorted(p.relative_to(spare).as_posix() for p in spare.rglob("*")) == [
        "products", "products/index.html"]
    assert (spare / "products" / "index.html").stat().st_ino == \
        (site / "products" / "index.html").stat().st_ino
