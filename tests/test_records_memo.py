"""The memo of producer folders (ocop_catalog.records.memo): a folder whose files are
unchanged since it loaded without an error is not read again, and a load that takes
folders from the memo gives what a load without it gives (the catalog, every issue with
its message, position and line, the texts left out).

Each test works on a fresh copy of part of the sample (new inodes and change times) and
watches which records the loader reads by wrapping ``loader.read_record``.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from siteutil import REPO, copy_repository

from ocop_catalog.records import loader, memo
from ocop_catalog.settings import load_settings

PRODUCERS = ("bo-sua-tam-dao", "hkd-pham-thi-hai-yen", "htx-nhan-ly")
EDITED = "bo-sua-tam-dao"
MILK = f"products/{EDITED}/sua-tuoi-tam-dao/product.yml"
TODAY = dt.date(2026, 11, 29)
CACHE = "memo-cache"


@pytest.fixture(scope="module")
def sample_part(tmp_path_factory) -> Path:
    return copy_repository(tmp_path_factory.mktemp("memo") / "repo", PRODUCERS)


@pytest.fixture
def repo(sample_part, tmp_path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(sample_part, dest, symlinks=True)
    return dest


def watch_reads(monkeypatch, folder: str) -> list[str]:
    """The records under ``folder`` the loader reads from now on (relative paths), in order."""
    seen: list[str] = []
    real = loader.read_record

    def watched(path, root, *args, **kwargs):
        rel = Path(path).relative_to(root).as_posix()
        if rel.startswith(folder):
            seen.append(rel)
        return real(path, root, *args, **kwargs)

    monkeypatch.setattr(loader, "read_record", watched)
    return seen


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The records under products/ the loader reads (relative paths), in order."""
    return watch_reads(monkeypatch, "products/")


def load(repo: Path, cache: str | None = CACHE, today: dt.date = TODAY):
    return loader.load_catalog(load_settings(repo, today=today, cache_dir=cache))


def records_of(repo: Path, producer: str | None = None) -> set[str]:
    folder = repo / "products" / (producer or "")
    return {p.relative_to(repo).as_posix()
            for p in [*folder.rglob("producer.yml"), *folder.rglob("product.yml")]}


def assert_same(result, fresh) -> None:
    """Two loads give the same catalog, issues (with the line shown) and left-out texts."""
    assert result.catalog == fresh.catalog
    assert result.issues == fresh.issues
    assert [i.excerpt for i in result.issues] == [i.excerpt for i in fresh.issues]
    assert result.ignored == fresh.ignored


def memo_file(repo: Path) -> Path:
    return repo / CACHE / memo.NAME


def read_memo(repo: Path) -> tuple[str, dict[str, dict]]:
    """The memo file's header line and its folders' entries (parsed), by name."""
    head, *lines = memo_file(repo).read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert json.loads(head)["format"] == memo.FORMAT
    folders = {}
    for line in lines:
        name, files, contents, outcome = line.split("\t")
        folders[json.loads(name)] = {"files": json.loads(files),
                                     "contents": json.loads(contents), **json.loads(outcome)}
    return head, folders


def write_memo(repo: Path, head: str, folders: dict[str, dict]) -> None:
    """Write a memo file as a pull request could commit it (the format the program reads)."""
    def line(name: str, entry: dict) -> str:
        rest = {k: v for k, v in entry.items() if k not in ("files", "contents")}
        return "\t".join(json.dumps(part) for part in (name, entry["files"],
                                                        entry.get("contents"), rest))

    memo_file(repo).write_text("\n".join([head, *(line(name, entry)
                                                  for name, entry in folders.items())]),
                               encoding="utf-8")


def test_an_unchanged_catalog_is_not_read_again(repo, reads):
    first = load(repo)
    assert set(reads) == records_of(repo) and first.catalog is not None
    assert first.warnings  # the sample has warnings: said again from the memo
    reads.clear()
    second = load(repo)
    assert reads == []
    assert_same(second, first)
    assert_same(second, load(repo, cache=None))
    # without a cache folder (ocop validate) every record is read
    reads.clear()
    load(repo, cache=None)
    assert set(reads) == records_of(repo)


