"""Hostile files in the office's register of decisions (catalog/decisions/).

Only the OCOP office edits that folder, but a decision file is read by the same
validator as a producer's record, and a pull request may still carry one (a
mistaken or malicious change, caught by review only if the validator flags it).
So a decision file gets the same guarantees as tests/test_hostile_input.py gives
product records: size limited before parsing, bounded lists, no unknown keys, no
YAML tags or aliases — each refused with its code at its exact position, never
with a traceback, and with nothing of the refused decision reaching the catalog.
"""

from __future__ import annotations

import pytest

from ocop_catalog.records import loader as loader_module
from ocop_catalog.records.models import RECORD_MAX_BYTES
from ocop_catalog.records.yamlsource import read_yaml
from scratch import GOODS, GOODS_DECISION, SERVICE, issue

LIMIT = RECORD_MAX_BYTES["decision"]


def only(result, code):
    """The one issue with ``code``."""
    found = [i for i in result.issues if i.code == code]
    assert len(found) == 1, [(i.code, i.field, i.message_en) for i in result.issues]
    return found[0]


def first_item(scratch, key: str = "recognises") -> tuple[int, int]:
    """Where the ``key`` list starts: the ``-`` of its first item."""
    return scratch.position(GOODS_DECISION, f"{key}:\n  - ", len(f"{key}:\n  "))


# --------------------------------------------------------------------------
# Size, before parsing
# --------------------------------------------------------------------------


def test_oversized_decision_is_refused_before_it_is_parsed(scratch, monkeypatch):
    text = scratch.read(GOODS_DECISION) + "#"
    scratch.write(GOODS_DECISION, text + "x" * (LIMIT + 1024 - len(text.encode())))
    assert scratch.path(GOODS_DECISION).stat().st_size == LIMIT + 1024
    parsed = []
    monkeypatch.setattr(loader_module, "read_yaml",
                        lambda text: parsed.append(text) or read_yaml(text))
    result = scratch.validate()
    assert parsed and not any("385/QĐ-UBND" in text for text in parsed)
    # one error, at the start of the file; the goods are not said to lack a decision
    assert scratch.issues() == [issue("file_too_large", GOODS_DECISION, (1, 1), "")]
    found = only(result, "file_too_large")
    assert found.message_en == ("the file is 2,049 KB; a decision file may be at most 2,048 KB: "
                                "shorten its texts (no record needs more)")
    assert found.message_vi.startswith("tệp có dung lượng 2,049 KB; tệp decision tối đa 2,048 KB")
    assert result.catalog is None


def test_a_66_mb_decision_is_refused_without_reading_it_all(scratch, monkeypatch):
    with open(scratch.path(GOODS_DECISION), "r+b") as fh:
        fh.truncate(66 * 2**20)  # a sparse file: the decision, then 66 MB of NUL bytes
    reads = []
    real_open = open

    class Spy:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def read(self, size=-1):
            if self.fh.name.endswith(GOODS_DECISION.rsplit("/", 1)[-1]):
                reads.append(size)
            return self.fh.read(size)

        def fileno(self):
            return self.fh.fileno()

    monkeypatch.setattr(loader_module, "open",
                        lambda path, mode="r": Spy(real_open(path, mode)), raising=False)
    result = scratch.validate()
    assert [(i.code, i.file, i.line, i.column, i.field) for i in result.issues] == [
        ("file_too_large", GOODS_DECISION, 1, 1, "")]
    assert "67,584 KB" in only(result, "file_too_large").message_en
    assert reads and all(0 < size <= LIMIT + 1 for size in reads)


def test_a_decision_at_the_size_limit_is_read(scratch):
    text = scratch.read(GOODS_DECISION) + "#"
    scratch.write(GOODS_DECISION, text + "x" * (LIMIT - len(text.encode()) - 1) + "\n")
    assert scratch.path(GOODS_DECISION).stat().st_size == LIMIT
    result = scratch.validate()
    assert result.issues == ()
    assert result.catalog.products[GOODS].certification.decision_number == "385/QĐ-UBND"


