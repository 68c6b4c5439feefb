"""Records from hostile pull requests: the validator refuses them, clearly, and never crashes.

Producers' YAML records and photos arrive by pull request from strangers. Each
test below starts from the valid scratch catalog (tests/scratch.py), writes one
hostile thing into it and checks that ``ocop validate`` answers with issues (a
code, a field, a position and a message in both languages) instead of a
traceback, and that nothing it refuses could reach the build:

A. no crash: deep nesting, far-off dates, infinite or huge numbers, YAML 1.1
   number forms (``1:30``, ``0750000``, ``0x…``, ``yes``) where a number is meant;
B. the validator decodes what the build decodes: damaged photos, photos too
   large for WebP, texts that show nothing;
C. limits on size: record files (checked before parsing), texts and lists;
D. text is text: control characters and direction overrides in any text, the
   validator's own output (text and GitHub annotations), and the Markdown rules.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import os
import random
import re
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from ocop_catalog import cli
from ocop_catalog.records import loader as loader_module
from ocop_catalog.records.issues import Issue
from ocop_catalog.records.messages import MESSAGES
from ocop_catalog.records.models import RECORD_MAX_BYTES
from ocop_catalog.records.photos import MAX_SIDE
from ocop_catalog.records.yamlsource import MAX_DEPTH, YamlProblem, read_yaml
from scratch import (
    GOODS,
    GOODS_DECISION,
    GOODS_DIR,
    GOODS_FILE,
    PRODUCER,
    PRODUCER_FILE,
    REGIONS_FILE,
    SALES_POINTS_FILE,
    SERVICE,
    SERVICE_DIR,
    SERVICE_FILE,
    TODAY,
    lossless_jpeg,
    bilevel_png,
    build_catalog,
    image_bytes,
    issue,
)

SECOND_PHOTO = "file: 2.jpg"
DESCRIPTION_LINE = "    Xem [trang của HTX](https://htx-ong.example.com/mat-ong).\n"
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def only(result, code):
    """The one issue with ``code``."""
    found = [i for i in result.issues if i.code == code]
    assert len(found) == 1, [(i.code, i.field, i.message_en) for i in result.issues]
    return found[0]


def codes(scratch, **overrides) -> list[tuple[str, str]]:
    """``(code, field)`` of every issue."""
    return [(i[0], i[5]) for i in scratch.issues(**overrides)]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One scratch catalog for the property tests, which restore what they change."""
    return build_catalog(tmp_path_factory.mktemp("hostile"))


# ==========================================================================
# A. ocop validate never crashes
# ==========================================================================

# --- nesting ---------------------------------------------------------------


@pytest.mark.parametrize("shape, levels", [
    (shape, levels) for shape in ("list", "mapping", "block")
    for levels in (MAX_DEPTH + 1, 300, 500, 990)
    if shape != "block" or levels <= 300  # deeper blocks are over the file size limit
])
def test_deep_nesting_is_refused_with_a_message(scratch, shape, levels):
    if shape == "list":
        value = "[" * levels + "]" * levels
    elif shape == "mapping":
        value = "{a: " * levels + "1" + "}" * levels
    else:  # block mappings, one indentation step per level
        value = "\n" + "".join("  " * i + "a:\n" for i in range(1, levels)) + "  " * levels + "b"
    scratch.edit(GOODS_FILE, "tags: [mật ong, tam đảo]", f"tags: {value}")
    result = scratch.validate()
    found = only(result, "yaml_too_deep")
    assert [i.code for i in result.issues] == ["yaml_too_deep"]
    assert found.field.startswith("tags")
    assert f"more than {MAX_DEPTH} levels" in found.message_en
    assert f"quá {MAX_DEPTH} cấp" in found.message_vi
    assert result.catalog is None


def test_nesting_up_to_the_limit_is_read():
    value = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    data, _ = read_yaml(f"a: {value}\n")  # a: is level 1, the innermost list level 20
    for _ in range(MAX_DEPTH - 1):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == [1]


def test_deep_nesting_in_the_pure_python_composer_is_a_problem(monkeypatch):
    # without libyaml the composer itself recurses once per level
    import yaml

    from ocop_catalog.records import yamlsource

    monkeypatch.setattr(yamlsource, "_Loader", yaml.SafeLoader)
    with pytest.raises(YamlProblem) as caught:
        read_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert caught.value.code in ("yaml_too_deep", "yaml_syntax")


# --- dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    "rel, old, new, value, field",
    [
        # a decision near year 9999: its validity (36 months on) overflowed the calendar
        (GOODS_DECISION, "date: 2025-06-10", "date: 9999-12-20", "9999-12-20", "date"),
        (GOODS_DECISION, "recognises:\n", "valid_until: 9999-12-31\nrecognises:\n",
         "9999-12-31", "valid_until"),
        (GOODS_DECISION, "recognises:\n", "valid_from: 2101-01-01\nrecognises:\n",
         "2101-01-01", "valid_from"),
        (GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    valid_until: 9999-12-31\n",
         "9999-12-31", "recognises[0].valid_until"),
        (GOODS_DECISION, "    stars: 4\n", '    stars: 4\n    valid_from: "1989-12-31"\n',
         "1989-12-31", "recognises[0].valid_from"),
        (GOODS_FILE, "listed: 2025-07-01", "listed: 0001-01-01", "0001-01-01", "listed"),
        (GOODS_FILE, "listed: 2025-07-01", 'listed: "1989-12-31"', "1989-12-31", "listed"),
        (GOODS_FILE, "updated: 2026-01-15", "updated: 2999-01-15", "2999-01-15", "updated"),
    ],
)
def test_dates_out_of_the_plausible_range_are_refused(scratch, rel, old, new, value, field):
    scratch.edit(rel, old, new)
    at = scratch.position(rel, value, -1 if f'"{value}' in new else 0)
    assert scratch.issues() == [issue("date_range", rel, at, field)]
    found = only(scratch.validate(), "date_range")
    assert found.message_en == (f"{value} is not a plausible date: dates must be from "
                                "1990-01-01 to 2100-12-31; check the year")
    assert found.message_vi.startswith(f"ngày {value} không hợp lý")


#: A decision of the register revoking the goods' certificate (``{date}``: its effect).
REVOCATION_FILE = "catalog/decisions/2026-01-10-thu-hoi.yml"
REVOCATION = f"""\
number: 12/QĐ-UBND
date: 2026-01-10
issuer: {{{{vi: UBND tỉnh Vĩnh Phúc, en: Vinh Phuc Provincial People's Committee}}}}
level: province
revokes:
  - product: {GOODS}
    reason: {{{{vi: Ngừng sản xuất, en: Production stopped}}}}
    date: {{date}}
"""


def test_revocation_date_near_year_9999_is_refused(scratch):
    scratch.write(REVOCATION_FILE, REVOCATION.format(date="9999-12-31"))
    at = scratch.position(REVOCATION_FILE, "9999-12-31")
    assert scratch.issues() == [issue("date_range", REVOCATION_FILE, at, "revokes[0].date")]


@pytest.mark.parametrize("days", [0, 1, 20250])  # 1970-01-01, 1970-01-02, 2025-06-10
def test_a_number_is_not_read_as_a_date(scratch, days):
    seconds = days * 86400  # pydantic would read whole days of seconds as a date
    scratch.edit(GOODS_DECISION, "date: 2025-06-10", f"date: {seconds}")
    at = scratch.position(GOODS_DECISION, f"date: {seconds}", len("date: "))
    assert scratch.issues() == [issue("wrong_type", GOODS_DECISION, at, "date")]
    assert only(scratch.validate(), "wrong_type").message_en == (
        "expected a date (YYYY-MM-DD), found a whole number")


def test_dates_at_the_limits_are_fine(scratch):
    scratch.edit(GOODS_DECISION, "recognises:\n", "valid_until: 2100-12-31\nrecognises:\n")
    scratch.edit(GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    valid_until: 2100-12-31\n")
    scratch.write(REVOCATION_FILE, REVOCATION.format(date="2100-12-31"))
    scratch.edit(GOODS_FILE, "listed: 2025-07-01", "listed: 1990-01-01")
    result = scratch.validate()
    assert result.issues == ()
    cert = result.catalog.products[GOODS].certification
    assert cert.valid_until == dt.date(2100, 12, 31)
    assert cert.revoked.date == dt.date(2100, 12, 31)


# --- numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "rel, old, new, written, field",
    [
        (GOODS_DECISION, "score: 78.5", "score: .inf", ".inf", "recognises[0].score"),
        (GOODS_DECISION, "score: 78.5", "score: .nan", ".nan", "recognises[0].score"),
        (GOODS_DECISION, "score: 78.5", "score: 1.0e+400", "1.0e+400", "recognises[0].score"),
        (GOODS_FILE, "  value: 500\n", "  value: .inf\n", ".inf", "net_content.value"),
        (GOODS_FILE, "  value: 500\n", "  value: .NaN\n", ".NaN", "net_content.value"),
    ],
)
def test_infinity_and_nan_are_refused(scratch, rel, old, new, written, field):
    scratch.edit(rel, old, new)
    at = scratch.position(rel, new, len(new) - len(written) - (new[-1] == "\n"))
    assert scratch.issues() == [issue("number_not_finite", rel, at, field)]
    found = only(scratch.validate(), "number_not_finite")
    assert found.message_en.startswith(f"'{written}' is not a usable number")
    assert "vô cực" in found.message_vi


