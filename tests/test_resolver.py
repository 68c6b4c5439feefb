"""The printed /01/ link as a GS1 resolver: linksets, /.well-known/gs1resolver, and the
nginx include the build writes, run in a real nginx.

The linksets and the resolver description file are validated against GS1's published
JSON schemas (vendored in tests/gs1/, see its README). The nginx include is loaded by a
real nginx serving the built sample, and requests follow the conformance statements of
GS1's resolver test suite (Conformance1_2.txt of gs1/GS1DL-resolver-testsuite; numbered
as in docs/traceability.md): GET, HEAD, OPTIONS and CORS (1), 400 for a malformed Digital
Link (3), the linkset without a redirect (4), one default link (5), linkType routing and
404 (6), query strings passed on (7), Accept-Language (8), the description file (9),
walking up from unknown qualifiers (10), a trailing slash tolerated (11). What a response
must hold is recomputed from the records (products/*/*/product.yml).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import jsonschema
import pytest
from siteutil import CONFIG, REPO, SITE_URL
from test_lots import state_on

GS1 = Path(__file__).parent / "gs1"
LINKSET_SCHEMA = json.loads((GS1 / "gs1-linkset-schema.json").read_text(encoding="utf-8"))
DESCRIPTION_SCHEMA = json.loads((GS1 / "description-file-schema.json").read_text(
    encoding="utf-8"))
VOC = "https://gs1.org/voc/"
LANGS = tuple(CONFIG["plugins"][0]["ocop"]["languages"])
PREFIX = {lang: "" if lang == "vi" else f"{lang}/" for lang in LANGS}
BUILD_DAY = dt.date(2026, 11, 29)


def records() -> dict[str, dict]:
    found = {}
    for path in sorted(REPO.glob("products/*/*/product.yml")):
        import yaml
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[record["id"]] = record
    return found


RECORDS = records()
WITH_GTIN = {pid: r for pid, r in RECORDS.items() if r.get("gtin")}
G14 = {pid: str(r["gtin"]).zfill(14) for pid, r in WITH_GTIN.items()}
#: The product with lots and a GTIN (and sales points) the requests are made about.
LOTTED = next(pid for pid, r in WITH_GTIN.items() if r.get("lots") and r.get("sales_points"))


def linkset_validator():
    return jsonschema.Draft7Validator(LINKSET_SCHEMA)


# --------------------------------------------------------------------------
# The files: linksets and the description file, against GS1's schemas
# --------------------------------------------------------------------------


def test_every_gtin_has_a_linkset_valid_against_gs1s_schema(sample_site):
    validator = linkset_validator()
    for pid, record in WITH_GTIN.items():
        data = json.loads((sample_site / f"01/{G14[pid]}/linkset.json").read_text("utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (pid, errors)
        entries = {entry["anchor"]: entry for entry in data["linkset"]}
        anchor = f"{SITE_URL}01/{G14[pid]}"
        gtin = entries[anchor]
        # exactly one default link, without the optional attributes
        assert gtin[VOC + "defaultLink"] == [{"href": f"{SITE_URL}products/{pid}/",
                                              "title": record["name"]["vi"]}]
        pip = {tuple(link["hreflang"]): link["href"] for link in gtin[VOC + "pip"]}
        assert pip == {(lang,): f"{SITE_URL}{PREFIX[lang]}products/{pid}/" for lang in LANGS}
        assert all(link["title"] for links in gtin.values() if isinstance(links, list)
                   for link in links)
        assert {link["href"] for link in gtin[VOC + "certificationInfo"]} == {
            f"{SITE_URL}{PREFIX[lang]}products/{pid}/#certificate" for lang in LANGS}
        assert (VOC + "hasRetailers" in gtin) == bool(record.get("sales_points")
                                                      or record.get("marketplaces"))
        assert (VOC + "traceability" in gtin) == bool(record.get("traceability_url"))
        if record.get("traceability_url"):
            assert gtin[VOC + "traceability"][0]["href"] == record["traceability_url"]
        lots = record.get("lots") or []
        assert len(entries) == 1 + len(lots)
        for lot in lots:
            entry = entries[f"{anchor}/10/{quote(str(lot['code']), safe='')}"]
            assert len(entry[VOC + "defaultLink"]) == 1
            status = {tuple(link["hreflang"]): link for link in entry[VOC + "recallStatus"]}
            assert set(status) == {(lang,) for lang in LANGS}
            expected = f"{SITE_URL}01/{G14[pid]}/10/{quote(str(lot['code']), safe='')}"
            assert status[("vi",)]["href"] == expected
            recalled = state_on(lot, BUILD_DAY) == "recalled"
            assert ("thu hồi" in status[("vi",)]["title"]) == recalled


def test_every_link_of_a_linkset_leads_to_a_published_page(sample_site):
    for pid in WITH_GTIN:
        data = json.loads((sample_site / f"01/{G14[pid]}/linkset.json").read_text("utf-8"))
        for entry in data["linkset"]:
            for key, links in entry.items():
                if not isinstance(links, list):
                    continue
                for link in links:
                    if not link["href"].startswith(SITE_URL):
                        continue
                    path = urlsplit(link["href"]).path.lstrip("/")
                    from urllib.parse import unquote
                    path = unquote(path)
                    served = sample_site / (path + "index.html" if path.endswith("/")
                                            else path + ".html")
                    assert served.is_file(), (pid, key, link["href"])


def test_the_resolver_description_file_is_valid(sample_site):
    data = json.loads((sample_site / ".well-known/gs1resolver").read_text("utf-8"))
    validator = jsonschema.Draft7Validator(DESCRIPTION_SCHEMA,
                                           format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(data)] == []
    assert data["resolverRoot"] == SITE_URL.rstrip("/")
    assert data["supportedPrimaryKeys"] == ["01"]
    # and the schema is not a rubber stamp
    assert list(validator.iter_errors({"resolverRoot": SITE_URL}))


def test_the_linkset_schema_is_not_a_rubber_stamp():
    validator = linkset_validator()
    assert list(validator.iter_errors({"linkset": [{"anchor": "x", "gs1:pip": []}]}))
    assert list(validator.iter_errors({"linkset": [{
        "anchor": SITE_URL, VOC + "pip": [{"href": SITE_URL}]}]}))  # no title


# --------------------------------------------------------------------------
# A real nginx with the build's include
# --------------------------------------------------------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file()
                                  else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_nginx(site: Path, prefix: Path):
    """A real nginx serving ``site`` with its resolver include, on a free port."""
    port = free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").is_file() else ""
    temps = "".join(f"{kind}_temp_path {prefix}/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(f"""\
{user}daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    {temps}
    {mime}
    server {{
        listen 127.0.0.1:{port};
        server_name ocop.example.vn;
        root {site};
        error_page 404 /404.html;
        include {site}/resolver/nginx.conf;
    }}
}}
""")
    check = subprocess.run([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-t"],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def skip_without_nginx():
    if NGINX is None:
        pytest.skip("the resolver rules are tested in nginx: apt-get install nginx-light "
                    "(.ci/run installs it)")


@pytest.fixture(scope="module")
def nginx(sample_site, tmp_path_factory):
    skip_without_nginx()
    with running_nginx(sample_site, tmp_path_factory.mktemp("nginx")) as port:
        yield port


def ask(port: int, path: str, method: str = "GET", **headers: str):
    """The response to one request (redirects not followed): status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, headers={"Host": "ocop.example.vn", **headers})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def location(headers: dict) -> str:
    """The Location's path, query and fragment."""
    parts = urlsplit(headers["location"])
    return parts.path + (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")


def test_1_get_head_options_and_cors(nginx):
    path = f"/01/{G14[LOTTED]}"
    status, headers, _ = ask(nginx, path)
    assert status == 307 and headers["access-control-allow-origin"] == "*"
    status, headers, body = ask(nginx, path, "HEAD")
    assert status == 307 and body == b"" and location(headers) == f"/products/{LOTTED}/"
    status, headers, _ = ask(nginx, path, "OPTIONS", Origin="https://shop.example",
                             **{"Access-Control-Request-Method": "GET"})
    assert status == 204
    assert "GET" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-origin"] == "*"
    assert ask(nginx, path, "POST")[0] == 405


@pytest.mark.parametrize("path", ["/01/893604712001", "/01/ABC", "/01/", "/01",
                                  "/01/{g}/10/", "/01/{g}/10/" + "A" * 21, "/01/{g}/99/x",
                                  "/01/{g}/10/A%20B"])
def test_3_a_malformed_digital_link_is_400(nginx, path):
    status, headers, _ = ask(nginx, path.format(g=G14[LOTTED]))
    assert status == 400, path
    assert headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("how", [{"Accept": "application/linkset+json"},
                                 {"query": "linkType=linkset"}, {"query": "linkType=all"}])
def test_4_the_linkset_is_served_without_a_redirect(nginx, how):
    pid = LOTTED
    query = how.pop("query", "")
    status, headers, body = ask(nginx, f"/01/{G14[pid]}" + (f"?{query}" if query else ""),
                                **how)
    assert status == 200 and "location" not in headers
    assert headers["content-type"] == "application/linkset+json"
    assert "json-ld#context" in headers["link"]
    data = json.loads(body)
    assert list(linkset_validator().iter_errors(data)) == []
    assert data["linkset"][0]["anchor"] == f"{SITE_URL}01/{G14[pid]}"


def test_4_a_lots_linkset_holds_its_links_and_its_products(nginx):
    record = WITH_GTIN[LOTTED]
    lot = record["lots"][0]
    segment = quote(str(lot["code"]), safe="")
    status, headers, body = ask(nginx, f"/01/{G14[LOTTED]}/10/{segment}",
                                Accept="application/linkset+json")
    assert status == 200 and headers["content-type"] == "application/linkset+json"
    anchors = [entry["anchor"] for entry in json.loads(body)["linkset"]]
    assert anchors == [f"{SITE_URL}01/{G14[LOTTED]}/10/{segment}", f"{SITE_URL}01/{G14[LOTTED]}"]


def test_5_every_gtin_redirects_to_its_one_default_link(nginx):
    for pid in WITH_GTIN:
        status, headers, _ = ask(nginx, f"/01/{G14[pid]}")
        assert (status, location(headers)) == (307, f"/products/{pid}/")
        assert "rel=\"linkset\"" in headers["link"]


@pytest.mark.parametrize("link_type, fragment", [
    ("gs1:pip", ""), ("gs1%3Apip", ""), ("https%3A%2F%2Fgs1.org%2Fvoc%2Fpip", ""),
    ("gs1:defaultLink", ""), ("gs1:certificationInfo", "#certificate"),
    ("gs1:hasRetailers", "#buy")])
def test_6_link_types_are_routed(nginx, link_type, fragment):
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}?linkType={link_type}")
    assert status == 307
    assert location(headers) == f"/products/{LOTTED}/?linkType={link_type}{fragment}"