def test_a_load_in_the_same_process_validates_only_what_it_has_not_seen(repo, monkeypatch):
    """'ocop serve' loads the catalog again after every edit: records taken from the memo
    whose stored JSON this process validated in the load before are not validated again
    (the same frozen record comes back), the edited one is, and the catalog, issues and
    warnings are what a load without the memo gives: none said twice."""
    load(repo)  # writes the memo
    first = load(repo)  # from the memo: every record validated from its JSON
    validated: list[str] = []
    real = memo.Product.model_validate_json

    def watched(text, **kwargs):
        validated.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(memo.Product, "model_validate_json", watched)
    again = load(repo)
    assert validated == []
    assert all(again.catalog.products[pid].record is p.record
               for pid, p in first.catalog.products.items())
    assert_same(again, first)
    (repo / MILK).write_text((repo / MILK).read_text(encoding="utf-8").replace(
        "amount: 35000", "amount: 36000"), encoding="utf-8")
    edited = load(repo)  # the edited folder read, its records checked against their JSON:
    assert len(validated) == 1  # only the edited one is new to this process
    assert '"id":"sua-tuoi-tam-dao"' in validated[0] and '"amount":36000' in validated[0]
    assert_same(edited, load(repo, cache=None))
    validated.clear()
    latest = load(repo)  # the edited folder, now from the memo: all of it seen already
    assert validated == []
    assert latest.catalog.products["sua-tuoi-tam-dao"].record.price.amount == 36000
    assert_same(latest, load(repo, cache=None))


def test_a_records_json_digest_is_that_of_its_own_json(repo, reads):
    """The keys of incremental builds take a record's digest from the memo when it has
    it (memo.json_digest); it is the digest of the record's own JSON, as a record the
    memo never saw is keyed, whether the record was stored in this load or taken back
    from the memo (validated again, or the same record as the load before); an edited
    record's is that of its new JSON, and a record the memo does not hold has none."""
    def own(record) -> str:
        return hashlib.sha256(record.model_dump_json(exclude_unset=True).encode()).hexdigest()

    def digests(result) -> dict[str, str | None]:
        records = [*(p.record for p in result.catalog.producers.values()),
                   *(p.record for p in result.catalog.products.values())]
        found = {r.id: memo.json_digest(r) for r in records}
        assert all(found[r.id] == own(r) for r in records), found
        return found

    unmemoised = load(repo, cache=None)
    assert {memo.json_digest(p.record) for p in unmemoised.catalog.products.values()} \
        == {None}
    stored = digests(load(repo))  # written to the memo in this load
    memo._VALIDATED.__init__()  # a new process: every record validated from its JSON
    reads.clear()
    taken = load(repo)
    assert reads == []  # all of it from the memo
    assert digests(taken) == stored and None not in stored.values()
    again = load(repo)  # the same records as the load before, their digests kept
    assert digests(again) == stored
    (repo / MILK).write_text((repo / MILK).read_text(encoding="utf-8").replace(
        "amount: 35000", "amount: 36000"), encoding="utf-8")
    edited = digests(load(repo))
    assert {k for k in stored if edited[k] != stored[k]} == {"sua-tuoi-tam-dao"}
    # two loads later a record's digest is forgotten (kept for the last two loads only)
    memo._VALIDATED.next_load()
    memo._VALIDATED.next_load()
    assert {memo.json_digest(p.record) for p in taken.catalog.products.values()} == {None}


def test_folders_taken_from_the_memo_are_written_back_as_they_were(repo):
    """The memo is rewritten after an edit: the folders taken from it keep their lines as
    they were read, the edited folder's line is new."""
    def lines() -> dict[str, str]:
        head, *rest = memo_file(repo).read_text(encoding="utf-8").rstrip("\n").split("\n")
        return {json.loads(line.split("\t", 1)[0]): line for line in rest}

    load(repo)
    before = lines()
    (repo / MILK).write_text((repo / MILK).read_text(encoding="utf-8").replace(
        "amount: 35000", "amount: 36000"), encoding="utf-8")
    load(repo)
    after = lines()
    assert set(after) == set(before) == {f"products/{name}" for name in PRODUCERS}
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {f"products/{EDITED}"}
    assert '\\"amount\\":36000' in after[f"products/{EDITED}"]