@pytest.mark.parametrize("written", [".inf", "-.inf", ".nan"])
def test_infinite_coordinates_are_refused(scratch, written):
    scratch.edit(SERVICE_FILE, "lat: 21.4573", f"lat: {written}")
    assert codes(scratch) == [("number_not_finite", "tourism.location.lat")]


@pytest.mark.parametrize(
    "rel, old, new, field, limit",
    [
        (GOODS_FILE, "amount: 250000", "amount: 1000000000001", "price.amount",
         "at most 1000000000000"),
        (GOODS_FILE, "amount: 250000", "amount: " + "9" * 40, "price.amount",
         "at most 1000000000000"),
        (GOODS_FILE, "  value: 500\n", "  value: 1000001\n", "net_content.value",
         "at most 1000000"),
        (GOODS_FILE, "  value: 500\n", "  value: 0.0001\n", "net_content.value",
         "at least 0.001"),
        (GOODS_FILE, "  value: 24\n", "  value: 3651\n", "shelf_life.value", "at most 3650"),
        (GOODS_DECISION, "score: 78.5", "score: 100.5", "recognises[0].score", "at most 100"),
        (GOODS_DECISION, "score: 78.5", "score: -0.5", "recognises[0].score", "at least 0"),
    ],
)
def test_numbers_are_bounded(scratch, rel, old, new, field, limit):
    scratch.edit(rel, old, new)
    assert codes(scratch) == [("out_of_range", field)]
    assert limit in only(scratch.validate(), "out_of_range").message_en


def test_price_per_person_is_bounded(scratch):
    scratch.edit(SERVICE_FILE, "price_per_person: 150000", "price_per_person: 10000000000000")
    assert codes(scratch) == [("out_of_range", "tourism.price_per_person")]


def test_numbers_at_their_limits_are_fine(scratch):
    scratch.edit(GOODS_FILE, "amount: 250000", "amount: 1000000000000")
    scratch.edit(GOODS_FILE, "  value: 500\n", "  value: 1000000\n")
    scratch.edit(GOODS_FILE, "  value: 24\n", "  value: 3650\n")
    scratch.edit(SERVICE_FILE, "price_per_person: 150000", "price_per_person: 1000000000000")
    result = scratch.validate()
    assert result.issues == ()
    goods = result.catalog.products[GOODS].record
    assert goods.price.amount == 10**12 and goods.net_content.value == 1_000_000


@PROPERTY
@given(amount=st.integers(min_value=-(10**15), max_value=10**15))
def test_a_price_is_accepted_exactly_when_in_range(shared, amount):
    original = shared.read(GOODS_FILE)
    try:
        shared.write(GOODS_FILE, original.replace("amount: 250000", f"amount: {amount}"))
        result = shared.validate()
    finally:
        shared.write(GOODS_FILE, original)
    if 0 < amount <= 10**12:
        assert result.issues == ()
        assert result.catalog.products[GOODS].record.price.amount == amount
    else:
        assert [(i.code, i.field) for i in result.issues] == [("out_of_range", "price.amount")]


# --- YAML 1.1 number forms --------------------------------------------------


@pytest.mark.parametrize(
    "written, reads, suggestion",
    [
        ("1:30", "numbers with colons as base 60 (1:30 = 90)", "90"),
        ("0750000", "a leading 0 as octal (0750000 = 249856)", "750000"),
        ("0x3D090", "0x as hexadecimal (0x3D090 = 250000)", "250000"),
        ("0b111101000010010000", "0b as binary (0b111101000010010000 = 250000)", "250000"),
        ("250_000", "_ as a separator between digits (250_000 = 250000)", "250000"),
    ],
)
def test_yaml_11_number_forms_are_refused_with_a_hint(scratch, written, reads, suggestion):
    scratch.edit(GOODS_FILE, "amount: 250000", f"amount: {written}")
    at = scratch.position(GOODS_FILE, f"amount: {written}", len("amount: "))
    assert scratch.issues() == [issue("number_form", GOODS_FILE, at, "price.amount")]
    found = only(scratch.validate(), "number_form")
    assert found.message_en == (f"'{written}' is not a plain number: YAML 1.1 reads {reads}; "
                                f"write plain decimal digits, e.g. {suggestion}")
    assert found.message_vi.startswith(f"'{written}' không phải là số viết thông thường")


@pytest.mark.parametrize(
    "rel, old, new, field",
    [
        (GOODS_FILE, "criteria_set: 1\n", "criteria_set: 1:00\n", "category.criteria_set"),
        (GOODS_DECISION, "    stars: 4\n    score: 78.5\n", "    stars: 04\n",
         "recognises[0].stars"),
        (GOODS_DECISION, "score: 78.5", "score: 1:18.5", "recognises[0].score"),
        (GOODS_FILE, "  value: 500\n", "  value: 0764\n", "net_content.value"),
        (GOODS_FILE, "  value: 24\n", "  value: 0x18\n", "shelf_life.value"),
        (GOODS_FILE, "sales_points:", "season_months: [011, 12]\nsales_points:",
         "season_months[0]"),
    ],
)
def test_number_forms_are_refused_in_every_number_field(scratch, rel, old, new, field):
    scratch.edit(rel, old, new)
    assert codes(scratch) == [("number_form", field)]


@pytest.mark.parametrize("written", ["yes", "no", "on", "off", "true", "False"])
def test_yes_no_where_a_number_is_expected(scratch, written):
    scratch.edit(GOODS_FILE, "criteria_set: 1\n", f"criteria_set: {written}\n")
    at = scratch.position(GOODS_FILE, f"criteria_set: {written}", len("criteria_set: "))
    assert scratch.issues() == [issue("number_yes_no", GOODS_FILE, at, "category.criteria_set")]
    found = only(scratch.validate(), "number_yes_no")
    assert found.message_en == (f"'{written}' is read by YAML as yes/no, not as a number: "
                                "write the number in digits")