# --------------------------------------------------------------------------
# Bounded lists
# --------------------------------------------------------------------------


def recognitions(n: int) -> str:
    return "".join(f"  - product: san-pham-{i:04d}\n    stars: 4\n" for i in range(n))


def test_recognises_beyond_its_limit_is_refused(scratch):
    scratch.edit(GOODS_DECISION, "recognises:\n", "recognises:\n" + recognitions(2000))
    at = first_item(scratch)
    result = scratch.validate()
    # refused as a whole: none of its 2001 products is looked up
    assert scratch.issues() == [issue("too_long", GOODS_DECISION, at, "recognises")]
    found = only(result, "too_long")
    assert found.message_en == ("'recognises' is too long: 2001 items, at most 2000 allowed; "
                                "shorten it")
    assert found.message_vi == "'recognises' quá dài: 2001 mục, tối đa 2000; hãy rút gọn"
    assert result.catalog is None


def test_recognises_at_its_limit_is_read(scratch):
    # 1999 unknown products and the goods: each item is checked, none refused for the count
    scratch.edit(GOODS_DECISION, "recognises:\n", "recognises:\n" + recognitions(1999))
    found = scratch.validate().issues
    assert len(found) == 1999
    assert {(i.code, i.file) for i in found} == {("decision_unknown_product", GOODS_DECISION)}
    assert found[0].field == "recognises[0].product"
    assert (found[0].line, found[0].column) == scratch.position(
        GOODS_DECISION, "product: san-pham-0000", len("product: "))


def test_revokes_beyond_its_limit_is_refused(scratch):
    revocations = "".join(f"  - product: {SERVICE}\n    reason: {{vi: Ngừng {i}, en: Stop {i}}}\n"
                          for i in range(2001))
    scratch.edit(GOODS_DECISION, "recognises:\n", "revokes:\n" + revocations + "recognises:\n")
    at = first_item(scratch, "revokes")
    assert scratch.issues() == [issue("too_long", GOODS_DECISION, at, "revokes")]
    assert "2001 items, at most 2000 allowed" in only(scratch.validate(), "too_long").message_en


# --------------------------------------------------------------------------
# Unknown keys
# --------------------------------------------------------------------------


def test_unknown_key_in_a_decision_is_refused(scratch):
    scratch.edit(GOODS_DECISION, "level: province\n", "level: province\nsigned_by: Nguyễn Văn A\n")
    at = scratch.position(GOODS_DECISION, "signed_by")
    assert scratch.issues() == [issue("unknown_key", GOODS_DECISION, at, "signed_by")]
    found = only(scratch.validate(), "unknown_key")
    assert found.message_en == "unknown field 'signed_by'"
    assert found.message_vi == "trường không hợp lệ 'signed_by'"


def test_unknown_key_in_a_recognition_is_refused_with_a_hint(scratch):
    scratch.edit(GOODS_DECISION, "    stars: 4\n", "    star: 4\n")
    assert scratch.issues() == [
        # the required field is now missing: reported at its item
        issue("missing", GOODS_DECISION, scratch.position(GOODS_DECISION, f"product: {GOODS}"),
              "recognises[0].stars"),
        issue("unknown_key", GOODS_DECISION, scratch.position(GOODS_DECISION, "star: 4"),
              "recognises[0].star"),
    ]
    found = only(scratch.validate(), "unknown_key")
    assert found.message_en == "unknown field 'star' (did you mean 'stars'?)"
    assert found.message_vi == "trường không hợp lệ 'star' (có phải ý bạn là 'stars'?)"


def test_a_product_s_certification_section_in_a_decision_is_an_unknown_key(scratch):
    # certification_in_product is said of product.yml only: here it is just a wrong key
    scratch.edit(GOODS_DECISION, "recognises:\n", "certification:\n  stars: 5\nrecognises:\n")
    at = scratch.position(GOODS_DECISION, "certification:")
    assert scratch.issues() == [issue("unknown_key", GOODS_DECISION, at, "certification")]