def test_forked_workers_load_the_missed_folders(repo, monkeypatch):
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)  # 3 folders: 2 forked workers
    fresh = load(repo, cache=None)
    assert_same(load(repo), fresh)
    (repo / MILK).write_text((repo / MILK).read_text(encoding="utf-8").replace(
        "amount: 35000", "amount: 36000"), encoding="utf-8")
    result = load(repo)  # two folders from the memo, one loaded in a worker
    assert_same(result, load(repo, cache=None))
    assert result.catalog.products["sua-tuoi-tam-dao"].record.price.amount == 36000


def test_an_edited_product_is_read_again_with_its_folder(repo, reads):
    load(repo)
    text = (repo / MILK).read_text(encoding="utf-8")
    text = text.replace("amount: 35000", "amount: 36000")
    # no English name: a warning; a Korean text: left out (the site does not publish ko)
    text = text.replace("name: {vi: Sữa tươi thanh trùng Tam Đảo, en: Tam Dao pasteurised "
                        "fresh milk}", "name: {vi: Sữa tươi thanh trùng Tam Đảo, ko: 우유}")
    (repo / MILK).write_text(text, encoding="utf-8")
    reads.clear()
    result = load(repo)
    assert set(reads) == records_of(repo, EDITED)
    assert_same(result, load(repo, cache=None))
    assert result.catalog.products["sua-tuoi-tam-dao"].record.price.amount == 36000
    warning = [i for i in result.warnings if i.file == MILK and i.code == "missing_translation"
               and i.field == "name"]
    assert len(warning) == 1 and (warning[0].line, warning[0].column) == (3, 7)
    assert warning[0].excerpt.text.startswith("name: {vi: Sữa tươi")
    assert ("ko", 1) in {(i.lang, i.count) for i in result.ignored if i.file == MILK}
    # and once more: nothing read, the same warning and note
    reads.clear()
    again = load(repo)
    assert reads == []
    assert_same(again, result)


