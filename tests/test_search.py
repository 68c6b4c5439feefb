"""Site search: folding, the static index, and real queries in headless Chromium."""

from __future__ import annotations

import hashlib
import json
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
from siteutil import REPO, serve

from ocop_catalog.outputs.site import search
from ocop_catalog.outputs.site.search import (FACT, NAME, TEXT, SearchDoc, fold, search_terms,
                                              shard_of, sort_key)

SEARCH_JS = REPO / "theme" / "assets" / "search.js"


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
    text = "Trà hoa vàng Tam Đảo"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_names_sort_in_vietnamese_alphabetical_order():
    names = ["Đông trùng hạ thảo", "Dưa chuột", "Dứa", "dua", "Ăn liền", "An toàn", "Ấm trà",
             "Bưởi", "Ổi", "Ơn", "Ốc", "Zebra", "红心火龙果", "Dua hấu", "Đá", "Ca"]
    assert sorted(names, key=sort_key) == [
        "An toàn", "Ăn liền", "Ấm trà", "Bưởi", "Ca", "dua", "Dua hấu", "Dứa", "Dưa chuột",
        "Đá", "Đông trùng hạ thảo", "Ốc", "Ổi", "Ơn", "Zebra", "红心火龙果"]
    # total and the same whatever the input order
    assert sorted(["b", "B", "á", "a", "A"], key=sort_key) == sorted(
        ["A", "a", "á", "B", "b"], key=sort_key)


# --- terms and shards ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Thanh long ruột đỏ", ["thanh", "long", "ruot", "do"]),
        ("HTX Nông nghiệp ĐẠI ĐỒNG", ["htx", "nong", "nghiep", "dai", "dong"]),
        ("Trà (hoa vàng), 500g; 1.200.000 ₫", ["tra", "hoa", "vang", "500g", "1", "200", "000"]),
        ("snake_case words", ["snake", "case", "words"]),
        ("火龙果", ["火", "火龙", "龙", "龙果", "果"]),
        ("OCOP认证 3星", ["ocop", "认", "认证", "证", "3", "星"]),
        ("x" * 41 + " ok", ["ok"]),  # pasted codes and links are not words
        ("x" * 41 + "红", ["红"]),  # ... but Chinese beside them is
        ("葛\U000E0100城", ["葛", "葛城", "城"]),  # a variation selector is a mark too
        ("\u1112\u1161\u11ab", ["한"]),  # Hangul typed as jamo
        ("", []),
        (None, []),
    ],
)
def test_search_terms(text, terms):
    assert list(search_terms(text)) == terms


def test_long_chinese_runs_are_still_indexed():
    terms = list(search_terms("红心火龙果" * 10))
    assert "火龙" in terms and "果红" in terms


def test_search_terms_of_decomposed_text():
    text = "Mật ong hoa rừng Đại Đồng"
    assert list(search_terms(unicodedata.normalize("NFD", text))) == list(search_terms(text))


def test_shard_of_depends_on_the_key_only():
    for shards in (1, 2, 64, 4096):
        assert shard_of("thanh", shards) == shard_of("thao", shards) == shard_of("th", shards)
        assert 0 <= shard_of("mat", shards) < shards
        assert shard_of("火龙", shards) == shard_of("火", shards)
    # FNV-1a, 32 bits: the published value for "a", and what search.js gives for "th"
    assert shard_of("a", 1 << 32) == 0xE40C292C
    assert shard_of("th", 1 << 32) == 0x41454691


# --- the index files ----------------------------------------------------------

PRODUCTS = [
    # slug, names (vi, en, zh), producer, category (vi, en, zh), place, summary (vi, en)
    (
        "thanh-long-ruot-do",
        ("Thanh long ruột đỏ", "Red-flesh dragon fruit", "红心火龙果"),
        "HTX Nông nghiệp Đại Đồng",
        ("Trái cây", "Fruit", "水果"),
        "Xã Đại Đồng",
        ("Quả to, ruột đỏ, ngọt đậm.", "Large sweet fruit with red flesh."),
    ),
    (
        "tra-hoa-vang-tam-dao",
        ("Trà hoa vàng Tam Đảo", "Tam Dao golden camellia tea", "三岛金花茶"),
        "Công ty TNHH Trà Tam Đảo",
        ("Đồ uống", "Beverages", "饮料"),
        "Xã Tam Đảo",
        ("Trà từ hoa vàng mọc dưới tán rừng.", "Tea from golden camellia flowers."),
    ),
    (
        "mat-ong-hoa-rung",
        ("Mật ong hoa rừng", "Wildflower honey", "野花蜂蜜"),
        "Hộ kinh doanh Nguyễn Văn Đức",
        ("Thực phẩm", "Food", "食品"),
        "Xã Minh Quang",
        ("Ghi chú: 5 < 6 & 7 <img src=x onerror=alert(1)>", "Raw honey from forest flowers."),
    ),
    (
        "dong-trung-ha-thao",
        ("Đông trùng hạ thảo", "Cordyceps", "冬虫夏草"),
        "Công ty CP Dược liệu Đông Á",
        ("Dược liệu", "Herbal medicine", "药材"),
        "Phường Vĩnh Yên",
        ("Nuôi cấy trong phòng sạch.", "Grown in a clean room."),
    ),
]
LANGS = {"vi": "", "en": "en/", "zh": "zh/"}


