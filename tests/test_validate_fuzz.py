"""Property-based tests: no input makes the validator raise.

Records and photos come from strangers by pull request. Whatever they contain,
the validator must answer with issues (every one at a real line and column,
with a message in both languages) and never with a traceback or a hang.
"""

from __future__ import annotations

import io
import re
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ocop_catalog.records.checks import check_markdown
from ocop_catalog.records.issues import Document, Issue
from ocop_catalog.records.loader import load_catalog, read_record
from ocop_catalog.records.messages import MESSAGES
from ocop_catalog.records.photos import check_image
from ocop_catalog.records.models import Decision, Producer, Product, Regions, SalesPoints
from scratch import (
    GOODS,
    GOODS_DECISION,
    GOODS_DIR,
    GOODS_FILE,
    SERVICE,
    build_catalog,
    goods_yml,
)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MODELS = [Product, Producer, Regions, SalesPoints, Decision]


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_catalog(tmp_path_factory.mktemp("fuzz"))


YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def assert_sane(issues, root: Path) -> None:
    """Each issue points at a character of its file (or just after the last one)
    and says something in both languages."""
    for found in issues:
        assert isinstance(found, Issue)
        assert found.code in MESSAGES
        assert found.severity in ("error", "warning")
        assert found.message_en.strip() and found.message_vi.strip()
        assert found.line >= 1 and found.column >= 1, found
        path = root / found.file
        if not path.is_file():
            continue
        try:
            lines = YAML_LINE_BREAK.split(path.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError:
            assert (found.line, found.column) == (1, 1), found
            continue
        assert found.line <= len(lines), (found, len(lines))
        assert found.column <= len(lines[found.line - 1]) + 1, (found, lines[found.line - 1])


def read(repo, data: bytes, model=Product):
    path = repo.path(GOODS_FILE)
    path.write_bytes(data)
    doc, record = read_record(path, repo.root, model)
    # a record is refused exactly when something was reported
    assert (record is None) == bool(doc.issues)
    assert_sane(doc.issues, repo.root)
    return doc, record


# --------------------------------------------------------------------------
# (a) Random input
# --------------------------------------------------------------------------

YAML_ALPHABET = list(":-?[]{},#&*!|>'\"%@`~ \t\n\r\\0123456789abcxyzđ\x00\x07\x85\u2028\ufeff")


@FUZZ
@given(text=st.text(), model=st.sampled_from(MODELS))
def test_random_text_never_raises(repo, text, model):
    _, record = read(repo, text.encode("utf-8"), model)
    assert record is None


@FUZZ
@given(data=st.binary(), model=st.sampled_from(MODELS))
def test_random_bytes_never_raise(repo, data, model):
    _, record = read(repo, data, model)
    assert record is None


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(YAML_ALPHABET), max_size=200))
def test_random_yaml_punctuation_never_raises(repo, text):
    read(repo, text.encode("utf-8"))


# --------------------------------------------------------------------------
# (b) A valid product.yml, damaged
# --------------------------------------------------------------------------

SNIPPETS = [
    '!!python/object/apply:os.system ["true"]', "!!python/name:os.system", "!custom ",
    "!!binary aGk=", "!!set {a}", "&a ", "*a", "<<: *a", "&a [1]\nb: *a\n", ": ", ":", "\t",
    "- ", "? ", "---\n", "...\n", "%YAML 1.1\n", "[", "]", "{", "}", "[" * 300, "{a: " * 60,
    "- " * 40, "  " * 60, "9" * 5000, "1e999", "-.inf", ".nan", "0x1F", "0o17", "1:30",
    "2023-02-30", "2025-06-10 25:00:00", "2025-06-10T08:00:00+07:00", "99999-01-01",
    '"\\0"', '"\\x00.jpg"', '"\\uD800"', "\x00", "\x07", "\x1b", "\x7f", "\ufeff", "\u2028",
    "\x85", "\U0001f600", "~", "null", "yes", "no", "'", '"', "|", ">-", "|+\n", "#",
    "javascript:alert(1)", "<script>", "<!--", "[x](ftp://a)", "../../etc/passwd",
    "/etc/passwd", "\r\n", "\r", "stars: 4\n", "photos: []\n", "id:\n", "- file: 2.jpg\n",
    "fr: x\n", "vi:\n", "en: [1]\n", "gtin: 8930000000019\n", "criteria_set: 26\n",
    # hostile pull requests: deep nesting, far-off dates, YAML 1.1 numbers, controls
    "[" * 600, "{a: " * 400, "9999-12-31", "0001-01-01", "1718064000", "0750000", "0b101",
    "250_000", "1.0e+400", "yes", '"\\e[2J"', '"\\u202e"', '"\\x1b]0;x\\a"', '"\\u200b"',
    '"\\uFFFE"', "\u202e", "\u2066", "<img/src=x>", "<svg/onload=alert(1)>",
    "    [x]: javascript:alert(1)", "> [x]: ftp://x", "<a@b.vn>", "1000000000001",
]
RAW_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xe1\xba", b"\x80\x80"]