def test_a_record_replaced_by_one_with_an_error_is_reported(repo, reads):
    load(repo)
    path = repo / MILK
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    broken = text.replace("amount: 35000", "amount: 35.00")  # a price is whole đồng
    assert len(broken.encode()) == len(text.encode())
    path.write_text(broken, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    reads.clear()
    result = load(repo)
    assert MILK in reads
    assert result.catalog is None
    assert [(i.file, i.field) for i in result.errors] == [(MILK, "price.amount")]
    assert_same(result, load(repo, cache=None))
    # a folder with an error is not remembered: read, and reported, every time
    reads.clear()
    assert load(repo).errors == result.errors and MILK in reads


def forge(repo: Path, change) -> None:
    """Rewrite the memo file as a pull request could commit it: valid JSON, the right
    key, the folder's files, its stored product changed by ``change``."""
    head, folders = read_memo(repo)
    folder = folders[f"products/{EDITED}"]
    item = next(p for p in folder["products"] if p["folder"] == "sua-tuoi-tam-dao")
    record = json.loads(item["record"])
    record["price"]["amount"] = 1
    item["record"] = json.dumps(record)
    change(folder)
    write_memo(repo, head, folders)


def test_a_forged_memo_is_not_trusted(repo, reads):
    load(repo)

    def fresh_checkout(folder):  # other change times and inodes, as a checkout has
        for sig in folder["files"].values():
            if sig is not None:
                sig[2] += 1_000_000_007
                sig[3] += 1
    forge(repo, fresh_checkout)
    reads.clear()
    result = load(repo)
    assert set(reads) == records_of(repo, EDITED)
    assert result.catalog.products["sua-tuoi-tam-dao"].record.price.amount == 35000
    assert_same(result, load(repo, cache=None))
    # what the memo trusts is the files' signatures: only a file written on this machine,
    # untouched since, has the one it records (here the forger would have had to know it)
    forge(repo, lambda folder: None)
    reads.clear()
    assert load(repo).catalog.products["sua-tuoi-tam-dao"].record.price.amount == 1
    assert reads == []


def test_a_memo_of_other_settings_is_not_used(repo, reads):
    load(repo)
    reads.clear()
    load(repo, today=TODAY + dt.timedelta(days=1))  # another day: see the test below
    assert reads == []
    loader.load_catalog(load_settings(repo, today=TODAY, cache_dir=CACHE,
                                      languages=("vi", "en")))
    assert set(reads) == records_of(repo)
    load(repo)
    regions = repo / "catalog" / "regions.yml"  # the communes products name
    regions.write_text(regions.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    reads.clear()
    load(repo, today=TODAY + dt.timedelta(days=1))
    assert reads == []  # a comment: the same regions
    regions.write_text(regions.read_text(encoding="utf-8").replace(
        "name: {vi: Xã Tam Đảo", "name: {vi: Xã Tam Đảo Mới", 1), encoding="utf-8")
    reads.clear()
    load(repo, today=TODAY + dt.timedelta(days=1))
    assert set(reads) == records_of(repo)


def test_a_folder_is_read_again_on_a_day_its_checks_go_otherwise(repo, reads):
    """A folder's checks compare a few of its dates with the build day (a certification's
    issue and end): the memo keeps the days its outcome holds for, so a later build day
    reads again only the folders a comparison goes the other way on, and gives what a
    load without the memo gives, on both sides of the bound."""
    milk = repo / MILK
    text = milk.read_text(encoding="utf-8")
    milk.write_text(text.replace("photos:\n", (
        "certifications:\n  - type: vietgap\n    number: VietGAP-CN-01\n"
        "    issuer: {vi: QUACERT, en: QUACERT}\n    issued: 2025-08-15\n"
        "    valid_until: 2027-04-01\nphotos:\n"), 1), encoding="utf-8")
    load(repo)
    bounded = {name: entry["days"] for name, entry in read_memo(repo)[1].items()
               if entry["days"][1] is not None}
    assert list(bounded.values()) == [["2025-08-15", "2027-04-02"]]
    name, (first, end) = next(iter(bounded.items()))
    assert name == f"products/{EDITED}"
    end = dt.date.fromisoformat(end)
    for day, again in ((end - dt.timedelta(days=1), False), (end, True)):
        load(repo, today=day - dt.timedelta(days=1) if again else TODAY)  # the memo of before
        reads.clear()
        found = load(repo, today=day)
        assert (set(reads) == records_of(repo, name.split("/")[-1])) if again else reads == []
        fresh = load(repo, cache=None, today=day)
        assert_same(found, fresh)
    lapsed = {i.code for i in fresh.issues if i.file.startswith(name)}
    assert "certification_expired" in lapsed
    assert "certification_expired" not in {
        i.code for i in load(repo, cache=None, today=end - dt.timedelta(days=1)).issues
        if i.file.startswith(name)}


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff garbage", b'{"format": 2, "key": ', b"[1, 2, 3]", b'"text"',
    b"[" * 100_000, b'{"format": 1, "key": "x", "folders": []}',
    b'{"format": 2, "key": "x"}\n"products/a"\t{}', b'{"format": 2}\n5\t{}\n',
])
def test_a_damaged_memo_is_ignored(repo, reads, content):
    fresh = load(repo, cache=None)
    memo_file(repo).parent.mkdir()
    memo_file(repo).write_bytes(content)
    reads.clear()
    assert_same(load(repo), fresh)
    assert set(reads) == records_of(repo)
    assert set(read_memo(repo)[1]) == {f"products/{name}" for name in PRODUCERS}  # written again


