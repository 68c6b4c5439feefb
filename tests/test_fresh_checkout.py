"""A build on a fresh checkout (every GitHub Actions run) with its cache folder restored from
the last run's cache entry: what the memos stored of files git describes as unchanged (their
blob ids) is taken, only from a memo this program vouches for (its signature, or the SHA-256
the record of the site taken over gives it: ``Settings.restored``); every other file is read
and checked again, as before (ocop_catalog/records/blobs.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from siteutil import copy_repository

from ocop_catalog.records import blobs, loader, memo
from ocop_catalog.records.blobs import git_blobs
from ocop_catalog.records.decoded import FileDigests, signature_of, write_signed
from ocop_catalog.settings import load_settings

PRODUCERS = ("bo-sua-tam-dao", "hkd-pham-thi-hai-yen", "htx-nhan-ly")
TODAY = dt.date(2026, 11, 29)
CACHE = "memo-cache"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                           *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def commit_all(root: Path) -> None:
    if not (root / ".git").exists():
        (root / ".gitignore").write_text(f".cache/\n{CACHE}/\nsite/\n", encoding="utf-8")
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "published")


def fresh_checkout(repo: Path, entry: Path | None, cache: str = CACHE) -> Path:
    """``repo`` cloned afresh at its own path (every file new: inodes, change times) with the
    cache folder saved in ``entry`` copied back (modification times kept, as a cache entry
    keeps them)."""
    kept = repo.with_name(repo.name + ".kept")
    shutil.rmtree(kept, ignore_errors=True)
    repo.rename(kept)
    git(repo.parent, "clone", "-q", str(kept), str(repo))
    shutil.rmtree(kept)
    if entry is not None:
        shutil.copytree(entry, repo / cache, symlinks=True)
    return repo


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def settled_now(monkeypatch) -> None:
    """Files count as settled as soon as they are written (a real build waits two seconds
    of the file system's clock: :data:`.blobs.RACY_NS`)."""
    monkeypatch.setattr(blobs, "RACY_NS", 0)
    monkeypatch.setattr(FileDigests, "RACY_NS", 0)


def watch_reads(monkeypatch) -> list[str]:
    """The producers', products' and decisions' records the loader reads from now on
    (relative paths)."""
    seen: list[str] = []
    real = loader.read_record

    def watched(path, root, *args, **kwargs):
        rel = Path(path).relative_to(root).as_posix()
        if rel.startswith(("products/", "catalog/decisions/")):  # the rest is read every time
            seen.append(rel)
        return real(path, root, *args, **kwargs)

    monkeypatch.setattr(loader, "read_record", watched)
    return seen


def records_of(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix()
            for p in [*(repo / "products").rglob("producer.yml"),
                      *(repo / "products").rglob("product.yml")]}


def load(repo: Path, restored: dict[str, str] | None = None, cache: str | None = CACHE):
    return loader.load_catalog(load_settings(repo, today=TODAY, cache_dir=cache,
                                             restored=restored))


def test_git_names_the_tracked_files_it_finds_unchanged(tmp_path):
    root = tmp_path / "repo"
    (root / "a" / "b").mkdir(parents=True)
    for name in ("a/same.yml", "a/b/edited.yml", "a/b/touched.yml", "top.yml"):
        (root / name).write_text(name, encoding="utf-8")
    assert git_blobs(root) == {}  # not a repository
    commit_all(root)
    (root / "a" / "b" / "edited.yml").write_text("changed", encoding="utf-8")
    os.utime(root / "a" / "b" / "touched.yml", ns=(1, 1))  # git reads it: the same content
    (root / "a" / "new.yml").write_text("not tracked", encoding="utf-8")
    (root / "a" / "link.yml").symlink_to("same.yml")
    git(root, "add", "a/link.yml")
    found = git_blobs(root)
    assert found == {name: git(root, "hash-object", name).strip()
                     for name in ("a/same.yml", "a/b/touched.yml", "top.yml", ".gitignore")}
    assert git_blobs(root, ["a"]) == {name: found[name]
                                      for name in ("a/same.yml", "a/b/touched.yml")}
    # from a folder of the repository: paths from that folder
    assert git_blobs(root / "a") == {"same.yml": found["a/same.yml"],
                                     "b/touched.yml": found["a/b/touched.yml"]}
    # a file git is told not to look at, or one an attribute converts: not described
    git(root, "update-index", "--assume-unchanged", "a/same.yml")
    assert "a/same.yml" not in git_blobs(root)
    git(root, "update-index", "--no-assume-unchanged", "a/same.yml")
    (root / "a" / ".gitattributes").write_text("same.yml ident\n", encoding="utf-8")
    assert set(git_blobs(root)) == {"a/b/touched.yml", "top.yml", ".gitignore"}
    (root / "a" / ".gitattributes").write_text("*.yml -text\n", encoding="utf-8")  # binary
    assert "a/same.yml" in git_blobs(root)


@pytest.fixture
def published(tmp_path, settled_now) -> tuple[Path, Path, dict[str, str]]:
    """A committed catalog loaded once with a cache folder; that folder saved as a cache
    entry, and the SHA-256 of its memos as the build's record gives them."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS)
    commit_all(repo)
    first = load(repo)
    assert first.catalog is not None
    entry = tmp_path / "entry"
    shutil.copytree(repo / CACHE, entry, symlinks=True)
    vouched = {f"{CACHE}/{name}": sha256(repo / CACHE / name)
               for name in (memo.NAME, memo.REGISTER_NAME)}
    return repo, entry, vouched


@pytest.mark.parametrize("at_once", [blobs.PATHS_AT_ONCE, 1])
def test_a_fresh_checkout_takes_every_unchanged_folder_from_a_vouched_memo(published,
                                                                             monkeypatch,
                                                                             at_once):
    """(With ``at_once`` 1, git is asked about the top folder of the paths, as at 10,000
    products.)"""
    repo, entry, vouched = published
    monkeypatch.setattr(blobs, "PATHS_AT_ONCE", at_once)
    fresh_checkout(repo, entry)
    reads = watch_reads(monkeypatch)
    result = load(repo, vouched)
    assert reads == []  # no record, no decision read
    fresh = load(repo, cache=None)
    assert result.catalog == fresh.catalog and result.issues == fresh.issues
    # the memo is written again with the files' signatures of this checkout: the next
    # build here takes them by those, with or without a record
    reads.clear()
    load(repo)
    assert reads == []


@pytest.mark.parametrize("how", ["no record", "another hash", "a copy signed elsewhere"])
def test_a_memo_not_vouched_for_is_taken_by_stat_signatures_alone(published, monkeypatch, how):
    repo, entry, vouched = published
    if how == "a copy signed elsewhere":  # signed as this program signs, then copied in
        write_signed(entry / memo.NAME, (entry / memo.NAME).read_bytes(),
                     signature_of(entry / memo.NAME))
    fresh_checkout(repo, entry)
    reads = watch_reads(monkeypatch)
    restored = {"no record": None, "a copy signed elsewhere": None,
                "another hash": {name: "0" * 64 for name in vouched}}[how]
    result = load(repo, restored)
    assert set(reads) >= records_of(repo)
    assert result.catalog == load(repo, cache=None).catalog


def same_size_price_edit(path: Path) -> None:
    """Another first digit of the first price in ``path``: the same size."""
    text = path.read_text(encoding="utf-8")
    price = re.search(r"amount: (\d)", text)
    path.write_text(text.replace(price.group(0), f"amount: {int(price.group(1)) % 9 + 1}", 1),
                    encoding="utf-8")
    assert path.stat().st_size == len(text.encode("utf-8"))


@pytest.mark.parametrize("how", ["edited", "committed", "untracked file added"])
def test_a_folder_whose_files_changed_is_read_again(published, monkeypatch, how):
    """Only git tells an edit of the same size: not committed (the index's stat, then the
    content), or committed as a pull request's checkout has it (a new blob id). The other
    producers' folders are not read."""
    repo, entry, vouched = published
    fresh_checkout(repo, entry)
    folder = repo / "products" / "htx-nhan-ly"
    if how == "untracked file added":
        (folder / "notes.txt").write_text("not tracked", encoding="utf-8")
    else:
        same_size_price_edit(next(folder.glob("*/product.yml")))
    if how == "committed":
        commit_all(repo)
    reads = watch_reads(monkeypatch)
    result = load(repo, vouched)
    assert {rel for rel in reads if rel.startswith("products/")} == {
        rel for rel in records_of(repo) if rel.startswith("products/htx-nhan-ly/")}
    assert result.catalog == load(repo, cache=None).catalog


def test_a_folder_changed_while_git_answers_gets_no_contents(tmp_path, settled_now,
                                                             monkeypatch):
    """A file changed after the folder was read and before git answered (of the same size,
    so that the stat signatures tell only by their times): the folder is listed again after
    git's answer, differs, and its entry gets no blob ids; a fresh checkout reads it."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS)
    commit_all(repo)
    changed = next((repo / "products" / "htx-nhan-ly").glob("*/product.yml"))
    real = loader.git_blobs

    def answer_then_change(root, paths=()):
        found = real(root, paths)
        same_size_price_edit(changed)  # what git described is no longer what was read
        return found

    monkeypatch.setattr(loader, "git_blobs", answer_then_change)
    load(repo)
    monkeypatch.setattr(loader, "git_blobs", real)
    _, *lines = (repo / CACHE / memo.NAME).read_text(encoding="utf-8").rstrip().split("\n")
    contents = {json.loads(line.split("\t")[0]): line.split("\t")[2] for line in lines}
    assert contents["products/htx-nhan-ly"] == "null"
    assert all(text.startswith("{") for name, text in contents.items()
               if name != "products/htx-nhan-ly")


def test_a_marked_outcome_in_a_vouched_memo_is_what_the_load_gives(published, monkeypatch):
    """What is taken is the memo's outcome, not the file read again: a name changed in the
    vouched memo shows (the hash vouches for that memo), and the same memo is refused when
    its hash is not the one vouched for."""
    repo, entry, vouched = published
    head, *lines = (entry / memo.NAME).read_text(encoding="utf-8").rstrip("\n").split("\n")
    name, files, contents, outcome = lines[0].split("\t")
    stored = json.loads(outcome)
    record = json.loads(stored["producer"]["record"])
    record["name"]["vi"] += " KEPT"
    stored["producer"]["record"] = json.dumps(record, ensure_ascii=True, separators=(",", ":"))
    marked = "\t".join([name, files, contents, json.dumps(stored, ensure_ascii=True,
                                                          separators=(",", ":"))])
    text = "\n".join([head, marked, *lines[1:]]) + "\n"
    (entry / memo.NAME).write_text(text, encoding="utf-8")
    fresh_checkout(repo, entry)
    names = {p.record.name["vi"] for p in load(repo, {
        **vouched, f"{CACHE}/{memo.NAME}": sha256(repo / CACHE / memo.NAME)}
    ).catalog.producers.values()}
    assert any(n.endswith(" KEPT") for n in names)
    fresh_checkout(repo, entry)  # the marked memo, with the hash of the one it was made from
    names = {p.record.name["vi"] for p in load(repo, vouched).catalog.producers.values()}
    assert not any(n.endswith(" KEPT") for n in names)


def test_files_digests_go_by_blob_ids_on_a_fresh_checkout(tmp_path, settled_now):
    root = tmp_path / "repo"
    (root / "photos").mkdir(parents=True)
    for i in range(3):
        (root / "photos" / f"{i}.jpg").write_bytes(bytes([i]) * 1000)
    commit_all(root)
    cache = root / ".cache"
    cache.mkdir()
    asked: list[str] = []

    def digest_of(path: str) -> str:
        asked.append(Path(path).name)
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    def digests(restored: str | None = None) -> dict[str, str]:
        known = FileDigests(cache / "digests.json", digest_of, root=root, restored=restored)
        found = {p.name: known.digest(p) for p in sorted((root / "photos").iterdir())}
        known.save()
        return found

    first = digests()
    assert sorted(asked) == ["0.jpg", "1.jpg", "2.jpg"]
    stored = json.loads((cache / "digests.json").read_text(encoding="utf-8"))
    assert {Path(k).name: v[6] for k, v in stored.items()} == {
        p: git(root, "hash-object", f"photos/{p}").strip() for p in first}
    entry = tmp_path / "entry"
    shutil.copytree(cache, entry)
    vouched = sha256(cache / "digests.json")

    for restored, read in ((None, ["0.jpg", "1.jpg", "2.jpg"]), ("0" * 64, ["0.jpg", "1.jpg",
                                                                             "2.jpg"]),
                           (vouched, [])):
        fresh_checkout(root, entry, ".cache")
        asked.clear()
        assert digests(restored) == first
        assert sorted(asked) == read, restored
    # a file changed in the checkout is read, the others not
    fresh_checkout(root, entry, ".cache")
    (root / "photos" / "1.jpg").write_bytes(b"\1" * 999 + b"\2")
    asked.clear()
    found = digests(vouched)
    assert asked == ["1.jpg"] and found["1.jpg"] != first["1.jpg"]
    assert {k: v for k, v in found.items() if k != "1.jpg"} == {
        k: v for k, v in first.items() if k != "1.jpg"}


def test_a_build_on_a_fresh_runner_takes_the_outcomes_its_record_vouches_for(tmp_path):
    """``ocop build`` as the starter's workflows run it: a fresh checkout with ``.cache/``
    and ``site/`` restored from the last run's cache entry. The build's record of the site
    it takes over lists its memos' SHA-256 (``memos``), so the producer folders git finds
    unchanged are taken from the records memo: seen by an outcome marked in that memo (as
    this program signs it, before the build that records it), which shows in the site.
    The changed product is read (its new price shows). A memo put in place after that
    build, signed the same way, is not taken by content: every folder is read."""
    from siteutil import build_log as build
    from siteutil import restore_cache_entry, save_cache_entry

    repo = copy_repository(tmp_path / "repo", ("ong-tam-dao", "htx-nhan-ly"))
    commit_all(repo)
    memo_path = repo / ".cache" / "ocop" / memo.NAME
    record = repo / "products" / "ong-tam-dao" / "mat-ong-quat" / "product.yml"
    catalog_json = repo / "site" / "feeds" / "catalog.json"

    def raise_price(by: int) -> str:
        text = record.read_text(encoding="utf-8")
        price = next(line for line in text.splitlines() if "amount:" in line)
        amount = int(price.split("amount:")[1]) + by
        record.write_text(text.replace(price, f"{price.split('amount:')[0]}amount: {amount}"),
                          encoding="utf-8")
        return str(amount)

    def mark(word: str, where: Path) -> None:
        """The producer htx-nhan-ly's name in the records memo at ``where``, ending in
        ``word``, signed as this program signs the memo."""
        head, *lines = where.read_text(encoding="utf-8").rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            name, files, contents, outcome = line.split("\t")
            if json.loads(name) == "products/htx-nhan-ly":
                stored = json.loads(outcome)
                found = json.loads(stored["producer"]["record"])
                found["name"]["vi"] += word
                stored["producer"]["record"] = json.dumps(found, separators=(",", ":"))
                lines[i] = "\t".join([name, files, contents,
                                      json.dumps(stored, separators=(",", ":"))])
        write_signed(where, ("\n".join([head, *lines]) + "\n").encode("utf-8"),
                     signature_of(where))

    def next_run(entry: Path) -> Path:
        fresh_checkout(repo, None)
        restore_cache_entry(entry, repo)
        return repo

    settle = blobs.RACY_NS / 1e9 + 0.2  # the build describes files settled by then
    time.sleep(settle)
    build(repo, repo / "site")
    mark(" KEPT", memo_path)
    raise_price(1000)
    commit_all(repo)  # merged, and built by the publish run
    time.sleep(settle)
    build(repo, repo / "site")
    assert "KEPT" in catalog_json.read_text(encoding="utf-8")  # taken here by stat signatures
    entry = tmp_path / "cache.tar"
    save_cache_entry(repo, [".cache", "site"], entry)

    next_run(entry)  # a pull request's run: a price change
    time.sleep(settle)
    price = raise_price(2000)
    log = build(repo, repo / "site")
    assert "records: 1 of 2 producer folders taken from the memo by what git says" in log
    text = catalog_json.read_text(encoding="utf-8")
    assert "KEPT" in text  # taken by the files' contents, from the memo the record vouches for
    assert price in text

    next_run(entry)  # the same entry, its records memo replaced after it was restored
    forged = tmp_path / "forged" / memo.NAME
    forged.parent.mkdir()
    shutil.copy(memo_path, forged)
    mark(" FORGED", forged)
    shutil.copy(forged, memo_path)
    shutil.copy(signature_of(forged), signature_of(memo_path))
    time.sleep(settle)
    price = raise_price(3000)
    assert "by what git says" not in build(repo, repo / "site")
    text = catalog_json.read_text(encoding="utf-8")
    assert "FORGED" not in text and "KEPT" not in text and price in text  # every folder read


def test_entries_stored_before_git_could_describe_them_get_their_contents_later(
        tmp_path, settled_now, monkeypatch):
    """A catalog built before its files were committed stores its outcomes and digests
    without blob ids; the next process's load, which takes them by their signatures once
    the files are committed, gives them their blob ids (without reading them), so that a
    fresh checkout after it takes them too."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS)  # not committed yet
    digests = repo / CACHE / "digests.json"

    def digest_records() -> dict[str, list]:
        known = FileDigests(digests, lambda p: "0" * 64, root=repo)
        for path in sorted((repo / "products").rglob("*.yml")):
            known.digest(path)
        known.save()
        return json.loads(digests.read_text(encoding="utf-8"))

    load(repo)
    assert all(entry[6] is None for entry in digest_records().values())
    _, *lines = (repo / CACHE / memo.NAME).read_text(encoding="utf-8").rstrip().split("\n")
    assert lines and all(line.split("\t")[2] == "null" for line in lines)
    commit_all(repo)
    monkeypatch.setattr(blobs, "_UNANSWERED", set())  # the next process ('ocop build')
    reads = watch_reads(monkeypatch)
    load(repo)
    assert reads == []  # described, not read
    assert all(entry[6] is not None for entry in digest_records().values())
    entry = tmp_path / "entry"
    shutil.copytree(repo / CACHE, entry)
    vouched = {f"{CACHE}/{name}": sha256(repo / CACHE / name)
               for name in (memo.NAME, memo.REGISTER_NAME)}
    fresh_checkout(repo, entry)
    result = load(repo, vouched)
    assert reads == []
    assert result.catalog == load(repo, cache=None).catalog


def test_a_folder_loaded_while_its_files_were_recent_is_read_again_once_settled(
        tmp_path, monkeypatch):
    """A file rewritten within one tick of the file system's clock keeps its signature,
    so an outcome stored while a file had just changed may not be what the file holds: it
    is used until the files have settled, then the folder is read again, once, and stored
    with its blob ids."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS)
    commit_all(repo)
    monkeypatch.setattr(blobs, "RACY_NS", 1 << 62)  # nothing has settled
    load(repo)
    _, *lines = (repo / CACHE / memo.NAME).read_text(encoding="utf-8").rstrip().split("\n")
    assert lines and all(line.split("\t")[2] == "false" for line in lines)
    reads = watch_reads(monkeypatch)
    load(repo)
    assert reads == []  # taken while the files are recent
    monkeypatch.setattr(blobs, "RACY_NS", 0)  # settled
    result = load(repo)
    assert set(reads) == records_of(repo) | {p.relative_to(repo).as_posix() for p in (
        repo / "catalog" / "decisions").rglob("*.yml") if not p.name.startswith("_")}
    assert result.catalog == load(repo, cache=None).catalog
    _, *lines = (repo / CACHE / memo.NAME).read_text(encoding="utf-8").rstrip().split("\n")
    assert all(line.split("\t")[2].startswith("{") for line in lines)
    reads.clear()
    load(repo)
    assert reads == []


def test_an_edit_in_ocop_serve_asks_git_nothing(published, monkeypatch):
    """'ocop serve' loads the catalog again after each edit: the edited folder has just
    changed, so git is not asked about it (nor about anything else)."""
    repo, entry, vouched = published
    monkeypatch.setattr(blobs, "RACY_NS", 2_000_000_000)  # as a build has it
    asked: list[tuple] = []
    real = blobs._git
    monkeypatch.setattr(blobs, "_git", lambda *args: asked.append(args) or real(*args))
    edited = next((repo / "products" / "htx-nhan-ly").glob("*/product.yml"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    reads = watch_reads(monkeypatch)
    assert load(repo).catalog is not None
    assert {rel.split("/")[1] for rel in reads} == {"htx-nhan-ly"}  # its folder, read
    assert asked == []
    # once it has settled: read again (it was stored while it had just changed), and git
    # asked about it once; then nothing more
    monkeypatch.setattr(blobs, "RACY_NS", 0)
    reads.clear()
    load(repo)
    assert {rel.split("/")[1] for rel in reads} == {"htx-nhan-ly"}
    assert 1 <= len(asked) <= 2  # ls-files, check-attr
    asked.clear()
    reads.clear()
    load(repo)
    assert reads == [] and asked == []