def test_number_forms_stay_text_where_text_is_expected(scratch):
    # a decision number or product code that looks like a YAML 1.1 number keeps its digits
    scratch.edit(GOODS_DECISION, "number: 385/QĐ-UBND", "number: 0385")
    scratch.edit(GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    product_code: 1:30\n")
    result = scratch.validate()
    assert result.issues == ()
    cert = result.catalog.products[GOODS].certification
    assert (cert.decision_number, cert.product_code) == ("0385", "1:30")


def test_quoted_numbers_are_not_numbers(scratch):
    scratch.edit(GOODS_DECISION, "score: 78.5", 'score: "78.5"')
    at = scratch.position(GOODS_DECISION, '"78.5"')
    assert scratch.issues() == [issue("wrong_type", GOODS_DECISION, at, "recognises[0].score")]


FORMS = {
    "octal": lambda n: "0" + format(n, "o"),
    "hexadecimal": lambda n: hex(n),
    "binary": lambda n: bin(n),
    "underscores": lambda n: f"{n:_}",
    "base60": lambda n: f"{n // 60}:{n % 60:02d}",
}


@PROPERTY
@given(amount=st.integers(min_value=60, max_value=10**9), form=st.sampled_from(sorted(FORMS)))
def test_no_yaml_11_number_form_is_read_as_a_price(shared, amount, form):
    written = FORMS[form](amount)
    assume("_" in written or form != "underscores")
    original = shared.read(GOODS_FILE)
    try:
        shared.write(GOODS_FILE, original.replace("amount: 250000", f"amount: {written}"))
        result = shared.validate()
    finally:
        shared.write(GOODS_FILE, original)
    assert [(i.code, i.field) for i in result.issues] == [("number_form", "price.amount")]
    assert f"= {amount})" in result.issues[0].message_en or form == "octal"
    assert result.catalog is None


# ==========================================================================
# B. The validator decodes what the build decodes
# ==========================================================================


def photo_issue(scratch, code, severity="error"):
    at = scratch.position(GOODS_FILE, SECOND_PHOTO, len("file: "))
    return issue(code, GOODS_FILE, at, "photos[1].file", severity)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_photo_is_refused(scratch, fmt, keep):
    # the header is intact, so reading it alone (as the validator did) passed
    out = io.BytesIO()
    Image.effect_noise((600, 600), 60).convert("RGB").save(out, format=fmt)
    data = out.getvalue()
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", data[: int(len(data) * keep)])
    if fmt == "WEBP":  # Pillow decodes WebP when it opens it: refused with the header
        assert scratch.issues() == [photo_issue(scratch, "photo_not_image")]
        return
    assert scratch.issues() == [photo_issue(scratch, "photo_damaged")]
    found = only(scratch.validate(), "photo_damaged")
    assert found.message_en.startswith(f"'2.jpg' cannot be decoded as a {fmt} image (")
    assert found.message_vi.startswith("không giải mã được '2.jpg'")


def test_photo_with_damaged_pixel_data_is_refused(scratch):
    out = io.BytesIO()
    Image.effect_noise((600, 600), 60).convert("RGB").save(out, format="PNG")
    data = bytearray(out.getvalue())
    start = data.index(b"IDAT") + 8
    data[start:start + 64] = b"\xff" * 64  # the compressed pixels, not the header
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", bytes(data))
    assert scratch.issues() == [photo_issue(scratch, "photo_damaged")]


@pytest.mark.parametrize("progressive", [False, True])
def test_the_build_decodes_every_jpeg_the_check_accepts(tmp_path, progressive):
    """The check decodes a JPEG at an eighth of its size (records/photos.py), the build
    in full: over JPEGs damaged in many ways (bits flipped, cut off, bytes put in, taken
    out, zeroed), each is accepted exactly when the build's decoder takes it."""
    from ocop_catalog.edition.images import ImageError, _decode
    from ocop_catalog.records.issues import Document
    from ocop_catalog.records.photos import ImageInfo, _decodes

    out = io.BytesIO()
    picture = Image.linear_gradient("L").resize((320, 240)).convert("RGB")
    Image.blend(picture, Image.effect_noise((320, 240), 40).convert("RGB"), 0.3).save(
        out, format="JPEG", quality=85, progressive=progressive)
    good = out.getvalue()
    rng = random.Random(20261207)
    verdicts = collections.Counter()
    for n in range(240):
        data = bytearray(good)
        at = rng.randrange(2, len(data))
        kind = n % 5
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(2, len(data))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del data[at:]
        elif kind == 2:
            data[at:at] = rng.randbytes(rng.randint(1, 16))
        elif kind == 3:
            del data[at:at + rng.randint(1, 64)]
        else:
            data[at:at + rng.randint(1, 256)] = bytes(rng.randint(1, 256))
        photo = tmp_path / f"{n}.jpg"
        photo.write_bytes(bytes(data))
        try:
            with Image.open(photo) as opened:
                info = ImageInfo(photo, opened.width, opened.height, opened.format, len(data))
        except Exception:  # the header is damaged: refused before any decoding
            continue
        if info.format != "JPEG":
            continue
        doc = Document(photo, photo.name)
        accepted = _decodes(doc, info, photo.name, ("photos", 0, "file"))
        try:
            _decode(photo, bytes(data))
            built = True
        except ImageError:
            built = False
        assert accepted == built, (n, kind, at)
        assert accepted or [i.code for i in doc.issues] == ["photo_damaged"]
        verdicts[accepted] += 1
    # both verdicts were met, many times: the damage reached the blocks' data
    assert verdicts[True] > 30 and verdicts[False] > 30, verdicts


def test_a_lossless_jpeg_is_checked_at_its_size(tmp_path):
    """libjpeg decodes a lossless JPEG at its size whatever scale is asked, into a buffer
    Pillow made for the scale (a crash with Pillow 12, an error with 13): the check decodes
    only DCT-coded JPEGs at an eighth of their size (records/photos.py), found by their
    frame marker as libjpeg walks to it, and accepts this one: the build decodes it."""
    from ocop_catalog.edition.images import ImageError, _decode
    from ocop_catalog.records.issues import Document
    from ocop_catalog.records.photos import ImageInfo, _decodes, _frame, scales_down

    def verdicts(data: bytes) -> tuple[bool, bool, list[str]]:
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(data)
        doc = Document(photo, photo.name)
        accepted = _decodes(doc, ImageInfo(photo, 96, 64, "JPEG", len(data)), photo.name,
                            ("photos", 0, "file"))
        try:
            built = _decode(photo, data).size == (96, 64)
        except ImageError:
            built = False
        return accepted, built, [i.code for i in doc.issues]

    data = lossless_jpeg(96, 64)
    assert _frame(data) == 0xC3 and not scales_down(data)
    accepted, built, codes = verdicts(data)
    if not built:
        pytest.skip("this Pillow's libjpeg does not read lossless JPEGs")
    assert accepted and codes == []
    # a DCT frame hidden where libjpeg never reads a marker: behind "FF 00", which it passes
    # over as junk (not a segment with a length), inside an APP1 segment's data
    fake = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 64, 96, 1) + bytes([1, 0x11, 0])
    body = data[2:]
    head, rest = body[:body.index(b"\xff\xda")], body[body.index(b"\xff\xda"):]
    region = head + b"\xff\xe1" + struct.pack(">H", 2 + 4 + len(fake) + 4) + b"x" * 4
    trap = (b"\xff\xd8\xff\x00" + struct.pack(">H", len(region) + 2) + region + fake
            + b"y" * 4 + rest)
    assert _frame(trap) is None and not scales_down(trap)
    accepted, built, codes = verdicts(trap)
    assert accepted == built and codes == ([] if built else ["photo_damaged"])
    # the frame of a camera's JPEG, baseline or progressive, behind 70 KB of segments (a
    # colour profile in two of them)
    for progressive, code in ((False, 0xC0), (True, 0xC2)):
        out = io.BytesIO()
        Image.new("RGB", (40, 30), "teal").save(out, format="JPEG", icc_profile=bytes(70_000),
                                                progressive=progressive)
        camera = out.getvalue()
        assert camera.index(b"\xff\xc0" if code == 0xC0 else b"\xff\xc2") > 70_000
        assert _frame(camera) == code and scales_down(camera)
    for damaged in (b"", b"\xff\xd8", b"\xff\xd8\xff\xe1\x00\x01", b"\xff\xd8\xff\xda",
                    b"\xff\xd8\xff\x00\xff\xc0", b"\xff\xd8" + b"\xff" * 5000 + b"\xc0",
                    b"\xff\xd8\xff\xe1\xff\xff"):
        assert _frame(damaged) is None, damaged[:8]


def test_a_jpeg_with_more_pictures_after_its_own_is_a_jpeg(scratch):
    """Phones and cameras save JPEGs with more pictures after the photo (MPF: an HDR gain
    map, a depth map, a preview), which Pillow opens as "MPO": the photo is accepted, and
    the build decodes its first picture; damaged, it is refused as any JPEG is."""
    from ocop_catalog.edition.images import _decode

    photo = Image.linear_gradient("L").resize((640, 600)).convert("RGB")
    gain_map = Image.new("L", (160, 150), 128)
    out = io.BytesIO()
    photo.save(out, format="MPO", save_all=True, append_images=[gain_map])
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.format == "MPO"
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", data)
    assert scratch.issues() == []
    built = _decode(scratch.root / GOODS_DIR / "2.jpg", data)
    assert built.size == (640, 600) and built.mode == "RGB"
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", data[: len(data) // 3])
    assert scratch.issues() == [photo_issue(scratch, "photo_damaged")]


def test_a_photo_damaged_after_it_decoded_cleanly_is_decoded_again(scratch, tmp_path):
    """The build does not decode a photo again while its file is unchanged since it last
    decoded cleanly (records/decoded.py). Damaged in place with its size and modification
    time put back, as a hostile change could, it is decoded again and refused: the
    change time the kernel sets cannot be put back."""
    out = io.BytesIO()
    Image.effect_noise((600, 600), 60).convert("RGB").save(out, format="PNG")
    data = bytearray(out.getvalue())
    photo = scratch.root / GOODS_DIR / "2.jpg"
    photo.write_bytes(bytes(data))
    cache = str(tmp_path / "cache")
    assert scratch.issues(cache_dir=cache) == []
    assert str(photo) in (tmp_path / "cache" / "decoded.json").read_text()
    assert scratch.issues(cache_dir=cache) == []  # not decoded: still accepted
    before = photo.stat()
    start = data.index(b"IDAT") + 8
    data[start:start + 64] = b"\xff" * 64
    photo.write_bytes(bytes(data))
    os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert photo.stat().st_size == before.st_size and photo.stat().st_mtime_ns == before.st_mtime_ns
    assert scratch.issues(cache_dir=cache) == [photo_issue(scratch, "photo_damaged")]
    assert scratch.issues() == [photo_issue(scratch, "photo_damaged")]