def test_a_memo_that_is_not_a_regular_file_is_not_read(repo, reads):
    """A memo a pull request replaced by a link to a device is not read (no hang, no
    memory filled): every folder is loaded, and the memo is written again."""
    fresh = load(repo, cache=None)
    memo_file(repo).parent.mkdir()
    memo_file(repo).symlink_to("/dev/zero")
    reads.clear()
    assert_same(load(repo), fresh)
    assert set(reads) == records_of(repo)
    assert not memo_file(repo).is_symlink() and read_memo(repo)[1]


def _named(item: dict, name: object) -> None:
    """A stored product record whose name is ``name``."""
    record = json.loads(item["record"])
    record["name"] = name
    item["record"] = json.dumps(record)


@pytest.mark.parametrize("damage", [
    lambda f: f.update(producer=5),
    lambda f: f["products"][0].update(record='{"id": 1}'),
    # translated texts the program would not have written: validated in full, and refused
    lambda f: _named(f["products"][0], {"vi": 5}),
    lambda f: _named(f["products"][0], {"vi": "", "en": "Milk"}),
    lambda f: _named(f["products"][0], {"en": "Milk"}),
    lambda f: _named(f["products"][0], "Sữa\u202e"),
    lambda f: f["products"][0].update(issues=[["x", "one"]]),
    lambda f: f["products"][0].update(photos=[["../../../site_config.yml", 1, 1, "JPEG", 1]]),
    lambda f: f["products"].pop(),
    lambda f: f["producer"]["issues"].append(
        [f"products/{EDITED}/producer.yml", 1, 1, "", "error", "x", "x", "x", None]),
])
def test_a_damaged_entry_with_the_right_files_is_a_miss(repo, reads, damage):
    load(repo)
    head, folders = read_memo(repo)
    damage(folders[f"products/{EDITED}"])
    write_memo(repo, head, folders)
    reads.clear()
    result = load(repo)
    assert set(reads) == records_of(repo, EDITED)
    assert_same(result, load(repo, cache=None))


def test_a_folder_with_a_symbolic_link_is_not_remembered(repo, reads):
    (repo / "products" / EDITED / "notes.txt").symlink_to(repo / "site_config.yml")
    load(repo)
    reads.clear()
    load(repo)
    assert set(reads) == records_of(repo, EDITED)


def test_the_memo_key_covers_the_code_the_records_use():
    """memo.CODE is hashed into the key: the records and catalog packages import nothing
    else of ocop_catalog (a new import must be added to CODE)."""
    package = REPO / "generator" / "ocop_catalog"
    allowed = {f"ocop_catalog.{name.removesuffix('.py')}" for name in memo.CODE}
    for path in [*(package / "records").rglob("*.py"), *(package / "catalog").rglob("*.py"),
                 *(package / name for name in memo.CODE if name.endswith(".py"))]:
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = module.split(".")[:-node.level]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [
                    a.name for a in node.names]
            else:
                continue
            for name in names:
                if name == "ocop_catalog" or name.startswith("ocop_catalog."):
                    assert any(name == a or name.startswith(a + ".") for a in allowed), (
                        f"{module} imports {name}, which the memo's key does not cover")


# --------------------------------------------------------------------------
# The register of decisions (memo.RegisterMemo)
# --------------------------------------------------------------------------

RECOGNITION = "catalog/decisions/2024-09-16-2389-qd-ubnd.yml"
REVOCATION = "catalog/decisions/2026-03-10-498-qd-ubnd.yml"


@pytest.fixture
def decision_reads(monkeypatch) -> list[str]:
    """The decision files the loader reads (relative paths), in order."""
    return watch_reads(monkeypatch, "catalog/decisions/")


def decisions_of(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix()
            for p in (repo / "catalog" / "decisions").rglob("*.yml")}


def register_file(repo: Path) -> Path:
    return repo / CACHE / memo.REGISTER_NAME


def read_register_memo(repo: Path) -> tuple[str, dict, dict[str, dict]]:
    """The register memo's header line, its files' listing and its decisions (parsed), by
    path in the folder."""
    head, *lines = register_file(repo).read_text(encoding="utf-8").rstrip("\n").split("\n")
    entries = {json.loads(name): json.loads(entry)
               for name, entry in (line.split("\t", 1) for line in lines)}
    files, _contents = entries.pop("")
    return head, files, entries