ANY_INDEX = st.integers(min_value=0, max_value=10**6)
SNIPPET = st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=12))
MUTATION = st.one_of(
    st.tuples(st.just("delete_line"), ANY_INDEX),
    st.tuples(st.just("duplicate_line"), ANY_INDEX),
    st.tuples(st.just("swap_chars"), ANY_INDEX),
    st.tuples(st.just("insert"), ANY_INDEX, SNIPPET),
    st.tuples(st.just("insert_line"), ANY_INDEX, SNIPPET),
    st.tuples(st.just("replace_value"), ANY_INDEX, SNIPPET),
)
RAW = st.one_of(st.none(), st.tuples(ANY_INDEX, st.sampled_from(RAW_BYTES)))


def mutate(text: str, mutations) -> str:
    for kind, index, *rest in mutations:
        lines = text.splitlines(keepends=True) or [""]
        line = index % len(lines)
        at = index % (len(text) + 1)
        if kind == "delete_line":
            del lines[line]
        elif kind == "duplicate_line":
            lines.insert(line, lines[line])
        elif kind == "swap_chars" and len(text) > 1:
            at = min(at, len(text) - 2)
            text = text[:at] + text[at + 1] + text[at] + text[at + 2:]
            continue
        elif kind == "insert":
            text = text[:at] + rest[0] + text[at:]
            continue
        elif kind == "insert_line":
            lines.insert(line, rest[0] + "\n")
        elif kind == "replace_value":
            key, colon, _ = lines[line].partition(": ")
            if colon:
                lines[line] = f"{key}: {rest[0]}\n"
        text = "".join(lines)
    return text


def damaged(mutations, raw, base: str | None = None) -> bytes:
    text = goods_yml() if base is None else base
    data = mutate(text, mutations).encode("utf-8", errors="surrogatepass")
    if raw is not None:
        index, chunk = raw
        at = index % (len(data) + 1)
        data = data[:at] + chunk + data[at:]
    return data


@FUZZ
@given(mutations=st.lists(MUTATION, min_size=1, max_size=6), raw=RAW)
def test_damaged_product_never_raises(repo, mutations, raw):
    read(repo, damaged(mutations, raw))
    result = load_catalog(repo.settings())
    assert_sane(result.issues, repo.root)
    assert (result.catalog is None) == bool(result.errors)


#: A decision of the register with every field written: it recognises the goods and
#: revokes the service (recognised on 2025-09-01 by the scratch catalog's other decision).
DECISION = f"""\
# yaml-language-server: $schema=../../schema/decision.schema.json
number: 385/QĐ-UBND
date: 2025-10-01
issuer:
  vi: UBND tỉnh Vĩnh Phúc
  en: Vinh Phuc Provincial People's Committee
level: province
criteria_version: "148/2023"
valid_from: 2025-10-01
valid_until: 2028-10-01
source_url: https://ubnd.example.vn/qd-385
recognises:
  - product: {GOODS}
    stars: 4
    score: 78.5
    evaluation: re_rating
    product_code: 25-08923-1
    valid_from: 2025-10-01
    valid_until: 2028-09-30
revokes:
  - product: {SERVICE}
    reason:
      vi: Ngừng cung cấp dịch vụ
      en: Service discontinued
    date: 2025-10-15
"""


def check_decision(repo, data: bytes):
    """``data`` as the goods' decision: read alone, then with the whole catalog (whose
    register checks it against the products); every issue sane. The file is restored."""
    repo.write(GOODS_FILE, goods_yml())
    path = repo.path(GOODS_DECISION)
    original = path.read_bytes()
    try:
        path.write_bytes(data)
        doc, record = read_record(path, repo.root, Decision)
        assert (record is None) == bool(doc.issues)
        assert_sane(doc.issues, repo.root)
        result = load_catalog(repo.settings())
        assert_sane(result.issues, repo.root)
    finally:
        path.write_bytes(original)
    assert (result.catalog is None) == bool(result.errors)
    return result


