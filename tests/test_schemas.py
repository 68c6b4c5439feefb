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
from scratch import GOODS_FILE, PRODUCER_FILE, REGIONS_FILE, SALES_POINTS_FILE, SERVICE_FILE
from siteutil import REPO

SCHEMA_OF = {
    "product.yml": "product.schema.json",
    "producer.yml": "producer.schema.json",
    "regions.yml": "regions.schema.json",
    "sales-points.yml": "sales-points.schema.json",
}
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


def validator_for(record: Path) -> Draft202012Validator:
    schema = json.loads((REPO / SCHEMA_DIR / SCHEMA_OF[record.name]).read_text(encoding="utf-8"))
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
    return [r for r in records if r.is_file()]


SAMPLES = sample_records()
HAS_PRODUCTS = any(r.name == "product.yml" for r in SAMPLES)


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
    assert target == (REPO / SCHEMA_DIR / SCHEMA_OF[record.name]).resolve()


# --------------------------------------------------------------------------
# The scratch catalog: valid records pass, broken ones fail
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel", [GOODS_FILE, SERVICE_FILE, PRODUCER_FILE, REGIONS_FILE, SALES_POINTS_FILE])
def test_valid_scratch_record_matches_its_schema(scratch, rel):
    assert schema_errors(scratch.path(rel)) == []
    found = SCHEMA_LINE.search(scratch.read(rel))
    if found:  # the scratch records link the schema as the samples do
        assert (scratch.path(rel).parent / found.group(1)).resolve() == (
            scratch.root / SCHEMA_DIR / SCHEMA_OF[Path(rel).name]).resolve()


@pytest.mark.parametrize(
    "old, new, complaint",
    [
        ("  stars: 4\n  score: 78.5\n", "  stars: 6\n", "6 is greater than the maximum of 5"),
        ("  decision_number:", "  decison_number:", "'decision_number' is a required property"),
        ("availability: in_stock", "availability: in_stok", "'in_stok' is not one of"),
        ('  commune: "08911"\n  legacy', "  commune: 8911\n  legacy", "8911 is not of type"),
        ("amount: 250000", 'amount: "250000 đồng"', "is not of type 'integer'"),
        ("criteria_set: 1\n", "criteria_set: 27\n", "27 is greater than the maximum of 26"),
        ("name:\n  vi: Mật ong hoa rừng Tam Đảo\n", "name:\n", "is not valid under any"),
        ("tags: [mật ong, tam đảo]", "tags: [mật ong, tam đảo]\nextra: 1",
         "Additional properties are not allowed ('extra' was unexpected)"),
    ],
)
def test_broken_record_fails_its_schema(scratch, old, new, complaint):
    scratch.edit(GOODS_FILE, old, new)
    errors = schema_errors(scratch.path(GOODS_FILE))
    assert errors and any(complaint in e for e in errors), errors
    assert scratch.validate().errors  # and the validator agrees