@pytest.mark.parametrize("size", [(MAX_SIDE + 1, 600), (600, MAX_SIDE + 1), (40000, 600)])
def test_photo_side_over_the_webp_limit_is_refused(scratch, size):
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", bilevel_png(*size))
    assert scratch.issues() == [photo_issue(scratch, "photo_side_too_long")]
    assert only(scratch.validate(), "photo_side_too_long").message_en == (
        f"photo '2.jpg' is {size[0]}×{size[1]} px; each side may be at most 16383 px (the "
        "limit of the WebP images the site is built with): make it smaller")


def test_photo_side_at_the_webp_limit_is_fine(scratch):
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", bilevel_png(MAX_SIDE, 600))
    assert scratch.issues() == []


def test_logo_is_decoded_too(scratch):
    out = io.BytesIO()
    Image.effect_noise((600, 600), 60).convert("RGB").save(out, format="PNG")
    scratch.write_bytes(f"products/{PRODUCER}/logo.png", out.getvalue()[:5000])
    scratch.edit(PRODUCER_FILE, "description:", "logo: logo.png\ndescription:")
    assert codes(scratch) == [("photo_damaged", "logo")]


@pytest.mark.parametrize(
    "written",
    ['"\\u200b"', '"\\u200b\\u200c\\u2060"', '"\\u3164"', '" \\u00a0\\u200b "', '"\\u2800"'],
    ids=["zero-width-space", "zero-width-run", "hangul-filler", "spaces-and-zwsp", "braille"],
)
def test_text_that_shows_nothing_is_refused(scratch, written):
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", f"  en: {written}\n")
    at = scratch.position(GOODS_FILE, f"en: {written}", len("en: "))
    assert scratch.issues() == [issue("text_blank", GOODS_FILE, at, "name.en")]
    assert "shows nothing" in only(scratch.validate(), "text_blank").message_en


def test_vietnamese_text_that_shows_nothing_is_refused(scratch):
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n", '  vi: "\\u200b"\n')
    assert codes(scratch) == [("text_blank", "name.vi")]


@pytest.mark.parametrize("written", ['"\\x01"', '"\\x01\\x02 "', '" \\e "', '"\\x7f"'])
def test_text_of_control_characters_only_is_refused(scratch, written):
    # the build's feed cleaning would leave it empty, and the Atom library refuses that
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", f"  en: {written}\n")
    assert codes(scratch) == [("text_control", "name.en")]


def test_text_of_spaces_only_still_counts_as_not_written(scratch):
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", '  en: "   "\n')
    assert codes(scratch) == [("missing_translation", "name")]


# ==========================================================================
# C. Limits on size
# ==========================================================================

# --- record files, before parsing -------------------------------------------


def test_oversized_record_is_refused_before_it_is_parsed(scratch, monkeypatch):
    limit = RECORD_MAX_BYTES["product.yml"]
    text = scratch.read(GOODS_FILE) + "#"
    scratch.write(GOODS_FILE, text + "x" * (limit + 1024 - len(text.encode())))
    assert scratch.path(GOODS_FILE).stat().st_size == limit + 1024

    def never(text):
        raise AssertionError("the oversized record was parsed")

    monkeypatch.setattr(loader_module, "read_yaml", never)
    with pytest.raises(AssertionError):  # the other records are still parsed
        scratch.validate()
    parsed = []
    monkeypatch.setattr(loader_module, "read_yaml",
                        lambda text: parsed.append(len(text)) or read_yaml(text))
    result = scratch.validate()
    assert max(parsed) < limit
    assert [(i.code, i.file, i.line, i.column) for i in result.issues] == [
        ("file_too_large", GOODS_FILE, 1, 1)]
    found = only(result, "file_too_large")
    assert found.message_en == ("the file is 257 KB; a product.yml file may be at most 256 KB: "
                                "shorten its texts (no record needs more)")
    assert found.message_vi.startswith("tệp có dung lượng 257 KB; tệp product.yml tối đa 256 KB")


def test_a_66_mb_record_is_refused_without_reading_it_all(scratch, monkeypatch):
    with open(scratch.path(GOODS_FILE), "r+b") as fh:
        fh.truncate(66 * 2**20)  # a sparse file: 66 MB of NUL bytes
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
            if self.fh.name.endswith("product.yml"):
                reads.append(size)
            return self.fh.read(size)

        def fileno(self):
            return self.fh.fileno()

    monkeypatch.setattr(loader_module, "open",
                        lambda path, mode="r": Spy(real_open(path, mode)), raising=False)
    result = scratch.validate()
    assert codes(scratch) == [("file_too_large", "")]
    assert "67,584 KB" in only(result, "file_too_large").message_en
    assert reads and all(0 < size <= RECORD_MAX_BYTES["product.yml"] + 1 for size in reads)


@pytest.mark.parametrize("rel", [REGIONS_FILE, SALES_POINTS_FILE, PRODUCER_FILE])
def test_every_record_file_has_a_size_limit(scratch, rel):
    name = rel.rsplit("/", 1)[-1]
    limit = RECORD_MAX_BYTES[name]
    scratch.write(rel, scratch.read(rel) + "#" * limit)
    result = scratch.validate()
    found = [i for i in result.issues if i.file == rel]
    assert [(i.code, i.line) for i in found] == [("file_too_large", 1)]
    assert f"a {name} file may be at most {limit // 1024:,} KB" in found[0].message_en


def test_the_sample_records_are_far_below_the_size_limits():
    from siteutil import REPO

    for path in [*REPO.glob("products/*/producer.yml"), *REPO.glob("products/*/*/product.yml"),
                 *REPO.glob("catalog/*.yml")]:
        assert path.stat().st_size * 10 < RECORD_MAX_BYTES[path.name], path
    decisions = sorted(REPO.glob("catalog/decisions/**/*.yml"))
    assert decisions
    for path in decisions:
        assert path.stat().st_size * 10 < RECORD_MAX_BYTES["decision"], path


# --- the largest record allowed ---------------------------------------------

VI = "Mật ong hoa rừng Tam Đảo thơm ngọt tự nhiên, "
EN = "Tam Dao wild-flower honey, naturally sweet; "
ZH = "三岛野花蜂蜜天然香甜，"
POINTS = 100


