"""Site search: folding, Pagefind indexing, and real queries in headless Chromium."""

from __future__ import annotations

import filecmp
import gzip
import hashlib
import json
import random
import shutil
from html import escape
from pathlib import Path
from urllib.parse import quote

import pytest
from siteutil import serve

from ocop_catalog import search
from ocop_catalog.search import fold, fold_terms

ROOT = Path(__file__).resolve().parents[1]
SEARCH_JS = ROOT / "theme" / "assets" / "search.js"
CHROMIUM = Path("/usr/bin/chromium")


# --- fold ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Thanh long ruột đỏ", "Thanh long ruot do"),
        ("Trà hoa vàng Tam Đảo", "Tra hoa vang Tam Dao"),
        ("Mật ong hoa rừng", "Mat ong hoa rung"),
        ("Đông trùng hạ thảo", "Dong trung ha thao"),
        ("ĐẶC SẢN ĐẤT VIỆT", "DAC SAN DAT VIET"),
        ("Ðông", "Dong"),  # U+00D0, often typed for Đ
        ("ơ ư ă â ê ô", "o u a a e o"),
        ("thanh long", "thanh long"),
        ("红心火龙果", "红心火龙果"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_decomposed_input():
    # Text typed with combining marks (NFD) folds the same as precomposed text.
    import unicodedata

    text = "Trà hoa vàng Tam Đảo"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


@pytest.mark.parametrize(
    ("texts", "terms"),
    [
        (("Thanh long ruột đỏ",), "do"),
        (("Mật ong hoa rừng",), ""),  # Pagefind folds these marks by itself
        (("HTX Nông nghiệp Đại Đồng", "Xã Đại Đồng, huyện Vĩnh Tường"), "Dai Dong"),
        (("Trà hoa vàng Tam Đảo", "Công ty TNHH Trà Tam Đảo", None), "Dao"),
        (("ĐỒNG", "đồng"), "DONG"),  # each word once, whatever its case
    ],
)
def test_fold_terms(texts, terms):
    assert fold_terms(*texts) == terms


# --- making the bundle deterministic (no Pagefind needed) -----------------


def _fake_bundle(order: list[int]) -> dict[str, bytes]:
    values = [["Trái cây", [3]], ["Đồ uống", [2, 0]], ["Thực phẩm", [1]], ["Dược liệu", [4]]]
    values = [values[i] for i in order]
    enc = search._cbor_encode
    sig = search._SIGNATURE
    filt = gzip.compress(sig + enc(["category", values]))
    meta_vi = gzip.compress(
        sig
        + enc(
            [
                "1.5.2",
                [["vi_aaaaaaa", 40]],
                [["a", "z", "vi_bbbbbbb"]],
                [["category", f"vi_f{order[0]}"]],
                [],
                ["title"],
            ]
        )
    )
    meta_en = gzip.compress(sig + enc(["1.5.2", [], [], [], [], ["title"]]))
    langs = {
        "vi": {"hash": "vi_m", "wasm": None, "page_count": 5},
        "en": {"hash": "en_m", "wasm": "en", "page_count": 5},
    }
    if order[0] % 2:
        langs = dict(reversed(list(langs.items())))
    return {
        "pagefind-entry.json": json.dumps({"version": "1.5.2", "languages": langs}).encode(),
        "pagefind.vi_m.pf_meta": meta_vi,
        "pagefind.en_m.pf_meta": meta_en,
        f"filter/vi_f{order[0]}.pf_filter": filt,
        "fragment/vi_aaaaaaa.pf_fragment": b"unchanged",
    }


def test_canonicalize_is_order_independent():
    a, b = _fake_bundle([0, 1, 2, 3]), _fake_bundle([3, 1, 0, 2])
    assert a != b
    search._canonicalize(a)
    search._canonicalize(b)
    assert a == b
    entry = json.loads(a["pagefind-entry.json"])
    assert list(entry["languages"]) == ["en", "vi"]
    meta_name = f"pagefind.{entry['languages']['vi']['hash']}.pf_meta"
    meta = search._read_cbor(meta_name, a[meta_name])
    filter_name = f"filter/{meta[3][0][1]}.pf_filter"
    values = search._read_cbor(filter_name, a[filter_name])[1]
    assert [v for v, _ in values] == sorted(v for v, _ in values)
    assert a["fragment/vi_aaaaaaa.pf_fragment"] == b"unchanged"


def test_cbor_round_trip():
    value = ["x", 0, 23, 24, 255, 256, 65536, 1 << 40, -1, -300, b"\x00", [], [["é", [1, 2]]]]
    data = search._cbor_encode(value)
    assert search._cbor_decode(data, 0) == (value, len(data))


# --- a small multilingual site with the recommended markup ----------------

PRODUCTS = [
    # slug, names (vi, en, zh), producer, category (vi, en, zh), place
    (
        "thanh-long-ruot-do",
        ("Thanh long ruột đỏ", "Red-flesh dragon fruit", "红心火龙果"),
        "HTX Nông nghiệp Đại Đồng",
        ("Trái cây", "Fruit", "水果"),
        "Xã Đại Đồng, Tỉnh Phú Thọ",
    ),
    (
        "tra-hoa-vang-tam-dao",
        ("Trà hoa vàng Tam Đảo", "Tam Dao golden camellia tea", "三岛金花茶"),
        "Công ty TNHH Trà Tam Đảo",
        ("Đồ uống", "Beverages", "饮料"),
        "Xã Tam Đảo, Tỉnh Phú Thọ",
    ),
    (
        "mat-ong-hoa-rung",
        ("Mật ong hoa rừng", "Wildflower honey", "野花蜂蜜"),
        "Hộ kinh doanh Nguyễn Văn Đức",
        ("Thực phẩm", "Food", "食品"),
        "Xã Minh Quang, Tỉnh Phú Thọ",
    ),
    (
        "dong-trung-ha-thao",
        ("Đông trùng hạ thảo", "Cordyceps", "冬虫夏草"),
        "Công ty CP Dược liệu Đông Á",
        ("Dược liệu", "Herbal medicine", "药材"),
        "Phường Vĩnh Yên, Tỉnh Phú Thọ",
    ),
]
LANGS = {"vi": "/", "en": "/en/", "zh": "/zh/"}
LABELS = {
    "vi": ("Cơ sở", "Nhóm", "Địa chỉ", ""),
    "en": ("Producer", "Category", "Place", "In Vietnamese"),
    "zh": ("生产者", "类别", "地点", "越南语名称"),
}
NOTE = "Ghi chú: 5 &lt; 6 &amp; 7 &lt;img src=x onerror=alert(1)&gt;"


def product_page(lang: str, product) -> str:
    """A product page as the templates should write it (see /tmp/search-notes.md)."""
    slug, names, producer, categories, place = product
    i = list(LANGS).index(lang)
    name, name_vi, category = names[i], names[0], categories[i]
    label = LABELS[lang]
    vi_name = "" if lang == "vi" else f'\n<dt>{label[3]}</dt>\n<dd lang="vi">{escape(name_vi)}</dd>'
    name_terms = fold_terms(name, name_vi)
    other_terms = fold_terms(producer, categories[0], category, place)
    folded = ""
    if name_terms or other_terms:
        span = f'<span data-pagefind-weight="7">{escape(name_terms)}</span> ' if name_terms else ""
        folded = f"\n<p hidden>{span}{escape(other_terms)}</p>"
    note = f"\n<p>{NOTE}</p>" if slug.startswith("mat-ong") else ""
    return f"""<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{escape(name)}</title></head>
<body>
<header><form class="ocop-search" action="{LANGS[lang]}search/"><input name="q"></form></header>
<nav>Trang chủ · Sản phẩm</nav>
<main>
<article data-pagefind-body>
<h1>{escape(name)}</h1>
<img data-pagefind-ignore="all" src="/anh/{slug}.jpg" alt="{escape(name)}">
<dl>
<dt>{label[0]}</dt>
<dd data-pagefind-meta="producer">{escape(producer)}</dd>
<dt>{label[1]}</dt>
<dd data-pagefind-meta="category" data-pagefind-filter="category">{escape(category)}</dd>
<dt>{label[2]}</dt>
<dd data-pagefind-meta="place">{escape(place)}</dd>{vi_name}
</dl>
<p>{escape(name)} · {escape(producer)} · {escape(place)}.</p>{note}{folded}
</article>
</main>
<footer>OCOP</footer>
</body>
</html>
"""


def search_page(lang: str) -> str:
    prefix = LANGS[lang]
    return f"""<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>Search</title></head>
<body>
<main>
<form class="ocop-search" action="{prefix}search/" role="search" data-base="/">
<input type="search" name="q"><button>Search</button>
</form>
<div class="ocop-search-nojs"><p>Search needs JavaScript. <a href="{prefix}">Listings</a></p></div>
<p class="ocop-search-status"></p>
<ol class="ocop-search-results"></ol>
</main>
<script src="/assets/search.js" defer></script>
</body>
</html>
"""


def make_site(root: Path, order_seed: int = 0) -> Path:
    """Write the small site; ``order_seed`` varies the order files are created in."""
    pages = {}
    for lang, prefix in LANGS.items():
        for product in PRODUCTS:
            pages[f"{prefix.strip('/')}/san-pham/{product[0]}/index.html"] = product_page(
                lang, product
            )
        pages[f"{prefix.strip('/')}/search/index.html"] = search_page(lang)
    names = sorted(pages)
    random.Random(order_seed).shuffle(names)
    for name in names:
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[name], encoding="utf-8")
    (root / "assets").mkdir(exist_ok=True)
    shutil.copyfile(SEARCH_JS, root / "assets" / "search.js")
    return root


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    pytest.importorskip(
        "pagefind", reason="Pagefind is not installed: pip install 'pagefind[extended]'"
    )
    site = make_site(tmp_path_factory.mktemp("site"))
    stats = search.build_index(site)
    return site, stats


