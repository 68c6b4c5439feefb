#!/usr/bin/env python3
"""Measure a built catalog site: Lighthouse, axe-core, pa11y, the W3C checker, the
product page's first-view weight, and screenshots of every page kind.

    .venv/bin/ocop build && .venv/bin/python tools/measure_site.py [SITE] [--all-languages]

It serves SITE (default ``site/``) itself on 127.0.0.1 the way a static host does
(gzip, level 6, for text; ``404.html`` with status 404 for a missing address; a
redirect to ``<path>/`` for a folder), picks one page of each kind from the built
files (home, product, listing, category, search, sales point, producer, an authored
page, 404, kiosk, contribution form), measures each page and prints a table marked
against the targets. It is a measuring tool: it exits 0 even when a target is missed
(``--strict``: 1), 2 when it cannot measure at all.

What it needs: Debian's Chromium (``/usr/bin/chromium``), Playwright for Python (the
test extras: ``pip install -e '.[test]'``), Node 20 and npm, Java. The npm tools are
pinned in ``tools/measure/package.json`` + ``package-lock.json`` and installed on the
first run with ``npm ci`` into ``.cache/measure/node/`` (git-ignored; reinstalled when
the lock file changes); the W3C checker is the one ``.ci/run`` installs in
``.cache/vnu/`` (installed the same way when missing; ``OCOP_VNU_JAR`` names another).

Versions: Lighthouse 12.8.2 (12.8.x runs with Debian's Chromium; 13 needs Node 22),
pa11y 9.1.1 (pa11y 10 needs Node 22; 9.1.1 is the last for Node 20, Puppeteer 24),
axe-core 4.12.1 (the copy the browser tests use, via axe-playwright-python; Lighthouse
uses it too).

What is measured: Lighthouse's default mobile run (simulated slow 4G and 4× CPU
slowdown, so its performance figures depend on how busy the machine is: run it on a
quiet machine, or with ``--lighthouse-runs 3``); axe-core's default rules at 360×740
@2x and 1366×768; pa11y's default (HTML_CodeSniffer, WCAG2AA, errors) at 360×740; the
W3C checker over every HTML file; the first view: every response the page receives
at 360×740 @2x with a cold cache until the network has been idle for 500 ms, without
scrolling, as transferred (headers + gzip body) — images included as the browser
requests them (its own lazy-loading distance decides which).

Output: the table on stdout (progress on stderr); ``.cache/measure/measure.json`` (every
figure, the failing Lighthouse audits, axe violations, pa11y issues, W3C messages,
first-view requests), ``.cache/measure/lighthouse/*.json`` (full Lighthouse reports),
``.cache/measure/screenshots/*.png`` (full page at 360×740 @2x and 1366×768).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parents[1]
MEASURE_PACKAGE = REPO / "tools" / "measure"  # package.json + package-lock.json
NODE_PREFIX = REPO / ".cache" / "measure" / "node"  # where npm ci installs them
VNU_PREFIX = REPO / ".cache" / "vnu"
VNU_PACKAGE = "vnu-jar@26.9.27"  # as .ci/run installs it
VNU_JAR = Path(os.environ.get("OCOP_VNU_JAR")
               or VNU_PREFIX / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "device_scale_factor": 1}

KINDS = ("home", "product", "listing", "category", "search", "sales-point", "producer",
         "about", "404", "kiosk", "contribute")
#: Kinds that exist once, not per language (the host's 404 page; kiosks are per sales point).
ONCE = ("404", "kiosk")
MISSING_PATH = "measure-site-no-such-page/"

KIB = 1024
TARGETS = {  # figure: (test, text)
    "performance": (lambda v: v >= 98, "≥ 98"),
    "accessibility": (lambda v: v == 100, "= 100"),
    "best-practices": (lambda v: v == 100, "= 100"),
    "seo": (lambda v: v == 100, "= 100"),
    "axe": (lambda v: v == 0, "0 violations"),
    "pa11y": (lambda v: v == 0, "0 issues"),
    "w3c": (lambda v: v == 0, "0 errors"),
    "first_view": (lambda v: v <= 100 * KIB, "≤ 100 KiB (product page)"),
}
LH_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
IMPACTS = ("critical", "serious", "moderate", "minor")


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# The static host
# --------------------------------------------------------------------------

_COMPRESSIBLE = re.compile(
    r"^(text/|application/(javascript|json|xml|manifest\+json|.*\+xml|.*\+json)|image/svg\+xml)")


class StaticHost(SimpleHTTPRequestHandler):
    """What GitHub Pages, Netlify or nginx (docs/publishing.md) do with the site folder:
    correct content types, gzip for text when the client accepts it, ``<path>/`` →
    ``<path>/index.html``, a folder without its slash redirected, ``404.html`` with
    status 404 for anything missing, ``Cache-Control: max-age=600`` (GitHub Pages)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as every real host
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript",
        ".css": "text/css", ".svg": "image/svg+xml", ".webp": "image/webp",
        ".avif": "image/avif", ".jpg": "image/jpeg", ".png": "image/png",
        ".json": "application/json", ".map": "application/json",
        ".webmanifest": "application/manifest+json", ".xml": "application/xml",
        ".atom": "application/atom+xml", ".csv": "text/csv", ".txt": "text/plain",
        ".yml": "text/yaml", ".pdf": "application/pdf", ".zip": "application/zip",
        ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
        ".otf": "font/otf", ".wasm": "application/wasm",
    }
    _gzipped: ClassVar[dict[tuple[str, int, int], bytes]] = {}
    _lock = threading.Lock()

    def log_message(self, *args):
        pass

    def send_head(self):
        parts = urlsplit(self.path)
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not parts.path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", parts.path + "/" + (f"?{parts.query}"
                                                                  if parts.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            path = os.path.join(path, "index.html")
        status = 200
        if not os.path.isfile(path):
            status, path = 404, os.path.join(self.directory, "404.html")
            if not os.path.isfile(path):
                self.send_error(404)
                return None
        ctype = self.guess_type(path)
        body = Path(path).read_bytes()
        compress = ("gzip" in self.headers.get("Accept-Encoding", "")
                    and _COMPRESSIBLE.match(ctype) is not None)
        if compress:
            stat = os.stat(path)
            key = (path, stat.st_mtime_ns, stat.st_size)
            with self._lock:
                if key not in self._gzipped:
                    self._gzipped[key] = gzip.compress(body, compresslevel=6, mtime=0)
                body = self._gzipped[key]
        self.send_response(status)
        if ctype.startswith("text/") or ctype.endswith(("json", "xml")):
            ctype += "; charset=utf-8"
        self.send_header("Content-Type", ctype)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        if _COMPRESSIBLE.match(ctype):
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The site on a free port of 127.0.0.1, in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(StaticHost, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------
# The pages to measure, found in the built site
# --------------------------------------------------------------------------


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html" and self.lang is None:
            self.lang = a.get("lang")
        elif tag == "link" and (a.get("rel") or "").lower() == "alternate" and a.get("hreflang"):
            self.alternates.setdefault(a["hreflang"], a.get("href") or "")


def languages(site: Path) -> list[tuple[str, str]]:
    """(language, folder prefix) of each language, the default first: from the home
    page's ``<html lang>`` and its ``hreflang`` alternates."""
    head = _Head()
    head.feed((site / "index.html").read_text(encoding="utf-8", errors="replace"))
    default = head.lang or "default"
    alternates = {k: v for k, v in head.alternates.items() if k != "x-default"}
    found = [(default, "")]
    base = urlsplit(alternates.get(default, "/")).path
    for lang, href in alternates.items():
        path = urlsplit(href).path
        if lang == default or not path.startswith(base):
            continue
        prefix = path[len(base):].strip("/")
        if prefix and (site / prefix / "index.html").is_file():
            found.append((lang, prefix + "/"))
    return found


def _first(folder: Path) -> str | None:
    """The first sub-folder (by name) of ``folder`` that has an index.html."""
    if not folder.is_dir():
        return None
    names = sorted(p.name for p in folder.iterdir() if (p / "index.html").is_file())
    return names[0] if names else None


#: Top-level folders the catalog build writes (anything else with an index.html is a page
#: authored in catalog/*.md: about OCOP, reading the mark…)
GENERATED = {"products", "producers", "categories", "areas", "sales-points", "search",
             "contribute", "kiosk", "stars", "q", "s", "01", "qr", "print", "media", "feeds",
             "assets", "search-index", "sitemap", "tags"}


def _authored(site: Path, prefix: str, exclude: set[str]) -> str | None:
    """An authored page (from catalog/*.md) of the folder: one whose name says "about"
    if any, else the first by name."""
    folder = site / prefix
    names = sorted(p.name for p in folder.iterdir()
                   if p.name not in GENERATED | exclude and (p / "index.html").is_file())
    chosen = [n for n in names if "about" in n] or names
    return chosen[0] + "/" if chosen else None


def find_pages(site: Path, all_languages: bool, overrides: dict[str, str]) -> list[dict]:
    """One page of each kind (per language with ``all_languages``): ``lang``, ``kind``,
    ``path`` (URL path from the site root) and ``file`` (what the host sends)."""
    langs = languages(site)
    prefixes = {p.rstrip("/") for _, p in langs if p}
    pages = []
    for n, (lang, prefix) in enumerate(langs if all_languages else langs[:1]):
        base = site / prefix
        found = {
            "home": "" if (base / "index.html").is_file() else None,
            "listing": "products/" if (base / "products" / "index.html").is_file() else None,
            "search": "search/" if (base / "search" / "index.html").is_file() else None,
            "contribute": ("contribute/" if (base / "contribute" / "index.html").is_file()
                           else None),
            "about": _authored(site, prefix, prefixes),
            "404": MISSING_PATH if n == 0 else None,
        }
        for kind, folder in (("product", "products"), ("category", "categories"),
                             ("sales-point", "sales-points"), ("producer", "producers"),
                             ("kiosk", "kiosk")):
            first = _first(base / folder)
            found[kind] = f"{folder}/{first}/" if first else None
        if n and any(k in ONCE for k in found):
            for kind in ONCE:
                found[kind] = None
        for kind in KINDS:
            key = f"{lang}:{kind}"
            rel = overrides.get(key, overrides.get(kind) if n == 0 else None)
            rel = rel.lstrip("/") if rel is not None else found[kind]
            if rel is None:
                if n == 0 or kind not in ONCE:
                    log(f"  no {kind} page in {lang} (nothing to measure)")
                continue
            path = "/" + prefix + rel
            file = site / "404.html" if kind == "404" else site / (prefix + rel) / "index.html"
            if kind != "404" and not file.is_file():
                file = site / (prefix + rel)
            pages.append({"id": f"{lang}-{kind}", "lang": lang, "kind": kind,
                          "path": quote(path), "file": str(file)})
    return pages


# --------------------------------------------------------------------------
# Tools: npm packages and the W3C checker
# --------------------------------------------------------------------------


def _npm_env() -> dict[str, str]:
    # pa11y's puppeteer would download a Chrome of its own; Debian's Chromium is used
    return {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "CHROME_PATH": CHROMIUM}


def install_node_tools() -> Path:
    """``npm ci`` of tools/measure/ into .cache/measure/node/ unless it is there already
    from the same lock file; the node_modules folder."""
    lock = (MEASURE_PACKAGE / "package-lock.json").read_bytes()
    stamp = NODE_PREFIX / ".installed-lock.sha256"
    digest = hashlib.sha256(lock + (MEASURE_PACKAGE / "package.json").read_bytes()).hexdigest()
    modules = NODE_PREFIX / "node_modules"
    if modules.is_dir() and stamp.is_file() and stamp.read_text().strip() == digest:
        return modules
    if shutil.which("npm") is None:
        raise SystemExit("measure_site: npm is needed (apt-get install npm)")
    log(f"== installing the npm tools (tools/measure/package-lock.json) into {NODE_PREFIX}")
    NODE_PREFIX.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(MEASURE_PACKAGE / name, NODE_PREFIX / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"],
                   cwd=NODE_PREFIX, env=_npm_env(), check=True)
    stamp.write_text(digest + "\n")
    return modules


def install_vnu() -> Path | None:
    if shutil.which("java") is None:
        return None
    if VNU_JAR.is_file():
        return VNU_JAR
    if "OCOP_VNU_JAR" in os.environ or shutil.which("npm") is None:
        return None
    log(f"== installing the W3C checker ({VNU_PACKAGE}) into {VNU_PREFIX}, as .ci/run does")
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                    str(VNU_PREFIX), VNU_PACKAGE], check=True)
    return VNU_JAR if VNU_JAR.is_file() else None