def fill(unit: str, n: int) -> str:
    """``unit`` repeated to exactly ``n`` characters, not ending in a space."""
    text = (unit * (n // len(unit) + 2))[:n]
    return text[:-1] + "." if text.endswith(" ") else text


def texts(n: int, indent: str) -> str:
    """A translatable text of exactly ``n`` characters in each of vi, en and zh."""
    return "".join(f'\n{indent}{lang}: "{fill(unit, n)}"'
                   for lang, unit in (("vi", VI), ("en", EN), ("zh", ZH)))


def markdown(unit: str, n: int, indent: str) -> str:
    """A literal block (``|``) whose text is exactly ``n`` characters: paragraphs of lines."""
    lines, size = [], 0
    while size + 81 < n:
        lines.append(fill(unit, 79) if len(lines) % 5 != 4 else "")
        size += len(lines[-1]) + 1
    lines.append(fill(unit, n - size - 1))
    assert len("\n".join(lines)) + 1 == n
    return "|\n" + "".join(f"{indent}{line}\n" if line else "\n" for line in lines)


def point_id(i: int) -> str:
    return fill("diem-ban-ocop-", 60).rstrip("-") + f"-{i:03d}"


def photo_name(i: int) -> str:
    return "p" * 194 + f"{i:02d}.jpg"


def largest_product() -> str:
    """A product with every text, list and number at its limit."""
    former = "".join(f"\n  - {fill('ten-cu-', 60).rstrip('-')}-{i:03d}" for i in range(20))
    photos = "".join(f"\n  - file: {photo_name(i)}\n    alt:{texts(250, '      ')}"
                     for i in range(20))
    points = "".join(f"\n  - {point_id(i)}" for i in range(POINTS))
    shop = "https://tiki.vn/" + "b" * (2000 - len("https://tiki.vn/"))
    shops = f"\n  - platform: tiki\n    url: {shop}" * 20
    tags = "".join(f'\n  - "{fill("mật ong ", 38)}{i:02d}"' for i in range(30))
    return f"""\
# yaml-language-server: $schema=../../../schema/product.schema.json
id: {GOODS}
former_ids:{former}
qr_code: "7hq3k2m9px"
name:{texts(200, "  ")}
summary:{texts(500, "  ")}
description:
  vi: {markdown(VI, 20000, "    ")}  en: {markdown(EN, 20000, "    ")}  zh: {markdown(ZH, 20000, "    ")}\
category:
  criteria_version: "148/2023"
  criteria_set: 1
origin:
  street:{texts(200, "    ")}
  commune: "08911"
  legacy:
    district: tam-dao
    commune: "{fill("Thị trấn Tam Đảo ", 120)}"
price:
  amount: 1000000000000
  unit:{texts(100, "    ")}
net_content: {{value: 1000000, unit: g}}
availability: preorder
gtin: "08930000000019"
shelf_life: {{value: 3650, unit: days}}
ingredients:{texts(2000, "  ")}
storage:{texts(1000, "  ")}
season_months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
photos:{photos}
sales_points:{points}
marketplaces:{shops}
tags:{tags}
listed: 1990-01-01
updated: 2100-12-31
"""


def largest_decision() -> str:
    """A decision of the register with every text and number at its limit: the ministry
    recognises the goods (5 stars) and revokes the service (recognised on 2025-09-01)."""
    url = "https://congbao.example.vn/" + "a" * (2000 - len("https://congbao.example.vn/"))
    return f"""\
# yaml-language-server: $schema=../../schema/decision.schema.json
number: "{fill("385/QĐ-BNNMT ", 80)}"
date: 2025-10-01
issuer:{texts(200, "  ")}
level: ministry
criteria_version: "148/2023"
valid_from: 2025-10-01
valid_until: 2100-12-31
source_url: {url}
recognises:
  - product: {GOODS}
    stars: 5
    score: 100
    evaluation: re_rating
    product_code: "{fill("25-08923-1-", 40)}"
    valid_from: 2025-10-01
    valid_until: 2100-12-31
revokes:
  - product: {SERVICE}
    reason:{texts(1000, "      ")}
    date: 2100-12-31
"""


def write_largest_decision(scratch) -> str:
    scratch.write(GOODS_DECISION, largest_decision())
    return scratch.read(GOODS_DECISION)


def many_sales_points() -> str:
    return "sales_points:" + "".join(
        f"\n  - id: {point_id(i)}\n    name: {{vi: Điểm bán {i}, en: Shop {i}}}\n"
        f"    kind: ocop_store\n    address: {{commune: \"08911\"}}" for i in range(POINTS))


def write_largest_product(scratch) -> str:
    scratch.write(SALES_POINTS_FILE, many_sales_points())
    scratch.write(GOODS_FILE, largest_product())
    for i in range(20):
        scratch.write_bytes(f"{GOODS_DIR}/{photo_name(i)}", image_bytes(600, 600))
    return scratch.read(GOODS_FILE)


def test_the_largest_product_allowed_validates(scratch):
    text = write_largest_product(scratch)
    size = len(text.encode())
    assert 200 * 1024 < size <= RECORD_MAX_BYTES["product.yml"]
    result = scratch.validate()
    assert result.issues == ()
    record = result.catalog.products[GOODS].record
    assert len(record.description("zh")) == 20000 and len(record.name("en")) == 200
    assert len(record.photos) == 20 and len(record.tags) == 30
    assert record.price.amount == 10**12


def test_the_largest_decision_allowed_validates(scratch):
    text = write_largest_decision(scratch)
    assert len(text.encode()) <= RECORD_MAX_BYTES["decision"]
    result = scratch.validate()
    assert result.issues == ()
    cert = result.catalog.products[GOODS].certification
    assert (cert.stars, cert.score, cert.level) == (5, 100, "ministry")
    assert len(cert.decision_number) == 80 and len(cert.issuer("en")) == 200
    assert len(cert.product_code) == 40 and len(cert.source_url) == 2000
    assert cert.valid_until == dt.date(2100, 12, 31)
    revoked = result.catalog.products[SERVICE].certification.revoked
    assert len(revoked.reason("zh")) == 1000 and revoked.date == dt.date(2100, 12, 31)


#: A Facebook page address of 2 000 characters, the longest a contact may have.
FACEBOOK_AT_LIMIT = "https://www.facebook.com/" + "p" * (2000 - len("https://www.facebook.com/"))


def test_the_largest_producer_allowed_validates(scratch):
    maintainers = "".join(f"\n  - maintainer-{i:02d}" for i in range(20))
    text = (scratch.read(PRODUCER_FILE)
            .replace("name:\n  vi: HTX Ong mật Tam Đảo\n  en: Tam Dao Honey Bee Cooperative\n",
                     f"name:{texts(200, '  ')}\n")
            .replace("representative: Nguyễn Văn An", f"representative: {fill(VI, 120)}")
            .replace("  email: htx-ong@example.com\n", "  email: htx-ong@example.com\n"
                     f"  zalo: https://zalo.me/{'9' * 20}/\n"
                     f"  facebook: {FACEBOOK_AT_LIMIT}\n")
            .split("description:")[0]
            + f"maintainers:{maintainers}\ndescription:\n"
            + f"  vi: {markdown(VI, 20000, '    ')}  en: {markdown(EN, 20000, '    ')}"
            + f"  zh: {markdown(ZH, 20000, '    ')}")
    scratch.write(PRODUCER_FILE, text)
    assert len(text.encode()) <= RECORD_MAX_BYTES["producer.yml"]
    assert scratch.issues() == []


# --- one over each limit ------------------------------------------------------

ONE_OVER = [
    # (what is changed in the largest product, field, limit, unit)
    ('name:\n  vi: "', 'name:\n  vi: "M', "name.vi", 200, "characters"),
    ('summary:\n  vi: "', 'summary:\n  vi: "x', "summary.vi", 500, "characters"),
    ("  zh: |\n    ", "  zh: |\n    三", "description.zh", 20000, "characters"),
    ('  street:\n    vi: "', '  street:\n    vi: "x', "origin.street.vi", 200, "characters"),
    ('  unit:\n    vi: "', '  unit:\n    vi: "x', "price.unit.vi", 100, "characters"),
    ('ingredients:\n  vi: "', 'ingredients:\n  vi: "x', "ingredients.vi", 2000, "characters"),
    ('storage:\n  vi: "', 'storage:\n  vi: "x', "storage.vi", 1000, "characters"),
    ('    alt:\n      vi: "', '    alt:\n      vi: "x', "photos[0].alt.vi", 250, "characters"),
    ('    commune: "Thị', '    commune: "xThị', "origin.legacy.commune", 120, "characters"),
    ("url: https://tiki.vn/", "url: https://tiki.vn/b", "marketplaces[0].url", 2000,
     "characters"),
    ('tags:\n  - "', 'tags:\n  - "x', "tags[0]", 40, "characters"),
    ("tags:\n", 'tags:\n  - "một thẻ nữa"\n', "tags", 30, "items"),
    ("photos:\n", "photos:\n  - file: 1.jpg\n", "photos", 20, "items"),
    ("marketplaces:\n", "marketplaces:\n  - {platform: tiki, url: https://tiki.vn/x}\n",
     "marketplaces", 20, "items"),
    ("former_ids:\n", "former_ids:\n  - ten-moi-nhat\n", "former_ids", 20, "items"),
    ("sales_points:\n", "sales_points:\n  - cho-tam-dao\n", "sales_points", 100, "items"),
    ("season_months: [1,", "season_months: [12, 1,", "season_months", 12, "items"),
]
DECISION_ONE_OVER = [
    # (what is changed in the largest decision, field, limit, unit)
    ('number: "', 'number: "x', "number", 80, "characters"),
    ('issuer:\n  vi: "', 'issuer:\n  vi: "x', "issuer.vi", 200, "characters"),
    ("source_url: https://congbao.example.vn/", "source_url: https://congbao.example.vn/a",
     "source_url", 2000, "characters"),
    ('product_code: "', 'product_code: "x', "recognises[0].product_code", 40, "characters"),
    ('    reason:\n      vi: "', '    reason:\n      vi: "x', "revokes[0].reason.vi", 1000,
     "characters"),
]
LIMIT_CASES = [(GOODS_FILE, *case) for case in ONE_OVER] + [
    (GOODS_DECISION, *case) for case in DECISION_ONE_OVER]


@pytest.mark.parametrize("rel, old, new, field, limit, unit", LIMIT_CASES,
                         ids=[case[3] for case in LIMIT_CASES])
def test_one_over_each_limit_is_refused_naming_the_field_and_the_limit(
        scratch, rel, old, new, field, limit, unit):
    write_largest_product(scratch)
    write_largest_decision(scratch)
    scratch.write(SALES_POINTS_FILE, many_sales_points().replace(
        "sales_points:", "sales_points:\n  - id: cho-tam-dao\n    name: Chợ\n    kind: market\n"
        "    address: {commune: \"08911\"}", 1))
    text = scratch.read(rel)
    assert old in text
    scratch.write(rel, text.replace(old, new, 1))
    result = scratch.validate()
    errors = [(i.code, i.field) for i in result.errors]
    assert ("too_long", field) in errors, errors
    found = next(i for i in result.errors if (i.code, i.field) == ("too_long", field))
    assert found.message_en == (f"'{field}' is too long: {limit + 1} {unit}, at most {limit} "
                                "allowed; shorten it")
    unit_vi = {"characters": "ký tự", "items": "mục"}[unit]
    assert found.message_vi == f"'{field}' quá dài: {limit + 1} {unit_vi}, tối đa {limit}; hãy rút gọn"


@pytest.mark.parametrize(
    "old, new, field, limit",
    [
        ('  opening_hours:\n    vi: Thứ Bảy và Chủ nhật, 8:00–11:30\n',
         f'  opening_hours:\n    vi: "{fill(VI, 301)}"\n', "tourism.opening_hours.vi", 300),
        ("  price_per_person: 150000\n",
         f'  price_per_person: 150000\n  duration: "{fill(VI, 101)}"\n', "tourism.duration", 100),
    ],
)
def test_tourism_texts_are_bounded(scratch, old, new, field, limit):
    scratch.edit(SERVICE_FILE, old, new)
    assert codes(scratch) == [("too_long", field)]
    assert f"at most {limit} allowed" in only(scratch.validate(), "too_long").message_en


@pytest.mark.parametrize(
    "rel, old, new, field",
    [
        (PRODUCER_FILE, "representative: Nguyễn Văn An",
         f"representative: {fill(VI, 121)}", "representative"),
        (PRODUCER_FILE, "description:", "maintainers: [" + ", ".join(
            f"m{i}" for i in range(21)) + "]\ndescription:", "maintainers"),
        (SALES_POINTS_FILE, "    name: {vi: Chợ Tam Đảo, en: Tam Dao market}",
         f"    name: {{vi: Chợ Tam Đảo, en: \"{fill(EN, 201)}\"}}", "sales_points[0].name.en"),
        (SALES_POINTS_FILE, "    kind: market\n",
         f"    kind: market\n    description: \"{fill(VI, 1001)}\"\n",
         "sales_points[0].description"),
        (REGIONS_FILE, "legacy_districts: [tam-dao]\n",
         "legacy_districts: [" + ", ".join(f"d{i}" for i in range(21)) + "]\n",
         "communes[0].legacy_districts"),
    ],
)
def test_producer_and_catalog_file_limits(scratch, rel, old, new, field):
    scratch.edit(rel, old, new)
    assert ("too_long", field) in codes(scratch)


def test_catalog_file_list_limits(scratch):
    communes = "".join(f'\n  - code: "{10000 + i}"\n    name: Xã {i}\n    kind: xa\n'
                       f"    legacy_districts: [tam-dao]" for i in range(2001))
    scratch.write(REGIONS_FILE, scratch.read(REGIONS_FILE) + communes)
    found = [(i.code, i.field) for i in scratch.validate().issues if i.file == REGIONS_FILE]
    assert ("too_long", "communes") in found


def test_a_text_in_too_many_languages_is_refused(scratch):
    langs = ", ".join(f"{chr(97 + i // 26)}{chr(97 + i % 26)}: x" for i in range(21))
    scratch.edit(GOODS_FILE, "name:\n  vi: Mật ong hoa rừng Tam Đảo\n  en: Tam Dao wild-flower "
                 "honey\n", f"name: {{vi: Mật ong, {langs}}}\n")
    assert codes(scratch) == [("too_long", "name")]


@PROPERTY
@given(length=st.integers(min_value=1, max_value=400))
def test_a_name_is_accepted_exactly_up_to_its_limit(shared, length):
    original = shared.read(GOODS_FILE)
    try:
        shared.write(GOODS_FILE, original.replace("  en: Tam Dao wild-flower honey\n",
                                                  f'  en: "{fill(EN, length)}"\n'))
        found = [(i.code, i.field) for i in shared.validate().issues]
    finally:
        shared.write(GOODS_FILE, original)
    assert found == ([] if length <= 200 else [("too_long", "name.en")])


# ==========================================================================
# D. Text is text
# ==========================================================================

FORBIDDEN = {
    "\x00": "U+0000 (NULL)", "\x07": "U+0007 (BELL)", "\x1b": "U+001B (ESCAPE)",
    "\r": "U+000D (CARRIAGE RETURN)", "\x7f": "U+007F (DELETE)",
    "\x85": "U+0085 (NEXT LINE)", "\x9b": "U+009B (control character)",
    "\u2028": "U+2028 (LINE SEPARATOR)", "\u202a": "U+202A (LEFT-TO-RIGHT EMBEDDING)",
    "\u202e": "U+202E (RIGHT-TO-LEFT OVERRIDE)", "\u2066": "U+2066 (LEFT-TO-RIGHT ISOLATE)",
    "\u2069": "U+2069 (POP DIRECTIONAL ISOLATE)", "\ufffe": "U+FFFE (non-character)",
    "\uffff": "U+FFFF (non-character)",
}
LINE_BREAKS = {"\r", "\x85", "\u2028"}


def escaped(char: str) -> str:
    """``char`` as a YAML double-quoted escape."""
    return f"\\u{ord(char):04x}"


@pytest.mark.parametrize("char", sorted(FORBIDDEN), ids=[FORBIDDEN[c] for c in sorted(FORBIDDEN)])
def test_forbidden_character_is_named_with_its_position(scratch, char):
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 f'  en: "Tam Dao{escaped(char)} honey"\n')
    code = "text_line_break" if char in LINE_BREAKS else "text_control"
    at = scratch.position(GOODS_FILE, f'en: "Tam Dao{escaped(char)}', len("en: "))
    assert scratch.issues() == [issue(code, GOODS_FILE, at, "name.en")]
    found = only(scratch.validate(), code)
    assert found.message_en.startswith("character 8 of the text is ")
    assert found.message_vi.startswith("ký tự thứ 8 của văn bản là ")
    assert FORBIDDEN[char] in found.message_en and FORBIDDEN[char] in found.message_vi


def test_direction_override_written_as_is_is_shown_where_it_is(scratch):
    # YAML itself allows U+202E in a plain value: "Trojan Source" reordering
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 "  en: Tam Dao \u202ewild-flower honey\n")
    at = scratch.position(GOODS_FILE, "\u202e")
    assert scratch.issues() == [issue("text_control", GOODS_FILE, at, "name.en")]
    assert "character 9 of the text is U+202E (RIGHT-TO-LEFT OVERRIDE)" in only(
        scratch.validate(), "text_control").message_en