def test_build_index_writes_per_language_bundle(built_site):
    site, stats = built_site
    bundle = site / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert (bundle / "pagefind-worker.js").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sorted(entry["languages"]) == ["en", "vi", "zh"]
    assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == {
        "en": 4,
        "vi": 4,
        "zh": 4,
    }
    for info in entry["languages"].values():
        assert (bundle / f"pagefind.{info['hash']}.pf_meta").is_file()
    # Search pages have no data-pagefind-body, so they are read but not indexed.
    assert stats.languages == {"en": 4, "vi": 4, "zh": 4}
    assert stats.html_files == 15
    assert stats.pages == 12
    assert stats.bundle_bytes == sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    assert 0 < stats.index_bytes < stats.bundle_bytes
    assert stats.version == entry["version"]
    assert not list(bundle.glob("pagefind-*ui*"))  # Pagefind's own UIs are not shipped
    assert not (bundle / "playground").exists()


def test_build_index_uses_extended_binary_for_chinese(built_site):
    _, stats = built_site
    assert stats.executable.startswith("pagefind_extended"), (
        "Chinese needs the extended Pagefind binary: pip install 'pagefind[extended]'"
    )
    assert stats.warnings == []


def test_build_index_files_are_complete(built_site):
    site, _ = built_site
    for path in (site / "pagefind").rglob("*.pf_*"):
        assert gzip.decompress(path.read_bytes()).startswith(b"pagefind_dcd"), path