def package_version(modules: Path, name: str) -> str:
    try:
        return json.loads((modules / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


# --------------------------------------------------------------------------
# Lighthouse
# --------------------------------------------------------------------------


def lighthouse(modules: Path, url: str, report: Path, runs: int) -> dict:
    """Lighthouse's default (mobile) run of ``url``; with several runs, the one with the
    median performance score. Its full report is written to ``report``."""
    cli = modules / "lighthouse" / "cli" / "index.js"
    results = []
    for n in range(runs):
        target = report if runs == 1 else report.with_suffix(f".run{n + 1}.json")
        command = ["node", str(cli), url, "--output=json", f"--output-path={target}",
                   "--quiet", "--no-enable-error-reporting", "--max-wait-for-load=45000",
                   f"--only-categories={','.join(LH_CATEGORIES)}",
                   "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS)]
        done = subprocess.run(command, env=_npm_env(), capture_output=True, text=True,
                              timeout=300, check=False)
        if done.returncode != 0 or not target.is_file():
            return {"error": f"lighthouse exit {done.returncode}: "
                             f"{(done.stderr or done.stdout).strip()[-600:]}"}
        results.append((summarize_lighthouse(json.loads(target.read_text("utf-8"))), target))
    if runs > 1:
        results.sort(key=lambda r: r[0]["scores"].get("performance") or -1)
        summary, chosen = results[len(results) // 2]
        shutil.copy2(chosen, report)
        summary["performance_runs"] = [r[0]["scores"].get("performance") for r in results]
        return summary
    return results[0][0]


def summarize_lighthouse(lhr: dict) -> dict:
    audits = lhr.get("audits", {})

    def value(audit_id):
        return audits.get(audit_id, {}).get("numericValue")

    scores, failing = {}, []
    for cid in LH_CATEGORIES:
        category = lhr.get("categories", {}).get(cid)
        if not category:
            continue
        score = category.get("score")
        scores[cid] = None if score is None else round(score * 100)
        for ref in category.get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") is not None \
                    and audit["score"] < 1:
                failing.append({"category": cid, "id": ref["id"], "title": audit.get("title"),
                                "score": audit["score"], "weight": ref["weight"],
                                "value": audit.get("displayValue")})
    return {
        "scores": scores,
        "cls": value("cumulative-layout-shift"),
        "lcp_ms": value("largest-contentful-paint"),
        "tbt_ms": value("total-blocking-time"),
        "fcp_ms": value("first-contentful-paint"),
        "transfer_bytes": value("total-byte-weight"),
        "failing_audits": failing,
        "warnings": lhr.get("runWarnings", []),
        "runtime_error": (lhr.get("runtimeError") or {}).get("message"),
        "version": lhr.get("lighthouseVersion"),
        "benchmark_index": (lhr.get("environment") or {}).get("benchmarkIndex"),
        "final_url": lhr.get("finalDisplayedUrl") or lhr.get("finalUrl"),
    }


# --------------------------------------------------------------------------
# pa11y (its own Puppeteer, pointed at Debian's Chromium)
# --------------------------------------------------------------------------


def pa11y_all(modules: Path, base: str, pages: list[dict], results: dict) -> None:
    config = {"chromeLaunchConfig": {"executablePath": CHROMIUM, "args": CHROMIUM_ARGS},
              "timeout": 60000,
              "viewport": {"width": 360, "height": 740, "deviceScaleFactor": 2,
                           "isMobile": True, "hasTouch": True}}
    cli = modules / "pa11y" / "bin" / "pa11y.js"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    try:
        for page in pages:
            done = subprocess.run(["node", str(cli), "--config", handle.name, "--reporter",
                                   "json", base + page["path"]], env=_npm_env(),
                                  capture_output=True, text=True, timeout=180, check=False)
            try:
                issues = json.loads(done.stdout) if done.returncode in (0, 2) else None
            except ValueError:
                issues = None
            if issues is None:
                results[page["id"]] = {"error": f"pa11y exit {done.returncode}: "
                                                f"{(done.stderr or done.stdout).strip()[-600:]}"}
            else:
                results[page["id"]] = {"count": len(issues), "issues": issues}
    finally:
        os.unlink(handle.name)


# --------------------------------------------------------------------------
# The W3C checker, over every HTML file of the site in one JVM
# --------------------------------------------------------------------------


def vnu_start(jar: Path, site: Path) -> subprocess.Popen:
    command = [shutil.which("java") or "java", "-Xss8m", "-jar", str(jar), "--errors-only",
               "--format", "json", "--stdout", "--skip-non-html", str(site)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def vnu_finish(process: subprocess.Popen, site: Path) -> dict:
    out, err = process.communicate(timeout=900)
    try:
        report = json.loads(out)
    except ValueError:
        return {"error": f"vnu exit {process.returncode}: {(err or out).strip()[-600:]}"}
    root = site.resolve().as_uri().replace("file:///", "file:/")
    errors = []
    for m in report.get("messages", []):
        if m.get("type") == "info":
            continue
        url = m.get("url", "")
        rel = url[len(root):].lstrip("/") if url.startswith(root) else url
        errors.append({"file": rel, "line": m.get("lastLine"), "message": m.get("message"),
                       "type": m.get("type")})
    html = [p for p in site.rglob("*") if p.suffix in (".html", ".htm", ".xhtml")]
    per_file = Counter(e["file"] for e in errors)
    authored = {f for f in per_file
                if "md-content" in (site / f).read_text("utf-8", errors="replace")}
    return {"version": report.get("version"), "files": len(html), "errors": len(errors),
            "files_with_errors": len(per_file),
            "errors_in_authored_pages": sum(per_file[f] for f in authored),
            "per_file": dict(per_file), "messages": errors}


# --------------------------------------------------------------------------
# In Chromium (Playwright): first-view weight, axe-core, screenshots
# --------------------------------------------------------------------------

AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' '))}));
}"""

SCROLL_THROUGH = """async () => {
  const step = Math.max(200, innerHeight - 100);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    scrollTo(0, y); await new Promise(r => setTimeout(r, 80));
  }
  scrollTo(0, 0);
}"""

IMAGES_DONE = "() => Array.from(document.images).every(i => i.complete)"


def _kind_of(resource_type: str, ctype: str) -> str:
    if resource_type == "document":
        return "html"
    for kind, part in (("css", "css"), ("js", "javascript"), ("font", "font/"),
                       ("image", "image/"), ("json", "json")):
        if part in ctype:
            return kind
    return resource_type or "other"


def _settle(page, timeout_ms: int = 15000) -> bool:
    """Wait until the network has been idle for 500 ms; False if it never was."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        return True
    except PlaywrightTimeout:  # a page that keeps polling: measure what it loaded so far
        return False