# --------------------------------------------------------------------------
# YAML tags and aliases
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, tag, field",
    [
        ("date: 2025-06-10", 'date: !!python/object/apply:os.system ["touch pwned"]',
         "!!python/object/apply:os.system", "date"),
        ("level: province", "level: !custom province", "!custom", "level"),
        ("recognises:\n", "recognises: !!set\n", "!!set", "recognises"),
        (f"product: {GOODS}", "product: !!python/name:os.system", "!!python/name:os.system",
         "recognises[0].product"),
        ("  vi: UBND tỉnh Vĩnh Phúc", "  vi: !!binary VUJORA==", "!!binary", "issuer.vi"),
    ],
)
def test_yaml_tags_in_a_decision_are_refused(scratch, monkeypatch, old, new, tag, field):
    monkeypatch.chdir(scratch.root)
    scratch.edit(GOODS_DECISION, old, new)
    at = scratch.position(GOODS_DECISION, tag)
    assert scratch.issues() == [issue("yaml_tag", GOODS_DECISION, at, field)]
    assert only(scratch.validate(), "yaml_tag").message_en == (
        f"YAML tags such as {tag} are not allowed; write plain values")
    assert not (scratch.root / "pwned").exists()


@pytest.mark.parametrize(
    "old, new, anchor, field",
    [
        # one recognition written once and repeated by an alias
        (f"  - product: {GOODS}\n    stars: 4\n    score: 78.5\n",
         f"  - &goods\n    product: {GOODS}\n    stars: 4\n  - *goods\n", "&goods",
         "recognises[0]"),
        # the issuer repeated as a revocation's reason
        ("issuer:\n", "issuer: &ubnd\n", "&ubnd", "issuer"),
        # a merge key pulling stars into a recognition
        (f"  - product: {GOODS}\n    stars: 4\n",
         f"  - <<: {{stars: 4}}\n    product: {GOODS}\n", "<<", "recognises[0]"),
    ],
)
def test_yaml_aliases_in_a_decision_are_refused(scratch, old, new, anchor, field):
    scratch.edit(GOODS_DECISION, old, new)
    if anchor == "&ubnd":
        scratch.edit(GOODS_DECISION, "recognises:\n",
                     f"revokes:\n  - product: {SERVICE}\n    reason: *ubnd\nrecognises:\n")
    at = scratch.position(GOODS_DECISION, anchor)
    assert scratch.issues() == [issue("yaml_alias", GOODS_DECISION, at, field)]
    assert only(scratch.validate(), "yaml_alias").message_en == (
        "YAML anchors and aliases (&name, *name, <<) are not allowed; write the value out")


# --------------------------------------------------------------------------
# Files that are not decisions
# --------------------------------------------------------------------------


def test_a_decision_linked_from_outside_the_repository_is_refused(scratch, tmp_path):
    outside = tmp_path / "outside.yml"
    outside.write_text(scratch.read(GOODS_DECISION).replace("    stars: 4\n    score: 78.5\n",
                                                            "    stars: 5\n"), encoding="utf-8")
    scratch.path(GOODS_DECISION).unlink()
    scratch.path(GOODS_DECISION).symlink_to(outside)
    result = scratch.validate()
    assert scratch.issues() == [issue("record_outside", GOODS_DECISION, (1, 1), "")]
    assert only(result, "record_outside").message_en.startswith(
        "2025-06-10-385.yml is a link to a file outside the repository")
    assert result.catalog is None


def test_a_decision_that_is_not_utf8_is_refused(scratch):
    data = scratch.read(GOODS_DECISION).encode("utf-8") + b"\xff\n"
    scratch.write_bytes(GOODS_DECISION, data)
    assert scratch.issues() == [issue("file_unreadable", GOODS_DECISION, (1, 1), "")]
    assert only(scratch.validate(), "file_unreadable").message_en == (
        f"the file cannot be read as UTF-8 text (byte {len(data) - 2}: invalid start byte)")