def small_docs(lang: str) -> list[SearchDoc]:
    i = list(LANGS).index(lang)
    docs = []
    for slug, names, producer, categories, place, summaries in PRODUCTS:
        summary = summaries[min(i, 1)]
        docs.append(SearchDoc(
            f"{LANGS[lang]}products/{slug}/", names[i], (producer, categories[i], place), summary,
            ((names[i], NAME), (names[0], NAME), (producer, FACT), (categories[i], FACT),
             (categories[0], FACT), (place, FACT), (summary, TEXT))))
    return docs


def read_index(folder: Path) -> tuple[dict, dict[str, list[tuple[int, int]]], list]:
    """An index as search.js reads it: the entry, every term's (document, weight)
    pairs, and the documents."""
    entry = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    terms: dict[str, list[tuple[int, int]]] = {}
    for i, name in enumerate(entry["shards"]):
        shard = json.loads((folder / "t" / f"{i}.{name}.json").read_text(encoding="utf-8"))
        for term, codes in shard.items():
            assert shard_of(term, len(entry["shards"])) == i, term
            doc, pairs = 0, []
            for code in codes:
                doc += code >> 2
                pairs.append((doc, code & 3))
            terms[term] = pairs
    docs = []
    for i, name in enumerate(entry["chunks"]):
        docs += json.loads((folder / "d" / f"{i}.{name}.json").read_text(encoding="utf-8"))
    return entry, terms, docs


def write_small_index(site: Path) -> search.SearchStats:
    return search.write_index(site, [(lang, small_docs(lang)) for lang in LANGS])


def test_index_files_hold_every_term_and_document(tmp_path):
    stats = write_small_index(tmp_path)
    assert stats.languages == {"en": 4, "vi": 4, "zh": 4}
    assert stats.files == sum(1 for p in (tmp_path / "search-index").rglob("*") if p.is_file())
    for lang in LANGS:
        entry, terms, docs = read_index(tmp_path / "search-index" / lang)
        assert entry["format"] == 2 and entry["docs"] == 4 and entry["per_chunk"] > 0
        expected = small_docs(lang)
        assert docs == [[d.url, d.title, list(d.facts), d.summary] for d in expected]  # no card
        for number, doc in enumerate(expected):
            for text, weight in doc.fields:
                for term in search_terms(text):
                    best = max(w for t, w in doc.fields if term in search_terms(t))
                    assert (number, best) in terms[term], (lang, term)
    _, terms, _ = read_index(tmp_path / "search-index" / "zh")
    assert (0, NAME) in terms["火龙"]  # Chinese names are found by character pairs
    assert (0, NAME) in terms["thanh"] and (0, FACT) in terms["dai"]  # and by the Vietnamese


def test_index_files_are_named_by_their_content(tmp_path):
    write_small_index(tmp_path)
    for path in (tmp_path / "search-index").rglob("*.json"):
        if path.name != "index.json":
            number, digest, _ = path.name.split(".")
            assert hashlib.sha256(path.read_bytes()).hexdigest()[:10] == digest


