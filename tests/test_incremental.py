"""Incremental builds: a rebuild takes over the files whose inputs did not change and gives,
byte for byte, the site a cold build of the same input and build date gives.

A copy of the sample (three producers: lots, GTINs, several products each) goes through a
scripted series of changes — a price, a rename with ``former_ids``, a new product, a
deleted product, a new photo, an edited template, a later build date that lets a
certificate lapse — built incrementally over the same folder each time, and compared with
cold builds of the same state into fresh folders (on the later date, the files that show
the day or a changed status are made again, the others taken over). Files taken over are
hard links to the published site's, so the test also checks which ones were taken over (same inode): an
unrelated product's page is, a changed product's is not.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from siteutil import (BUILD_EPOCH, REPO, SHARED_CACHES, copy_repository, keep_decisions_of,
                      ocop_command, restore_cache_entry, run_build, save_cache_entry,
                      script_env, starter_step)
from siteutil import build_log as build

from ocop_catalog.records.decoded import write_signed

PRODUCERS = ("ong-tam-dao", "htx-nhan-ly", "bo-sua-tam-dao")


def taken(log: str) -> tuple[int, int]:
    """(files taken over, keyed files) from the build's log; (0, 0) for a cold build."""
    found = re.search(r"incremental: (\d+) of (\d+) keyed files", log)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def tree(site: Path) -> dict[str, str]:
    return {path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def assert_same(incremental: Path, cold: Path) -> None:
    """Both sites hold the same files with the same bytes (the first differences shown)."""
    ours, theirs = tree(incremental), tree(cold)
    problems = [f"only in the incremental build: {rel}" for rel in sorted(ours.keys() - theirs)]
    problems += [f"only in the cold build: {rel}" for rel in sorted(theirs.keys() - ours)]
    for rel in sorted(ours.keys() & theirs.keys()):
        if ours[rel] != theirs[rel]:
            problems.append(f"differs: {rel}")
            if rel.endswith((".html", ".json", ".xml", ".csv")) and len(problems) < 4:
                a = (incremental / rel).read_text(encoding="utf-8").splitlines()
                b = (cold / rel).read_text(encoding="utf-8").splitlines()
                problems += list(difflib.unified_diff(a, b, "incremental", "cold", n=0,
                                                      lineterm=""))[:12]
    assert not problems, f"{len(problems)} lines:\n" + "\n".join(problems[:60])


def inode(site: Path, rel: str) -> int:
    return (site / rel).stat().st_ino


def search_files(site: Path) -> dict[str, int]:
    """The search index's shard and chunk files (named by content), with their inodes."""
    return {p.relative_to(site).as_posix(): p.stat().st_ino
            for p in (site / "search-index").glob("*/[td]/*.json")}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def products(repo: Path) -> set[str]:
    return {p.parent.name for p in (repo / "products").glob("*/*/product.yml")}


def test_incremental_builds_equal_cold_builds_after_a_series_of_changes(tmp_path):
    repo = copy_repository(tmp_path / "repo", PRODUCERS)
    site = tmp_path / "site"
    assert taken(build(repo, site)) == (0, 0)  # nothing to take over yet
    milk = "products/bo-sua-tam-dao/sua-tuoi-tam-dao"
    honey = "products/ong-tam-dao/mat-ong-quat"
    unrelated = "en/products/mat-ong-chanh-leo/index.html"

    # a price: the product's pages change, an unrelated product's page is taken over
    before = inode(site, unrelated), inode(site, "products/sua-tuoi-tam-dao/index.html")
    index_before = search_files(site)
    # and so are the pages of the whole catalog that show no price: what they show is their
    # key (lists of producers, categories, areas and sales points with their counts, the
    # search form, the open data page, the office's numbers)
    summaries = [f"{lang}{page}/index.html" for lang in ("", "en/")
                 for page in ("producers", "categories", "areas", "sales-points", "search",
                              "open-data", "statistics")]
    summaries_before = {rel: inode(site, rel) for rel in summaries}
    price = re.search(r"amount: (\d+)", (repo / milk / "product.yml").read_text()).group(1)
    edit(repo / milk / "product.yml", f"amount: {price}", f"amount: {int(price) + 1000}")
    done, keyed = taken(build(repo, site))
    assert 0 < done < keyed
    assert inode(site, unrelated) == before[0]
    assert inode(site, "products/sua-tuoi-tam-dao/index.html") != before[1]
    assert {rel: inode(site, rel) for rel in summaries} == summaries_before
    new_price = f"{(int(price) + 1000):,}".replace(",", ".")
    assert new_price in (site / "products/sua-tuoi-tam-dao/index.html").read_text()
    # the search index: what products are found by did not change, so every term shard is
    # taken over; of the result chunks, only the one that shows the price is written again
    index_after = search_files(site)
    shards = {rel for rel in index_before if "/t/" in rel}
    assert shards and shards == {rel for rel in index_after if "/t/" in rel}
    assert all(index_before[rel] == index_after[rel] for rel in shards)
    new_chunks = [rel for rel in index_after if "/d/" in rel and rel not in index_before]
    assert sorted(rel.split("/")[1] for rel in new_chunks) == sorted(
        p.name for p in (site / "search-index").iterdir())  # one per language
    assert new_price in (site / next(r for r in new_chunks if "/vi/" in r)).read_text()

    # a rename with former_ids: the old address becomes a link page
    old, new = "gao-ngon-phu-xuan", "gao-phu-xuan"
    shutil.move(repo / "products/htx-nhan-ly" / old, repo / "products/htx-nhan-ly" / new)
    edit(repo / "products/htx-nhan-ly" / new / "product.yml", f"id: {old}\n",
         f"id: {new}\nformer_ids: [{old}]\n")
    assert 0 < taken(build(repo, site))[0]
    assert "http-equiv" in (site / f"products/{old}/index.html").read_text()

    # a new product (no decision names it yet) and a deleted one
    shutil.copytree(repo / milk, repo / "products/bo-sua-tam-dao/sua-tuoi-moi")
    edit(repo / "products/bo-sua-tam-dao/sua-tuoi-moi/product.yml", "id: sua-tuoi-tam-dao",
         "id: sua-tuoi-moi")
    shutil.rmtree(repo / "products/ong-tam-dao/mat-ong-gung-sa")
    keep_decisions_of(repo, products(repo))
    assert 0 < taken(build(repo, site))[0]
    assert not (site / "products/mat-ong-gung-sa").exists()

    # a new photo
    Image.new("RGB", (900, 700), (180, 120, 40)).save(repo / honey / "9.jpg", quality=90)
    edit(repo / honey / "product.yml", "photos:\n",
         "photos:\n  - file: 9.jpg\n    alt: {vi: Hũ mật ong, en: A jar of honey}\n")
    assert 0 < taken(build(repo, site))[0]
    assert_same(site, _cold(repo, tmp_path / "cold-1"))

    # a template only product pages use: they change, listings are taken over
    listing = "products/index.html"
    before = inode(site, listing), inode(site, unrelated)
    passport = REPO / "theme/ocop/partials/passport.html"
    override = repo / "overrides/ocop/partials/passport.html"
    override.parent.mkdir(parents=True)
    text = passport.read_text(encoding="utf-8")
    assert "<section" in text
    override.write_text(text.replace("<section", '<section data-edited="1"', 1), encoding="utf-8")
    assert 0 < taken(build(repo, site))[0]
    assert inode(site, listing) == before[0]
    assert inode(site, unrelated) != before[1]
    assert 'data-edited="1"' in (site / unrelated).read_text()
    # the card template, which no page template names (cards are rendered once per product
    # and language by the page builder): every page that shows cards changes
    card = REPO / "theme/ocop/partials/card.html"
    text = card.read_text(encoding="utf-8")
    assert "<li" in text
    card_override = repo / "overrides/ocop/partials/card.html"
    card_override.write_text(text.replace("<li", '<li data-card-edited="1"', 1), encoding="utf-8")
    before = inode(site, listing)
    assert 0 < taken(build(repo, site))[0]
    assert inode(site, listing) != before
    assert 'data-card-edited="1"' in (site / listing).read_text()
    # a font of the theme: the sharing image is named by a digest of its texts and fonts,
    # so it and every page that shows it as og:image change (the form and kiosk pages too)
    form_page = "contribute/index.html"
    social = [p.name for p in (site / "assets").glob("social-*.png")]
    assert len(social) == 1 and social[0] in (site / form_page).read_text()
    fonts = repo / "overrides/ocop/fonts"
    fonts.mkdir(parents=True)
    shutil.copyfile(REPO / "theme/ocop/fonts/DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf")
    assert 0 < taken(build(repo, site))[0]
    now = [p.name for p in (site / "assets").glob("social-*.png")]
    assert len(now) == 1 and now != social and now[0] in (site / form_page).read_text()
    assert_same(site, _cold(repo, tmp_path / "cold-2"))

    # a later build day on which a certificate that was valid has lapsed
    catalog = json.loads((site / "feeds/catalog.json").read_text(encoding="utf-8"))
    today = dt.datetime.fromtimestamp(BUILD_EPOCH, dt.timezone(dt.timedelta(hours=7))).date()
    ends = sorted(dt.date.fromisoformat(p["certification"]["valid_until"])
                  for p in catalog["products"]
                  if p["certification"]["status"] in ("valid", "expiring"))
    assert ends and ends[0] >= today
    later = BUILD_EPOCH + ((ends[0] - today).days + 1) * 86400
    # product pages state the day they were checked, and the statistics, the open data
    # page and the feeds are of the day: those are made again; what does not show the day
    # (QR codes, print files, permanent links, a producer's page, listings) is taken over
    # unless what it shows changed (the lapsed certificate changes its product's card)
    # the card template back to the packaged one (a page showing cards of an override,
    # which may print the day, has the day in its key), on the same day: every page again
    (repo / "overrides/ocop/partials/card.html").unlink()
    assert 0 < taken(build(repo, site))[0]
    files = [path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()]
    watched = {rel: inode(site, rel) for rel in files
               if rel.startswith(("qr/", "print/products/", "producers/", "products/", "q/"))
               or rel.endswith("open-data/index.html") or rel == "statistics/index.html"}
    done, keyed = taken(build(repo, site, epoch=later))
    lapsed = json.loads((site / "feeds/catalog.json").read_text(encoding="utf-8"))
    status = {p["id"]: p["certification"]["status"] for p in catalog["products"]}
    kept = {p["id"] for p in lapsed["products"] if p["certification"]["status"] == status[p["id"]]}
    by_producer: dict[str, set[str]] = {}
    for p in catalog["products"]:
        by_producer.setdefault(p["producer"], set()).add(p["id"])
    steady = sorted(producer for producer, ids in by_producer.items() if ids <= kept)
    assert steady and kept < set(status)  # some certificates changed state, not all
    other = min(by_producer[steady[0]])
    day_free = [f"qr/{pid}.svg" for pid in status] + [f"qr/{pid}.png" for pid in status] + [
        f"print/products/{other}.pdf", f"producers/{steady[0]}/index.html",
        *(rel for rel in watched if rel.startswith("q/") and rel.count("/") == 2)]
    dated = [f"products/{other}/index.html", "statistics/index.html", "open-data/index.html",
             "en/open-data/index.html"]
    changed = [rel for rel in day_free if inode(site, rel) != watched[rel]]
    assert changed == [], changed
    assert [rel for rel in dated if inode(site, rel) == watched[rel]] == []
    photos = sum(1 for path in (site / "media").rglob("*") if path.is_file())
    # at least the product pages in three languages are made again
    assert photos + len(day_free) < done < keyed - 3 * len(catalog["products"])
    assert sum(p["certification"]["status"] == "expired" for p in lapsed["products"]) > sum(
        p["certification"]["status"] == "expired" for p in catalog["products"])
    assert_same(site, _cold(repo, tmp_path / "cold-3", epoch=later))


def _cold(repo: Path, site: Path, epoch: int = BUILD_EPOCH) -> Path:
    """A cold build of ``repo`` into the new folder ``site``."""
    assert not site.exists()
    assert taken(build(repo, site, epoch=epoch)) == (0, 0)
    return site


def test_a_page_drawn_by_an_override_that_prints_the_day_is_made_again_on_a_new_day(tmp_path):
    """Pages that do not show the build date keep their files on a new day; an override
    of their template can print it, and then they are made again, as a cold build makes
    them."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:1])
    site = tmp_path / "site"
    build(repo, site)
    listing, producers = "products/index.html", "producers/index.html"
    before = inode(site, listing), inode(site, producers)
    assert taken(build(repo, site, epoch=BUILD_EPOCH + 86400))[0] > 0
    assert (inode(site, listing), inode(site, producers)) == before
    source = (REPO / "theme/ocop/listing.html").read_text(encoding="utf-8")
    override = repo / "overrides/ocop/listing.html"
    override.parent.mkdir(parents=True)
    assert "{% block main %}" in source
    override.write_text(source.replace(
        "{% block main %}", '{% block main %}<p id="day">{{ today.isoformat() }}</p>', 1),
        encoding="utf-8")
    build(repo, site, epoch=BUILD_EPOCH + 86400)
    before = inode(site, listing), inode(site, producers)
    later = BUILD_EPOCH + 2 * 86400
    build(repo, site, epoch=later)
    day = dt.datetime.fromtimestamp(later, dt.timezone(dt.timedelta(hours=7))).date()
    assert f'<p id="day">{day.isoformat()}</p>' in (site / listing).read_text(encoding="utf-8")
    assert inode(site, listing) != before[0] and inode(site, producers) == before[1]
    assert_same(site, _cold(repo, tmp_path / "cold", epoch=later))


def test_cards_of_an_override_that_reads_the_catalog_follow_what_it_reads(tmp_path):
    """A card template from ``overrides/`` sees the whole catalog (here, the first sales
    point's name, on every card): its cards are keyed by every record, so that a change
    the packaged card would not show (a sales point's name) makes every page with cards
    again, as a cold build makes it."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:2])
    source = (REPO / "theme/ocop/partials/card.html").read_text(encoding="utf-8")
    override = repo / "overrides/ocop/partials/card.html"
    override.parent.mkdir(parents=True)
    assert source.count("</li>") == 1
    override.write_text(source.replace(
        "</li>", '<span data-first-point>{{ t.plain((catalog.sales_points.values() '
        '| list | first).name) }}</span></li>'), encoding="utf-8")
    site = tmp_path / "site"
    build(repo, site)
    listing = site / "products/index.html"
    assert "<span data-first-point>GO! Vĩnh Phúc</span>" in listing.read_text(encoding="utf-8")
    edit(repo / "catalog/sales-points.yml", "{vi: GO! Vĩnh Phúc,", "{vi: GO! Vĩnh Phúc Mới,")
    build(repo, site)
    assert "<span data-first-point>GO! Vĩnh Phúc Mới</span>" in listing.read_text(
        encoding="utf-8")
    assert_same(site, _cold(repo, tmp_path / "cold"))


def test_templates_keyed_without_the_build_date_do_not_read_it():
    """The packaged templates of pages, kiosks and the form keyed without the build date
    (each with every template it uses, and the card template, which listings show) neither
    name ``today`` nor call the page builder's helpers that read it (the certificate
    block's view, the passport, the JSON-LD): a new build day leaves their files alone, so
    what they show must not depend on it but through their records' keys."""
    from ocop_catalog.edition import Edition, EditionConfig
    from ocop_catalog.edition.keys import DAY_FREE_TEMPLATES, Keys
    from ocop_catalog.records.loader import load_catalog
    from ocop_catalog.settings import load_settings

    result = load_catalog(load_settings(REPO))
    assert result.catalog is not None
    keys = Keys(Edition(result.catalog, EditionConfig(site_url="https://example.org/")))
    undated = sorted(DAY_FREE_TEMPLATES)
    reading = re.compile(r"\btoday\b|cert_view|passport|jsonld")
    found = {}
    for name in undated:
        assert keys.packaged(name), name
        for used in {*keys.uses(name), *keys.uses("partials/card.html")}:
            source = keys.env.loader.get_source(keys.env, used)[0]
            if reading.search(source):
                found[used] = reading.findall(source)
    assert found == {}
    # and the check sees the templates that do read the day
    assert reading.search(keys.env.loader.get_source(keys.env, "partials/cert.html")[0])
    assert not keys.packaged("no-such-template.html")


def test_product_and_lot_pages_are_carried_over_to_a_new_day_with_its_text_written_in(
        tmp_path):
    """On a new build day, a product's or lot's page whose record and certificate state did
    not change is not rendered again: the previous day's file gets the new day's text where
    it printed the day (the seal's and the passport's "checked on", in each language's
    form; its length changes from the 29th to the 1st and from the 1st to the 10th), and
    equals what a cold build writes; a page drawn by an override of the catalog's is made
    each day; a page kept from the spare keeps where it prints the day; UI strings that
    format the day otherwise than as it is make the pages that use them be rendered."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:1])
    site = tmp_path / "site"
    build(repo, site)  # 2026-11-29 in Vietnam
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if "data-seal-checked" in p.read_text(encoding="utf-8")
                   or "data-lot-checked" in p.read_text(encoding="utf-8"))
    assert any("/10/" in rel for rel in pages) and any("products/" in rel for rel in pages)

    def written_again(days: int) -> int:
        found = re.search(r"(\d+) written again for the build day",
                          build(repo, site, epoch=BUILD_EPOCH + days * 86400))
        return int(found.group(1)) if found else 0

    for days, texts in ((2, ("1 tháng 12, 2026", "December 1, 2026", "2026年12月1日")),
                        (11, ("10 tháng 12, 2026", "December 10, 2026", "2026年12月10日"))):
        assert written_again(days) == len(pages)
        for rel, text in (("products/mat-ong-quat/index.html", texts[0]),
                          ("en/products/mat-ong-quat/index.html", texts[1]),
                          ("zh/products/mat-ong-quat/index.html", texts[2])):
            page = (site / rel).read_text(encoding="utf-8")
            assert f'data-checked="2026-12-{days - 1:02d}"' in page, rel
            assert page.count(text) >= 2, rel
    assert_same(site, _cold(repo, tmp_path / "cold-11", epoch=BUILD_EPOCH + 11 * 86400))
    # an override among a page's templates (the footer, which prints nothing of the
    # day): it may work anything out from the day, so its pages are made each day
    overrides = repo / "overrides/ocop/partials"
    overrides.mkdir(parents=True)
    footer = (REPO / "theme/ocop/partials/footer.html").read_text(encoding="utf-8")
    (overrides / "footer.html").write_text(footer + "<!-- ours -->\n", encoding="utf-8")
    written_again(11)
    assert written_again(12) == 0
    (overrides / "footer.html").unlink()
    written_again(12)
    honey_pages = [rel for rel in pages if "mat-ong-quat" in rel or "/10/" in rel]
    before = {rel: inode(site, rel) for rel in honey_pages}
    # a price changed and changed back the same day: the product's pages are the spare's
    # (the site two builds back), kept with where they print the day
    honey = repo / "products/ong-tam-dao/mat-ong-quat/product.yml"
    text = honey.read_text(encoding="utf-8")
    price = re.search(r"amount: (\d+)", text).group(1)
    honey.write_text(text.replace(f"amount: {price}", f"amount: {int(price) + 1000}", 1),
                    encoding="utf-8")
    written_again(12)
    honey.write_text(text, encoding="utf-8")
    written_again(12)
    assert {rel: inode(site, rel) for rel in honey_pages} == before  # the spare's files
    assert written_again(13) == len(pages)
    assert_same(site, _cold(repo, tmp_path / "cold-13", epoch=BUILD_EPOCH + 13 * 86400))
    # UI strings that format the day otherwise than as it is (a cut, a conversion): those
    # pages are rendered with the day itself, the same in every build
    strings = repo / "overrides/ocop/i18n"
    strings.mkdir(parents=True)
    (strings / "en.yml").write_text('productpage.checked: "Checked on {date:.12}."\n'
                                    'lot.checked: "Checked {date!r}"\n', encoding="utf-8")
    written_again(13)
    assert written_again(14) == 2 * len(pages) // 3  # the Vietnamese and Chinese ones
    page = (site / "en/products/mat-ong-quat/index.html").read_text(encoding="utf-8")
    assert "Checked on December 13,." in page  # 2026-12-13 cut at 12 characters
    assert_same(site, _cold(repo, tmp_path / "cold-14", epoch=BUILD_EPOCH + 14 * 86400))


def test_pages_carried_over_print_the_day_only_where_they_mark_it(tmp_path):
    """A page carried over from day to day (product and lot pages) is rendered with the
    day as marks; on a build day no record's date falls on, the day appears in the page in
    no form (ISO, or a date format of its language) but where the marks were, every
    template of the page included (a macro imported without context sees the build's own
    day, not the marks: the seal is given the page's)."""
    from ocop_catalog import pipeline
    from ocop_catalog.edition import EditionConfig, publish
    from ocop_catalog.edition.i18n import MarkedDay
    from ocop_catalog.edition.keys import CARRIED_OVER
    from ocop_catalog.outputs.site.pages import SiteBuilder
    from ocop_catalog.records.loader import load_catalog
    from ocop_catalog.settings import load_settings
    from siteutil import OPTIONS, SITE_URL

    day = dt.date(2031, 7, 17)
    result = load_catalog(load_settings(REPO, today=day))
    assert result.catalog is not None
    edition = publish(result.catalog, EditionConfig(site_url=SITE_URL, root=REPO),
                      cache_dir=REPO / ".cache" / "ocop", workers=1, info=lambda _: None,
                      symbols=False)
    builder = SiteBuilder(edition, pipeline.check_options(OPTIONS, edition.languages,
                                                          REPO)["pages"])
    pages = [p for p in builder.pages() + builder.lot_pages() if p.template in CARRIED_OVER]
    assert {p.template for p in pages} == CARRIED_OVER
    marked = MarkedDay("\ue000test:")
    assert "{date}".format(date=marked.mark("long")) == "\ue000test:long\ue001"
    for spec in ("{date:>30}", "{date:.5}", "{date!r}", "{date!a}"):
        with pytest.raises(ValueError):
            spec.format(date=marked.mark("long"))
    for use in (lambda d: d == day, lambda d: d < day, lambda d: bool(d), lambda d: {d},
                lambda d: d.year, lambda d: marked.mark("d MMM y")):
        with pytest.raises((TypeError, AttributeError, ValueError)):
            use(marked)
    for page in pages:
        assert builder.carried_over(page.template)
        data, spans = builder.render_file(page)
        t = builder.translator(page.lang)
        forms = {"iso": day.isoformat(), **{f: t.date(day, f)
                                            for f in ("full", "long", "medium", "short")}}
        assert spans and re.fullmatch(r"\d+[a-z]+(,\d+[a-z]+)*", spans)
        left, at = [], 0
        for span in spans.split(","):
            offset, form = int(re.match(r"\d+", span).group()), re.search(r"[a-z]+", span).group()
            text = forms[form].encode()
            assert data[offset:offset + len(text)] == text, (page.path, span)
            left.append(data[at:offset])
            at = offset + len(text)
        rest = (b"".join(left) + data[at:]).decode("utf-8")
        assert not [f for f, text in forms.items() if text in rest], page.path
        assert "\ue000" not in data.decode("utf-8")
        assert data.decode("utf-8") == builder.render(page)


def test_a_full_build_takes_nothing_over(tmp_path):
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:1])
    site = tmp_path / "site"
    build(repo, site)
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("en/products/*/index.html"))
    before = {rel: inode(site, rel) for rel in pages}
    path = repo / "products/ong-tam-dao/mat-ong-quat/product.yml"
    price = re.search(r"amount: (\d+)", path.read_text()).group(1)
    edit(path, f"amount: {price}", f"amount: {int(price) + 1000}")
    assert taken(build(repo, site, "--full")) == (0, 0)
    assert all(inode(site, rel) != before[rel] for rel in pages)  # every page written again


def test_a_cache_restored_as_the_publish_workflow_restores_it_is_built_on(tmp_path):
    """The starter's publish workflow keeps the cache folder and the site between runs
    (actions/cache: a tar in POSIX format of the paths it names, restored into the next
    run's fresh checkout at the same path, where every file of the checkout is new). That
    run's build takes over what a change leaves as it was, and gives what a cold build of
    the same input gives. The cache holds the state of the spare the last build kept, but
    not the spare: a ``.site.spare/`` in the checkout (a pull request committed it, with a
    page of its own) is not that folder, and nothing of it is published. The catalog has
    caches of its own, as a real one has, whose print files the site holds as hard links:
    the tar carries them as links, and the build takes them as they come back."""
    cache = starter_step("publish.yml", "build", "actions/cache")[1]["with"]
    paths = cache["path"].split()
    assert sorted(paths) == [".cache", "site"]
    assert "run_id" in cache["key"] and cache["restore-keys"] == "ocop-"  # a new entry a run
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:2])
    for name in SHARED_CACHES:  # its own photos and print files: copies, not links
        link = repo / ".cache" / "ocop" / name
        shared = link.resolve()
        link.unlink()
        shutil.copytree(shared, link)
    record = "products/ong-tam-dao/mat-ong-quat/product.yml"

    def raise_price() -> None:
        price = re.search(r"amount: (\d+)", (repo / record).read_text(encoding="utf-8"))
        edit(repo / record, price.group(0), f"amount: {int(price.group(1)) + 1000}")

    build(repo, repo / "site")
    raise_price()
    build(repo, repo / "site")  # the run before: it keeps the first site as its spare
    assert (repo / ".site.spare").is_dir()
    archive = tmp_path / "cache.tar"  # as actions/cache makes it, but for the compression
    save_cache_entry(repo, paths, archive)
    shutil.rmtree(repo)
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:2])  # the next run's checkout
    shutil.rmtree(repo / ".cache")  # a checkout has none: the restore brings it
    restore_cache_entry(archive, repo)
    label = next((repo / "site" / "print" / "products").glob("*.pdf"))
    cached = [p for p in (repo / ".cache" / "ocop" / "print").rglob("*.pdf")
              if p.stat().st_ino == label.stat().st_ino]
    assert cached and label.stat().st_nlink >= 2  # a link of the cache's file, as it was
    planted = repo / ".site.spare"  # what a pull request could commit there
    shutil.copytree(repo / "site", planted)
    other = planted / "producers" / "index.html"  # no price: taken over by its key
    other.write_text(other.read_text(encoding="utf-8").replace("</main>", "PLANTED</main>"),
                     encoding="utf-8")
    raise_price()  # the change the last run built, committed
    raise_price()  # and this run's
    log = build(repo, repo / "site")
    done, keyed = taken(log)
    assert keyed / 2 < done < keyed, log[-3000:]
    # the planted folder is given up; the build makes its spare of the restored site's files
    assert "changed since it was built" not in log
    assert "made of the published site's files" in log
    assert "PLANTED" not in (repo / "site" / other.relative_to(planted)).read_text("utf-8")
    cold = tmp_path / "cold"
    assert taken(build(repo, cold)) == (0, 0)
    assert_same(repo / "site", cold)