@pytest.mark.parametrize("link_type", ["gs1:epcis", "gs1:recallStatus", "nonsense"])
def test_6_a_link_type_the_item_does_not_have_is_404(nginx, link_type):
    assert ask(nginx, f"/01/{G14[LOTTED]}?linkType={link_type}")[0] == 404


def test_6_an_unknown_gtin_is_404(nginx):
    assert ask(nginx, "/01/00000000000017")[0] == 404


def test_7_query_strings_are_passed_on(nginx):
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}?17=281231&foo=bar")
    assert status == 307
    assert location(headers) == f"/products/{LOTTED}/?17=281231&foo=bar"


@pytest.mark.parametrize("accept, lang", [("en-GB,en;q=0.9,vi;q=0.5", "en"),
                                          ("fr-FR,fr;q=0.9,zh-CN;q=0.8", "zh"),
                                          ("fr-FR", "vi"), ("vi-VN,en;q=0.5", "vi"),
                                          ("ZH", "zh")])
def test_8_accept_language_chooses_among_the_page_languages(nginx, accept, lang):
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}", **{"Accept-Language": accept})
    assert status == 307
    assert location(headers) == f"/{PREFIX[lang]}products/{LOTTED}/"
    assert "Accept-Language" in headers["vary"]


def test_9_the_description_file_is_served(nginx):
    status, headers, body = ask(nginx, "/.well-known/gs1resolver")
    assert status == 200 and headers["content-type"] == "application/json"
    assert headers["access-control-allow-origin"] == "*"
    assert list(jsonschema.Draft7Validator(DESCRIPTION_SCHEMA).iter_errors(json.loads(body))) == []


