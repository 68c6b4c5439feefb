"""Shared by the tests that look at a built site: what a visitor reads, and a
local web server that sends text gzip-compressed, as a real host would."""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import yaml

# What a visitor reads, per language.
STARS_LABEL = {"vi": "{n} sao OCOP", "en": "{n}-star OCOP", "zh": "OCOP {n}星"}
STATUS_LABEL = {
    "vi": {"valid": "Còn hiệu lực", "expiring": "Sắp hết hạn",
           "expired": "Đã hết hạn", "revoked": "Đã bị thu hồi"},
    "en": {"valid": "Valid", "expiring": "Expiring soon",
           "expired": "Expired", "revoked": "Revoked"},
    "zh": {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "revoked": "已撤销"},
}

_COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|xml|.*\+xml)|image/svg\+xml)")


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files; text is sent gzip-compressed when the client accepts it."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".webp": "image/webp",
        ".avif": "image/avif",
        ".json": "application/json",
        ".xml": "application/xml",
        ".wasm": "application/wasm",
        ".woff2": "font/woff2",
    }
    _cache: ClassVar[dict[tuple[str, float], bytes]] = {}
    _lock = threading.Lock()

    def log_message(self, *args):  # keep pytest output clean
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the folder
            path = os.path.join(path, "index.html")
        if not os.path.isfile(path):
            return super().send_head()  # 404
        ctype = self.guess_type(path)
        body = Path(path).read_bytes()
        gz = "gzip" in self.headers.get("Accept-Encoding", "") and _COMPRESSIBLE.match(ctype)
        if gz:
            key = (path, os.path.getmtime(path))
            with self._lock:
                if key not in self._cache:
                    self._cache[key] = gzip.compress(body, compresslevel=6, mtime=0)
                body = self._cache[key]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return io.BytesIO(body)



