"""Property: whatever ``ocop validate`` accepts, the build builds.

Validation decides before the build does. A record that passes validation must
never end the build in a traceback: Hypothesis puts hostile values (any text,
control characters, markup, huge and odd numbers, dates at the edges, damaged
photos) into one field of a valid product, or of the decision certifying it, at a
time, validates the scratch catalog, and when validation finds no error, runs the whole build in-process —
photos, pages, search, print assets and every feed — and lets any exception fail
the test.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ocop_catalog import pipeline
from ocop_catalog.edition import EditionConfig
from ocop_catalog.records.loader import load_catalog
from PIL import Image
from scratch import GOODS_DECISION, GOODS_DIR, GOODS_FILE, PRODUCER_FILE, build_catalog
from siteutil import OPTIONS, REPO, SITE_URL

BUILDS = settings(max_examples=40, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow,
                                         HealthCheck.function_scoped_fixture])

#: field -> (text in the valid record, how a generated value replaces it); the fields of
#: the goods' certificate are in the decision recognising it (DECISION_FIELDS), the
#: producer's contact in its producer.yml (PRODUCER_FIELDS)
FIELDS = {
    "name.vi": ("  vi: Mật ong hoa rừng Tam Đảo", "  vi: {}"),
    "name.en": ("  en: Tam Dao wild-flower honey", "  en: {}"),
    "summary.vi": ("  vi: Mật ong hoa rừng thu hoạch trên núi Tam Đảo.", "  vi: {}"),
    "description.vi": ("    Mật ong được **quay** từ các tổ ong của hộ thành viên.", "    {}"),
    "price.amount": ("  amount: 250000", "  amount: {}"),
    "price.unit.vi": ("    vi: hũ 500 g", "    vi: {}"),
    "net_content.value": ("  value: 500", "  value: {}"),
    "shelf_life.value": ("  value: 24", "  value: {}"),
    "recognises[0].score": ("    score: 78.5", "    score: {}"),
    "number": ("number: 385/QĐ-UBND", "number: {}"),
    "date": ("date: 2025-06-10", "date: {}"),
    "issuer.vi": ("  vi: UBND tỉnh Vĩnh Phúc", "  vi: {}"),
    "photos[0].alt.vi": ("      vi: Hũ mật ong trên bàn gỗ", "      vi: {}"),
    "marketplaces[0].url": ("    url: https://shopee.vn/mat-ong-hoa-rung-tam-dao", "    url: {}"),
    "tags": ("tags: [mật ong, tam đảo]", "tags: [{}]"),
    "listed": ("listed: 2025-07-01", "listed: {}"),
    "updated": ("updated: 2026-01-15", "updated: {}"),
    "contact.zalo": ("  email: htx-ong@example.com", "  email: htx-ong@example.com\n  zalo: {}"),
    "contact.facebook": ("  email: htx-ong@example.com",
                         "  email: htx-ong@example.com\n  facebook: {}"),
}
DECISION_FIELDS = {"recognises[0].score", "number", "date", "issuer.vi"}
PRODUCER_FIELDS = {"contact.zalo", "contact.facebook"}

HOSTILE = ["\x00\x1b[2J", "<script>alert(1)</script>", "&lt;script&gt;", "=HYPERLINK(\"x\")",
           "\u202etxt.exe", "\x00root\x00", "{{ 7*7 }}", "{% raw %}", " ", "\u200b", "\ufffe",
           "a" * 5000, "𝕆ℂ𝕆ℙ ⭐⭐⭐", "火龙果", "\\", "'", '"', "\n\n# heading", "[x](javascript:1)"]

TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80))
NUMBER = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from(["1e308", "0x1F", "0750000", "1:30", "1_000", "-0", ".inf"]))
DATE = st.one_of(st.dates().map(str), st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30"]))


def _scalar(value) -> str:
    """A generated value as a YAML scalar (text double-quoted the JSON way)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _values(field: str):
    if field in ("price.amount", "net_content.value", "shelf_life.value",
                 "recognises[0].score"):
        return NUMBER.map(lambda v: v if isinstance(v, str) else _scalar(v))
    if field in ("date", "listed", "updated"):
        return DATE
    return TEXT.map(_scalar)


@st.composite
def edits(draw):
    field = draw(st.sampled_from(sorted(FIELDS)))
    return field, draw(_values(field))


def _photo(kind: str) -> bytes:
    image = Image.new("RGB", (600, 600), (200, 150, 40))
    out = io.BytesIO()
    if kind == "tall":
        Image.new("L", (600, 17000), 128).save(out, "PNG")
    else:
        image.save(out, "JPEG" if kind != "png" else "PNG")
    data = out.getvalue()
    return data[: len(data) // 2] if kind == "truncated" else data


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("build-fuzz")
    scratch = build_catalog(root / "repo")
    options = pipeline.check_options(OPTIONS, ("vi", "en", "zh"), REPO)
    return scratch, options, root, {rel: scratch.read(rel)
                                    for rel in (GOODS_FILE, GOODS_DECISION, PRODUCER_FILE)}


def _build(world) -> None:
    scratch, options, root, _ = world
    result = load_catalog(scratch.settings())
    if result.catalog is None:
        return  # refused with messages: nothing to build
    config = EditionConfig(site_url=SITE_URL, root=REPO)
    site = root / "site"
    shutil.rmtree(site, ignore_errors=True)
    pipeline.build(result.catalog, site, config, options, cache_dir=root / "cache", workers=1)


@BUILDS
@given(edit=edits())
@example(edit=("name.en", _scalar("\x00\x01\x02")))
@example(edit=("price.amount", "1e308"))
@example(edit=("price.amount", str(10**30)))
@example(edit=("issuer.vi", _scalar("<script>alert(1)</script>")))
@example(edit=("number", _scalar("{{ 7*7 }}")))
@example(edit=("contact.zalo", _scalar("+84 912 345 678")))
@example(edit=("contact.facebook", _scalar('https://www.facebook.com/a"><script>x</script>')))
def test_what_validation_accepts_builds(world, edit):
    scratch, originals = world[0], world[3]
    field, value = edit
    old, new = FIELDS[field]
    rel = GOODS_DECISION if field in DECISION_FIELDS else \
        PRODUCER_FILE if field in PRODUCER_FIELDS else GOODS_FILE
    original = originals[rel]
    assert original.count(old) >= 1, field
    scratch.write(rel, original.replace(old, new.format(value), 1))
    try:
        _build(world)
    finally:
        scratch.write(rel, original)


@pytest.mark.parametrize("kind", ["truncated", "tall", "png"])
def test_what_validation_accepts_builds_whatever_the_photo(world, kind):
    scratch = world[0]
    photo = scratch.path(f"{GOODS_DIR}/1.jpg")
    original = photo.read_bytes()
    photo.write_bytes(_photo(kind))
    try:
        _build(world)
    finally:
        photo.write_bytes(original)