TEXT_FIELDS = [
    # (file, a line, the line with "{c}" where a bad character goes (as a YAML escape), field)
    (GOODS_FILE, "  vi: Mật ong hoa rừng thu hoạch trên núi Tam Đảo.",
     '  vi: "Mật{c} ong hoa rừng."', "summary.vi"),
    (GOODS_DECISION, "  vi: UBND tỉnh Vĩnh Phúc", '  vi: "UBND{c} tỉnh"', "issuer.vi"),
    (GOODS_DECISION, "number: 385/QĐ-UBND", 'number: "385{c}/QĐ-UBND"', "number"),
    (GOODS_DECISION, "level: province", 'level: province\nsource_url: "https://ubnd.vn/{c}"',
     "source_url"),
    (GOODS_DECISION, "    score: 78.5", '    score: 78.5\n    product_code: "25{c}-01"',
     "recognises[0].product_code"),
    (GOODS_DECISION, "recognises:",
     f'revokes:\n  - product: {SERVICE}\n    reason: "Ngừng{{c}}"\nrecognises:',
     "revokes[0].reason"),
    (GOODS_FILE, "    vi: hũ 500 g", '    vi: "hũ{c} 500 g"', "price.unit.vi"),
    (GOODS_FILE, "      vi: Khung tổ ong đầy mật", '      vi: "Khung{c}"', "photos[1].alt.vi"),
    (GOODS_FILE, "tags: [mật ong, tam đảo]", 'tags: [mật ong, "tam{c} đảo"]', "tags[1]"),
    (GOODS_FILE, "    url: https://shopee.vn/mat-ong-hoa-rung-tam-dao",
     '    url: "https://shopee.vn/mat-ong{c}"', "marketplaces[0].url"),
    (GOODS_FILE, "  vi: |\n    Mật ong được", '  vi: "Mật{c} ong"\n  vi2: |\n    Mật ong được',
     "description.vi"),
    (PRODUCER_FILE, "representative: Nguyễn Văn An", 'representative: "Nguyễn{c} Văn An"',
     "representative"),
    (PRODUCER_FILE, "    commune: Thị trấn Tam Đảo", '    commune: "Thị{c} trấn"',
     "address.legacy.commune"),
    (PRODUCER_FILE, "  email: htx-ong@example.com", '  email: "htx{c}-ong@example.com"',
     "contact.email"),
    (PRODUCER_FILE, "  email: htx-ong@example.com",
     '  email: htx-ong@example.com\n  zalo: "0912{c} 345 678"', "contact.zalo"),
    (PRODUCER_FILE, "  email: htx-ong@example.com",
     '  email: htx-ong@example.com\n  facebook: "https://www.facebook.com/htx{c}"',
     "contact.facebook"),
    (SERVICE_FILE, "    vi: Thứ Bảy và Chủ nhật, 8:00–11:30", '    vi: "Thứ{c} Bảy"',
     "tourism.opening_hours.vi"),
    (SALES_POINTS_FILE, "      street: {vi: Đường Hùng Vương, en: Hung Vuong Street}",
     '      street: {vi: "Đường{c}", en: Hung Vuong Street}',
     "sales_points[1].address.street.vi"),
    (REGIONS_FILE, "    name: {vi: Xã Tam Đảo, en: Tam Dao Commune}",
     '    name: {vi: "Xã{c} Tam Đảo", en: Tam Dao Commune}', "communes[0].name.vi"),
]