def write_register_memo(repo: Path, head: str, files, decisions: dict[str, dict]) -> None:
    """Write the register memo as a pull request could commit it."""
    lines = [head, f'""\t{json.dumps([files, None])}',
             *(f"{json.dumps(name)}\t{json.dumps(entry)}" for name, entry in decisions.items())]
    register_file(repo).write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unchanged_register_is_not_read_again(repo, decision_reads):
    first = load(repo)
    assert set(decision_reads) == decisions_of(repo)
    decision_reads.clear()
    second = load(repo)
    assert decision_reads == []
    assert_same(second, first)
    assert_same(second, load(repo, cache=None))
    # the revocation and the recognition before it, as the register says
    cert = second.catalog.products["sua-tuoi-tam-dao"].certification
    assert cert.stars == 3 and cert.revoked is not None and cert.revoked.source == REVOCATION


def test_warnings_of_a_remembered_decision_are_said_again(repo, decision_reads):
    """A decision's warnings (here a text with no English, found by the texts' checks) are
    said on every load, at the same place and with the same line shown, and a check
    against the products (a decision naming no product of the catalog) still runs."""
    edit(repo, REVOCATION, '    en: "The cooperative stopped', '    # en: "The cooperative')
    edit(repo, RECOGNITION, "  - product: sua-tuoi-tam-dao",
         "  - product: sua-chua-tam-dao-khong-co\n    stars: 3\n"
         "  - product: sua-tuoi-tam-dao")
    first = load(repo, cache=None)
    said = {(i.file, i.code) for i in first.issues}
    assert (REVOCATION, "missing_translation") in said
    assert any(file == RECOGNITION for file, _ in said)  # the unknown product
    load(repo)  # remembers the register
    decision_reads.clear()
    again = load(repo)
    assert decision_reads == []
    assert_same(again, first)


def test_an_edited_decision_is_read_again(repo, decision_reads):
    load(repo)
    edit(repo, REVOCATION, 'vi: "Hợp tác xã đã ngừng', 'vi: "HTX đã ngừng')
    decision_reads.clear()
    result = load(repo)
    assert set(decision_reads) == decisions_of(repo)  # the register is one unit
    revoked = result.catalog.products["sua-tuoi-tam-dao"].certification.revoked
    assert revoked.reason("vi").startswith("HTX đã ngừng")
    assert_same(result, load(repo, cache=None))
    decision_reads.clear()
    again = load(repo)
    assert decision_reads == []
    assert_same(again, result)


def test_a_new_decision_file_is_read(repo, decision_reads):
    load(repo)
    new = "catalog/decisions/2026-11-01-900-qd-ubnd.yml"
    (repo / new).write_text((repo / REVOCATION).read_text(encoding="utf-8").replace(
        "498/QĐ-UBND", "900/QĐ-UBND").replace("2026-03-10", "2026-11-01"), encoding="utf-8")
    decision_reads.clear()
    result = load(repo)
    assert new in decision_reads
    assert_same(result, load(repo, cache=None))
    assert any(i.file == new for i in result.issues)  # a second revocation: said


def test_a_register_with_an_error_is_not_remembered(repo, decision_reads):
    load(repo)
    edit(repo, RECOGNITION, "    stars: 3", "    stars: 7")
    decision_reads.clear()
    result = load(repo)
    assert result.catalog is None
    # (and the revocation of a product no longer recognised)
    assert (RECOGNITION, "recognises[0].stars") in [(i.file, i.field) for i in result.errors]
    assert_same(result, load(repo, cache=None))
    decision_reads.clear()
    assert load(repo).errors == result.errors and RECOGNITION in decision_reads
    assert register_file(repo).read_text(encoding="utf-8").count("\n") == 1  # the header only


