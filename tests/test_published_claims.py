"""A newcomer never takes an established product's id, GTIN or printed QR code.

Clashes are decided by what is already published — a git revision
(``ocop validate --base``) or the site a build replaces — never by the order
folders sort in: a new producer whose folder sorts first, reusing an established
product's GTIN or QR code, gets the error; the established product does not
(issue: hardening against hostile pull requests, §1). Scratch catalogs are git
repositories made by the test, checked with the real ``ocop`` command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from ocop_catalog.catalog.links import derived_code
from scratch import GOODS, GOODS_FILE, TODAY, build_catalog
from siteutil import BUILD_EPOCH, REPO, ocop_command

NEW_PRODUCER = "aaa-htx-moi"  # sorts before every sample producer
NEW = "ruou-moi"
NEW_FILE = f"products/{NEW_PRODUCER}/{NEW}/product.yml"
GOODS_GTIN = "8930000000019"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=OCOP office",
                    "-c", "user.email=office@example.com", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A scratch catalog, committed: what is published."""
    scratch = build_catalog(tmp_path / "repo")
    git(scratch.root, "init", "-q", "-b", "main")
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-q", "-m", "published catalog")
    return scratch


def newcomer(scratch, *, gtin: str = "8930000000026", extra: str = "") -> None:
    """A new producer's product (folder sorting first); ``extra`` lines appended."""
    scratch.add_producer(NEW_PRODUCER)
    scratch.add_goods(NEW_PRODUCER, NEW, gtin=gtin)
    if extra:
        scratch.write(NEW_FILE, scratch.read(NEW_FILE) + extra)