def browse_all(base: str, pages: list[dict], out: Path, axe_js: Path, shots: bool,
               weight: bool, axe: bool, results: dict) -> dict:
    from playwright.sync_api import sync_playwright

    info = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        info["chromium"] = browser.version
        try:
            for page_info in pages:
                log(f"  browser: {page_info['id']}")
                results[page_info["id"]] = _browse(browser, base, page_info, out, axe_js,
                                                   shots, weight, axe)
        finally:
            browser.close()
    return info


def _browse(browser, base, page_info, out, axe_js, shots, weight, axe) -> dict:
    from playwright.sync_api import Error as PlaywrightError

    result: dict = {"console_errors": [], "failed_requests": [], "other_hosts": [],
                    "viewports": {}}
    local = urlsplit(base).netloc

    def note(key, text):
        if text not in result[key]:
            result[key].append(text)

    def on_console(message):
        # a resource that failed to load is told, with its address, by the events below
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            note("console_errors", message.text)

    def on_request(request):
        if urlsplit(request.url).netloc not in (local, "") and \
                not request.url.startswith(("data:", "blob:")):
            note("other_hosts", request.url)

    def on_failed(request):
        note("failed_requests", f"{request.url} ({request.failure})")

    def on_response(response):
        main = response.request.is_navigation_request() and response.frame.parent_frame is None
        if response.status >= 400 and not (main and page_info["kind"] == "404"):
            note("failed_requests", f"{response.url} (status {response.status})")

    violations: dict[str, dict] = {}
    for name, options in (("360x740", PHONE), ("1366x768", DESKTOP)):
        context = browser.new_context(base_url=base, **options)  # cold cache each time
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request, into=finished: into.append(request))
        page.on("console", on_console)
        page.on("pageerror", lambda error: note("console_errors", f"uncaught {error}"))
        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        try:
            response = page.goto(page_info["path"], wait_until="load", timeout=60000)
            result.setdefault("status", response.status if response else None)
            idle = _settle(page)
            view: dict = {"network_idle": idle}
            if weight and name == "360x740":
                result["first_view"] = _first_view(finished)
            if axe:
                page.add_script_tag(path=str(axe_js))
                for v in page.evaluate(AXE_RUN):
                    known = violations.setdefault(v["id"], {**v, "nodes": [],
                                                            "viewports": []})
                    known["viewports"].append(name)
                    known["nodes"] = sorted(set(known["nodes"]) | set(v["nodes"]))
            if shots:
                page.evaluate(SCROLL_THROUGH)
                try:
                    page.wait_for_function(IMAGES_DONE, timeout=10000)
                except PlaywrightError:
                    view["images_incomplete"] = True
                _settle(page, 5000)
                file = out / f"{page_info['id']}-{name}.png"
                page.screenshot(path=str(file), full_page=True)
                view["screenshot"] = str(file)
            view["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
            result["viewports"][name] = view
        except PlaywrightError as exc:  # keep measuring the other pages
            result["viewports"][name] = {"error": f"{type(exc).__name__}: {exc}"[:600]}
        finally:
            context.close()
    if axe:
        by_impact = Counter(v["impact"] or "minor" for v in violations.values())
        result["axe"] = {"count": len(violations),
                         "by_impact": {i: by_impact.get(i, 0) for i in IMPACTS},
                         "violations": sorted(violations.values(), key=lambda v: (
                             IMPACTS.index(v["impact"]) if v["impact"] in IMPACTS else 9,
                             v["id"]))}
    return result


def _first_view(finished) -> dict:
    """What the page loaded up to network idle, as transferred (headers + compressed
    body), by kind."""
    from playwright.sync_api import Error as PlaywrightError

    requests, by_kind = [], Counter()
    for request in finished:
        try:
            sizes = request.sizes()
            response = request.response()
        except PlaywrightError as exc:
            log(f"  no sizes for {request.url}: {exc}")
            continue
        if response is None or request.url.startswith("data:"):
            continue
        body = sizes["responseBodySize"]
        total = body + sizes["responseHeadersSize"]
        kind = _kind_of(request.resource_type, response.headers.get("content-type", ""))
        by_kind[kind] += total
        requests.append({"url": urlsplit(request.url).path, "kind": kind, "bytes": total,
                         "body_bytes": body, "status": response.status,
                         "encoding": response.headers.get("content-encoding", "identity")})
    return {"bytes": sum(by_kind.values()), "by_kind": dict(by_kind), "requests": requests}


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


def _mark(figure: str, value, kind: str | None = None) -> str:
    """'✗' after a figure that misses its target, ' ' otherwise."""
    if value is None or figure not in TARGETS:
        return " "
    if figure == "first_view" and kind != "product":
        return " "
    return " " if TARGETS[figure][0](value) else "✗"


def _fmt(value, spec: str = "", none: str = "—") -> str:
    return none if value is None else format(value, spec)


def table(pages: list[dict], data: dict) -> tuple[list[str], list[str]]:
    """The printed table, and the list of missed targets."""
    missed = []
    head = (f"{'page':<16} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'CLS':>6} "
            f"{'LCP s':>6} {'TBT ms':>7} {'LH KiB':>7} {'axe c/s/m/m':>13} {'pa11y':>6} "
            f"{'W3C':>5} {'1st view KiB':>13}")
    lines = [head, "-" * len(head)]
    for page in pages:
        pid, kind = page["id"], page["kind"]
        lh = data["lighthouse"].get(pid, {})
        sc = lh.get("scores", {})
        cells = [f"{pid:<16}"]
        for cid in LH_CATEGORIES:
            v = sc.get(cid)
            m = _mark(cid, v)
            if m == "✗" and cid == "seo" and _noindex_only(page, lh):
                m = "†"
            if m == "✗":
                missed.append(f"{pid} Lighthouse {cid} {v} (target {TARGETS[cid][1]})")
            cells.append(f"{_fmt(v):>4}{m}")
        cells.append(f"{_fmt(lh.get('cls'), '.3f'):>6}")
        lcp = lh.get("lcp_ms")
        cells.append(f"{_fmt(None if lcp is None else lcp / 1000, '.2f'):>6}")
        cells.append(f"{_fmt(lh.get('tbt_ms'), '.0f'):>7}")
        tb = lh.get("transfer_bytes")
        cells.append(f"{_fmt(None if tb is None else tb / KIB, '.1f'):>7}")
        br = data["browser"].get(pid, {})
        axe = br.get("axe")
        if axe:
            text = "/".join(str(axe["by_impact"][i]) for i in IMPACTS)
            m = _mark("axe", axe["count"])
            if m == "✗":
                missed.append(f"{pid} axe-core {axe['count']} violations ({text})")
        else:
            text, m = "—", " "
        cells.append(f"{text:>12}{m}")
        pa = data["pa11y"].get(pid, {})
        v = pa.get("count")
        m = _mark("pa11y", v)
        if m == "✗":
            missed.append(f"{pid} pa11y {v} issues")
        cells.append(f"{_fmt(v):>5}{m}")
        vnu = data.get("w3c") or {}
        v = None
        if "per_file" in vnu:
            rel = Path(page["file"]).relative_to(data["site"]).as_posix()
            v = vnu["per_file"].get(rel, 0)
        cells.append(f"{_fmt(v):>4}{_mark('w3c', v)}")
        fv = (br.get("first_view") or {}).get("bytes")
        m = _mark("first_view", fv, kind)
        if m == "✗":
            missed.append(f"{pid} first view {fv / KIB:.1f} KiB (target ≤ 100 KiB)")
        cells.append(f"{_fmt(None if fv is None else fv / KIB, '.1f'):>12}{m}")
        lines.append(" ".join(cells))
    vnu = data.get("w3c") or {}
    if vnu.get("errors"):
        missed.append(f"W3C: {vnu['errors']} errors in {vnu['files_with_errors']} of "
                      f"{vnu['files']} HTML files")
    return lines, missed


def _noindex_only(page: dict, lh: dict) -> bool:
    """The page asks not to be indexed and Lighthouse's SEO fails on that alone."""
    failing = {a["id"] for a in lh.get("failing_audits", []) if a["category"] == "seo"}
    try:
        text = Path(page["file"]).read_text("utf-8", errors="replace")
    except OSError:
        return False
    return failing == {"is-crawlable"} and re.search(
        r"<meta\s[^>]*name=[\"']?robots[\"']?[^>]*noindex", text, re.IGNORECASE) is not None


def details(pages: list[dict], data: dict) -> list[str]:
    lines = []
    for page in pages:
        pid = page["id"]
        lh = data["lighthouse"].get(pid, {})
        notes = []
        if lh.get("error"):
            notes.append(f"Lighthouse failed: {lh['error']}")
        if lh.get("runtime_error"):
            notes.append(f"Lighthouse: {lh['runtime_error']}")
        for w in lh.get("warnings", []):
            if "slower CPU" not in w:  # said once, under the table
                notes.append(f"Lighthouse warning: {w}")
        for a in lh.get("failing_audits", []):
            target = TARGETS[a["category"]][0]
            if not target(lh["scores"].get(a["category"]) or 0):
                value = f" ({a['value']})" if a.get("value") else ""
                notes.append(f"Lighthouse {a['category']}: {a['id']} {a['score']:.2f}{value} "
                             f"— {a['title']}")
        br = data["browser"].get(pid, {})
        for v in (br.get("axe") or {}).get("violations", []):
            nodes = ", ".join(v["nodes"][:3]) + (" …" if len(v["nodes"]) > 3 else "")
            notes.append(f"axe {v['impact']} {v['id']} ×{len(v['nodes'])} "
                         f"[{'+'.join(v['viewports'])}]: {v['help']} — {nodes}")
        pa = data["pa11y"].get(pid, {})
        if pa.get("error"):
            notes.append(f"pa11y failed: {pa['error']}")
        for code, n in Counter(i["code"] for i in pa.get("issues", [])).most_common(5):
            example = next(i for i in pa["issues"] if i["code"] == code)
            context = " ".join((example.get("context") or "").split())
            notes.append(f"pa11y ×{n} {code}: {example['message'][:140]} — {context[:80]}")
        for name, view in br.get("viewports", {}).items():
            if view.get("error"):
                notes.append(f"browser {name}: {view['error']}")
            elif view.get("scroll_width", 0) > int(name.split("x")[0]):
                notes.append(f"browser {name}: scrolls sideways ({view['scroll_width']} px)")
        for e in br.get("console_errors", [])[:5]:
            notes.append(f"console error: {e[:200]}")
        for e in br.get("failed_requests", [])[:5]:
            notes.append(f"failed request: {e[:200]}")
        failed = " ".join(br.get("failed_requests", []))
        for e in [u for u in br.get("other_hosts", []) if u not in failed][:5]:
            notes.append(f"request to another host: {e[:200]}")
        if notes:
            lines.append(f"{pid} ({page['path']}):")
            lines.extend(f"  {n}" for n in notes)
    return lines


def first_view_lines(pages: list[dict], data: dict) -> list[str]:
    lines = []
    for page in pages:
        if page["kind"] != "product":
            continue
        fv = data["browser"].get(page["id"], {}).get("first_view")
        if not fv:
            continue
        kinds = ", ".join(f"{k} {v / KIB:.1f}" for k, v in
                          sorted(fv["by_kind"].items(), key=lambda kv: -kv[1]))
        lines.append(f"{page['id']} {page['path']}: {fv['bytes'] / KIB:.1f} KiB in "
                     f"{len(fv['requests'])} responses ({kinds} KiB)"
                     f"{_mark('first_view', fv['bytes'], 'product').replace(' ', '')}")
        for r in sorted(fv["requests"], key=lambda r: -r["bytes"]):
            lines.append(f"  {r['bytes']:>8,} B  {r['kind']:<5} {r['encoding']:<8} {r['url']}")
    return lines


def w3c_lines(vnu: dict) -> list[str]:
    if not vnu:
        return ["not run"]
    if vnu.get("error"):
        return [f"failed: {vnu['error']}"]
    lines = [(f"{vnu['errors']} errors in {vnu['files_with_errors']} of {vnu['files']} HTML "
              f"files{_mark('w3c', vnu['errors']).replace(' ', '')} "
              f"({vnu['errors_in_authored_pages']} in pages MkDocs renders with Material's "
              f"markup from catalog/*.md and 404.html; vnu {vnu['version']})")]
    by_message = Counter(e["message"] for e in vnu["messages"])
    for message, n in by_message.most_common(8):
        files = sorted({e["file"] for e in vnu["messages"] if e["message"] == message})
        lines.append(f"  ×{n} in {len(files)} files (e.g. {files[0]}): {message[:160]}")
    return lines


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure a built catalog site (Lighthouse, axe-core, pa11y, W3C, "
                    "first-view weight, screenshots); exits 0 even when a target is missed.")
    parser.add_argument("site", nargs="?", default=str(REPO / "site"),
                        help="the built site folder (default: site/)")
    parser.add_argument("--out", default=str(REPO / ".cache" / "measure"),
                        help="where measure.json, lighthouse/ and screenshots/ go "
                             "(default: .cache/measure/)")
    parser.add_argument("--all-languages", action="store_true",
                        help="every language, not only the default one")
    parser.add_argument("--page", action="append", default=[], metavar="KIND=PATH",
                        help="measure PATH (from the site root) as KIND instead of the first "
                             f"one found; KIND is one of {', '.join(KINDS)}, or LANG:KIND")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["lighthouse", "axe", "pa11y", "w3c", "weight", "screenshots"],
                        help="leave a measurement out (repeatable)")
    parser.add_argument("--lighthouse-runs", type=int, default=1, metavar="N",
                        help="run Lighthouse N times per page and keep the median "
                             "performance run (default 1)")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    site = Path(args.site).resolve()
    if not (site / "index.html").is_file():
        log(f"measure_site: no built site in {site} (run .venv/bin/ocop build first)")
        return 2
    if not Path(CHROMIUM).exists():
        log(f"measure_site: needs Chromium at {CHROMIUM} (apt-get install chromium)")
        return 2
    out = Path(args.out).resolve()
    shots_dir, lh_dir = out / "screenshots", out / "lighthouse"
    for folder, pattern in ((shots_dir, "*.png"), (lh_dir, "*.json")):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(pattern):  # last run's
            old.unlink()
    overrides = {}
    for spec in args.page:
        key, _, path = spec.partition("=")
        if not path or key.rpartition(":")[2] not in KINDS:
            parser.error(f"--page {spec}: expected KIND=PATH or LANG:KIND=PATH, KIND one of "
                         f"{', '.join(KINDS)}")
        overrides[key] = path
    skip = set(args.skip)
    started = time.monotonic()

    modules = None if {"lighthouse", "pa11y", "axe"} <= skip else install_node_tools()
    jar = None if "w3c" in skip else install_vnu()
    pages = find_pages(site, args.all_languages, overrides)
    data: dict = {"site": str(site), "lighthouse": {}, "pa11y": {}, "browser": {},
                  "w3c": None, "pages": pages, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    want_browser = not {"axe", "weight", "screenshots"} <= skip
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if want_browser:
            log("measure_site: Playwright for Python is missing (pip install -e '.[test]'): "
                "no axe-core, first-view weight or screenshots")
        want_browser = False

    with serve(site) as base:
        log(f"== serving {site} at {base} (gzip level 6 for text)")
        for page in pages:
            log(f"  {page['id']:<16} {page['path']}")
        if "lighthouse" not in skip:
            log(f"== Lighthouse (mobile), {len(pages)} pages, one at a time")
            data["load_before_lighthouse"] = os.getloadavg()[0]
            phase = time.monotonic()
            for page in pages:
                url = base + page["path"]
                if page["kind"] == "404":
                    # Lighthouse refuses a page whose status is 404 (ERRORED_DOCUMENT_REQUEST):
                    # it measures the same 404.html at /404.html, where it is sent with 200
                    url = base + "/404.html"
                log(f"  lighthouse: {page['id']}")
                data["lighthouse"][page["id"]] = lighthouse(
                    modules, url, lh_dir / f"{page['id']}.json", max(1, args.lighthouse_runs))
            data["lighthouse_seconds"] = round(time.monotonic() - phase)
            data["load_after_lighthouse"] = os.getloadavg()[0]
        phase = time.monotonic()
        # The rest does not time anything: the W3C checker and pa11y run beside the browser
        vnu = vnu_start(jar, site) if jar else None
        if "w3c" not in skip and jar is None:
            log("measure_site: no W3C checker (needs Java and npm): W3C not measured")
        pa11y_thread = None
        if "pa11y" not in skip:
            pa11y_thread = threading.Thread(target=pa11y_all, daemon=True,
                                            args=(modules, base, pages, data["pa11y"]))
            pa11y_thread.start()
        if want_browser:
            log("== Chromium: first-view weight, axe-core, screenshots; pa11y and the W3C "
                "checker beside it")
            data["browser_info"] = browse_all(
                base, pages, shots_dir, modules / "axe-core" / "axe.min.js" if modules
                else None, "screenshots" not in skip, "weight" not in skip,
                "axe" not in skip and modules is not None, data["browser"])
        if pa11y_thread:
            pa11y_thread.join()
        if vnu:
            log("== waiting for the W3C checker")
            data["w3c"] = vnu_finish(vnu, site)
        data["other_seconds"] = round(time.monotonic() - phase)

    data["seconds"] = round(time.monotonic() - started)
    data["tools"] = {
        "lighthouse": package_version(modules, "lighthouse") if modules else None,
        "axe-core": package_version(modules, "axe-core") if modules else None,
        "pa11y": package_version(modules, "pa11y") if modules else None,
        "vnu": (data["w3c"] or {}).get("version"),
        "chromium": (data.get("browser_info") or {}).get("chromium"),
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True,
                               check=False).stdout.strip() if shutil.which("node") else None,
    }
    rows, missed = table(pages, data)
    data["targets"] = {k: v[1] for k, v in TARGETS.items()}
    data["missed"] = missed
    (out / "measure.json").write_text(json.dumps(data, indent=1, ensure_ascii=False,
                                                 default=str), encoding="utf-8")

    t = data["tools"]
    print(f"Site {site} served at 127.0.0.1 with gzip (level 6) for text, as a static host; "
          f"{len(pages)} pages; {data['seconds']} s (Lighthouse "
          f"{data.get('lighthouse_seconds', 0)} s, the rest {data.get('other_seconds', 0)} s)")
    print(f"Lighthouse {t['lighthouse']} (mobile: simulated slow 4G, 4× CPU), axe-core "
          f"{t['axe-core']} (360×740 @2x and 1366×768), pa11y {t['pa11y']} (HTML_CodeSniffer, "
          f"WCAG2AA errors, 360×740), vnu {t['vnu']}, Chromium {t['chromium']}, node {t['node']}")
    print("Targets: Lighthouse performance ≥ 98, accessibility, best practices, SEO = 100; "
          "axe and pa11y 0; W3C 0 errors; product first view ≤ 100 KiB. ✗ = missed; "
          "† = SEO of a page marked noindex, lost on Lighthouse's is-crawlable audit alone "
          "(by design, not counted). Lighthouse refuses a 404 status: it measures the 404 page "
          "at /404.html (200)")
    print("Pages: " + ", ".join(f"{p['id']} {p['path']}" for p in pages))
    print()
    print("\n".join(rows))
    slow = [p["id"] for p in pages if any("slower CPU" in w for w in
                                          data["lighthouse"].get(p["id"], {}).get("warnings", []))]
    if slow:
        print(f"Lighthouse warned that this machine's CPU is slower than it expects on "
              f"{len(slow)} of {len(pages)} pages ({', '.join(slow)}): performance (TBT) may "
              f"read lower than on a faster machine")
    if "load_before_lighthouse" in data:
        indexes = [lh["benchmark_index"] for lh in data["lighthouse"].values()
                   if lh.get("benchmark_index")]
        print(f"Load average during Lighthouse: {data['load_before_lighthouse']:.1f} → "
              f"{data['load_after_lighthouse']:.1f} on {os.cpu_count()} CPUs; Lighthouse's "
              f"CPU benchmark index {min(indexes, default=0):.0f}–{max(indexes, default=0):.0f}"
              f" (performance figures are only comparable on a quiet machine)")
    print("(axe c/s/m/m: rules violated, by impact critical/serious/moderate/minor; "
          "W3C: errors in that page's file; 1st view: transferred up to network idle at "
          "360×740 @2x, cold cache; LH KiB: Lighthouse's total byte weight)")
    print()
    print("W3C checker, every HTML file of the site:")
    print("\n".join(f"  {line}" for line in w3c_lines(data["w3c"])))
    fv = first_view_lines(pages, data)
    if fv:
        print()
        print("First view of the product page (360×740 @2x, headers + gzip bodies):")
        print("\n".join(f"  {line}" for line in fv))
    notes = details(pages, data)
    if notes:
        print()
        print("Per page (what costs the scores):")
        print("\n".join(f"  {line}" for line in notes))
    print()
    print(f"{len(missed)} targets missed" + (":" if missed else "."))
    print("\n".join(f"  ✗ {m}" for m in missed))
    print(f"JSON: {out / 'measure.json'}; Lighthouse reports: {lh_dir}/; "
          f"screenshots: {shots_dir}/")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
