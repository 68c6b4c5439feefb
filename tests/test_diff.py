"""``ocop diff``: a scratch catalog in a git repository, changed commit by commit."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from ocop_catalog import cli
from ocop_catalog.catalog.links import derived_code
from ocop_catalog.diff import compare, md
from scratch import GOODS, GOODS_DIR, GOODS_FILE, PRODUCER, PRODUCER_FILE, SERVICE_FILE


def git(root, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                           "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                          capture_output=True, text=True)
    return done.stdout


def commit(repo, message: str = "change") -> None:
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def repo(scratch, monkeypatch):
    """The scratch catalog as a git repository (one commit, tagged ``base``) and the
    current folder; the producer is maintained by ``htx-ong-demo``."""
    scratch.edit(PRODUCER_FILE, "description:\n", "maintainers: [htx-ong-demo]\ndescription:\n")
    git(scratch.root, "init", "-q")
    commit(scratch, "base")
    git(scratch.root, "tag", "base")
    monkeypatch.chdir(scratch.root)
    return scratch


def run(capsys, *args: str) -> tuple[int, str]:
    status = cli.main(["diff", *args])
    return status, capsys.readouterr().out


def report(capsys, *args: str) -> tuple[int, dict]:
    status, out = run(capsys, "base", *args, "--format", "json")
    return status, json.loads(out)


def product(data: dict, product_id: str) -> dict:
    (found,) = [p for p in data["products"] if p["id"] == product_id]
    return found


def codes(data: dict) -> list[str]:
    return sorted(e["code"] for e in data["errors"])


def rename_goods(repo, new_id: str, keep_old: bool) -> None:
    new_dir = f"products/{PRODUCER}/{new_id}"
    shutil.move(repo.path(GOODS_DIR), repo.path(new_dir))
    former = f"former_ids: [{GOODS}]\n" if keep_old else ""
    repo.edit(f"{new_dir}/product.yml", f"id: {GOODS}\n", f"id: {new_id}\n{former}")


# --------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------


def test_no_change(repo, capsys):
    status, out = run(capsys, "base")
    assert status == 0
    assert "No change to the catalog" in out


def test_price_change_in_the_working_tree(repo, capsys):
    repo.edit(GOODS_FILE, "amount: 250000", "amount: 270000")
    status, data = report(capsys)
    assert status == 0 and data["errors"] == []
    goods = product(data, GOODS)
    assert goods["change"] == "changed"
    assert goods["fields"] == [{"path": "price.amount", "kind": "changed",
                                "old": 250000, "new": 270000}]
    status, out = run(capsys, "base")
    assert "| <code>price\\.amount</code> | 250000 | 270000 |" in out


def test_between_two_revisions(repo, capsys):
    repo.edit(GOODS_FILE, "availability: in_stock", "availability: out_of_stock")
    commit(repo)
    repo.edit(GOODS_FILE, "amount: 250000", "amount: 1")  # in the working tree only
    status, data = report(capsys, "HEAD")
    assert status == 0
    assert [f["path"] for f in product(data, GOODS)["fields"]] == ["availability"]


def test_photos_and_translations(repo, capsys):
    repo.write_bytes(f"{GOODS_DIR}/3.jpg", repo.path(f"{GOODS_DIR}/1.jpg").read_bytes())
    repo.edit(GOODS_FILE, "sales_points:\n",
              "  - file: 3.jpg\n    alt: {vi: Hũ mật, en: A jar}\nsales_points:\n")
    repo.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
              "  en: Tam Dao wild-flower honey\n  zh: 三岛野花蜂蜜\n")
    status, data = report(capsys)
    goods = product(data, GOODS)
    assert status == 0
    assert [(f["path"], f["kind"]) for f in goods["fields"]] == [
        ("name.zh", "added"), ("photos[3.jpg]", "added")]
    assert goods["files"] == {"added": ["3.jpg"]}


def test_every_file_of_a_folder_whatever_its_name(repo, capsys):
    """Files are found under their record's folder by bisection of the sorted paths: a
    name that starts with the last character there is (U+10FFFF) is found too, in a
    product's folder, a producer's and catalog/, between revisions and in the working
    tree."""
    odd = "\U0010ffff"
    repo.write_bytes(f"{GOODS_DIR}/{odd}.jpg", repo.path(f"{GOODS_DIR}/1.jpg").read_bytes())
    repo.write(f"products/{PRODUCER}/{odd}.txt", "ghi chú\n")
    repo.write(f"catalog/{odd}notes.txt", "ghi chú\n")
    status, data = report(capsys)
    assert status == 0
    assert product(data, GOODS)["files"] == {"added": [f"{odd}.jpg"]}
    assert [(p["id"], p["files"]) for p in data["producers"]] == [
        (PRODUCER, {"added": [f"{odd}.txt"]})]
    assert data["files"] == {"added": [f"catalog/{odd}notes.txt"]}
    commit(repo)
    status, out = run(capsys, "base", "HEAD", "--format", "json")
    assert json.loads(out)["files"] == data["files"]
    assert product(json.loads(out), GOODS)["files"] == {"added": [f"{odd}.jpg"]}


def test_a_value_read_twice_compares_as_read_once(repo, capsys):
    """A record both revisions share is parsed once; one that differs elsewhere is parsed
    at each: a NaN in it (``!!float nan``, which validation refuses) is the same either
    way, and not reported as changed."""
    repo.edit(GOODS_FILE, "sales_points:\n", "weight: !!float nan\nsales_points:\n")
    commit(repo, "nan")
    git(repo.root, "tag", "nan")
    repo.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
              "  en: Tam Dao wild-flower honey\n  zh: 三岛野花蜂蜜\n")
    status, out = run(capsys, "nan", "--format", "json")
    assert [f["path"] for f in product(json.loads(out), GOODS)["fields"]] == ["name.zh"]


def test_new_product(repo, capsys):
    repo.add_goods(PRODUCER, "mat-ong-bac-ha", gtin="8930000000026")
    status, data = report(capsys)
    assert status == 0
    assert product(data, "mat-ong-bac-ha")["change"] == "added"
    assert product(data, "mat-ong-bac-ha")["files"] == {"added": ["1.jpg", "2.jpg"]}


def test_new_producer_and_catalog_files(repo, capsys):
    repo.add_producer("htx-moi")
    repo.edit("catalog/sales-points.yml", "Chợ Tam Đảo", "Chợ Tam Đảo mới")
    status, data = report(capsys)
    assert status == 0
    assert [(p["id"], p["change"]) for p in data["producers"]] == [("htx-moi", "added")]
    assert data["files"] == {"changed": ["catalog/sales-points.yml"]}


def test_removed_product_breaks_its_address(repo, capsys):
    shutil.rmtree(repo.path(GOODS_DIR))
    status, data = report(capsys)
    assert status == 1
    assert product(data, GOODS)["change"] == "removed"
    assert codes(data) == ["broken_address"]
    assert data["errors"][0]["path"] == GOODS_FILE
    assert derived_code(GOODS) in data["errors"][0]["message_en"]


def test_rename_with_former_ids_is_fine(repo, capsys):
    rename_goods(repo, "mat-ong-rung-tam-dao", keep_old=True)
    commit(repo)
    status, data = report(capsys, "HEAD")
    assert status == 0, data["errors"]
    renamed = product(data, "mat-ong-rung-tam-dao")
    assert (renamed["change"], renamed["old_id"]) == ("renamed", GOODS)
    assert [f["path"] for f in renamed["fields"]] == ["id", "former_ids"]


def test_rename_without_former_ids_breaks_the_address(repo, capsys):
    rename_goods(repo, "mat-ong-rung-tam-dao", keep_old=False)
    status, data = report(capsys)
    assert status == 1
    assert codes(data) == ["broken_address"]
    assert product(data, "mat-ong-rung-tam-dao")["change"] == "added"
    status, out = run(capsys, "base")
    assert status == 1 and "broken\\_address" in out and "❌ 1" in out


def test_dropping_a_former_id_breaks_the_old_address(repo, capsys):
    rename_goods(repo, "mat-ong-rung-tam-dao", keep_old=True)
    commit(repo, "rename")
    repo.edit(f"products/{PRODUCER}/mat-ong-rung-tam-dao/product.yml",
              f"former_ids: [{GOODS}]\n", f"qr_code: {derived_code(GOODS)}\n")
    status, out = run(capsys, "HEAD", "--format", "json")
    data = json.loads(out)
    assert status == 1
    # the code is pinned: it does not change; but the decision naming the old id no longer
    # names any product, so the product also loses its certificate
    assert codes(data) == ["broken_address", "certificate_lost"]


def test_qr_code_change_is_an_error(repo, capsys):
    repo.edit(SERVICE_FILE, "photos:\n", "qr_code: abc234\nphotos:\n")
    status, data = report(capsys)
    assert status == 1
    assert codes(data) == ["qr_code_changed"]
    assert data["errors"][0]["path"] == SERVICE_FILE


def test_author_inside_own_folder(repo, capsys):
    repo.edit(GOODS_FILE, "amount: 250000", "amount: 270000")
    status, data = report(capsys, "--author", "HTX-ONG-DEMO")  # logins ignore case
    assert status == 0 and data["errors"] == []


def test_author_outside_own_folder(repo, capsys):
    repo.edit(GOODS_FILE, "amount: 250000", "amount: 270000")
    repo.add_producer("htx-khac")
    repo.edit("catalog/regions.yml", "Xã Tam Đảo", "Xã Tam Đảo mới")
    repo.write("README.md", "changed\n")
    commit(repo)
    status, data = report(capsys, "HEAD", "--author", "htx-ong-demo")
    assert status == 1
    assert [(e["code"], e["path"]) for e in data["errors"]] == [
        ("outside_own_folders", "README.md"), ("outside_own_folders", "catalog/"),
        ("outside_own_folders", "products/htx-khac/")]


def test_author_cannot_add_themselves(repo, capsys):
    """Rights come from the base: listing oneself in a producer's maintainers is a
    change outside one's own folders."""
    repo.edit(PRODUCER_FILE, "[htx-ong-demo]", "[htx-ong-demo, ke-la]")
    status, data = report(capsys, "--author", "ke-la")
    assert status == 1
    assert [e["path"] for e in data["errors"]] == [f"products/{PRODUCER}/"]