@pytest.mark.parametrize("text, code", [("", "empty_file"), ("- 385/QĐ-UBND\n", "wrong_type")])
def test_a_decision_that_is_empty_or_a_list_is_refused(scratch, text, code):
    scratch.write(GOODS_DECISION, text)
    # which products the file names cannot be known: no product is said to lack a decision
    assert scratch.issues() == [issue(code, GOODS_DECISION, (1, 1), "")]


# --------------------------------------------------------------------------
# Links inside the repository: the office's folder holds no symbolic link
# --------------------------------------------------------------------------

SNEAKY_DECISION = "products/htx-ong-tam-dao/notes.yml"


def five_stars(scratch) -> str:
    return scratch.read(GOODS_DECISION).replace("    stars: 4\n    score: 78.5\n",
                                                "    stars: 5\n")


def test_a_decision_linked_to_a_producers_file_inside_the_repository_is_refused(scratch):
    # the producer owns products/htx-ong-tam-dao/: through the link it would edit a decision
    scratch.write(SNEAKY_DECISION, five_stars(scratch))
    scratch.path(GOODS_DECISION).unlink()
    scratch.path(GOODS_DECISION).symlink_to("../../" + SNEAKY_DECISION)
    result = scratch.validate()
    assert scratch.issues() == [issue("record_symlink", GOODS_DECISION, (1, 1), "")]
    found = only(result, "record_symlink")
    assert found.message_en.startswith(
        f"{GOODS_DECISION} is read through the symbolic link {GOODS_DECISION}: nothing under "
        "catalog/ may be a link")
    assert found.message_vi.startswith(f"{GOODS_DECISION} được đọc qua liên kết tượng trưng")
    assert result.catalog is None


def test_a_linked_folder_in_the_register_is_refused(scratch):
    scratch.write(SNEAKY_DECISION.replace("notes.yml", "_dossier/385.yml"), five_stars(scratch))
    scratch.path(GOODS_DECISION).unlink()
    scratch.path("catalog/decisions/2025").symlink_to("../../products/htx-ong-tam-dao/_dossier",
                                                      target_is_directory=True)
    result = scratch.validate()
    assert [(i.code, i.file) for i in result.errors] == [
        ("record_symlink", "catalog/decisions/2025")]
    assert result.catalog is None


def test_a_linked_register_folder_and_linked_catalog_data_are_refused(scratch):
    real = scratch.path("products/htx-ong-tam-dao/_decisions")
    scratch.path("catalog/decisions").rename(real)
    scratch.path("catalog/decisions").symlink_to("../products/htx-ong-tam-dao/_decisions",
                                                 target_is_directory=True)
    scratch.path("catalog/regions.yml").rename(scratch.path("regions-copy.yml"))
    scratch.path("catalog/regions.yml").symlink_to("../regions-copy.yml")
    result = scratch.validate()
    # (the communes then are unknown too: those errors follow from the refused regions)
    assert sorted((i.code, i.file, i.message_en.split(": ")[0]) for i in result.errors
                  if i.code == "record_symlink") == [
        ("record_symlink", f, f"{f} is read through the symbolic link {link}") for f, link in
        sorted([(GOODS_DECISION, "catalog/decisions"),
                ("catalog/decisions/2025-09-01-120.yml", "catalog/decisions"),
                ("catalog/regions.yml", "catalog/regions.yml")])]
    assert result.catalog is None


def test_a_product_record_linked_inside_its_producers_folder_is_still_read(scratch):
    """Under products/ the loader refuses only links leading out of the repository."""
    goods = "products/htx-ong-tam-dao/mat-ong-hoa-rung/product.yml"
    scratch.path(goods).rename(scratch.path("products/htx-ong-tam-dao/mat-ong.yml"))
    scratch.path(goods).symlink_to("../mat-ong.yml")
    assert scratch.validate().errors == ()
