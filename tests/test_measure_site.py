"""tools/measure_site.py: the pages it picks from a built site and the static host it
measures them through (the measurements themselves are not tests: run the script)."""

from __future__ import annotations

import gzip
import importlib.util
import urllib.error
import urllib.request

import pytest
from siteutil import REPO

_spec = importlib.util.spec_from_file_location("measure_site", REPO / "tools" / "measure_site.py")
measure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measure)


def test_one_page_of_each_kind_in_every_language(sample_site):
    pages = measure.find_pages(sample_site, True, {})
    kinds = {(p["lang"], p["kind"]) for p in pages}
    assert {("vi", kind) for kind in measure.KINDS} <= kinds
    for lang in ("en", "zh"):  # the host's 404 page and the kiosks exist once
        assert {(lang, k) for k in measure.KINDS if k not in measure.ONCE} <= kinds
        assert not {(lang, k) for k in measure.ONCE} & kinds
    for page in pages:
        if page["kind"] != "404":
            assert page["file"].endswith("index.html"), page
            assert (sample_site / page["path"].lstrip("/") / "index.html").is_file(), page


def test_a_page_can_be_chosen(sample_site):
    pages = measure.find_pages(sample_site, False, {"product": "/products/mat-ong-hoa-rung/"})
    (product,) = [p for p in pages if p["kind"] == "product"]
    assert product["path"] == "/products/mat-ong-hoa-rung/"


def _get(url: str, gzip_ok: bool = True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_host_serves_like_a_static_host(sample_site):
    with measure.serve(sample_site) as base:
        status, headers, body = _get(base + "/products/")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (sample_site / "products" / "index.html").read_bytes()

        status, headers, body = _get(base + "/assets/ocop.css", gzip_ok=False)
        assert status == 200 and "Content-Encoding" not in headers
        assert headers["Content-Type"].startswith("text/css")

        status, headers, body = _get(base + "/no-such-page/")
        assert status == 404
        assert gzip.decompress(body) == (sample_site / "404.html").read_bytes()

        webp = next((sample_site / "media").rglob("*.webp"))
        status, headers, body = _get(base + "/" + webp.relative_to(sample_site).as_posix())
        assert (status, headers["Content-Type"]) == (200, "image/webp")
        assert "Content-Encoding" not in headers and body == webp.read_bytes()


def test_the_host_redirects_a_folder_to_its_slash(sample_site):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    with measure.serve(sample_site) as base:
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as caught:
            opener.open(base + "/products?x=1")
        assert caught.value.code == 301
        assert caught.value.headers["Location"] == "/products/?x=1"