def test_10_a_known_lot_is_its_page_and_an_unknown_lot_walks_up(nginx):
    record = WITH_GTIN[LOTTED]
    for lot in record["lots"]:
        segment = quote(str(lot["code"]), safe="")
        path = f"/01/{G14[LOTTED]}/10/{segment}"
        status, headers, body = ask(nginx, path + "?17=281231")
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert f"data-lot-code>{lot['code']}<".encode() in body
        status, headers, _ = ask(nginx, path + "?linkType=gs1:recallStatus")
        assert status == 200
        status, headers, _ = ask(nginx, path + "?17=281231", **{"Accept-Language": "en"})
        assert (status, location(headers)) == (307, f"/en{path}?17=281231")
        status, _, body = ask(nginx, f"/en{path}")
        assert status == 200 and f"data-lot-code>{lot['code']}<".encode() in body
        status, headers, _ = ask(nginx, path + "?linkType=gs1:certificationInfo")
        assert location(headers) == \
            f"/products/{LOTTED}/?linkType=gs1:certificationInfo#certificate"
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}/10/NEW-26?17=271231")
    assert (status, location(headers)) == (307, f"/products/{LOTTED}/?17=271231#lot=NEW-26")
    # a lot code with '/' (valid GS1, no page of its own) and a trailing slash walk up too
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}/10/A%2FB")
    assert (status, location(headers)) == (307, f"/products/{LOTTED}/#lot=A/B")
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}/10/NEW-26/")
    assert (status, location(headers)) == (307, f"/products/{LOTTED}/#lot=NEW-26")
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}/21/SERIAL42")
    assert (status, location(headers)) == (307, f"/products/{LOTTED}/")
    assert ask(nginx, "/01/00000000000017/10/X1")[0] == 404