@pytest.mark.parametrize("rel, line, new, field", TEXT_FIELDS, ids=[f[3] for f in TEXT_FIELDS])
@pytest.mark.parametrize("char", ["\u202e", "\x1b", "\x00", "\u2066"])
def test_every_text_field_refuses_control_characters(scratch, rel, line, new, field, char):
    if field == "description.vi":  # a Markdown text: its block, not a second key
        new = f'  vi: "Mật{{c}} ong"\n  en: |\n    Honey'
        line = "  vi: |\n    Mật ong được **quay** từ các tổ ong của hộ thành viên.\n\n" \
               "    Xem [trang của HTX](https://htx-ong.example.com/mat-ong).\n  en: |\n" \
               "    Honey"
    scratch.edit(rel, line, new.replace("{c}", escaped(char)))
    found = [(i.code, i.field) for i in scratch.validate().issues if i.file == rel]
    assert found == [("text_control", field)]


def test_a_direction_override_in_a_markdown_block_is_refused(scratch):
    line = "    Mật ong được **quay** từ các tổ ong của hộ thành viên."
    scratch.edit(GOODS_FILE, line, line[:10] + "\u202e" + line[10:])
    at = scratch.position(GOODS_FILE, "\u202e")
    assert scratch.issues() == [issue("text_control", GOODS_FILE, at, "description.vi")]


def test_markdown_may_hold_tabs_and_line_breaks_other_texts_may_not(scratch):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, '    Cột\tmột và hai.\n')
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng thu hoạch trên núi Tam Đảo.",
                 '  vi: "Mật ong\\thoa rừng."')
    assert codes(scratch) == [("text_control", "summary.vi")]


def test_a_one_line_text_written_as_a_block_is_refused_with_a_hint(scratch):
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng thu hoạch trên núi Tam Đảo.",
                 "  vi: |\n    Mật ong hoa rừng\n    thu hoạch trên núi Tam Đảo.")
    at = scratch.position(GOODS_FILE, "    Mật ong hoa rừng\n", 4 + len("Mật ong hoa rừng"))
    assert scratch.issues() == [issue("text_line_break", GOODS_FILE, at, "summary.vi")]
    found = only(scratch.validate(), "text_line_break")
    assert found.message_en.startswith(
        "character 17 of the text is a line break (U+000A (LINE FEED)); this text must be one "
        "line")
    assert "'>-'" in found.message_en and "'>-'" in found.message_vi


def test_an_empty_kept_block_is_reported_on_a_line_of_the_file(scratch):
    # "|+" keeps the blank lines: the text is a line break, which has no column of its own
    scratch.edit(GOODS_DECISION, "  vi: UBND tỉnh Vĩnh Phúc\n", "  vi: |+\n\n")
    found = only(scratch.validate(), "text_line_break")
    lines = scratch.read(GOODS_DECISION).splitlines()
    assert (found.file, found.field) == (GOODS_DECISION, "issuer.vi")
    assert found.column <= len(lines[found.line - 1]) + 1


def test_a_photo_file_name_with_an_escape_character_is_refused(scratch):
    name = "2\x1b[2J.jpg"
    scratch.write_bytes(f"{GOODS_DIR}/{name}", image_bytes())
    scratch.edit(GOODS_FILE, SECOND_PHOTO, 'file: "2\\e[2J.jpg"')
    assert codes(scratch) == [("text_control", "photos[1].file")]


@PROPERTY
@given(char=st.sampled_from(sorted(FORBIDDEN)), before=st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=30))
def test_a_forbidden_character_is_found_wherever_it_is(shared, char, before):
    assume(before.strip())
    original = shared.read(GOODS_FILE)
    value = f'"{before}{escaped(char)}x"'
    try:
        shared.write(GOODS_FILE, original.replace("  en: Tam Dao wild-flower honey\n",
                                                  f"  en: {value}\n"))
        issues = shared.validate().issues
    finally:
        shared.write(GOODS_FILE, original)
    assert [(i.code, i.field) for i in issues] == [
        ("text_line_break" if char in LINE_BREAKS else "text_control", "name.en")]
    assert issues[0].message_en.startswith(f"character {len(before) + 1} of the text is ")


# --- what ocop validate prints ------------------------------------------------

ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_folder(scratch, monkeypatch):
    """A product folder whose name clears the terminal and forges a report line."""
    name = "x\x1b[2J\x1b[1;1H\nforged.yml:1:1: error [id] forged\r\u202e"
    folder = f"products/{PRODUCER}/{name}"
    scratch.write(f"{folder}/product.yml", scratch.read(GOODS_FILE).replace(
        "photos:\n", 'photos:\n  - file: "\\e]0;pwned\\a.jpg"\n'))
    scratch.write_bytes(f"{folder}/1.jpg", image_bytes())
    scratch.write_bytes(f"{folder}/2.jpg", image_bytes())
    monkeypatch.chdir(scratch.root)
    return folder


def run(capsys, *args) -> str:
    cli.main(["validate", "--today", TODAY.isoformat(), *args])
    return capsys.readouterr().out


def test_text_output_cannot_clear_the_terminal_or_forge_lines(hostile_folder, capsys):
    out = run(capsys)
    assert not ESCAPES.search(out)
    # each issue: where, its message in Vietnamese and English, and the line it is on
    # with a caret under it (indented); a blank line between issues, then the total
    blocks = out.split("\n\n")
    for block in blocks[:-1]:
        head, *rest = block.split("\n")
        assert re.match(r"products/.*:\d+:\d+: (lỗi/error|cảnh báo/warning) ", head), head
        assert [line[:8] for line in rest[:2]] == ["    vi: ", "    en: "]
        assert len(rest) in (2, 4) and all(line.startswith("    ") for line in rest), rest
    assert re.fullmatch(r"\d+ lỗi, \d+ cảnh báo trong \d+ tệp / .*\n", blocks[-1])
    assert not any(line.startswith("forged") for line in out.splitlines())
    assert "x\\x1b[2J\\x1b[1;1H\\nforged.yml:1:1: error [id] forged\\r\\u202e" in out
    assert "\\x1b]0;pwned\\x07.jpg" in out


def test_github_output_cannot_forge_annotations(hostile_folder, capsys):
    out = run(capsys, "--format", "github")
    assert not ESCAPES.search(out)
    lines = out.splitlines()
    assert all(line.startswith(("::error file=products/", "::warning file=products/"))
               for line in lines)
    for line in lines:
        properties, _, message = line[2:].partition("::")
        assert "\n" not in line and "\r" not in line
        file = properties.split(" file=", 1)[1].split(",line=")[0]
        assert ":" not in file and "," not in file  # escaped as %3A and %2C
    assert any("\\nforged.yml%3A1%3A1%3A error [id] forged" in line for line in lines)