# --------------------------------------------------------------------------
# Output and usage
# --------------------------------------------------------------------------


def test_markdown_escapes_values(repo, capsys):
    repo.edit(PRODUCER_FILE, "  vi: HTX Ong mật Tam Đảo",
              '  vi: "HTX | <script>alert(1)</script> @everyone [x](http://e.vn) `c`"')
    status, out = run(capsys, "base")
    assert status == 0
    assert "<script>" not in out and "@everyone" not in out and "](http" not in out
    row = next(line for line in out.splitlines() if line.startswith("| sửa / changed"))
    assert row.count("|") == 5  # the name's | does not open a cell
    assert "&lt;script&gt;" in row and "&#124;" in row


def test_md_is_one_inert_line():
    assert md("a\nb|c") == "a b&#124;c"
    assert md("x" * 500).endswith("…") and len(md("x" * 500)) == 100
    assert md(None) == "—" and md([1, "a"]) == '\\[1, &quot;a&quot;\\]'


def test_compare_paths():
    assert compare({"a": {"b": 1}, "l": [1, 2]}, {"a": {"b": 2, "c": 3}, "l": [2]}) == [
        *compare({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}}),
        *compare({"l": [1, 2]}, {"l": [2]})]
    assert [c.path for c in compare({"m": [{"platform": "x", "url": "u"}]},
                                    {"m": [{"platform": "x", "url": "v"}]})] == ["m[x].url"]