@FUZZ
@given(mutations=st.lists(MUTATION, min_size=1, max_size=6), raw=RAW)
def test_damaged_decision_never_raises(repo, mutations, raw):
    check_decision(repo, damaged(mutations, raw, DECISION))


def test_the_decision_to_damage_is_valid(repo):
    result = check_decision(repo, DECISION.encode("utf-8"))
    assert result.issues == ()
    goods = result.catalog.products[GOODS].certification
    assert (goods.decision_number, goods.product_code) == ("385/QĐ-UBND", "25-08923-1")
    assert result.catalog.products[SERVICE].certification.revoked is not None


def test_mutations_do_damage(repo):
    """The mutator works: one snippet of each kind really breaks the record."""
    for snippet in ('!!python/object/apply:os.system ["true"]', "&a [1]\nb: *a\n", "9" * 5000):
        data = damaged([("insert_line", 3, snippet)], None)
        doc, record = read(repo, data)
        assert record is None and doc.issues
        result = check_decision(repo, damaged([("insert_line", 3, snippet)], None, DECISION))
        assert result.catalog is None and result.errors


# --------------------------------------------------------------------------
# Photos from strangers
# --------------------------------------------------------------------------


def _image_seeds() -> list[bytes]:
    seeds = []
    for fmt, mode in [("JPEG", "RGB"), ("PNG", "RGB"), ("WEBP", "RGB"), ("GIF", "P"),
                      ("BMP", "RGB"), ("TIFF", "RGB"), ("ICO", "RGB"), ("PPM", "RGB"),
                      ("TGA", "RGB"), ("DDS", "RGBA")]:
        out = io.BytesIO()
        Image.new(mode, (40, 30)).save(out, format=fmt)
        seeds.append(out.getvalue())
    return seeds


IMAGE_SEEDS = _image_seeds()


@FUZZ
@given(
    seed=st.sampled_from(IMAGE_SEEDS),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    flips=st.lists(st.tuples(ANY_INDEX, st.integers(0, 255)), max_size=12),
)
def test_damaged_image_never_raises(repo, seed, cut, flips):
    data = bytearray(seed[:cut] if cut is not None else seed)
    for index, value in flips:
        if data:
            data[index % len(data)] = value
    folder = repo.path(GOODS_DIR)
    (folder / "fuzz.jpg").write_bytes(bytes(data))
    doc = Document(path=folder / "product.yml", rel=GOODS_FILE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        info = check_image(doc, folder, "fuzz.jpg", ("photos", 0, "file"), repo.settings())
    assert caught == []  # Pillow's warnings would clutter the validator's output
    # either a usable image or an explanation (a small one is both)
    assert info is not None or doc.has_errors
    assert_sane(doc.issues, repo.root)


def test_dds_with_an_unknown_pixel_format_is_not_an_image(repo):
    # Pillow raises NotImplementedError for this header; it once crashed the validator
    out = io.BytesIO()
    Image.new("RGBA", (40, 30)).save(out, format="DDS")
    data = bytearray(out.getvalue())
    data[80:84] = b"\x00\x00\x00\x00"  # pixel format flags: none known
    folder = repo.path(GOODS_DIR)
    (folder / "fuzz.jpg").write_bytes(bytes(data))
    doc = Document(path=folder / "product.yml", rel=GOODS_FILE)
    assert check_image(doc, folder, "fuzz.jpg", ("photos", 0, "file"), repo.settings()) is None
    assert [i.code for i in doc.issues] in (["photo_not_image"], ["photo_format"])


# --------------------------------------------------------------------------
# Markdown that would make naive patterns backtrack
# --------------------------------------------------------------------------

N = 100_000


@pytest.mark.parametrize(
    "body",
    [
        "`" * N,
        "``a`" * (N // 4),
        "[" * N,
        "[a\n" * (N // 3),
        "](" * (N // 2),
        "<a " * (N // 3),
        "<!" * (N // 2),
        "`" * 5000 + "\n" + "a" * N,
        "~" * 5000 + "\n" + "a" * N,
        "".join("`" * k + "\n" for k in range(300, 2, -1)),
    ],
    ids=["backticks", "spans", "brackets", "label-lines", "link-ends", "tags", "bangs",
         "long-fence", "long-tilde-fence", "unclosed-fences"],
)
def test_markdown_check_is_fast_on_adversarial_text(body):
    doc = Document(path=Path("product.yml"), rel="product.yml")
    start = time.perf_counter()
    check_markdown(doc, ("description", "vi"), body)
    assert time.perf_counter() - start < 1.0