def test_11_a_trailing_slash_is_tolerated(nginx):
    status, headers, _ = ask(nginx, f"/01/{G14[LOTTED]}/?17=281231")
    assert (status, location(headers)) == (307, f"/01/{G14[LOTTED]}?17=281231")


def test_6_traceability_leads_to_the_records_provider_with_the_query(nginx):
    traced = {pid: r for pid, r in WITH_GTIN.items() if r.get("traceability_url")}
    assert traced, "the sample links a traceability record"
    for pid, record in traced.items():
        status, headers, _ = ask(nginx, f"/01/{G14[pid]}?linkType=gs1:traceability&17=281231")
        url = record["traceability_url"]
        assert status == 307
        # the query passed on (a provider's address with a query of its own is kept as is)
        expected = url if "?" in url else f"{url}?linkType=gs1:traceability&17=281231"
        assert headers["location"] == expected


def test_netlify_and_cloudflare_files_cover_every_gtin(sample_site):
    """``_redirects``: one rule per printed /01/ path, in the hosts' "from to status" form,
    to the page that exists; ``_headers``: the linkset's media type and a Link per GTIN."""
    rules = [line.split() for line in (sample_site / "_redirects").read_text("utf-8")
             .splitlines() if line.strip() and not line.startswith("#")]
    assert sorted(rules) == sorted([f"/01/{g}", f"/01/{g}/", "200"] for g in G14.values())
    for _, target, _ in rules:
        assert (sample_site / target.lstrip("/") / "index.html").is_file()
    headers = (sample_site / "_headers").read_text("utf-8")
    blocks = {}
    for block in headers.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        if lines:
            blocks[lines[0]] = [line.strip() for line in lines[1:]]
    assert "Content-Type: application/linkset+json" in blocks["/01/*/linkset.json"]
    assert "Content-Type: application/json" in blocks["/.well-known/gs1resolver"]
    for g in G14.values():
        link = (f'Link: <{SITE_URL}01/{g}/linkset.json>; rel="linkset"; '
                'type="application/linkset+json"')
        assert blocks[f"/01/{g}"] == [link]