def test_unknown_revision_is_a_usage_error(repo, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["diff", "no-such-rev"])
    assert caught.value.code == 2
    assert "no-such-rev" in capsys.readouterr().err


def test_bad_author_is_a_usage_error(repo, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["diff", "base", "--author", "@bad login"])
    assert caught.value.code == 2


# --------------------------------------------------------------------------
# The register of decisions
# --------------------------------------------------------------------------


def test_register_changes_show_each_products_certificate_before_and_after(repo, capsys):
    from scratch import GOODS_DECISION, SERVICE, decision_yml

    repo.write("catalog/decisions/2026-02-01-77.yml", decision_yml(
        "77/QĐ-BNNMT", "2026-02-01", [(GOODS, 5, 92)], level="ministry"))
    repo.write("catalog/decisions/2026-02-10-thu-hoi.yml", (
        "number: 12/QĐ-UBND\ndate: 2026-02-10\nissuer: UBND tỉnh Vĩnh Phúc\nlevel: province\n"
        f"revokes:\n  - product: {SERVICE}\n    reason: Ngừng kinh doanh\n"))
    status, data = report(capsys)
    assert status == 0
    assert data["certificates"] == [
        {"product": GOODS,
         "old": {"stars": 4, "number": "385/QĐ-UBND", "date": "2025-06-10",
                 "file": GOODS_DECISION, "revoked_by": None},
         "new": {"stars": 5, "number": "77/QĐ-BNNMT", "date": "2026-02-01",
                 "file": "catalog/decisions/2026-02-01-77.yml", "revoked_by": None}},
        {"product": SERVICE,
         "old": {"stars": 3, "number": "120/QĐ-UBND", "date": "2025-09-01",
                 "file": "catalog/decisions/2025-09-01-120.yml", "revoked_by": None},
         "new": {"stars": 3, "number": "120/QĐ-UBND", "date": "2025-09-01",
                 "file": "catalog/decisions/2025-09-01-120.yml", "revoked_by": "12/QĐ-UBND"}},
    ]
    _, out = run(capsys, "base")
    assert (f"| <code>{md(GOODS)}</code> | 4★ · 385/QĐ-UBND (2025-06-10) | "
            "5★ · 77/QĐ-BNNMT (2026-02-01) |") in out
    assert "**thu hồi / revoked** (12/QĐ-UBND)" in out
    # a producer who writes stars into the register is outside their own folder
    status, data = report(capsys, "--author", "htx-ong-demo")
    assert status == 1
    assert [(e["code"], e["path"]) for e in data["errors"]] == [
        ("outside_own_folders", "catalog/")]