def forge_register(repo: Path, change) -> None:
    """Rewrite the register's memo as a pull request could commit it: the right key and
    files, the revocation's reason changed."""
    head, files, decisions = read_register_memo(repo)
    item = decisions[Path(REVOCATION).name]
    record = json.loads(item["record"])
    record["revokes"][0]["reason"]["vi"] = "Giả mạo"
    item["record"] = json.dumps(record)
    change(files)
    write_register_memo(repo, head, files, decisions)


def test_a_forged_register_memo_is_not_trusted(repo, decision_reads):
    load(repo)

    def fresh_checkout(files):  # other change times and inodes, as a checkout has
        for sig in files.values():
            if sig is not None:
                sig[2] += 1_000_000_007
                sig[3] += 1
    forge_register(repo, fresh_checkout)
    decision_reads.clear()
    result = load(repo)
    assert set(decision_reads) == decisions_of(repo)
    revoked = result.catalog.products["sua-tuoi-tam-dao"].certification.revoked
    assert revoked.reason("vi").startswith("Hợp tác xã đã ngừng")
    assert_same(result, load(repo, cache=None))
    # what the memo trusts is the files' signatures (a forger would have to know them)
    forge_register(repo, lambda files: None)
    decision_reads.clear()
    revoked = load(repo).catalog.products["sua-tuoi-tam-dao"].certification.revoked
    assert revoked.reason("vi") == "Giả mạo"
    assert decision_reads == []


def _first(decisions: dict[str, dict]) -> dict:
    return next(iter(decisions.values()))


@pytest.mark.parametrize("damage", [
    lambda files, d: d.update({next(iter(d)): 5}),
    lambda files, d: _first(d).update(record='{"number": 1}'),
    lambda files, d: d.update({"../../site_config.yml": d.pop(next(iter(d)))}),
    lambda files, d: _first(d).update(issues=[["x", "one"]]),
    lambda files, d: _first(d)["issues"].append(
        [RECOGNITION, 1, 1, "", "error", "x", "x", "x", None]),
    lambda files, d: files.pop(next(iter(files))),
])
def test_a_damaged_register_memo_is_a_miss(repo, decision_reads, damage):
    load(repo)
    head, files, decisions = read_register_memo(repo)
    damage(files, decisions)
    write_register_memo(repo, head, files, decisions)
    decision_reads.clear()
    result = load(repo)
    assert set(decision_reads) == decisions_of(repo)
    assert_same(result, load(repo, cache=None))


def test_the_register_memo_is_not_written_when_unchanged(repo):
    load(repo)
    before = register_file(repo).stat()
    load(repo)
    after = register_file(repo).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


YOGHURT = f"products/{EDITED}/sua-chua-tam-dao/product.yml"
RICE = "products/htx-nhan-ly/gao-ngon-phu-xuan/product.yml"


def _clash_with_the_yoghurt(repo: Path) -> None:
    """The rice of another folder given the yoghurt's GTIN: both are reported."""
    rice = repo / RICE
    rice.write_text(rice.read_text(encoding="utf-8").replace(
        'gtin: "8936037640013"', 'gtin: "8936072310049"'), encoding="utf-8")


def _at(result, rel: str) -> list[tuple[int, int, str]]:
    return [(i.line, i.column, i.code) for i in result.issues if i.file == rel]


def test_a_clash_is_reported_where_it_is_written_in_a_remembered_folder(repo, reads):
    """The positions of a folder taken from the memo are read when a catalog-wide check
    reports at them: the yoghurt's GTIN clash at its line, as a fresh load says it."""
    load(repo)
    _clash_with_the_yoghurt(repo)
    reads.clear()
    result = load(repo)
    assert set(reads) == records_of(repo, "htx-nhan-ly")  # the yoghurt's: from the memo
    fresh = load(repo, cache=None)
    assert _at(result, YOGHURT) == _at(fresh, YOGHURT)
    assert any(code == "duplicate_gtin" and line == 31 for line, _, code in _at(result, YOGHURT))
    assert_same(result, fresh)