def test_index_is_deterministic_and_replaces_the_old_one(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_small_index(first)
    (second / "search-index" / "vi" / "t").mkdir(parents=True)
    (second / "search-index" / "vi" / "t" / "0.stale.json").write_text("{}")
    write_small_index(second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes()


def test_large_index_is_split_into_shards(tmp_path):
    docs = synthetic_docs(3000)
    stats = search.write_index(tmp_path, [("vi", docs)])
    entry, terms, chunks = read_index(tmp_path / "search-index" / "vi")
    assert len(entry["shards"]) >= 8
    assert len(chunks) == 3000 and len(entry["chunks"]) == -(-3000 // entry["per_chunk"])
    assert stats.largest_shard < 8 * search.SHARD_BYTES
    assert [d for d, _ in terms["quang"]] == sorted(d for d, _ in terms["quang"])


def test_result_cards_are_written_in_the_chunks(tmp_path):
    card = SearchDoc("products/mat-ong/", "Mật ong", ("HTX",), "Ngọt", ((("Mật ong", NAME),)),
                     kind="product", image="media/abc/360.webp", stars=4, status="valid",
                     valid_until="2027-01-02", price="120.000 ₫")
    point = SearchDoc("sales-points/cho/", "Chợ", (), "", (("Chợ", NAME),), kind="point")
    search.write_index(tmp_path, [("vi", [card, point])])
    _, _, docs = read_index(tmp_path / "search-index" / "vi")
    assert docs == [
        ["products/mat-ong/", "Mật ong", ["HTX"], "Ngọt", "product", "media/abc/360.webp", 4,
         "valid", "2027-01-02", "", "120.000 ₫"],
        ["sales-points/cho/", "Chợ", [], "", "point"]]


# --- the sample site's index -------------------------------------------------


def test_sample_site_index_lists_every_result_page(sample_site):
    pages = {
        p.parent.relative_to(sample_site).as_posix() + "/"
        for kind in ("products", "producers", "sales-points")
        for p in sample_site.glob(f"**/{kind}/*/index.html")
        if "noindex" not in p.read_text(encoding="utf-8")[:3000]
    }
    urls = set()
    for lang in LANGS:
        entry, terms, docs = read_index(sample_site / "search-index" / lang)
        assert entry["docs"] == len(docs)
        urls |= {d[0] for d in docs}
        for url, title, facts, *_card in docs:
            assert (sample_site / url / "index.html").is_file(), url
            assert title and all(facts)
    assert urls == pages


def test_sample_index_finds_words_of_every_published_language(sample_site):
    """Each language's index holds the names and summaries written in the others: "honey"
    finds the honey on the Vietnamese pages, "mat ong" on the Chinese ones; results are
    cards (kind, photo, stars, status and its dates, price) in the page's language."""
    for lang, prefix in LANGS.items():
        entry, terms, docs = read_index(sample_site / "search-index" / lang)
        honey = next(i for i, d in enumerate(docs) if d[0] == f"{prefix}products/mat-ong-hoa-rung/")
        for word in ("honey", "mat", "蜂蜜"):
            assert honey in {doc for doc, _ in terms[word]}, (lang, word)
        url, title, facts, summary, kind, image, stars, status, until, *rest = docs[honey]
        assert kind == "product" and image.startswith("media/") and stars == 4
        assert status == "valid" and until > "2026-11-29"
        assert (sample_site / image).is_file()
        kinds = {d[4] for d in docs}
        assert kinds == {"product", "producer", "point"}


# --- real queries in headless Chromium ---------------------------------------


def search_page(lang: str) -> str:
    prefix = "/" + LANGS[lang]
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
<p class="more" hidden><button type="button" data-more>Xem thêm kết quả</button></p>
</main>
<script src="/assets/search.js" defer></script>
</body>
</html>
"""


def make_site(root: Path, docs_by_language) -> Path:
    for lang in LANGS:
        page = root / LANGS[lang] / "search" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(search_page(lang), encoding="utf-8")
    (root / "assets").mkdir(exist_ok=True)
    shutil.copyfile(SEARCH_JS, root / "assets" / "search.js")
    search.write_index(root, docs_by_language)
    return root


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("site"), [(lang, small_docs(lang)) for lang in LANGS])
    with serve(site) as base:
        yield base


def run_query(browser, base: str, prefix: str, query: str) -> dict:
    """Open the search page with ``?q=query`` in a fresh browser context (empty cache)."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    index_bytes: list[int] = []
    page.on(
        "requestfinished",
        lambda r: (
            index_bytes.append(r.sizes()["responseBodySize"]) if "/search-index/" in r.url else None
        ),
    )
    try:
        page.goto(f"{base}{prefix}search/?q={quote(query)}")
        page.wait_for_function(
            "() => { const s = document.querySelector('.ocop-search-status');"
            " return s && s.textContent && !/…/.test(s.textContent); }",
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
            "marks": page.eval_on_selector_all("mark", "es => es.map(e => e.textContent)"),
            "dialogs": dialogs,
            "errors": errors,
            "bytes": sum(index_bytes),
            "requests": len(index_bytes),
        }
    finally:
        context.close()


QUERIES = [
    # (language prefix, query, page that must be among the results)
    ("/", "thanh long", "/products/thanh-long-ruot-do/"),
    ("/", "thanh long ruot do", "/products/thanh-long-ruot-do/"),
    ("/", "THANH LONG RUỘT ĐỎ", "/products/thanh-long-ruot-do/"),
    ("/", "tra hoa vang", "/products/tra-hoa-vang-tam-dao/"),
    ("/", "tra hoa va", "/products/tra-hoa-vang-tam-dao/"),  # as the visitor types
    ("/", "mat ong", "/products/mat-ong-hoa-rung/"),
    ("/", "dong trung ha thao", "/products/dong-trung-ha-thao/"),
    ("/", "Đông trùng hạ thảo", "/products/dong-trung-ha-thao/"),
    ("/", "dai dong", "/products/thanh-long-ruot-do/"),  # producer and place
    ("/", "Đại Đồng", "/products/thanh-long-ruot-do/"),
    ("/", "nguyen van duc", "/products/mat-ong-hoa-rung/"),  # producer
    ("/", "do uong", "/products/tra-hoa-vang-tam-dao/"),  # category
    ("/", "minh quang", "/products/mat-ong-hoa-rung/"),  # place
    ("/en/", "honey", "/en/products/mat-ong-hoa-rung/"),
    ("/en/", "mat ong", "/en/products/mat-ong-hoa-rung/"),  # Vietnamese name on the English page
    ("/en/", "tam dao", "/en/products/tra-hoa-vang-tam-dao/"),
    ("/zh/", "火龙果", "/zh/products/thanh-long-ruot-do/"),
    ("/zh/", "蜂蜜", "/zh/products/mat-ong-hoa-rung/"),
    ("/zh/", "蜂", "/zh/products/mat-ong-hoa-rung/"),
    ("/zh/", "dai dong", "/zh/products/thanh-long-ruot-do/"),
]


@pytest.mark.browser
def test_queries_in_browser(small_site, browser):
    failures = []
    for prefix, query, expected in QUERIES:
        result = run_query(browser, small_site, prefix, query)
        assert result["nojs_hidden"] is True
        assert result["errors"] == []
        if expected not in result["hrefs"]:
            failures.append((prefix, query, expected, result["hrefs"], result["status"]))
    assert not failures, failures


@pytest.mark.browser
def test_every_word_must_match(small_site, browser):
    result = run_query(browser, small_site, "/", "mat ong tam dao")
    assert result["hrefs"] == []
    result = run_query(browser, small_site, "/", "tra")  # Trà, and Trái cây (a category)
    assert result["hrefs"][:1] == ["/products/tra-hoa-vang-tam-dao/"]  # the name first
    assert "/products/thanh-long-ruot-do/" in result["hrefs"]
    assert result["status"] == "2 kết quả cho “tra”."


@pytest.mark.browser
def test_summary_text_is_escaped_not_run(small_site, browser):
    result = run_query(browser, small_site, "/", "mat ong")
    assert result["hrefs"] == ["/products/mat-ong-hoa-rung/"]
    assert result["dialogs"] == []
    assert set(result["excerpt_tags"]) <= {"MARK"}
    assert result["excerpts"] == ["Ghi chú: 5 < 6 & 7 <img src=x onerror=alert(1)>"]


@pytest.mark.browser
def test_found_words_are_marked(small_site, browser):
    result = run_query(browser, small_site, "/", "ruot do")
    assert result["marks"] == ["ruột", "đỏ"]


@pytest.mark.browser
def test_no_results_message(small_site, browser):
    result = run_query(browser, small_site, "/en/", "zzzzqqq")
    assert result["hrefs"] == []
    assert result["status"] == "No results for “zzzzqqq”."


TRICKY = [
    "Ðông Anh",  # U+00D0 typed for Đ
    unicodedata.normalize("NFD", "Cà phê sữa"),  # typed with combining marks
    "İstanbul đặc sản",
    "OCOP认证产品",
    "Sản phẩm 5★ số 1",
    "Ὀδυσσεύς",
    "naïve façade",
    "葛\U000E0100城市",  # a variation selector (outside the Basic Multilingual Plane)
    "\u1112\u1161\u11ab\u1100\u1173\u11af",  # Hangul typed as jamo
]


@pytest.mark.browser
def test_browser_makes_the_same_terms_as_the_index(tmp_path, browser):
    """Each text, typed as it is and without its marks, finds its own document: the
    folding and word splitting in search.js agree with ocop_catalog.outputs.site.search."""
    docs = [SearchDoc(f"doc/{i}/", text, (), "", ((text, NAME),)) for i, text in enumerate(TRICKY)]
    site = make_site(tmp_path, [("vi", docs)])
    with serve(site) as base:
        for i, text in enumerate(TRICKY):
            for query in {text, fold(text)}:
                result = run_query(browser, base, "/", query)
                assert f"/doc/{i}/" in result["hrefs"], (query, result)


# --- what a visitor downloads at 10,000 products ------------------------------

WORDS = ("thanh long ruot do mat ong hoa rung tra vang che tan cuong gao nep cai hoa vang "
         "ca phe bot sen say kho nem chua banh trung thu mien dong ruou men la "
         "nuoc mam dau lac vung tuong ot toi gung nghe me mut quat cam buoi na xoai vai "
         "nhan hong xiem dua mit sau rieng khoai mon lang san ngo nam huong moc nhi").split()
PLACES = [f"{a} {b}" for a in ("Yen", "Vinh", "Tam", "Binh", "Lap", "Song", "Phuc", "Dai")
          for b in ("Lac", "Tuong", "Duong", "Xuyen", "Thach", "Lo", "Yen", "Dong", "Quang")]


def synthetic_docs(n: int) -> list[SearchDoc]:
    """``n`` product results with names, producers, categories, places and summaries made
    from common Vietnamese words, as in a real catalog."""
    import random

    rnd = random.Random(42)
    docs = []
    for i in range(n):
        name = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 5))).capitalize()
        producer = "HTX " + " ".join(rnd.choice(WORDS) for _ in range(3)).title()
        category = rnd.choice(("Trai cay", "Do uong", "Thuc pham", "Duoc lieu", "Thu cong"))
        place = "Xa " + rnd.choice(PLACES)
        summary = " ".join(rnd.choice(WORDS) for _ in range(24)).capitalize() + f" {i}."
        docs.append(SearchDoc(
            f"products/p{i}/", name, (producer, category, place), summary,
            ((name, NAME), (producer, FACT), (category, FACT), (place, FACT),
             ("Tinh Phu Tho", TEXT), (summary, TEXT))))
    return docs


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("large"), [("vi", synthetic_docs(10_000))])
    with serve(site) as base:
        yield base