class LocalServer(ThreadingHTTPServer):
    """The tests' static host: a browser that closes a connection early (a page left
    while it loads) is not an error to print in the middle of the test run."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(folder: Path, handler: type[SimpleHTTPRequestHandler] | None = None
          ) -> Iterator[str]:
    """Serve ``folder`` on a free local port with ``handler`` (:class:`GzipHandler`);
    yields the base URL."""
    server = LocalServer(("127.0.0.1", 0), partial(handler or GzipHandler,
                                                   directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------
# Building the sample catalog (the real command, in a subprocess)
# --------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


class _ConfigLoader(yaml.SafeLoader):
    """Reads site_config.yml, ignoring MkDocs' own tags (!ENV, !!python/name)."""


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def site_config(repo: Path = REPO) -> dict:
    """``site_config.yml`` of ``repo`` as data."""
    return yaml.load((repo / "site_config.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)


def ocop_options(config: dict) -> dict:
    """The ``ocop`` plugin's options in a site configuration."""
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and "ocop" in entry:
            return entry["ocop"] or {}
    return {}


#: The sample's configuration, its site URL (ending in /) and plugin options.
CONFIG = site_config()
SITE_URL = CONFIG["site_url"].rstrip("/") + "/"
OPTIONS = ocop_options(CONFIG)
#: Noon UTC on 2026-11-29, the build day of every test site, as SOURCE_DATE_EPOCH:
#: the same calendar day in every time zone the settings could use.
BUILD_EPOCH = 1795953600


def ocop_command() -> list[str]:
    script = Path(sys.executable).with_name("ocop")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ocop_catalog.cli"]


def script_env() -> dict[str, str]:
    """The environment of a Python script a test runs (``python -c``): the build date of
    the tests, and this folder on the path (the scratch catalog and these helpers)."""
    paths = [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH),
            "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def run_build(repo: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """``ocop build -d site_dir`` in ``repo`` on the build day."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    return subprocess.run([*ocop_command(), "build", "-d", str(site_dir)], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


def build_log(repo: Path, site_dir: Path, *args: str, epoch: int = BUILD_EPOCH) -> str:
    """``ocop build -d site_dir [args]`` in ``repo`` on the build day ``epoch``, which must
    succeed; its log (stderr)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    done = subprocess.run([*ocop_command(), "build", "-d", str(site_dir), *args], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stderr


def build_scratch_with(tmp_path: Path, options: str) -> subprocess.CompletedProcess:
    """``ocop build`` of a small scratch catalog with the theme and these extra lines of
    ``ocop`` plugin options (YAML, indented as in site_config.yml), into tmp_path/site."""
    from scratch import build_catalog

    scratch = build_catalog(tmp_path / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    scratch.edit("site_config.yml", "theme:\n  name: material\n",
                 "theme:\n  name: material\n  custom_dir: theme\n")
    scratch.edit("site_config.yml", "      photo_min_side: 500\n",
                 "      photo_min_side: 500\n" + options)
    return run_build(scratch.root, tmp_path / "site")


def build_ok(repo: Path, site_dir: Path) -> None:
    result = run_build(repo, site_dir)
    assert result.returncode == 0, (
        f"ocop build failed ({result.returncode})\n--- stdout\n{result.stdout}"
        f"\n--- stderr\n{result.stderr}")


#: The workflows ``ocop init`` writes.
STARTER_WORKFLOWS = REPO / "generator" / "ocop_catalog" / "starter" / "workflows"


def starter_step(workflow: str, job: str, action: str) -> tuple[int, dict]:
    """The one step of the starter's ``workflow`` job that ``uses`` ``action``, and its
    index among the job's steps."""
    data = yaml.safe_load((STARTER_WORKFLOWS / workflow).read_text(encoding="utf-8"))
    steps = data["jobs"][job]["steps"]
    found = [(i, s) for i, s in enumerate(steps) if s.get("uses", "").startswith(action + "@")]
    assert len(found) == 1, found
    return found[0]


def save_cache_entry(checkout: Path, paths: Iterable[str], entry: Path) -> None:
    """``paths`` of ``checkout`` as ``actions/cache`` saves them: one tar in POSIX format
    (but for its compression), to be extracted where they were (:func:`restore_cache_entry`)."""
    subprocess.run(["tar", "--posix", "-cf", str(entry), "-P", "-C", str(checkout), *paths],
                   check=True)


def restore_cache_entry(entry: Path, checkout: Path) -> None:
    """What :func:`save_cache_entry` saved, extracted into ``checkout``."""
    subprocess.run(["tar", "-xf", str(entry), "-P", "-C", str(checkout)], check=True)


#: The sample's cache folders of files made from content and named by it (processed
#: photos, print assets), which copies of the sample share.
SHARED_CACHES = ("images", "print")


def share_made_files(root: Path) -> None:
    """Give the catalog at ``root`` a cache of its own whose folders of files named by
    their content (:data:`SHARED_CACHES`) are links to the sample's: the processed photos
    and print assets are made once for every test (with the photos' digests remembered
    by path in ``images/``, which copies overwrite: a speed-up only). The rest is the
    catalog's alone, as a real one's is: the records memo, the kept feed parts and keys,
    and the compiled templates, which are read only from a folder reached through no link
    (the first build of a copy compiles them, the later ones take them)."""
    cache = root / ".cache" / "ocop"
    cache.mkdir(parents=True)
    for name in SHARED_CACHES:
        shared = REPO / ".cache" / "ocop" / name
        shared.mkdir(parents=True, exist_ok=True)
        (cache / name).symlink_to(shared, target_is_directory=True)


def copy_repository(dest: Path, producers: Iterable[str]) -> Path:
    """A copy of the sample repository with only some producers' folders; its cache is
    its own (:func:`share_made_files`)."""
    dest.mkdir()
    shutil.copy2(REPO / "site_config.yml", dest / "site_config.yml")
    for folder in ("catalog", "theme"):
        shutil.copytree(REPO / folder, dest / folder)
    for producer in producers:
        shutil.copytree(REPO / "products" / producer, dest / "products" / producer)
    share_made_files(dest)
    keep_decisions_of(dest, {p.parent.name for p in (dest / "products").glob("*/*/product.yml")})
    return dest


# --------------------------------------------------------------------------
# The register of decisions (catalog/decisions/), read the way the office reads it
# --------------------------------------------------------------------------


def decision_files(repo: Path = REPO) -> list[Path]:
    """The decision files of ``repo``: ``catalog/decisions/**/*.yml`` but for hidden
    and ``_``-prefixed files and folders (templates)."""
    folder = repo / "catalog" / "decisions"
    return sorted(path for path in folder.rglob("*.yml")
                  if not any(part.startswith((".", "_"))
                             for part in path.relative_to(folder).parts))


def decisions(repo: Path = REPO) -> dict[Path, dict]:
    """Every decision of ``repo`` as data, by file."""
    return {path: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in decision_files(repo)}


def certificates(repo: Path = REPO) -> dict[str, dict]:
    """Each certified product's certificate, by product id, in the fields product.yml
    used to hold (``stars``, ``score``, ``decision_number``, ``decision_date``,
    ``issuer``, ``valid_from``, ``valid_until``, ``revoked: {date, reason,
    decision_number}``), worked out from the decisions alone: a product holds its
    latest recognition; a revocation taking effect on or after it revokes it."""
    events = []  # (day it takes effect, 0 recognition / 1 revocation, file, decision, item)
    for path, decision in decisions(repo).items():
        for item in decision.get("recognises") or ():
            events.append((decision["date"], 0, path, decision, item))
        for item in decision.get("revokes") or ():
            events.append((item.get("date") or decision["date"], 1, path, decision, item))
    found: dict[str, dict] = {}
    for day, kind, path, decision, item in sorted(events, key=lambda e: e[:3]):
        product = item["product"]
        if kind == 0:
            found[product] = {
                "stars": item["stars"], "score": item.get("score"),
                "decision_number": decision["number"], "decision_date": decision["date"],
                "issuer": decision["issuer"], "level": decision["level"],
                "valid_from": item.get("valid_from") or decision.get("valid_from"),
                "valid_until": item.get("valid_until") or decision.get("valid_until"),
                "file": path.relative_to(repo).as_posix(),
            }
        elif product in found:
            found[product]["revoked"] = {"date": day, "reason": item["reason"],
                                         "decision_number": decision["number"]}
    return found


def keep_decisions_of(repo: Path, products: set[str]) -> None:
    """Leave in ``repo``'s register only what it says of ``products`` (a decision that
    names none of them is deleted): a copy of the sample with some producers only."""
    for path, decision in decisions(repo).items():
        kept = dict(decision)
        for part in ("recognises", "revokes"):
            if part in decision:
                kept[part] = [i for i in decision[part] or () if i.get("product") in products]
                if not kept[part]:
                    del kept[part]
        if "recognises" not in kept and "revokes" not in kept:
            path.unlink()
        elif kept != decision:
            text = yaml.dump(kept, Dumper=_IndentedDumper, allow_unicode=True, sort_keys=False)
            path.write_text(_DECISION_HEADER + text, encoding="utf-8")


_DECISION_HEADER = "# yaml-language-server: $schema=../../schema/decision.schema.json\n"


class _IndentedDumper(yaml.SafeDumper):
    """Block lists indented under their key, as the register's files are written."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


# --------------------------------------------------------------------------
# Headless Chromium (Debian's, driven by Playwright) and QR drawings
# --------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def playwright_or_skip():
    """Playwright's sync API, or skip the calling test module (at import) with the reason."""
    import pytest

    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's Chromium at /usr/bin/chromium "
                    "(apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip(
        "playwright.sync_api",
        reason="browser tests need Playwright for Python (pip install -e '.[test]'); "
        "never 'playwright install': Debian's /usr/bin/chromium is used",
    )


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium browser."""
    with playwright_or_skip().sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def svg_raster(svg: bytes, scale: int = 8):
    """A QR SVG of ours drawn as a renderer would (it only uses M/h/v/z runs of modules)."""
    from PIL import Image, ImageDraw

    text = svg.decode()
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', text).group(1))
    image = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", text):
        x, y, w = int(x), int(y), int(w)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def answer_in_terminal(command: list[str], answers: list[str], *, cwd: Path | None = None,
                       env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``command`` in a pseudo-terminal, answering each question (a line ending in
    ``:``) with the next of ``answers``; its exit code and everything it printed."""
    import pty
    import select

    main_fd, secondary = pty.openpty()
    process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary,
                               cwd=cwd, env=env or dict(os.environ), close_fds=True)
    os.close(secondary)
    replies = iter(answers)
    seen = b""
    try:
        while process.poll() is None:
            ready, _, _ = select.select([main_fd], [], [], 30)
            assert ready, f"no question came: {seen.decode('utf-8', 'replace')}"
            try:
                chunk = os.read(main_fd, 4096)
            except OSError:
                break
            seen += chunk
            if chunk.rstrip().endswith(b":"):
                os.write(main_fd, (next(replies) + "\n").encode("utf-8"))
    finally:
        process.wait(timeout=60)
        os.close(main_fd)
    return process.returncode, seen.decode("utf-8", "replace")


def default_sigint() -> None:
    """``preexec_fn`` of a child that must take Ctrl-C as in a terminal: a test runner (or
    a shell running it in the background) may ignore SIGINT, and a child inherits that
    (Python then never turns SIGINT into KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(process: subprocess.Popen) -> bool:
    """Stop ``process`` (SIGSTOP) and wait until it is: whether it was still running (False:
    it had ended first). A test that must interrupt a build before it publishes stops it,
    looks at the site, then sends the interrupt and SIGCONT: what it saw cannot change
    before the interrupt lands."""
    if process.returncode is not None:  # reaped: its number may be another process's now
        return False
    try:
        os.kill(process.pid, signal.SIGSTOP)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{process.pid}/stat")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            state = stat.read_text(encoding="ascii").rpartition(")")[2].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        if state in ("T", "t"):
            return True
        if state in ("Z", "X"):
            return False
        time.sleep(0.001)
    raise AssertionError(f"process {process.pid} did not stop")