def test_build_index_is_deterministic(built_site, tmp_path):
    site, _ = built_site
    other = make_site(tmp_path / "elsewhere" / "site", order_seed=7)
    search.build_index(other)
    again = search.build_index(other)
    assert again.bundle_files == sum(1 for p in (other / "pagefind").rglob("*") if p.is_file())
    cmp = filecmp.dircmp(site / "pagefind", other / "pagefind")
    assert not cmp.left_only and not cmp.right_only
    assert digest(site / "pagefind") == digest(other / "pagefind")


def test_build_index_rejects_output_outside_site(tmp_path):
    pytest.importorskip("pagefind")
    with pytest.raises(search.SearchIndexError):
        search.build_index(tmp_path, output_subdir="../elsewhere")


# --- real queries in headless Chromium ---------------------------------------

QUERIES = [
    # (language prefix, query, page that must be among the results)
    ("/", "thanh long", "/san-pham/thanh-long-ruot-do/"),
    ("/", "thanh long ruot do", "/san-pham/thanh-long-ruot-do/"),
    ("/", "tra hoa vang", "/san-pham/tra-hoa-vang-tam-dao/"),
    ("/", "mat ong", "/san-pham/mat-ong-hoa-rung/"),
    ("/", "dong trung ha thao", "/san-pham/dong-trung-ha-thao/"),
    ("/", "Đông trùng hạ thảo", "/san-pham/dong-trung-ha-thao/"),
    ("/", "dai dong", "/san-pham/thanh-long-ruot-do/"),  # producer and place
    ("/", "Đại Đồng", "/san-pham/thanh-long-ruot-do/"),
    ("/", "nguyen van duc", "/san-pham/mat-ong-hoa-rung/"),  # producer
    ("/", "do uong", "/san-pham/tra-hoa-vang-tam-dao/"),  # category
    ("/", "minh quang", "/san-pham/mat-ong-hoa-rung/"),  # place
    ("/en/", "honey", "/en/san-pham/mat-ong-hoa-rung/"),
    ("/en/", "mat ong", "/en/san-pham/mat-ong-hoa-rung/"),  # Vietnamese name on the English page
    ("/en/", "tam dao", "/en/san-pham/tra-hoa-vang-tam-dao/"),
    ("/zh/", "火龙果", "/zh/san-pham/thanh-long-ruot-do/"),  # needs Chinese word segmentation
    ("/zh/", "蜂蜜", "/zh/san-pham/mat-ong-hoa-rung/"),
    ("/zh/", "dai dong", "/zh/san-pham/thanh-long-ruot-do/"),
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="needs Playwright for Python (pip install playwright)"
    )
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        try:
            yield instance
        finally:
            instance.close()