def test_a_restored_cache_gives_the_build_its_kept_parts_and_labels(tmp_path):
    """On a fresh runner the cache folder comes back with the site, from one cache entry,
    every file of both new (inodes, change times). The build trusts that site (it is as its
    record says) and takes its files over by their keys; it reads the stores of parts that
    record vouches for by what they hold (the SHA-256 it lists with each) and the shelf
    labels print kept by the SHA-256 their signatures hold, so that a price change makes
    one feed part and one label, not every part and every
    label of the product's sheets. Seen by a feed part changed in the store (signed as this
    program signs it, before the build that recorded the stores), which shows in the feed,
    and by the kept labels, which are not drawn and kept again. A store put there after
    that build, signed the same way, is not read: every part is made again; nor does a
    build told to make everything (``--full``) read the stores."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:2])
    for name in SHARED_CACHES:  # its own print files and kept labels: restored with the rest
        link = repo / ".cache" / "ocop" / name
        shared = link.resolve()
        link.unlink()
        shutil.copytree(shared, link)
    record = Path("products") / "ong-tam-dao" / "mat-ong-quat" / "product.yml"

    def raise_price() -> None:  # by prices no other test gives it: sheets not in the cache
        price = re.search(r"amount: (\d+)", (repo / record).read_text(encoding="utf-8"))
        edit(repo / record, price.group(0), f"amount: {int(price.group(1)) + 777}")

    def google_store() -> Path:
        (store,) = (repo / ".cache" / "ocop" / "fragments").glob("google-*.json")
        return store

    def sign(text: str) -> None:  # as this program signs a store it writes
        write_signed(google_store(), text.encode("utf-8"),
                     google_store().with_suffix(".signature"))

    def next_run() -> Path:  # a fresh checkout of what was built, the entry restored into it
        built = (repo / record).read_text(encoding="utf-8")
        shutil.rmtree(repo)
        fresh = copy_repository(tmp_path / "repo", PRODUCERS[:2])
        (fresh / record).write_text(built, encoding="utf-8")
        shutil.rmtree(fresh / ".cache")
        restore_cache_entry(archive, fresh)
        return fresh

    build(repo, repo / "site")
    text = google_store().read_text(encoding="utf-8")
    line = next(line for line in text.split("\n") if line.startswith("vi:")
                and "<g:id>" in line and "<g:id>mat-ong-quat<" not in line)
    assert line.replace("</title>", " KEPT</title>", 1) != line
    sign(text.replace(line, line.replace("</title>", " KEPT</title>", 1)))
    raise_price()
    build(repo, repo / "site")  # takes the marked part over, and records the stores
    archive = tmp_path / "cache.tar"
    for _ in range(600):  # the copied print cache's older folders, deleted in the background
        if not any((repo / ".cache" / "ocop" / "print").glob(".trash-*")):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the print cache's older folders were not deleted within a minute")
    save_cache_entry(repo, [".cache", "site"], archive)

    repo = next_run()
    labels = repo / ".cache" / "ocop" / "print"
    kept = {p: p.stat().st_ino for p in labels.rglob("shelf-labels/*") if p.is_file()}
    assert kept
    raise_price()
    log = build(repo, repo / "site")
    done, keyed = taken(log)
    assert keyed / 2 < done < keyed, log[-3000:]
    feed = repo / "site" / "feeds" / "google" / "vi.xml"
    assert "KEPT</title>" in feed.read_text(encoding="utf-8")
    # the changed product's shelf label and the sheet pages it is on: drawn and kept
    new = {p for p in labels.rglob("shelf-labels/*") if p.is_file()} - kept.keys()
    assert any(p.name.endswith(".json") for p in new) and any(".page" in p.name for p in new)
    # every other kept label and sheet page: read, not drawn and kept again
    assert [p for p, inode in kept.items() if p.stat().st_ino != inode] == []

    # the same entry on another run, a store replaced after it was restored (what a pull
    # request could leave where git cannot tell what it commits), signed the same way
    price = re.search(r"amount: \d+", (repo / record).read_text(encoding="utf-8")).group(0)
    repo = next_run()
    edit(repo / record, re.search(r"amount: \d+", (repo / record).read_text("utf-8")).group(0),
         price)  # the price the first run built: this run's change is the next
    forged = tmp_path / "forged"  # signed as this program signs, then put in its place as
    forged.mkdir()  # a checkout puts a file: a new inode and change time
    write_signed(forged / "store.json", google_store().read_text(encoding="utf-8").replace(
        " KEPT</title>", " FORGED</title>").encode("utf-8"), forged / "store.signature")
    shutil.copy(forged / "store.json", google_store())
    shutil.copy(forged / "store.signature", google_store().with_suffix(".signature"))
    raise_price()
    log = build(repo, repo / "site")
    assert keyed / 2 < taken(log)[0] < keyed, log[-3000:]
    text = feed.read_text(encoding="utf-8")
    assert "FORGED" not in text and "KEPT" not in text  # every part made again

    # and a build told to make everything reads no store, restored or not
    price = re.search(r"amount: \d+", (repo / record).read_text(encoding="utf-8")).group(0)
    repo = next_run()
    edit(repo / record, re.search(r"amount: \d+", (repo / record).read_text("utf-8")).group(0),
         price)
    assert taken(build(repo, repo / "site", "--full")) == (0, 0)
    assert "KEPT" not in feed.read_text(encoding="utf-8")


#: ``ocop serve``'s first build after an edit (``build_site``'s ``defer``), of the site
#: folder given; prints whether it built.
_DEFERRING = ("import sys; from pathlib import Path; from ocop_catalog.build import build_site; "
              "print(build_site(Path('site_config.yml').resolve(), Path(sys.argv[1]), "
              "defer=True)[1])")


def _deferring(repo: Path, site: Path) -> str:
    """The deferring build of ``repo`` into ``site``, which must succeed; its log."""
    done = subprocess.run([sys.executable, "-c", _DEFERRING, str(site)], cwd=repo,
                          env=script_env(), capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.strip() == "True"
    return done.stderr


def test_a_deferring_build_makes_the_pages_and_the_build_after_it_the_rest(tmp_path):
    """``ocop serve`` after an edit (a price and a name changed, a product deleted): the
    first build makes what a browser shows (the pages, kiosk pages, the form) as a cold
    build would, with the search index, and takes every other output's files over as they
    were (the feeds still give the old price, the deleted product's label is there; no
    page of it, no file missing); its record says its inputs are not built yet, so the
    next build, deferring or not, is not skipped: it makes the feeds, and the site is then
    a cold build's, byte for byte. No build is made again (a key recorded for a file that
    is not there would be)."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:2])
    site = tmp_path / "site"
    build(repo, site)
    honey = repo / "products/ong-tam-dao/mat-ong-quat/product.yml"
    price = int(re.search(r"amount: (\d+)", honey.read_text()).group(1))
    edit(honey, f"amount: {price}", f"amount: {price + 500}")
    build(repo, site)  # the site it replaces is kept: the deferring build brings that up
    edit(honey, f"amount: {price + 500}", f"amount: {price + 1000}")
    edit(honey, "name: {vi: Mật ong quất,", "name: {vi: Mật ong quất xanh,")  # search terms
    shutil.rmtree(repo / "products/ong-tam-dao/mat-ong-gung-sa")
    keep_decisions_of(repo, products(repo))
    before = tree(site)
    carried = [rel for rel in before if rel.startswith(("feeds/", "print/"))
               and not rel.startswith("feeds/sales-points/")]  # the kiosks' feeds: shown
    assert "feeds/google/vi.xml" in carried and "print/products/mat-ong-gung-sa.pdf" in carried

    log = _deferring(repo, site)
    assert "deferred: print, open data, google, meta, atom, resolver;" in log
    assert "spare site: " in log and "building again" not in log
    page = (site / "products/mat-ong-quat/index.html").read_text(encoding="utf-8")
    assert f'"price":"{price + 1000}"' in page and "Mật ong quất xanh" in page
    after = tree(site)
    assert {rel: after.get(rel) for rel in carried} == {rel: before[rel] for rel in carried}
    google = (site / "feeds/google/vi.xml").read_text(encoding="utf-8")
    assert f"<g:price>{price + 500} VND</g:price>" in google

    # the next deferring build is not skipped, and defers again (a page shows first)
    assert "deferred: " in _deferring(repo, site)
    log = build(repo, site)
    assert "deferred" not in log and "building again" not in log and taken(log)[0] > 0
    google = (site / "feeds/google/vi.xml").read_text(encoding="utf-8")
    assert f"<g:price>{price + 1000} VND</g:price>" in google
    cold = tree(_cold(repo, tmp_path / "cold"))
    assert_same(site, tmp_path / "cold")
    # the deferring build's site: nothing missing; what it had besides (the deleted
    # product's label, QR code) is neither a page nor part of the search index
    assert set(cold) <= set(after)
    assert not [rel for rel in set(after) - set(cold)
                if rel.endswith(".html") or rel.startswith("search-index/")]
    # what a browser shows was a cold build's already, the search index too
    shown = [rel for rel in cold if rel.endswith(".html") or rel.startswith(
        ("kiosk/", "contribute/", "feeds/sales-points/", "search-index/"))]
    assert {rel: after[rel] for rel in shown} == {rel: cold[rel] for rel in shown}
    assert "is up to date" in run_build(repo, site).stdout