# --------------------------------------------------------------------------
# A lot code with every character HTML, JSON and nginx treat specially
# --------------------------------------------------------------------------

HOSTILE = "&'%;=(!)+,A"  # 11 characters of GS1's set 82 a file name can hold
#: Set 82 too, but no file name can hold it: no page of its own, never in nginx.conf.
UNNAMEABLE = "<b>\"&'%;?=*"


class Text(HTMLParser):
    """The tags of a page and the text of its lot code (data-lot-code)."""

    def __init__(self, html: str):
        super().__init__()
        self.tags, self.code, self.inside = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.inside = ("data-lot-code", None) in attrs

    def handle_data(self, data):
        if self.inside and self.code is None:
            self.code = data


def test_a_hostile_lot_code_is_text_everywhere(tmp_path):
    from scratch import GOODS, GOODS_FILE, build_catalog
    from siteutil import run_build

    scratch = build_catalog(tmp_path / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    scratch.edit("site_config.yml", "theme:\n  name: material\n",
                 "theme:\n  name: material\n  custom_dir: theme\n")
    reason = "<script>alert(1)</script> & {{ x }}"
    scratch.write(GOODS_FILE, scratch.read(GOODS_FILE) + "lots:\n  - code: "
                  + json.dumps(HOSTILE) + "\n    expires: 2027-01-01\n    recall:\n"
                  "      date: 2026-01-01\n      reason: " + json.dumps(reason) + "\n")
    done = run_build(scratch.root, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    gtin = next(p.name for p in (site / "01").iterdir())
    page = site / "01" / gtin / "10" / f"{HOSTILE}.html"
    html = page.read_text("utf-8")
    parsed = Text(html)
    assert parsed.code == HOSTILE
    assert "b" not in parsed.tags and html.count("<script") == html.count("</script>")
    assert "<script>alert" not in html and reason.replace("&", "&amp;").replace(
        "<", "&lt;").replace(">", "&gt;") in html
    linkset = json.loads((site / "01" / gtin / "linkset.json").read_text("utf-8"))
    assert linkset["linkset"][1]["anchor"].endswith("/10/" + quote(HOSTILE, safe=""))
    assert list(linkset_validator().iter_errors(linkset)) == []
    assert GOODS in (site / "resolver" / "nginx.conf").read_text("utf-8")
    assert '"&' not in (site / "resolver" / "nginx.conf").read_text("utf-8")
    if NGINX:  # the lot's own location, quotes and all, in a real nginx
        (tmp_path / "nginx").mkdir()
        with running_nginx(site, tmp_path / "nginx") as port:
            path = f"/01/{gtin}/10/{quote(HOSTILE, safe='')}"
            status, _, body = ask(port, path)
            assert status == 200 and Text(body.decode("utf-8")).code == HOSTILE
            status, _, body = ask(port, path, Accept="application/linkset+json")
            assert status == 200 and json.loads(body)["linkset"][0]["anchor"].endswith(
                quote(HOSTILE, safe=""))


def test_a_lot_code_no_file_can_be_named_after_walks_up(tmp_path):
    """'<b>"?*' is valid GS1 set 82, but Windows and GitHub's upload-artifact refuse such
    file names: the build warns, writes no page for it, keeps it out of nginx.conf, and
    the product page shows it as text."""
    from scratch import GOODS_FILE, build_catalog
    from siteutil import run_build

    scratch = build_catalog(tmp_path / "repo")
    scratch.write(GOODS_FILE, scratch.read(GOODS_FILE) + "lots:\n  - code: "
                  + json.dumps(UNNAMEABLE) + "\n    expires: 2027-01-01\n")
    assert [i.code for i in scratch.validate().issues] == ["lot_no_page"]
    done = run_build(scratch.root, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    names = [p.name for p in site.rglob("*")]
    assert not [n for n in names if any(c in n for c in '"*:<>?|')], names
    assert UNNAMEABLE not in (site / "resolver" / "nginx.conf").read_text("utf-8")
    assert "<b>" not in "".join(p.read_text("utf-8") for p in site.rglob("*.html"))
