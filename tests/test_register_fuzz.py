"""Property: what a decision says reaches the product page as text, never as markup.

The register of decisions is the office's, but a decision file comes through a pull
request like any record, and its texts are shown on the product page's certificate:
the revocation's reason, the official product code, the link to the published decision
(``source_url``). Hypothesis writes hostile values into each (markup, quotes, template
syntax, control and bidirectional characters, ``javascript:`` links, any text), validates
the scratch catalog, and when validation accepts the catalog renders the goods' product
page in Vietnamese and English with the site's own builder, then reads it with lxml:

* the value is in the certificate as text, exactly as the record gives it;
* the page has no element, attribute or script it does not have without the value
  (a value cannot open a tag, close an attribute or start an event handler);
* the decision's link is the value itself, an ``http(s)`` address.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from ocop_catalog import pipeline
from ocop_catalog.edition import EditionConfig, publish
from ocop_catalog.outputs.site.pages import Page, SiteBuilder
from ocop_catalog.records.loader import load_catalog
from scratch import GOODS, GOODS_DECISION, TODAY, build_catalog
from siteutil import OPTIONS, REPO, SITE_URL

FUZZ = settings(max_examples=15, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
REVOKE = "catalog/decisions/2026-01-10-thu-hoi.yml"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' onmouseover='x",
           "&lt;b&gt;", "&amp;", "{{ 7*7 }}", "{% raw %}", "</dd></dl><h1>OK</h1>",
           "\u202eabc", "<!--", "]]>", "`id`", "a\\b", "火龙果 ⭐"]
URLS = ["https://example.org/a?b=<script>&c=\"d\"", "https://example.org/'onclick='x",
        "https://example.org/#\"><svg onload=alert(1)>", "javascript:alert(1)",
        "data:text/html,<script>x</script>", "https://ex\u202eample.org/", "http://x/{{7*7}}"]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=60))


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("register-fuzz")
    scratch = build_catalog(root / "repo")
    options = pipeline.check_options(OPTIONS, ("vi", "en", "zh"), REPO)["pages"]
    decision = scratch.read(GOODS_DECISION)
    # the page with plain values in the same fields: the markup every value must leave alone
    _write(scratch, decision, "VP-TD-0385", "Ngừng sản xuất", "https://example.org/qd-385")
    pages, _ = _render(scratch, options, root)
    baseline = {lang: _shape(page) for lang, page in pages.items()}
    return scratch, options, root, decision, baseline


def _write(scratch, decision: str, code: str, reason: str, url: str) -> None:
    """The goods' decision with its product code and source, and a revocation with its
    reason (in force on TODAY, so the page shows it)."""
    scratch.write(GOODS_DECISION, decision.replace(
        "    score: 78.5\n", f"    score: 78.5\n    product_code: {_q(code)}\n").replace(
        "recognises:\n", f"source_url: {_q(url)}\nrecognises:\n"))
    scratch.write(REVOKE, "number: 12/QĐ-UBND\ndate: 2026-01-10\n"
                  "issuer: {vi: UBND tỉnh Vĩnh Phúc, en: Vinh Phuc PPC}\nlevel: province\n"
                  f"revokes:\n  - product: {GOODS}\n    reason: {{vi: {_q(reason)}, "
                  f"en: {_q(reason)}}}\n")


def _render(scratch, options, root):
    """The goods' product page in Vietnamese and English, and the goods (None, None:
    validation refused the catalog)."""
    result = load_catalog(scratch.settings())
    if result.catalog is None:
        return None, None
    edition = publish(result.catalog, EditionConfig(site_url=SITE_URL, root=REPO),
                      cache_dir=root / "cache", workers=1, info=lambda _: None)
    builder = SiteBuilder(edition, options)
    product = result.catalog.products[GOODS]
    path = edition.urls.product(None, GOODS)
    return {lang: builder.render(Page(lang, path, "product.html", {"product": product}))
            for lang in ("vi", "en")}, product


def _shape(page: str) -> tuple:
    """What markup the page has: its elements (by tag) and every attribute name."""
    doc = lxml_html.fromstring(page)
    tags = sorted(el.tag for el in doc.iter() if isinstance(el.tag, str))
    attributes = sorted({name for el in doc.iter() if isinstance(el.tag, str)
                         for name in el.attrib})
    return tuple(tags), tuple(attributes)


def _certificate_text(page: str) -> str:
    (section,) = lxml_html.fromstring(page).xpath("//*[@id='certificate']")
    return section.text_content()


PLAIN = {"code": "VP-TD-0385", "reason": "Ngừng sản xuất", "url": "https://example.org/qd-385"}
VALUES = {"code": TEXT, "reason": TEXT,
          "url": st.one_of(st.sampled_from(URLS),
                           st.text(max_size=40).map(lambda s: "https://example.org/" + s))}


@st.composite
def edits(draw):
    field = draw(st.sampled_from(sorted(VALUES)))
    return field, draw(VALUES[field])


def check(world, field: str, value: str) -> bool:
    """Write ``value`` into ``field`` (the others plain), render the page in Vietnamese
    and English and check it; False when validation refused the value."""
    scratch, options, root, decision, baseline = world
    _write(scratch, decision, **{**PLAIN, field: value})
    try:
        pages, product = _render(scratch, options, root)
        if pages is None:
            return False  # refused by validation, with its messages: nothing published
        for lang, page in pages.items():
            cert = product.certification
            assert product.status(TODAY) == "revoked"
            text = " ".join(_certificate_text(page).split())
            for shown in (cert.product_code, cert.revoked.reason[lang]):
                assert " ".join(shown.split()) in text
            # no markup of the values' own: the same elements and attribute names
            assert _shape(page) == baseline[lang]
            links = [a for a in lxml_html.fromstring(page).xpath(
                "//*[@id='certificate']//a[@href]") if a.get("href") == cert.source_url]
            assert len(links) == 1 and cert.source_url.startswith(("https://", "http://"))
        return True
    finally:
        scratch.write(GOODS_DECISION, decision)
        scratch.path(REVOKE).unlink(missing_ok=True)


@FUZZ
@given(edit=edits())
def test_hostile_decision_texts_are_text_on_the_product_page(world, edit):
    check(world, *edit)


@pytest.mark.parametrize("field, value", [
    ("code", "<script>alert(1)</script>"), ("code", "{{ 7*7 }}"),
    ("reason", '"><img src=x onerror=alert(1)>'), ("reason", "</dd></dl><h1>OK</h1>"),
    ("reason", "&lt;b&gt; &amp; <!-- ]]>"), ("url", "https://example.org/'onclick='x"),
    ("url", "http://x/{{7*7}}"),
])
def test_markup_in_a_decision_is_accepted_and_shown_as_text(world, field, value):
    """Not refused (these are valid texts and links), so the page must show them inert."""
    assert check(world, field, value)


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,<script>x</script>",
                                   "https://example.org/#\"><svg onload=alert(1)>"])
def test_a_decision_link_that_could_break_out_is_refused(world, value):
    assert not check(world, "url", value)