def test_a_second_revocation_does_not_replace_the_first(repo, capsys):
    from scratch import SERVICE

    for name, number, day in (("a", "12/QĐ-UBND", "2026-01-10"), ("b", "13/QĐ-UBND", "2026-02-10")):
        repo.write(f"catalog/decisions/2026-thu-hoi-{name}.yml", (
            f"number: {number}\ndate: {day}\nissuer: UBND tỉnh Vĩnh Phúc\nlevel: province\n"
            f"revokes:\n  - product: {SERVICE}\n    reason: Ngừng kinh doanh\n"))
    _, data = report(capsys)
    (change,) = data["certificates"]
    assert change["new"]["revoked_by"] == "12/QĐ-UBND"


# --------------------------------------------------------------------------
# Symbolic links and lost certificates
# --------------------------------------------------------------------------


@pytest.mark.parametrize("link, target", [
    ("catalog/decisions/2026-01-01-5-sao.yml", "../../products/htx-ong-tam-dao/notes.yml"),
    (f"{GOODS_DIR}/3.jpg", "1.jpg"),
])
@pytest.mark.parametrize("committed", [True, False])
def test_a_symbolic_link_is_an_error(repo, capsys, link, target, committed):
    repo.write("products/htx-ong-tam-dao/notes.yml", "number: 1\n")
    repo.path(link).symlink_to(target)
    if committed:
        commit(repo)
        assert git(repo.root, "ls-files", "-s", link).startswith("120000 ")
    status, data = report(capsys, *(["HEAD"] if committed else []))
    assert status == 1
    assert [(e["code"], e["path"]) for e in data["errors"]] == [("symlink", link)]
    assert data["errors"][0]["message_en"].startswith(f"{link} is a symbolic link (git mode "
                                                      "120000)")
    _, out = run(capsys, "base", *(["HEAD"] if committed else []))
    assert "| <code>symlink</code> |" in out


def test_a_renamed_product_keeps_its_certificate_in_the_diff(repo, capsys):
    rename_goods(repo, "mat-ong-rung", keep_old=True)
    status, data = report(capsys)
    assert status == 0 and data["errors"] == []
    # the decision still names the old id: the same certificate, so nothing changes
    assert data["certificates"] == []


def test_a_renamed_product_upgraded_under_its_new_id(repo, capsys):
    from scratch import decision_yml

    rename_goods(repo, "mat-ong-rung", keep_old=True)
    repo.write("catalog/decisions/2026-02-01-77.yml", decision_yml(
        "77/QĐ-BNNMT", "2026-02-01", [("mat-ong-rung", 5, 92)], level="ministry"))
    status, data = report(capsys)
    assert status == 0
    (change,) = data["certificates"]
    assert (change["product"], change["old"]["stars"], change["new"]["stars"]) == (
        "mat-ong-rung", 4, 5)


@pytest.mark.parametrize("how", ["deleted", "edited"])
def test_a_published_product_losing_its_certificate_is_an_error(repo, capsys, how):
    from scratch import GOODS_DECISION

    if how == "deleted":
        repo.path(GOODS_DECISION).unlink()
    else:
        repo.edit(GOODS_DECISION, f"product: {GOODS}", "product: mat-ong-khac")
    status, data = report(capsys)
    assert status == 1
    assert [(e["code"], e["path"]) for e in data["errors"]] == [
        ("certificate_lost", GOODS_DECISION)]
    assert data["errors"][0]["message_en"].startswith(
        f"Product '{GOODS}' loses its certificate (decision 385/QĐ-UBND of 2025-06-10)")
    status, out = run(capsys, "base")
    assert status == 1 and "<code>certificate\\_lost</code>" in out
