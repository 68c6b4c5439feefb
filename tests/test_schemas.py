"""The JSON Schemas under schema/: current, valid, and in agreement with the records."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from ocop_catalog import cli
from ocop_catalog.records.schemas import SCHEMA_DIR, SCHEMAS, render_schemas
from scratch import (
    GOODS_DECISION,
    GOODS_FILE,
    PRODUCER_FILE,
    REGIONS_FILE,
    SALES_POINTS_FILE,
    SERVICE_DECISION,
    SERVICE_FILE,
)
from siteutil import REPO

SCHEMA_OF = {
    "product.yml": "product.schema.json",
    "producer.yml": "producer.schema.json",
    "regions.yml": "regions.schema.json",
    "sales-points.yml": "sales-points.schema.json",
}
#: Every file under catalog/decisions/ is one decision of the register.
DECISION_SCHEMA = "decision.schema.json"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


def as_json(value):
    """YAML data as JSON sees it: dates become ISO strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def schema_of(record: Path) -> str:
    """The schema file a record follows: by its name, or by its folder for a decision."""
    if "decisions" in record.parent.parts:
        return DECISION_SCHEMA
    return SCHEMA_OF[record.name]


def validator_for(record: Path) -> Draft202012Validator:
    schema = json.loads((REPO / SCHEMA_DIR / schema_of(record)).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def schema_errors(record: Path) -> list[str]:
    """Every schema error, with the errors inside anyOf branches."""
    data = as_json(yaml.safe_load(record.read_text(encoding="utf-8")))
    found = []

    def collect(errors):
        for error in errors:
            found.append(f"{'/'.join(map(str, error.absolute_path))}: {error.message}")
            collect(error.context or ())

    collect(validator_for(record).iter_errors(data))
    return found


# --------------------------------------------------------------------------
# The committed files
# --------------------------------------------------------------------------


def test_committed_schemas_are_current():
    for name, text in render_schemas().items():
        assert (REPO / SCHEMA_DIR / name).read_text(encoding="utf-8") == text, (
            f"{SCHEMA_DIR}/{name} is stale: run `ocop schema`")


def test_schema_check_command_passes(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    assert cli.main(["schema", "--check"]) == 0
    assert capsys.readouterr().out == ""


def test_schema_check_reports_stale_files_without_writing(scratch, monkeypatch, capsys):
    monkeypatch.chdir(scratch.root)
    assert cli.main(["schema", "--check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"stale: {SCHEMA_DIR}/{name}" for name in SCHEMAS]
    assert not scratch.path(SCHEMA_DIR).exists()


def test_schema_command_writes_then_check_passes(scratch, monkeypatch, capsys):
    monkeypatch.chdir(scratch.root)
    assert cli.main(["schema"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote: {SCHEMA_DIR}/{name}" for name in SCHEMAS]
    assert cli.main(["schema", "--check"]) == 0
    scratch.write(f"{SCHEMA_DIR}/product.schema.json", "{}\n")
    assert cli.main(["schema", "--check"]) == 1


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_schema_is_valid_draft_2020_12(name):
    schema = json.loads((REPO / SCHEMA_DIR / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/schema/{name}")


# --------------------------------------------------------------------------
# The sample catalog
# --------------------------------------------------------------------------


def sample_records() -> list[Path]:
    records = [REPO / "catalog" / "regions.yml", REPO / "catalog" / "sales-points.yml"]
    records += sorted((REPO / "products").glob("*/producer.yml"))
    records += sorted((REPO / "products").glob("*/*/product.yml"))
    records += sorted((REPO / "catalog" / "decisions").glob("**/*.yml"))
    return [r for r in records if r.is_file()]


SAMPLES = sample_records()
HAS_PRODUCTS = any(r.name == "product.yml" for r in SAMPLES)
DECISIONS = [r for r in SAMPLES if schema_of(r) == DECISION_SCHEMA]


def test_the_sample_register_is_checked():
    # every product is published through a decision: the samples have some to check
    assert not HAS_PRODUCTS or DECISIONS


@pytest.mark.skipif(not HAS_PRODUCTS, reason="the sample catalog has no products/ records yet")
@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: r.relative_to(REPO).as_posix())
def test_sample_record_matches_its_schema(record):
    assert schema_errors(record) == []


@pytest.mark.skipif(not HAS_PRODUCTS, reason="the sample catalog has no products/ records yet")
@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: r.relative_to(REPO).as_posix())
def test_sample_record_links_its_schema(record):
    # editors find the schema through this first-line comment
    found = SCHEMA_LINE.search(record.read_text(encoding="utf-8"))
    if found is None:
        pytest.skip("no yaml-language-server line")
    target = (record.parent / found.group(1)).resolve()
    assert target == (REPO / SCHEMA_DIR / schema_of(record)).resolve()


# --------------------------------------------------------------------------
# The scratch catalog: valid records pass, broken ones fail
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel", [GOODS_FILE, SERVICE_FILE, PRODUCER_FILE, REGIONS_FILE, SALES_POINTS_FILE,
            GOODS_DECISION, SERVICE_DECISION])
def test_valid_scratch_record_matches_its_schema(scratch, rel):
    assert schema_errors(scratch.path(rel)) == []
    found = SCHEMA_LINE.search(scratch.read(rel))
    if found:  # the scratch records link the schema as the samples do
        assert (scratch.path(rel).parent / found.group(1)).resolve() == (
            scratch.root / SCHEMA_DIR / schema_of(Path(rel))).resolve()


@pytest.mark.parametrize(
    "rel, old, new, complaint",
    [
        (GOODS_DECISION, "    stars: 4\n    score: 78.5\n", "    stars: 6\n",
         "6 is greater than the maximum of 5"),
        (GOODS_DECISION, "number:", "nmber:", "'number' is a required property"),
        (GOODS_FILE, "availability: in_stock", "availability: in_stok", "'in_stok' is not one of"),
        (GOODS_FILE, '  commune: "08911"\n  legacy', "  commune: 8911\n  legacy",
         "8911 is not of type"),
        (GOODS_FILE, "amount: 250000", 'amount: "250000 đồng"', "is not of type 'integer'"),
        (GOODS_FILE, "criteria_set: 1\n", "criteria_set: 27\n",
         "27 is greater than the maximum of 26"),
        (GOODS_FILE, "name:\n  vi: Mật ong hoa rừng Tam Đảo\n", "name:\n",
         "is not valid under any"),
        (GOODS_FILE, "tags: [mật ong, tam đảo]", "tags: [mật ong, tam đảo]\nextra: 1",
         "Additional properties are not allowed ('extra' was unexpected)"),
        # the certificate is the register's: product.yml has no place for it
        (GOODS_FILE, "origin:\n", "certification:\n  stars: 4\norigin:\n",
         "Additional properties are not allowed ('certification' was unexpected)"),
    ],
)
def test_broken_record_fails_its_schema(scratch, rel, old, new, complaint):
    scratch.edit(rel, old, new)
    errors = schema_errors(scratch.path(rel))
    assert errors and any(complaint in e for e in errors), errors
    assert scratch.validate().errors  # and the validator agrees


@pytest.mark.parametrize(
    "old, new, complaint",
    [
        ("    stars: 4\n    score: 78.5\n", "    stars: 2\n", "2 is less than the minimum of 3"),
        ("score: 78.5", "score: 100.5", "100.5 is greater than the maximum of 100"),
        ("    stars: 4\n", '    stars: "4"\n', "'4' is not of type 'integer'"),
        ("level: province", "level: city", "'city' is not one of"),
        ('criteria_version: "148/2023"', 'criteria_version: "148/2024"',
         "'148/2024' is not one of"),
        ("product: mat-ong-hoa-rung", "product: Mat_Ong", "'Mat_Ong' does not match"),
        ("    stars: 4\n", "    stars: 4\n    star: 4\n",
         "Additional properties are not allowed ('star' was unexpected)"),
        ("level: province\n", "level: province\ncertification: {stars: 4}\n",
         "Additional properties are not allowed ('certification' was unexpected)"),
        ("recognises:\n", "revokes:\n  - product: trai-nghiem-nuoi-ong\nrecognises:\n",
         "'reason' is a required property"),
        ("number: 385/QĐ-UBND", "number: QĐ", "'QĐ' is too short"),
    ],
)
def test_broken_decision_fails_the_decision_schema(scratch, old, new, complaint):
    """A broken decision file, checked with jsonschema against decision.schema.json."""
    path = scratch.path(GOODS_DECISION)
    assert schema_of(path) == DECISION_SCHEMA
    scratch.edit(GOODS_DECISION, old, new)
    errors = schema_errors(path)
    assert errors and any(complaint in e for e in errors), errors
    found = [i for i in scratch.validate().errors if i.file == GOODS_DECISION]
    assert found  # and the validator agrees