def test_damaged_positions_of_a_remembered_folder_are_reported_at_the_start(repo, reads):
    """Positions not as the memo writes them (a memo changed by hand) do not make the folder
    a miss, and cannot stop the load: what is reported there is at the start of the file."""
    load(repo)
    head, folders = read_memo(repo)
    entry = folders[f"products/{EDITED}"]
    for product in entry["products"]:
        product["values"] = [[[{"a": 1}], "one", None]]
    write_memo(repo, head, folders)
    _clash_with_the_yoghurt(repo)
    reads.clear()
    result = load(repo)
    assert not any(r.startswith(f"products/{EDITED}/") for r in reads)
    assert ("duplicate_gtin" in {code for _, _, code in _at(result, YOGHURT)})
    assert {(line, column) for line, column, code in _at(result, YOGHURT)
            if code == "duplicate_gtin"} == {(1, 1)}
    assert result.catalog is None  # the clash is an error, said at both products
    assert any(code == "duplicate_gtin" for _, _, code in _at(result, RICE))


def test_damaged_positions_of_the_remembered_register_are_reported_at_the_start(
        repo, decision_reads):
    """The register's positions are read as a folder's are: damaged ones (a memo changed
    by hand) do not make it a miss, and its warnings are said at the start of their file."""
    fresh = load(repo, cache=None)
    said = {i.file for i in fresh.issues if i.file.startswith("catalog/decisions/")}
    assert said  # the sample's register has warnings (certificates that expired…)
    load(repo)
    head, files, decisions = read_register_memo(repo)
    for item in decisions.values():
        item["values"] = [[[{"a": 1}], "one", None]]
    write_register_memo(repo, head, files, decisions)
    decision_reads.clear()
    result = load(repo)
    assert decision_reads == []
    assert result.catalog == fresh.catalog
    found = [i for i in result.issues if i.file.startswith("catalog/decisions/")]
    assert {i.file for i in found} == said
    assert {(i.line, i.column) for i in found} == {(1, 1)}
    assert sorted((i.file, i.code) for i in found) == sorted(
        (i.file, i.code) for i in fresh.issues if i.file.startswith("catalog/decisions/"))


def test_a_stored_text_is_taken_as_written_and_anything_else_checked_in_full():
    """The memo's records are validated again when taken, their translated texts as
    this program wrote them (``text.STORED``: a mapping of non-empty texts with
    Vietnamese), without checking each character again; their languages are still
    filtered as the site publishes them, and a text in any other shape is checked in
    full (and refused if it is wrong, never taken as it is)."""
    from pydantic import TypeAdapter, ValidationError

    from ocop_catalog.records.text import (MAX_LANGUAGES, PUBLISHED, STORED, LocalizedMarkdown,
                                           PublishedLanguages, text_type)

    adapter = TypeAdapter(text_type(50))
    hidden = {"vi": "Mật ong\u202e"}  # a right-to-left override, refused when read
    with pytest.raises(ValidationError, match="text_control|not allowed"):
        adapter.validate_python(hidden)
    assert dict(adapter.validate_python(hidden, context={STORED: True})) == hidden
    published = PublishedLanguages(("vi", "en"))
    taken = adapter.validate_python({"vi": "Mật ong", "en": "Honey", "fr": "Miel"},
                                    context={STORED: True, PUBLISHED: published})
    assert dict(taken) == {"vi": "Mật ong", "en": "Honey"} and published.ignored == {"fr": 1}
    many = {"vi": "Mật ong", **{f"x{i}": "y" for i in range(MAX_LANGUAGES)}}
    for shape in ({"vi": 5}, {"vi": "", "en": "Honey"}, {"en": "Honey"}, "Mật ong\u202e",
                  {"vi": "x" * 51}, many):
        with pytest.raises(ValidationError):
            adapter.validate_python(shape, context={STORED: True})
    # Markdown texts the same way, as Markdown
    markdown = TypeAdapter(text_type(50, markdown=True))
    taken = markdown.validate_python({"vi": "**Mật ong**\n\nrừng"}, context={STORED: True})
    assert type(taken) is LocalizedMarkdown and taken["vi"] == "**Mật ong**\n\nrừng"
    with pytest.raises(ValidationError):
        markdown.validate_python({"vi": "x" * 51}, context={STORED: True})
