"""``ocop preview``: what a pull request's build changed, as the folder its check keeps.

A copy of the sample (two producers) is built, the site kept with hard links as the check
workflow keeps it (``cp -al``), one price changed and built again; the preview of that
build must hold the changed product's pages in every language, byte for byte the site's,
with every file they show, and none of the pages the price leaves as they were. Its page
lists the changes with working links; a real browser opens it from the unpacked folder.
"""

from __future__ import annotations

import html.parser
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import pytest
from siteutil import (BUILD_EPOCH, build_log, build_ok, copy_repository, ocop_command,
                      playwright_or_skip)

from ocop_catalog.preview import PAGE

PRODUCERS = ("bo-sua-tam-dao", "htx-nhan-ly")
PRODUCT = "sua-chua-tam-dao"
RECORD = Path("products/bo-sua-tam-dao/sua-chua-tam-dao/product.yml")


def ocop(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    return subprocess.run([*ocop_command(), *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def built_kept_and_priced(where: Path) -> tuple[Path, Path]:
    """A copy of the sample (two producers) in ``where``, built, its site kept beside it
    as the check keeps it (``cp -al``, ``where/site-before``), then one price changed;
    (repo, site)."""
    repo = copy_repository(where / "repo", PRODUCERS)
    site = repo / "site"
    build_ok(repo, site)
    subprocess.run(["cp", "-al", str(site), str(where / "site-before")], check=True)
    record = repo / RECORD
    text = record.read_text(encoding="utf-8")
    assert "amount: 32000" in text
    record.write_text(text.replace("amount: 32000", "amount: 33000"), encoding="utf-8")
    return repo, site


@pytest.fixture(scope="module")
def previewed(tmp_path_factory) -> tuple[Path, Path, Path, subprocess.CompletedProcess]:
    """(repo, site, preview folder, the command's result) after a price change."""
    where = tmp_path_factory.mktemp("preview")
    repo, site = built_kept_and_priced(where)
    build_ok(repo, site)
    done = ocop(repo, "preview", "--before", str(where / "site-before"), "--into",
                str(where / "preview"))
    return repo, site, where / "preview", done


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.loads: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self._href, self._text = found["href"], []
        for name in ("src", "srcset"):
            if tag in ("img", "source", "script") and found.get(name):
                self.loads += [part.split()[0] for part in found[name].split(",")]
        if tag == "link" and "stylesheet" in (found.get("rel") or ""):
            self.loads.append(found["href"])
        if tag in ("script", "style") and tag == "script" and not found.get("src"):
            self.loads.append("<inline script>")

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def target_of(folder: Path, href: str) -> Path:
    """The file a browser opens for the relative link ``href`` of a page in ``folder``:
    its path part, percent-decoded (a query or a fragment is not part of a file name)."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc and not parts.query and not parts.fragment, href
    return folder / os.fsdecode(unquote_to_bytes(parts.path))


def test_the_preview_holds_what_the_change_made(previewed):
    repo, site, preview, done = previewed
    assert done.returncode == 0, done.stderr
    assert "_preview.html" in done.stdout
    kept, built = files_under(preview), files_under(site)
    # the changed product in every language the sample publishes, as the site has it
    for page in (f"products/{PRODUCT}/index.html", f"en/products/{PRODUCT}/index.html",
                 f"zh/products/{PRODUCT}/index.html"):
        assert kept[page] == built[page], page
        assert "33.000" in kept[page].decode() or "33,000" in kept[page].decode(), page
    # every file of the preview is the site's (but its own page), and every file the
    # build changed is in it (compared here by content alone)
    assert all(kept[rel] == built[rel] for rel in kept if rel != PAGE)
    was = files_under(preview.parent / "site-before")
    assert {rel for rel in built if was.get(rel) != built[rel]} <= set(kept)
    # what the price leaves as it was is not: the other producer's product pages
    others = [f"{lang}products/{product}/index.html" for lang in ("", "en/", "zh/")
              for product in ("gao-nep-cai-hoa-vang", "gao-ngon-phu-xuan")]
    assert all(rel in built and rel not in kept for rel in others)
    assert len(kept) < len(built) / 2, (len(kept), len(built))
    # copies: a preview file edited in place is not the site's
    page = f"products/{PRODUCT}/index.html"
    assert (preview / page).stat().st_ino != (site / page).stat().st_ino


def test_a_changed_page_has_everything_it_shows(previewed):
    _, _, preview, _ = previewed
    page = preview / "products" / PRODUCT / "index.html"
    loads = [url for url in parsed(page).loads if url != "<inline script>"]
    assert any(url.endswith(".css") for url in loads)
    assert any(url.endswith(".webp") for url in loads)
    for url in loads:
        if url.startswith(("http://", "https://", "data:")):
            continue
        target = (page.parent / unquote(url.split("#")[0].split("?")[0])).resolve()
        assert target.is_file(), url


def test_the_preview_page_lists_the_changes_with_working_links(previewed):
    _, site, preview, _ = previewed
    page = preview / PAGE
    links = parsed(page).links
    by_href = dict(links)
    wanted = f"products/{PRODUCT}/index.html"
    assert wanted in by_href
    assert "Sữa chua" in by_href[wanted]  # the page's title, as the site gives it
    for href, _ in links:
        assert target_of(preview, href).is_file(), href
    text = page.read_text(encoding="utf-8")
    assert "Xem trước thay đổi của trang" in text
    counts = re.search(r"(\d+) trang thay đổi hoặc mới, (\d+) tệp khác thay đổi, (\d+) tệp bị "
                       r"gỡ;\s+(\d+) tệp giữ nguyên", text)
    pages = sum(1 for href, _ in links if href.endswith(".html"))
    assert counts and int(counts[1]) == pages
    assert int(counts[4]) > int(counts[1])  # most of the site stayed as it was


def test_the_preview_page_in_english(previewed, tmp_path):
    repo, _, preview, _ = previewed
    done = ocop(repo, "preview", "--before", str(preview.parent / "site-before"), "--into",
                str(tmp_path / "en"), "--lang", "en")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "en" / PAGE).read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "Preview of the site&#39;s changes" in text


def test_nothing_is_overwritten_and_the_site_is_never_a_target(previewed, tmp_path):
    repo, site, preview, _ = previewed
    before = preview.parent / "site-before"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("của tôi", encoding="utf-8")
    done = ocop(repo, "preview", "--before", str(before), "--into", str(mine))
    assert done.returncode == 1
    assert "không trống" in done.stderr and "not empty" in done.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    done = ocop(repo, "preview", "--before", str(before), "--into", str(site / "preview"))
    assert done.returncode == 1 and "inside" in done.stderr
    assert not (site / "preview").exists()
    assert "Traceback" not in done.stderr
    done = ocop(repo, "preview", "--before", str(before), "--into", str(tmp_path / "x"),
                "--site", str(tmp_path / "no-site"))
    assert done.returncode == 1 and "ocop build" in done.stderr
    assert not (tmp_path / "x").exists()


def test_without_a_published_site_every_file_is_new(previewed, tmp_path):
    repo, site, _, _ = previewed
    done = ocop(repo, "preview", "--before", str(tmp_path / "none"), "--into",
                str(tmp_path / "all"))
    assert done.returncode == 0, done.stderr
    assert "every file is new" in done.stderr
    kept = files_under(tmp_path / "all")
    assert set(kept) - {PAGE} == set(files_under(site))
    assert "Không có trang đã công bố để so sánh" in kept[PAGE].decode()


def test_hostile_titles_and_names_stay_text(tmp_path):
    """A page title and a file name are shown as text, and a name that needs escaping in a
    URL still links to its file."""
    from ocop_catalog.edition.theme import PACKAGED
    from ocop_catalog.preview import preview_strings, write_preview

    before, site = tmp_path / "before", tmp_path / "site"
    (before / "a").mkdir(parents=True)
    (before / "a" / "index.html").write_text("<title>old</title>", encoding="utf-8")
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text(
        "<html lang=vi><title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; "
        "\"><img src=x onerror=alert(2)></title>", encoding="utf-8")
    odd = site / "b c" / "#?&<x>.html"
    odd.parent.mkdir()
    odd.write_text("<title>ok</title>", encoding="utf-8")
    made = write_preview(before, site, tmp_path / "out", preview_strings((PACKAGED,), "vi"),
                         (PACKAGED,))
    assert [p.path for p in made.pages] == ["a/index.html", "b c/#?&<x>.html"]
    text = (tmp_path / "out" / PAGE).read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    links = dict(parsed(tmp_path / "out" / PAGE).links)
    assert len(links) == 2
    for href in links:
        assert target_of(tmp_path / "out", href).is_file(), href


def test_the_preview_opens_in_a_browser(previewed):
    """Chromium opens the preview page from the unpacked folder, follows its link to the
    changed product and shows it with its style sheet and every photo loaded."""
    sync_api = playwright_or_skip()
    _, _, preview, _ = previewed
    from siteutil import CHROMIUM, CHROMIUM_ARGS

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            failed: list[str] = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto((preview / PAGE).as_uri())
            page.click(f'a[href="products/{PRODUCT}/index.html"]')
            page.wait_for_load_state("load")
            assert page.url.endswith(f"/products/{PRODUCT}/index.html")
            assert "33.000" in page.inner_text("main")
            # every style sheet loaded (its rules cannot be read from a file: URL)
            sheets = page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')]"
                                   ".map(l => [l.href, l.sheet !== null])")
            assert sheets and all(loaded for _, loaded in sheets), sheets
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_timeout(300)
            images = page.evaluate(
                "[...document.images].filter(i => i.loading !== 'lazy' || i.complete)"
                ".map(i => [i.currentSrc, i.naturalWidth])")
            assert images and all(width > 0 for _, width in images), images
            assert not failed, failed
        finally:
            browser.close()


# --------------------------------------------------------------------------
# A build on a later day: product and lot pages written again for the day only
# --------------------------------------------------------------------------

DAY = 86_400


@pytest.fixture(scope="module")
def next_day(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(repo, site, the copy kept before) of a copy of the sample built on the tests' day,
    kept with hard links, then built on the next day with one price changed."""
    where = tmp_path_factory.mktemp("next-day")
    repo, site = built_kept_and_priced(where)
    log = build_log(repo, site, epoch=BUILD_EPOCH + DAY)
    assert re.search(r"\d+ written again for the build day", log), log[-2000:]
    return repo, site, where / "site-before"


def preview_of(repo: Path, before: Path, into: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH + DAY)}
    return subprocess.run([*ocop_command(), "preview", "--before", str(before), "--into",
                           str(into)], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def product_pages(files: Iterable[str]) -> set[str]:
    return {rel for rel in files if re.fullmatch(r"(en/|zh/)?products/[^/]+/index\.html", rel)
            and "/page/" not in rel}


def test_pages_written_again_for_the_day_are_counted_apart(next_day, previewed, tmp_path):
    repo, site, before = next_day
    done = preview_of(repo, before, tmp_path / "p")
    assert done.returncode == 0, done.stderr
    kept = files_under(tmp_path / "p")
    # every product page of the site changed (its day), but the price changed the same
    # product pages as on the same day (the product's and its producer's other product's,
    # which shows its card): only those are shown
    built, was = files_under(site), files_under(before)
    products = product_pages(built)
    assert products and all(was.get(rel) != built[rel] for rel in products)
    same_day = product_pages(files_under(previewed[2]))
    assert f"products/{PRODUCT}/index.html" in same_day
    assert product_pages(kept) == same_day
    page = kept[PAGE].decode()
    found = re.search(r"(\d+) trang chỉ được ghi lại với ngày dựng mới", page)
    assert found and int(found[1]) >= len(products) - 3, page[:3000]
    assert "pages with only the build day changed" in done.stdout


def test_the_day_list_is_used_only_for_the_site_it_was_written_from(next_day, tmp_path):
    """A --before that is not the site the build replaced (here, one file less): the
    build's list of pages written for the day does not describe it, and every page that
    differs is shown."""
    repo, site, before = next_day
    other = tmp_path / "other-before"
    subprocess.run(["cp", "-a", str(before), str(other)], check=True)
    next(other.glob("feeds/atom/*.xml")).unlink()
    done = preview_of(repo, other, tmp_path / "p")
    assert done.returncode == 0, done.stderr
    kept = files_under(tmp_path / "p")
    for product in ("gao-nep-cai-hoa-vang", "gao-ngon-phu-xuan", PRODUCT):
        assert f"products/{product}/index.html" in kept, product
    assert "trang chỉ được ghi lại" not in kept[PAGE].decode()


# --------------------------------------------------------------------------
# What is refused, and what is shown whatever a page holds
# --------------------------------------------------------------------------


def test_folders_that_cannot_be_compared_are_refused(previewed, tmp_path):
    repo, site, _, _ = previewed
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    for before, words in ((a_file, "not a folder"), (site, "one folder"),
                          (site / "products", "one holds the other")):
        done = ocop(repo, "preview", "--before", str(before), "--into", str(tmp_path / "p"))
        assert done.returncode == 1, (before, done.stderr)
        assert words in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "p").exists()


def test_a_broken_override_of_the_page_writes_nothing(previewed, tmp_path):
    repo, _, preview, _ = previewed
    override = repo / "overrides" / "ocop" / "preview.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    try:
        override.write_text("{{ t('title') }}{% if %}", encoding="utf-8")
        done = ocop(repo, "preview", "--before", str(preview.parent / "site-before"),
                    "--into", str(tmp_path / "p"))
        assert done.returncode == 1
        assert "overrides/" in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "p").exists()
    finally:
        override.unlink()


def test_odd_markup_and_names_give_no_traceback(tmp_path):
    """Markup the HTML parser gives up on, a URL that is not one, a backslash, a style
    sheet's url() and @import, and a file name that is not UTF-8: the preview is made,
    with what could be read."""
    from ocop_catalog.edition.theme import PACKAGED
    from ocop_catalog.housekeeping import remember_redated
    from ocop_catalog.preview import preview_strings, write_preview

    before, site = tmp_path / "before", tmp_path / "site"
    before.mkdir()
    (site / "a").mkdir(parents=True)
    (site / "css").mkdir()
    (site / "css" / "font.woff2").write_bytes(b"font")
    (site / "css" / "more.css").write_text("p{background:url('bg.png')}", encoding="utf-8")
    (site / "css" / "bg.png").write_bytes(b"png")
    (site / "css" / "main.css").write_text(
        '@import "more.css";\n@font-face{src:url(font.woff2)}', encoding="utf-8")
    (site / "a" / "pic.webp").write_bytes(b"webp")
    (site / "a" / "index.html").write_text(
        '<title>a</title><link rel=stylesheet href="..\\css\\main.css"><img src="//[x">'
        '<img srcset="pic.webp 360w">', encoding="utf-8")
    (site / "b.html").write_text("<title>b</title><![foo[ <img src=x", encoding="utf-8")
    odd = os.fsdecode(b"\xff\xfe.html")
    (site / odd).write_text("<title>odd</title>", encoding="utf-8")
    record = tmp_path / "record.json"  # a list of the day's pages beside it: digests made
    remember_redated(record, "x", "y", ["b.html"])
    made = write_preview(before, site, tmp_path / "out", preview_strings((PACKAGED,), "vi"),
                         (PACKAGED,), record)
    kept = files_under(tmp_path / "out")
    for rel in ("css/main.css", "css/more.css", "css/bg.png", "css/font.woff2",
                "a/pic.webp"):
        assert rel in kept, rel
    assert len(made.pages) == 3
    links = dict(parsed(tmp_path / "out" / PAGE).links)
    assert all(target_of(tmp_path / "out", href).is_file() for href in links), links


def test_the_removed_files_are_listed(previewed):
    _, _, preview, _ = previewed
    text = (preview / PAGE).read_text(encoding="utf-8")
    removed = re.search(r"Tệp bị gỡ khỏi trang \((\d+)\)</h2></summary>\n<ul>\n(.*?)</ul>",
                        text, re.S)
    assert removed, text[-2000:]
    paths = re.findall(r"<code>([^<]+)</code>", removed[2])
    assert len(paths) == int(removed[1])
    # the search index's document files are named by content: a new price, new names
    assert paths and all(p.startswith("search-index/") for p in paths), paths
    assert not any((preview / p).exists() for p in paths)


def test_a_site_changed_after_its_build_shows_every_page_that_differs(next_day, tmp_path):
    """A page of the built site edited after the build (its walk no longer the one the
    build recorded): the build's list of the day's pages is not used."""
    repo, site, before = next_day
    page = site / "products" / "gao-ngon-phu-xuan" / "index.html"
    data, stat = page.read_bytes(), page.stat()
    try:
        page.write_bytes(data + b"\n")
        done = preview_of(repo, before, tmp_path / "p")
        assert done.returncode == 0, done.stderr
        kept = files_under(tmp_path / "p")
        assert "products/gao-nep-cai-hoa-vang/index.html" in kept
        assert "trang chỉ được ghi lại" not in kept[PAGE].decode()
    finally:
        page.write_bytes(data)
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_failed_copy_leaves_nothing(tmp_path, monkeypatch):
    from ocop_catalog import preview
    from ocop_catalog.edition.theme import PACKAGED

    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    for name in ("1.html", "2.html", "3.html"):
        (site / "a" / name).write_text(f"<title>{name}</title>", encoding="utf-8")
    copies = []

    def full_disk(source, target):
        if copies:
            raise OSError(28, "No space left on device")
        copies.append(target)
        return real(source, target)

    real = preview.shutil.copyfile
    monkeypatch.setattr(preview.shutil, "copyfile", full_disk)
    strings = preview.preview_strings((PACKAGED,), "vi")
    with pytest.raises(OSError):
        preview.write_preview(None, site, tmp_path / "new", strings, (PACKAGED,))
    assert copies and not (tmp_path / "new").exists()
    (tmp_path / "empty").mkdir()
    copies.clear()
    with pytest.raises(OSError):
        preview.write_preview(None, site, tmp_path / "empty", strings, (PACKAGED,))
    assert copies and list((tmp_path / "empty").iterdir()) == []


def test_a_link_where_a_file_was_is_not_listed_as_removed(tmp_path):
    from ocop_catalog.edition.theme import PACKAGED
    from ocop_catalog.preview import preview_strings, write_preview

    before, site = tmp_path / "before", tmp_path / "site"
    before.mkdir()
    site.mkdir()
    (before / "x.txt").write_text("x", encoding="utf-8")
    (before / "gone.txt").write_text("g", encoding="utf-8")
    (site / "x.txt").symlink_to("/etc/hostname")
    made = write_preview(before, site, tmp_path / "out", preview_strings((PACKAGED,), "vi"),
                         (PACKAGED,))
    assert made.changes.removed == ("gone.txt",)
    assert not (tmp_path / "out" / "x.txt").exists()


def test_a_configuration_that_cannot_be_read_is_said(previewed, tmp_path):
    repo, _, preview, _ = previewed
    config = repo / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    try:
        config.write_text(text + "site_name: [\n", encoding="utf-8")
        done = ocop(repo, "preview", "--before", str(preview.parent / "site-before"),
                    "--into", str(tmp_path / "p"))
        assert done.returncode == 1 and "site_config.yml" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        config.write_text(text, encoding="utf-8")


def test_a_changed_style_sheet_comes_with_a_page_that_shows_it(previewed, tmp_path):
    """Only a style sheet changed (a theme or engine update whose pages are the same): the
    home page is kept, unchanged, with what it loads, so the reviewer sees the sheet."""
    _, site, _, _ = previewed
    from ocop_catalog.edition.theme import PACKAGED
    from ocop_catalog.preview import HOME, preview_strings, write_preview

    before, after = tmp_path / "before", tmp_path / "after"
    subprocess.run(["cp", "-al", str(site), str(before)], check=True)
    subprocess.run(["cp", "-al", str(site), str(after)], check=True)
    css = after / "assets" / "ocop.css"
    data = css.read_bytes()
    css.unlink()
    css.write_bytes(data + b"\nbody{outline:1px solid red}\n")
    made = write_preview(before, after, tmp_path / "out", preview_strings((PACKAGED,), "en"),
                         (PACKAGED,))
    assert made.changes.made == ("assets/ocop.css",) and not made.pages
    assert [page.path for page in made.showing] == [HOME]
    kept = files_under(tmp_path / "out")
    assert kept[HOME] == (after / HOME).read_bytes()
    assert kept["assets/ocop.css"].endswith(b"outline:1px solid red}\n")
    home = parsed(tmp_path / "out" / HOME)
    for url in home.loads:
        if url != "<inline script>" and not url.startswith(("http", "data:")):
            assert (tmp_path / "out" / unquote(url.split("?")[0])).is_file(), url
    text = (tmp_path / "out" / PAGE).read_text(encoding="utf-8")
    assert 'href="index.html"' in text and "An unchanged page" in text