def test_a_failed_incremental_build_leaves_the_published_site_as_it_was(tmp_path):
    """The build takes pages over (hard links to the published files) and then fails on a
    template the kiosk uses: the published site is byte for byte what it was, and the next
    build, once the template is mended, is still right."""
    repo = copy_repository(tmp_path / "repo", PRODUCERS[:2])
    site = tmp_path / "site"
    build(repo, site)
    published = tree(site)
    path = next((repo / "products").glob("*/*/product.yml"))
    price = re.search(r"amount: (\d+)", path.read_text()).group(1)
    edit(path, f"amount: {price}", f"amount: {int(price) + 500}")
    kiosk = repo / "overrides/ocop/kiosk.html"
    kiosk.parent.mkdir(parents=True)
    kiosk.write_text("{% if %}broken", encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    done = subprocess.run([*ocop_command(), "build", "-d", str(site)], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode != 0, done.stderr[-2000:]
    assert tree(site) == published
    kiosk.unlink()
    build(repo, site)
    assert_same(site, _cold(repo, tmp_path / "cold"))


def test_the_next_build_reads_what_was_published_without_parsing_catalog_json(tmp_path):
    """``ocop build`` decides clashes against the catalog.json of the site it replaces. The
    build that wrote that file kept its claims (ids, former ids, QR codes, GTINs, lots) in
    the cache with the file's stat signature: they equal what parsing the file gives, the
    next build takes them while the file is untouched, and reads the file once it changed."""
    from ocop_catalog.records.history import (PUBLISHED_MEMO, from_catalog_json,
                                              remember_published)

    repo = copy_repository(tmp_path / "repo", ("htx-nhan-ly",))
    site = tmp_path / "site"
    build(repo, site)
    path = site / "feeds/catalog.json"
    cache = repo / ".cache/ocop"
    parsed = from_catalog_json(path).products
    assert any(p.lots for p in parsed) and any(p.gtin for p in parsed)
    memo = json.loads((cache / PUBLISHED_MEMO).read_bytes())
    st = os.stat(path)
    assert memo["entries"][0]["signature"] == [st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                               st.st_ino, st.st_dev]
    assert from_catalog_json(path, cache).products == parsed

    # another site's catalog.json (ocop serve's preview) is kept beside it, not instead
    other = tmp_path / "preview" / "catalog.json"
    other.parent.mkdir()
    shutil.copy(path, other)
    remember_published(other, parsed[:1], cache)
    assert from_catalog_json(other, cache).products == parsed[:1]
    assert from_catalog_json(path, cache).products == parsed

    # the memo is what is read while the file keeps its signature (a claim changed in it
    # shows), and never once the file changed
    memo = json.loads((cache / PUBLISHED_MEMO).read_bytes())
    for entry in memo["entries"]:
        entry["products"][0][0] = "changed-in-the-memo"
    (cache / PUBLISHED_MEMO).write_text(json.dumps(memo), encoding="utf-8")
    assert from_catalog_json(path, cache).products[0].id == "changed-in-the-memo"
    document = json.loads(path.read_text(encoding="utf-8"))
    dropped = document["products"].pop(0)["id"]
    path.write_text(json.dumps(document), encoding="utf-8")
    assert [p.id for p in from_catalog_json(path, cache).products] == [
        p.id for p in parsed if p.id != dropped]
    # a memo that is not a file (a link to a device, committed by a pull request) is not read
    (cache / PUBLISHED_MEMO).unlink()
    (cache / PUBLISHED_MEMO).symlink_to("/dev/zero")
    assert [p.id for p in from_catalog_json(path, cache).products] == [
        p.id for p in parsed if p.id != dropped]


def test_kept_feed_parts_are_used_only_under_the_same_base_and_when_sound(tmp_path):
    """A feed's parts (:mod:`ocop_catalog.fragments`) come back only to an incremental
    build of the same base key (build, strings, options), from the file this program
    wrote (its stat signature), and only parts of the right shape; anything else is made
    again, never trusted."""
    from ocop_catalog.fragments import Fragments

    path = tmp_path / "fragments" / "google.json"
    first = Fragments(path, "base-1", read=True)
    assert first.get("vi:card-a", lambda: "<item>a</item>") == "<item>a</item>"
    assert first.get("vi:card-b", lambda: ["why", ""]) == ["why", ""]
    # a line separator in a part: JSON leaves it as it is, the store's lines are not split at it
    assert first.get("vi:card-d", lambda: "one\u2028two") == "one\u2028two"
    first.save()
    kept = Fragments(path, "base-1", read=True)
    assert kept.get("vi:card-d", lambda: "made again") == "one\u2028two" and kept.made == 0

    def made(base: str, read: bool = True, check=lambda value: True) -> tuple[str, int]:
        again = Fragments(path, base, read=read, check=check)
        value = again.get("vi:card-a", lambda: "<item>new</item>")
        return value, again.made

    assert made("base-1") == ("<item>a</item>", 0)
    assert made("base-2") == ("<item>new</item>", 1)  # other options or build day
    assert made("base-1", read=False) == ("<item>new</item>", 1)  # a cold or full build
    assert made("base-1", check=lambda value: value.startswith("<entry>")) == (
        "<item>new</item>", 1)  # a part of another shape
    # the same store written by someone else (a pull request, a hand): not this program's
    text = path.read_text(encoding="utf-8")
    path.unlink()
    path.write_text(text.replace("<item>a</item>", "<item>forged</item>"), encoding="utf-8")
    assert made("base-1") == ("<item>new</item>", 1)
    path.write_text('{"format": 1, "base": "base-1", "parts": ' + "[" * 100_000,
                    encoding="utf-8")
    assert made("base-1") == ("<item>new</item>", 1)
    # a store that only took parts over is not written again; one that made parts is
    second = Fragments(path, "base-3", read=True)
    second.get("vi:card-c", lambda: "c")
    second.save()
    before = path.stat().st_mtime_ns, path.stat().st_ino
    third = Fragments(path, "base-3", read=True)
    assert third.get("vi:card-c", lambda: "other") == "c"
    third.save()
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before


def test_feed_parts_keep_two_bases_and_skip_what_is_not_a_file(tmp_path):
    """``ocop serve`` (its own site address) and ``ocop build`` keep a store each, so they
    do not push each other's parts out; a third base makes the oldest go. A signature file
    that is a link to a device is not read (no hang), and the store is made again."""
    from types import SimpleNamespace

    from ocop_catalog.fragments import fragments

    def run(build: str) -> SimpleNamespace:
        return SimpleNamespace(keys=SimpleNamespace(undated=build, strings="strings"),
                               reuse=SimpleNamespace(incremental=True), cache_dir=tmp_path)

    def made(build: str) -> int:
        parts = fragments(run(build), "google")
        parts.get("vi:card", lambda: "<item/>")
        parts.save()
        return parts.made

    assert (made("build"), made("serve")) == (1, 1)
    assert (made("build"), made("serve")) == (0, 0)  # both kept
    assert made("a third") == 1
    assert made("serve") == 0 and made("build") == 1  # the oldest went
    stores = sorted(p.name for p in (tmp_path / "fragments").glob("google-*.json"))
    assert len(stores) == 2
    signature = tmp_path / "fragments" / stores[0].replace(".json", ".signature")
    signature.unlink()
    signature.symlink_to("/dev/zero")
    assert made("build") + made("serve") == 1  # the one whose signature is a link


def test_older_stores_are_not_deleted_through_a_link_a_pull_request_committed(tmp_path):
    """A pull request can commit ``.cache/ocop/fragments`` (or ``.cache``) as a link to a
    folder elsewhere: a build writes its stores there as anywhere, but deletes no file
    through the link, neither older feed parts nor older listing cards; in a folder
    reached through no link, the older stores go as before."""
    from types import SimpleNamespace

    from ocop_catalog.fragments import KeptTexts, fragments

    root = tmp_path / "repo"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victims = ["google-0000000000000001.json", "google-0000000000000001.signature",
               "google-0000000000000002.json", "cards-0000000000000001.json",
               "cards-0000000000000002.json"]
    for name in victims:
        (elsewhere / name).write_text("someone's file", encoding="utf-8")
    (root / ".cache" / "ocop").mkdir(parents=True)
    (root / ".cache" / "ocop" / "fragments").symlink_to(elsewhere)

    def run(build: str, cache: Path) -> SimpleNamespace:
        return SimpleNamespace(keys=SimpleNamespace(undated=build, strings="strings"),
                               reuse=SimpleNamespace(incremental=True), cache_dir=cache,
                               root=root)

    for build in ("one", "two", "three"):
        parts = fragments(run(build, root / ".cache" / "ocop"), "google")
        parts.get("vi:card", lambda: "<item/>")
        parts.save()
        KeptTexts(root / ".cache" / "ocop" / "fragments" / f"cards-{build}.json", build,
                  root).write([("vi:a", "a")])
    assert all((elsewhere / name).read_text(encoding="utf-8") == "someone's file"
               for name in victims)
    assert len(list(elsewhere.glob("google-*.json"))) == 2 + 3  # none deleted
    # the same builds with a cache reached through no link: two stores kept of each
    cache = tmp_path / "plain" / ".cache" / "ocop"
    root = tmp_path / "plain"
    for build in ("one", "two", "three"):
        parts = fragments(run(build, cache), "google")
        parts.get("vi:card", lambda: "<item/>")
        parts.save()
        KeptTexts(cache / "fragments" / f"cards-{build}.json", build, root).write(
            [("vi:a", "a")])
    assert len(list((cache / "fragments").glob("google-*.json"))) == 2
    assert len(list((cache / "fragments").glob("cards-*.json"))) == 2


def test_kept_texts_are_read_only_under_their_base_from_this_programs_store(tmp_path):
    """The listing cards' store (:class:`ocop_catalog.fragments.KeptTexts`): what one build
    wrote comes back under the same base key, only the texts asked for; a store of another
    base, one written by someone else (its signature) and an entry that is not text give
    nothing, which the pages make again; a rewrite keeps the old entries asked for."""
    from ocop_catalog.fragments import KeptTexts

    path = tmp_path / "fragments" / "cards-1.json"
    KeptTexts(path, "base-1").write([("vi:a", "<li>a\u2028</li>"), ("vi:b", "<li>b</li>")])
    kept = KeptTexts(path, "base-1")
    kept.read(["vi:a", "vi:c"])
    assert set(kept.found) == {"vi:a"}  # only what was asked for
    assert (kept.get("vi:a"), kept.get("vi:b"), kept.get("vi:c")) == (
        "<li>a\u2028</li>", None, None)
    other = KeptTexts(path, "base-2")
    other.read(["vi:a"])
    assert other.found == {}
    # a rewrite: what was made now, and of the stored entries those still current
    kept.write([("vi:c", "<li>c</li>")], keep=lambda key: key != "vi:b")
    again = KeptTexts(path, "base-1")
    again.read(["vi:a", "vi:b", "vi:c"])
    assert [again.get(k) for k in ("vi:a", "vi:b", "vi:c")] == [
        "<li>a\u2028</li>", None, "<li>c</li>"]
    # an entry of another shape, in a store this program signed: not a card
    text = path.read_text(encoding="utf-8")
    path.unlink()
    write_signed(path, text.replace('"<li>c</li>"', "[1]").encode(),
                 path.with_suffix(".signature"))
    shaped = KeptTexts(path, "base-1")
    shaped.read(["vi:a", "vi:c"])
    assert (shaped.get("vi:c"), shaped.get("vi:a")) == (None, "<li>a\u2028</li>")
    # the same store written by someone else (a pull request, a hand): not read
    path.unlink()
    path.write_text(text, encoding="utf-8")
    forged = KeptTexts(path, "base-1")
    forged.read(["vi:a", "vi:c"])
    assert forged.found == {}


def test_listing_cards_come_from_the_store_when_many_pages_show_them(tmp_path):
    """A price beyond a listing filter's limit changes the counts every page of the
    product's listings shows: those pages are made again, and the cards on them (seven
    eighths of a listing page's rendering) are read from the store of cards the cold
    build kept, not rendered again. Seen by a card changed in the store (as this program
    signs it), which shows on the pages made again; a store changed by anyone else is not
    read, and the build equals a cold one."""
    every = sorted(p.name for p in (REPO / "products").iterdir()
                   if p.is_dir() and p.name[0] not in "_.")
    repo = copy_repository(tmp_path / "repo", every)  # enough cards for the store to be read
    site = tmp_path / "site"
    build(repo, site)
    (store,) = (repo / ".cache/ocop/fragments").glob("cards-*.json")
    lines = store.read_text(encoding="utf-8").split("\n")[1:]
    products = list((repo / "products").glob("*/*/product.yml"))
    assert len(lines) == 3 * len(products)  # every card, in every language

    def price(record: Path, amount: int) -> None:
        text = record.read_text(encoding="utf-8")
        record.write_text(re.sub(r"amount: \d+", f"amount: {amount}", text, count=1),
                          encoding="utf-8")

    record = next(p for p in sorted(products) if "amount:" in p.read_text(encoding="utf-8"))
    # another product's card, as the store holds it, with a mark
    other = next(line for line in lines if record.parent.name not in line)
    marked = other.replace('<li class=\\"card\\"', '<li class=\\"card\\" data-kept', 1)
    assert marked != other
    text = store.read_text(encoding="utf-8")
    store.unlink()
    write_signed(store, text.replace(other, marked).encode(), store.with_suffix(".signature"))
    price(record, 5_000_000)  # beyond every price limit
    build(repo, site)
    assert any("data-kept" in page.read_text(encoding="utf-8")
               for page in site.glob("**/index.html"))
    # the store as the cold build wrote it: read again, and the pages as a cold build's
    store.unlink()
    write_signed(store, text.encode("utf-8"), store.with_suffix(".signature"))
    price(record, 10_000)  # under the smallest
    assert taken(build(repo, site))[0] > 0
    assert_same(site, _cold(repo, tmp_path / "cold-1"))
    # the marked store written by someone else: not read (every card rendered again)
    store.unlink()
    store.write_text(text.replace(other, marked), encoding="utf-8")
    price(record, 300_000)  # between two limits: the pages of neither earlier site
    build(repo, site)
    assert not any("data-kept" in page.read_text(encoding="utf-8")
                   for page in site.glob("**/*.html"))
    assert_same(site, _cold(repo, tmp_path / "cold-2"))


#: The producers of the fuzzer's tours: 24 products with lots, GTINs, several products
#: each, a tourism service; the register says what it says of them.
FUZZ_PRODUCERS = ("ong-tam-dao", "htx-nhan-ly", "bo-sua-tam-dao", "hkd-nguyen-van-thang",
                  "du-lich-dai-dinh", "htx-nam-tam-dao", "sua-vinh-thinh")


def _fuzz():
    """tools/fuzz_incremental.py, as a module."""
    spec = importlib.util.spec_from_file_location(
        "fuzz_incremental", REPO / "tools" / "fuzz_incremental.py")
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    return fuzz


def test_every_kind_of_change_the_fuzzer_knows_builds_as_a_cold_build(tmp_path):
    """tools/fuzz_incremental.py's tour, on seven of the sample's producers: every kind of
    change it makes (its ``CHANGES``: records, the register, sales points, configuration,
    theme, build day), eight to a build
    over the same site folder, each kind that makes every page again in a build of its own
    (with others it would hide what they missed); after each build the site equals a cold
    build's, file for file, and the fifth cold build has caches of its own. (The tool runs
    longer random series of the same changes.)"""
    fuzz = _fuzz()
    said: list[str] = []
    run = fuzz.Run(tmp_path / "fuzz", seed=5, fresh_cache=5, cache=REPO / ".cache",
                   producers=FUZZ_PRODUCERS, say=said.append)
    problems = fuzz.tour(run, 8)
    assert not problems, "\n".join(said + problems[:60])
    # every kind was made (not left out as not applying, or refused by the checks)
    assert set(run.kinds) == {kind.__name__ for kind, _ in fuzz.CHANGES}, "\n".join(said)


def test_every_kind_of_change_rebuilt_as_ocop_serve_does_builds_as_a_cold_build(tmp_path):
    """The same tour, ten kinds to a build (those that make every page again together, in
    one: the test above has each on its own), each rebuilt the way ``ocop serve`` rebuilds
    its preview: one build after another in one process (here, this test's), trusting its
    own preview without a walk, at the local address; each equals a cold build at that
    address, made in a process of its own."""
    fuzz = _fuzz()
    said: list[str] = []
    mkdocs_log = logging.getLogger("mkdocs")
    before = os.environ.get("SOURCE_DATE_EPOCH"), mkdocs_log.propagate, mkdocs_log.handlers[:]
    run = fuzz.Run(tmp_path / "fuzz", seed=6, cache=REPO / ".cache", serve=True,
                   producers=FUZZ_PRODUCERS, say=said.append)
    problems = fuzz.tour(run, 10, alone=False)
    assert not problems, "\n".join(said + problems[:60])
    assert set(run.kinds) == {kind.__name__ for kind, _ in fuzz.CHANGES}, "\n".join(said)
    # this process's build day and logging are as they were (later tests read them)
    assert (os.environ.get("SOURCE_DATE_EPOCH"), mkdocs_log.propagate,
            mkdocs_log.handlers) == before