@pytest.mark.browser
def test_show_more_results(large_site, browser):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{large_site}/search/?q={quote('thanh long')}")
        results = page.locator("ol.ocop-search-results > li")
        results.nth(19).wait_for()
        assert results.count() == 20
        status = page.locator(".ocop-search-status")
        n = int(status.inner_text().split()[0])
        assert n > 40
        button = page.get_by_role("button", name="Xem thêm kết quả")
        button.click()
        results.nth(39).wait_for()
        assert results.count() == 40
        assert status.inner_text() == f"{n} kết quả cho “thanh long”; hiện 40 kết quả đầu."
        # the keyboard is on the first new result; no result is shown twice
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        hrefs = results.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert focused == hrefs[20] and len(set(hrefs)) == 40
        # a new query starts again from its first results
        page.locator("input[name=q]").fill("mat ong")
        page.locator("input[name=q]").press("Enter")
        page.wait_for_function("() => /mat ong/.test("
                               "document.querySelector('.ocop-search-status').textContent)")
        assert results.count() == 20
    finally:
        context.close()


@pytest.mark.browser
def test_a_long_chinese_query_fetches_at_most_six_shards(large_site, browser):
    result = run_query(browser, large_site, "/", "一二三四五六七八九十百千万")  # 12 pairs
    assert result["errors"] == []
    assert result["requests"] <= 1 + 6, result  # index.json and six shards, no results


@pytest.mark.browser
@pytest.mark.parametrize("query", [
    "thanh long", "mat ong hoa rung", "h", "tinh phu tho",  # the last in every document
    "xa yen lac htx", "tra vang che tan cuong gao nep",  # six words, the cap
])
def test_download_before_first_result_stays_under_1_mb(large_site, browser, query):
    result = run_query(browser, large_site, "/", query)
    assert result["errors"] == []
    assert result["hrefs"] or query == "h", result["status"]
    assert result["bytes"] < 1_000_000, (query, result["bytes"], result["requests"])