def validate(scratch, *args: str) -> tuple[int, list[dict]]:
    done = subprocess.run([*ocop_command(), "validate", "--format", "json",
                           "--today", TODAY.isoformat(), *args],
                          cwd=scratch.root, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def errors(issues: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((i["file"], i["code"], i["field"]) for i in issues
                  if i["severity"] == "error")


def test_a_newcomer_reusing_a_gtin_is_refused_not_the_established_product(repo):
    newcomer(repo, gtin=GOODS_GTIN)
    # what a pull request's check of the changed folder runs
    code, issues = validate(repo, "--base", "main", f"products/{NEW_PRODUCER}")
    assert code == 1
    assert errors(issues) == [(NEW_FILE, "taken_gtin", "gtin")]
    message = next(i for i in issues if i["code"] == "taken_gtin")
    assert f"'{GOODS}'" in message["message"]["en"] and f"'{GOODS}'" in message["message"]["vi"]
    # the whole catalog: the established product is not blamed
    code, issues = validate(repo, "--base", "main")
    assert errors(issues) == [(NEW_FILE, "taken_gtin", "gtin")]


def test_a_newcomer_cannot_squat_a_printed_qr_code(repo):
    code_of_goods = derived_code(GOODS)
    newcomer(repo, extra=f"qr_code: {code_of_goods}\n")
    code, issues = validate(repo, "--base", "main")
    assert errors(issues) == [(NEW_FILE, "taken_qr_code", "qr_code")]
    # nor by claiming to be a renamed version of it
    repo.write(NEW_FILE, repo.read(NEW_FILE).replace(f"qr_code: {code_of_goods}\n",
                                                     f"former_ids: [{GOODS}]\n"))
    code, issues = validate(repo, "--base", "main")
    assert (NEW_FILE, "taken_id", "former_ids[0]") in errors(issues)
    assert not [e for e in errors(issues) if e[0] == GOODS_FILE]


def test_without_history_both_sides_of_a_clash_are_told(repo):
    """Nothing known to be published (no base, no site): no side is presumed right."""
    newcomer(repo, gtin=GOODS_GTIN)
    code, issues = validate(repo)
    assert code == 1
    assert errors(issues) == sorted([(NEW_FILE, "duplicate_gtin", "gtin"),
                                     (GOODS_FILE, "duplicate_gtin", "gtin")])
    # and checking the new folder alone sees the clash too
    code, issues = validate(repo, f"products/{NEW_PRODUCER}")
    assert errors(issues) == [(NEW_FILE, "duplicate_gtin", "gtin")]


def test_a_published_product_keeps_its_printed_code(repo):
    printed = derived_code(GOODS)
    # the same product, given another code
    repo.edit(GOODS_FILE, f"id: {GOODS}\n", f"id: {GOODS}\nqr_code: abcdef\n")
    code, issues = validate(repo, "--base", "main")
    assert code == 1
    changed = [i for i in issues if i["code"] == "qr_code_changed"]
    assert [(i["file"], i["field"]) for i in changed] == [(GOODS_FILE, "qr_code")]
    assert printed in changed[0]["message"]["en"] and printed in changed[0]["message"]["vi"]
    repo.edit(GOODS_FILE, f"id: {GOODS}\nqr_code: abcdef\n", f"id: {GOODS}\n")

    # renamed the documented way (the old id in former_ids): the code stays
    renamed = "mat-ong-rung-tam-dao"
    old_dir = repo.path(GOODS_FILE).parent
    os.rename(old_dir, old_dir.parent / renamed)
    new_file = f"{GOODS_FILE.rsplit('/', 2)[0]}/{renamed}/product.yml"
    repo.edit(new_file, f"id: {GOODS}\n", f"id: {renamed}\nformer_ids: [{GOODS}]\n")
    code, issues = validate(repo, "--base", "main")
    assert errors(issues) == []
    # ...and pinning another code on the renamed product is refused
    repo.edit(new_file, f"former_ids: [{GOODS}]\n", f"former_ids: [{GOODS}]\nqr_code: abcdef\n")
    code, issues = validate(repo, "--base", "main")
    assert errors(issues) == [(new_file, "qr_code_changed", "qr_code")]


def test_a_build_decides_by_the_site_it_replaces(repo, tmp_path):
    shutil.copytree(REPO / "theme", repo.root / "theme")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    site = tmp_path / "site"

    def build() -> subprocess.CompletedProcess:
        return subprocess.run([*ocop_command(), "build", "-d", str(site)], cwd=repo.root,
                              env=env, capture_output=True, text=True, check=False)

    first = build()
    assert first.returncode == 0, first.stderr
    published = json.loads((site / "feeds" / "catalog.json").read_text(encoding="utf-8"))
    assert GOODS in [p["id"] for p in published["products"]]
    newcomer(repo, gtin=GOODS_GTIN)
    second = build()
    assert second.returncode == 1
    assert f"{NEW_FILE}:" in second.stderr and "taken_gtin" in second.stderr
    assert f"{GOODS_FILE}:" not in second.stderr


def test_a_newcomer_cannot_take_a_published_id_under_another_producer(repo):
    """The same product id (and GTIN) in a new producer's folder, which sorts first: the
    newcomer is refused, the published product is not, and nothing is silently dropped."""
    repo.add_producer(NEW_PRODUCER)
    repo.add_goods(NEW_PRODUCER, GOODS, gtin=GOODS_GTIN)
    squatter = f"products/{NEW_PRODUCER}/{GOODS}/product.yml"
    code, issues = validate(repo, "--base", "main")
    assert code == 1
    found = errors(issues)
    assert {e[0] for e in found} == {squatter}
    assert (squatter, "taken_id", "id") in found and (squatter, "taken_gtin", "gtin") in found


def test_history_from_a_catalog_below_the_repository_top(tmp_path):
    """A catalog in a sub-folder of its git repository: --base still reads its records."""
    scratch = build_catalog(tmp_path / "top" / "catalog-repo")
    top = tmp_path / "top"
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "published catalog")
    newcomer(scratch, gtin=GOODS_GTIN)
    code, issues = validate(scratch, "--base", "main")
    assert errors(issues) == [(NEW_FILE, "taken_gtin", "gtin")]


def test_a_hostile_published_catalog_json_does_not_crash_validation(repo, tmp_path):
    site = repo.root / "site" / "feeds"
    site.mkdir(parents=True)
    (site / "catalog.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, issues = validate(repo)
    assert code == 0