def run_query(browser, base: str, prefix: str, query: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pagefind_bytes: list[int] = []
    page.on(
        "requestfinished",
        lambda r: (
            pagefind_bytes.append(r.sizes()["responseBodySize"]) if "/pagefind/" in r.url else None
        ),
    )
    try:
        page.goto(f"{base}{prefix}search/?q={quote(query)}")
        page.wait_for_function(
            "() => { const s = document.querySelector('.ocop-search-status');"
            " return document.querySelector('ol.ocop-search-results > li') ||"
            " (s && s.textContent && !/…/.test(s.textContent)); }",
            timeout=20000,
        )
        return {
            "hrefs": page.eval_on_selector_all(
                "ol.ocop-search-results > li > a", "as => as.map(a => a.getAttribute('href'))"
            ),
            "status": page.text_content(".ocop-search-status"),
            "nojs_hidden": page.eval_on_selector(".ocop-search-nojs", "e => e.hidden"),
            "excerpt_tags": page.eval_on_selector_all(
                ".ocop-search-excerpt *", "es => es.map(e => e.tagName)"
            ),
            "excerpts": page.eval_on_selector_all(
                ".ocop-search-excerpt", "es => es.map(e => e.textContent)"
            ),
            "dialogs": dialogs,
            "bytes": sum(pagefind_bytes),
        }
    finally:
        context.close()


@pytest.mark.browser
def test_queries_in_browser(built_site, browser):
    site, _ = built_site
    failures = []
    with serve(site) as base:
        for prefix, query, expected in QUERIES:
            result = run_query(browser, base, prefix, query)
            assert result["nojs_hidden"] is True
            assert set(result["excerpt_tags"]) <= {"MARK"}
            if expected not in result["hrefs"]:
                failures.append((prefix, query, expected, result["hrefs"], result["status"]))
    assert not failures, failures


@pytest.mark.browser
def test_excerpt_text_is_escaped_not_run(built_site, browser):
    site, _ = built_site
    with serve(site) as base:
        result = run_query(browser, base, "/", "onerror")
    assert result["hrefs"] == ["/san-pham/mat-ong-hoa-rung/"]
    assert result["dialogs"] == []
    assert set(result["excerpt_tags"]) <= {"MARK"}
    assert "<img src=x onerror=alert(1)>" in result["excerpts"][0]


@pytest.mark.browser
def test_no_results_message(built_site, browser):
    site, _ = built_site
    with serve(site) as base:
        result = run_query(browser, base, "/en/", "zzzzqqq")
    assert result["hrefs"] == []
    assert result["status"] == "No results for “zzzzqqq”."


def test_build_index_fails_when_pagefind_dies(tmp_path, monkeypatch):
    pytest.importorskip("pagefind")
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\nhead -c 1 >/dev/null\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html lang='vi'><body><p>Xin chào</p></body></html>")
    (site / "pagefind").mkdir()
    (site / "pagefind" / "pagefind.js").write_text("// the last good bundle")
    with pytest.raises(search.SearchIndexError):
        search.build_index(site)  # an error, not a wait for an answer that never comes
    assert (site / "pagefind" / "pagefind.js").read_text() == "// the last good bundle"