def test_json_output_survives_a_file_name_that_is_not_utf8(scratch, capsys, monkeypatch):
    folder = os.fsencode(scratch.path(f"products/{PRODUCER}")) + b"/mat-\xff-ong"
    os.makedirs(folder)
    with open(folder + b"/product.yml", "w", encoding="utf-8") as fh:
        fh.write(scratch.read(SERVICE_FILE))
    monkeypatch.chdir(scratch.root)
    for fmt in ("json", "text", "github"):
        out = run(capsys, "--format", fmt)
        assert "mat-\\\\xff-ong" in out or "mat-\\xff-ong" in out
        out.encode("utf-8")


TEXTS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(
    ["\x1b", "\n", "\r", "\x85", "\u2028", "\u202e", "\x00", "%", ":", ","]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(file=TEXTS, field=TEXTS, en=TEXTS, vi=TEXTS)
def test_no_value_can_break_out_of_its_line(file, field, en, vi):
    found = Issue(file or "f", 3, 4, field, "error", "invalid", en, vi)
    text = cli.format_text([found])
    assert not ESCAPES.search(text)
    assert len(text.splitlines()) == 5 and text.endswith("\n")
    github = cli.format_github([found])
    assert not ESCAPES.search(github)
    assert github.count("\n") == 1 and github.startswith("::error file=")
    head, _, message = github.rstrip("\n").partition("::")[2].partition("::")
    assert head.count(",") == 3  # file, line, col, title: their own commas are escaped
    assert message.count("%0A") >= 1


# --- Markdown rules as docs/records.md states them ------------------------------


def markdown_issue(scratch, code, inserted, needle):
    """An issue in the Vietnamese description, where ``needle`` is in ``inserted``."""
    text = scratch.read(GOODS_FILE)
    index = text.index(inserted) + inserted.index(needle)
    line = text.count("\n", 0, index) + 1
    return issue(code, GOODS_FILE, (line, index - text.rfind("\n", 0, index)), "description.vi")


@pytest.mark.parametrize(
    "markdown",
    [
        "<img/src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "Xem <IMG/SRC=x>.",
        "<script/src=https://x.example/a.js></script>",
        '<a"x onmouseover=alert(1)>x</a>',
        "<details\topen ontoggle=alert(1)>",
        "<ab:cd onclick=alert(1)>",
    ],
)
def test_raw_html_with_a_slash_or_other_separator_is_refused(scratch, markdown):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, f"    {markdown}\n")
    shown = re.search(r"<[^<>]*>", markdown).group()
    assert scratch.issues() == [markdown_issue(scratch, "markdown_html", markdown, shown)]
    assert only(scratch.validate(), "markdown_html").message_en == (
        f"raw HTML ({shown}) is not allowed in Markdown text; use Markdown formatting")


@pytest.mark.parametrize(
    "definition",
    [
        "    [htx]: javascript:alert(1)",
        "        [htx]: javascript:alert(1)",
        "\t[htx]: javascript:alert(1)",
        "> [htx]: javascript:alert(1)",
        ">    > [htx]: javascript:alert(1)",
        "- [htx]: javascript:alert(1)",
        "1. [htx]: javascript:alert(1)",
        "  [h\\]tx]: javascript:alert(1)",
        "[htx]:\n      javascript:alert(1)",
    ],
)
def test_reference_definitions_are_checked_at_any_indentation(scratch, definition):
    # the literal block keeps everything after its own four spaces
    body = "Xem [trang][htx].\n\n" + definition
    written = "    " + body.replace("\n", "\n    ").replace("\n    \n", "\n\n")
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, written + "\n")
    assert codes(scratch) == [("link_scheme", "description.vi")]
    assert only(scratch.validate(), "link_scheme").message_en.startswith(
        "'javascript:alert(1)' is not allowed")


@pytest.mark.parametrize(
    "markdown",
    [
        "Xem [trang](<https://htx-ong.example.com/mat ong>).",
        "Xem <https://htx-ong.example.com/>.",
        "Tỷ lệ 1<2, và a<b hoặc 3 <= 4.",
        "    [htx]: https://htx-ong.example.com/",
        "> - [htx]: <https://htx-ong.example.com/>",
    ],
)
def test_markdown_that_is_still_fine(scratch, markdown):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, f"    {markdown}\n")
    assert scratch.issues() == []


def test_an_email_link_is_a_mailto_link(scratch):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, "    Thư: <htx-ong@example.com>.\n")
    assert codes(scratch) == [("link_scheme", "description.vi")]


@PROPERTY
@given(tag=st.sampled_from(["img", "svg", "script", "iframe", "a", "body", "math", "x"]),
       separator=st.sampled_from(["/", " ", "\t", "\n", "/ ", '"', "'"]),
       rest=st.sampled_from(["src=x onerror=alert(1)", "onload=alert(1)", "", "x"]))
def test_any_tag_is_refused_however_its_name_ends(tag, separator, rest):
    from pathlib import Path

    from ocop_catalog.records.checks import check_markdown
    from ocop_catalog.records.issues import Document

    doc = Document(path=Path("product.yml"), rel="product.yml")
    check_markdown(doc, ("description", "vi"), f"Xem <{tag}{separator}{rest}>.")
    assert [i.code for i in doc.issues] == ["markdown_html"]


@PROPERTY
@given(prefix=st.lists(st.sampled_from([" ", "  ", "\t", "> ", "- ", "* ", "1. ", "2) "]),
                       max_size=6).map("".join),
       scheme=st.sampled_from(["javascript:alert(1)", "data:text/html,x", "ftp://x", "/x",
                               "mailto:a@b.vn", "vbscript:x"]))
def test_any_reference_definition_is_checked(prefix, scheme):
    from pathlib import Path

    from ocop_catalog.records.checks import check_markdown
    from ocop_catalog.records.issues import Document

    doc = Document(path=Path("product.yml"), rel="product.yml")
    check_markdown(doc, ("description", "vi"), f"Xem [a][x].\n\n{prefix}[x]: {scheme}\n")
    assert [i.code for i in doc.issues] == ["link_scheme"]


# --------------------------------------------------------------------------
# Nothing refused here is valid: the sample catalog still is
# --------------------------------------------------------------------------


def test_the_sample_catalog_has_no_errors():
    from siteutil import REPO

    from ocop_catalog.records.loader import load_catalog
    from ocop_catalog.settings import load_settings

    result = load_catalog(load_settings(REPO, today=dt.date(2026, 11, 29)))
    assert result.errors == ()
    assert result.catalog is not None


# --------------------------------------------------------------------------
# The editors' JSON Schemas know the limits too
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel, old, new, complaint",
    [
        (GOODS_FILE, "  en: Tam Dao wild-flower honey\n", f'  en: "{"x" * 201}"\n',
         "is too long"),
        (GOODS_FILE, "  en: Tam Dao wild-flower honey\n", '  en: "Tam\\u202eDao"\n',
         "does not match"),
        (GOODS_FILE, "  en: Tam Dao wild-flower honey\n", '  en: "Tam\\nDao"\n',
         "does not match"),
        (GOODS_FILE, "tags: [mật ong, tam đảo]", "tags: [" + ", ".join(["a"] * 31) + "]",
         "is too long"),
        (GOODS_FILE, "amount: 250000", "amount: 1000000000001", "is greater than the maximum"),
        (GOODS_DECISION, "  en: Vinh Phuc Provincial People's Committee\n",
         f'  en: "{"x" * 201}"\n', "is too long"),
        (GOODS_DECISION, "  en: Vinh Phuc Provincial People's Committee\n",
         '  en: "Vinh\\u202ePhuc"\n', "does not match"),
        (GOODS_DECISION, "number: 385/QĐ-UBND", f"number: {fill('385/QĐ-UBND ', 81)}",
         "is too long"),
        (GOODS_DECISION, "recognises:\n", "recognises:\n" + "".join(
            f"  - {{product: san-pham-{i:04d}, stars: 4}}\n" for i in range(2000)),
         "is too long"),
        (GOODS_DECISION, "score: 78.5", "score: 100.5", "is greater than the maximum"),
    ],
)
def test_the_schema_refuses_what_the_validator_refuses(scratch, rel, old, new, complaint):
    from test_schemas import schema_errors

    scratch.edit(rel, old, new)
    errors = schema_errors(scratch.path(rel))
    assert any(complaint in e for e in errors), errors
    assert scratch.validate().errors


def test_every_message_code_is_in_the_docs():
    """docs/records.md's table of messages lists every code the checker can report."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "records.md").read_text(
        encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \| (?:error|warning|note) \|", docs,
                                re.MULTILINE))
    assert set(MESSAGES) - documented == set()
