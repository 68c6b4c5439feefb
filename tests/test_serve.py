"""``ocop serve``: the preview a producer or the office watches while editing.

A real ``ocop serve`` process on a free port serves a small copy of the sample
catalog; the tests edit a ``product.yml`` the way an editor saves it and check what
the browser gets: the new price on the product page, in Chromium without
reloading it by hand (live reload), and, after a mistake, the page as it was with
the validator's message in the terminal and no traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from siteutil import (BUILD_EPOCH, copy_repository, default_sigint, keep_decisions_of,
                      ocop_command, script_env)

PRODUCER, PRODUCT = "bo-sua-tam-dao", "sua-tuoi-tam-dao"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return ""


def _wait(what, seconds: float, message: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(message)


def _with(text: str, needle: str) -> str:
    return text if needle in text else ""


def _settled(output: str) -> bool:
    """Whether every rebuild whose pages were shown has had its second build, or left it
    to a change that came meanwhile."""
    return output.count("the pages are up to date; reloading browsers") == output.count(
        "the feeds and print assets are up to date too") + output.count("another change came")


class Preview:
    def __init__(self, repo: Path, process: subprocess.Popen, url: str, log: Path) -> None:
        self.repo, self.process, self.url, self.log = repo, process, url, log
        self.record = repo / "products" / PRODUCER / PRODUCT / "product.yml"

    @property
    def page_url(self) -> str:
        return f"{self.url}products/{PRODUCT}/"

    def page(self) -> str:
        return _get(self.page_url)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def save(self, text: str) -> None:
        """Save the record as an editor does: written beside it, then moved over it (a
        record emptied and then written is two changes, which a build may fall between)."""
        temporary = self.record.with_name(f".{self.record.name}.saving")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.record)

    def set_price(self, amount: int | str) -> None:
        text = self.record.read_text(encoding="utf-8")
        changed, count = re.subn(r"amount: [^,}\n]+", f"amount: {amount}", text, count=1)
        assert count == 1, text
        self.save(changed)


@pytest.fixture
def preview(tmp_path):
    repo = copy_repository(tmp_path / "repo", (PRODUCER,))
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    with open(log, "wb") as out:
        process = subprocess.Popen([*ocop_command(), "serve", "-a", f"127.0.0.1:{port}"],
                                   cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True,
                                   preexec_fn=default_sigint)  # Ctrl-C as in a terminal
    server = Preview(repo, process, f"http://127.0.0.1:{port}/", log)
    try:
        _wait(lambda: "</html>" in server.page() or process.poll() is not None, 180,
              "ocop serve did not serve the product page")
        assert process.poll() is None, server.output()
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_an_edited_price_is_served_and_a_mistake_keeps_the_last_good_preview(preview):
    page = preview.page()
    # the preview's absolute links lead to the preview, not to the published site
    assert f'rel="canonical" href="{preview.page_url}"' in page
    # built the way 'ocop build' builds, into the preview folder in the cache
    built = preview.repo / ".cache" / "ocop" / "preview" / "products" / PRODUCT / "index.html"
    # (served with MkDocs' live-reload script added before </body>)
    assert page.startswith(built.read_text(encoding="utf-8").rpartition("</body>")[0])
    assert "livereload" in page

    preview.set_price(123456)
    page = _wait(lambda: _with(preview.page(), '"price":"123456"'), 120,
                 "the edited price never appeared on the product page")
    assert "123.456" in page  # the price as a shopper reads it
    # the rebuild took over what the edit did not change, like 'ocop build'
    assert re.search(r"incremental: \d+ of \d+ keyed files taken over", preview.output())
    # the page came first, from a build that left the feeds and print assets to the build
    # right after it, which then served the new price in the open data too
    _wait(lambda: "the feeds and print assets are up to date too" in preview.output(), 120,
          "the build after the pages' never finished")
    output = preview.output()
    assert output.index("deferred: print, open data, google") < output.index(
        "the pages are up to date; reloading browsers") < output.index(
        "the feeds and print assets are up to date too")
    assert '"price":{"amount":123456' in _get(f"{preview.url}feeds/catalog.json")
    # the browsers reloaded once, when the pages were in: MkDocs' own line after the
    # second build (which reloads nothing) is not said
    assert "Reloading browsers" not in output

    # a save that brings a warning: shown; the next save's rebuild counts it instead of
    # showing it again (tests below: what is shown when)
    text = preview.record.read_text(encoding="utf-8")
    preview.save(text.replace(", en: Tam Dao pasteurised fresh milk}", "}", 1))
    _wait(lambda: "[name] missing_translation" in preview.output(), 120,
          "the warning of the save was not shown")
    preview.set_price(123457)
    _wait(lambda: '"price":"123457"' in preview.page(), 120, "the new price never appeared")
    _wait(lambda: "/ 1 warning(s) as in the previous build, not repeated" in preview.output(),
          30, "the warning shown before was not counted")
    _wait(lambda: _settled(preview.output()), 120, "the build after the pages' never finished")
    # said once for the edit: the second build reads the records the first reported on
    assert preview.output().count("[name] missing_translation") == 1
    assert preview.output().count("warning(s) as in the previous build, not repeated") == 1
    preview.save(text)
    _wait(lambda: _with(preview.page(), '"price":"123456"'), 120, "the record was not restored")

    # a mistake: the terminal says where and what, the preview stays as it was
    preview.set_price("mười nghìn")
    _wait(lambda: "nothing was built" in preview.output(), 120,
          "the failed rebuild was not reported")
    output = preview.output()
    assert f"products/{PRODUCER}/{PRODUCT}/product.yml" in output
    assert "Traceback" not in output
    assert '"price":"123456"' in preview.page()
    assert preview.process.poll() is None, "the server stopped after a failed build"

    preview.set_price(98000)
    _wait(lambda: '"price":"98000"' in preview.page(), 120, "the fixed record was not served")

    # a configuration that cannot be read: said, the server goes on with the last preview
    config = preview.repo / "site_config.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "plugins: [\n", encoding="utf-8")
    _wait(lambda: "site_config.yml cannot be used" in preview.output(), 120,
          "the unreadable configuration was not reported")
    assert '"price":"98000"' in preview.page()
    config.write_text(good, encoding="utf-8")
    preview.set_price(97000)
    _wait(lambda: '"price":"97000"' in preview.page(), 120,
          "the preview was not rebuilt once the configuration was mended")

    os.killpg(preview.process.pid, signal.SIGINT)
    assert preview.process.wait(timeout=30) == 0
    assert "Traceback" not in preview.output()


def test_a_template_only_the_second_build_uses_that_fails_is_said_after_the_page(preview):
    """An edit that breaks only what the second build makes (the resolver's `_redirects`
    template, in the catalog's overrides): the changed page is shown all the same, the
    terminal says the feeds and print assets were not made and why, and once the template
    is mended the next edit brings them up to date."""
    template = preview.repo / "overrides/ocop/resolver/_redirects"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text("{% if %}broken", encoding="utf-8")
    preview.set_price(123456)
    _wait(lambda: '"price":"123456"' in preview.page(), 120, "the page was not rebuilt")
    _wait(lambda: "ocop serve: the feeds and print assets: " in preview.output(), 120,
          "the failed build of the rest was not reported")
    output = preview.output()
    assert "resolver/_redirects" in output and "Traceback" not in output
    assert '"price":{"amount":123456' not in _get(f"{preview.url}feeds/catalog.json")
    template.unlink()
    preview.set_price(123457)
    _wait(lambda: "the feeds and print assets are up to date too" in preview.output(), 120,
          "the feeds were not made once the template was mended")
    assert '"price":{"amount":123457' in _get(f"{preview.url}feeds/catalog.json")
    assert preview.process.poll() is None


def test_a_deleted_products_page_is_gone_when_the_browsers_reload(preview):
    """A product deleted while its page is open: the first build of the rebuild, after
    which the browsers reload, no longer has the page (the site's "not found" is served),
    though it leaves the feeds and print assets to the second."""
    other = preview.repo / "products" / PRODUCER / "sua-chua-tam-dao"
    url = f"{preview.url}products/sua-chua-tam-dao/"
    assert "</html>" in _get(url)
    said = preview.output().count("the pages are up to date; reloading browsers")
    shutil.rmtree(other)
    keep_decisions_of(preview.repo, {p.parent.name for p in
                                     (preview.repo / "products").glob("*/*/product.yml")})
    _wait(lambda: preview.output().count("the pages are up to date; reloading browsers")
          > said, 120, "the rebuild's pages were never in")
    assert _get(url) == ""  # 404: the catalog's own page, which urllib raises for
    _wait(lambda: "the feeds and print assets are up to date too" in preview.output(), 120,
          "the build after the pages' never finished")


def test_an_open_page_reloads_itself_after_an_edit(preview, browser):
    page = browser.new_page()
    try:
        page.goto(preview.page_url)
        assert "123.456" not in page.content()
        page.evaluate("window.notReloaded = true")  # gone when the page loads again
        preview.set_price(123456)
        page.wait_for_function("!window.notReloaded && document.body.innerText.includes('123.456')",
                               timeout=120_000)
    finally:
        page.close()


def test_a_busy_address_is_said_before_anything_is_built(tmp_path):
    repo = copy_repository(tmp_path / "repo", (PRODUCER,))
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*ocop_command(), "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"cannot listen on http://127.0.0.1:{port}/" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (repo / ".cache" / "ocop" / "preview").exists()


def test_starting_with_an_invalid_catalog_says_so_and_exits(tmp_path):
    repo = copy_repository(tmp_path / "repo", (PRODUCER,))
    record = repo / "products" / PRODUCER / PRODUCT / "product.yml"
    record.write_text(record.read_text(encoding="utf-8").replace("amount:", "amount: [", 1),
                      encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    done = subprocess.run([*ocop_command(), "serve", "-a", f"127.0.0.1:{_free_port()}"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert f"products/{PRODUCER}/{PRODUCT}/product.yml" in done.stdout + done.stderr
    assert "nothing was built" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (repo / ".cache" / "ocop" / "preview").exists()


# --------------------------------------------------------------------------
# The terminal: after the first build, a save's own warnings
# --------------------------------------------------------------------------

_SAVES = """
import sys
from pathlib import Path
from ocop_catalog import build
from ocop_catalog.mkdocs_plugin import say_warnings_once
from scratch import GOODS_FILE, set_goods_price

repo, site = map(Path, sys.argv[1:3])
record = repo / GOODS_FILE
def edit(old, new):
    text = record.read_text(encoding="utf-8")
    assert old in text, old
    record.write_text(text.replace(old, new, 1), encoding="utf-8")
def save(what):
    sys.stderr.write(f"=== {what}\\n")
    sys.stderr.flush()
    try:
        build.build_site(repo / "site_config.yml", site, own=True)
    except build.BuildFailed as exc:
        sys.stderr.write(f"failed: {exc}\\n")
say_warnings_once(repo)  # as ocop serve does
edit("  en: Wild-flower honey harvested on Tam Dao mountain.\\n", "")
save("first")
set_goods_price(repo, 260000); save("price")
edit("  en: Tam Dao wild-flower honey\\n", ""); save("name")
edit("amount: 260000", "amount: mười nghìn"); save("mistake")
edit("listed: 2025-07-01", "listed: 2025-07-02"); save("mistake again")
edit("amount: mười nghìn", "amount: 270000"); save("mended")
"""


def test_a_rebuild_shows_the_warnings_of_the_save_and_counts_the_others(tmp_path):
    """After its first build, ``ocop serve`` shows in full only the warnings the last save
    brought, and counts the ones its previous build showed (a real catalog has hundreds,
    which would hide what the save did); errors are shown every time."""
    from scratch import build_catalog

    repo = build_catalog(tmp_path / "repo").root
    done = subprocess.run([sys.executable, "-c", _SAVES, str(repo), str(tmp_path / "site")],
                          cwd=repo, env=script_env(), capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    saves = dict(re.findall(r"=== ([^\n]+)\n(.*?)(?=\n=== |\Z)", done.stderr, re.DOTALL))
    summary_field = "[summary] missing_translation"
    assert summary_field in saves["first"]
    assert "not repeated" not in saves["first"]
    assert "/ 0 error(s), 1 warning(s) in 1 file(s)" in saves["first"]

    # the price: nothing new; the summary's warning is counted, not shown again
    assert summary_field not in saves["price"]
    assert ("\n1 cảnh báo giống lần dựng trước, không nhắc lại ('ocop validate' liệt kê đầy "
            "đủ) / 1 warning(s) as in the previous build, not repeated ('ocop validate' "
            "lists them all)") in saves["price"]
    assert "/ 0 error(s), 1 warning(s) in 1 file(s)" in saves["price"]

    # the English name removed: that warning in full, the other one counted
    assert "[name] missing_translation" in saves["name"]
    assert summary_field not in saves["name"]
    assert "/ 1 warning(s) as in the previous build, not repeated" in saves["name"]
    assert "/ 0 error(s), 2 warning(s) in 1 file(s)" in saves["name"]

    # an error is shown each time it is there, with where and how to fix it (the record
    # it is in is not checked further: its warnings are not reported meanwhile)
    for what in ("mistake", "mistake again"):
        assert re.search(r"product\.yml:\d+:11: lỗi/error \[price\.amount\] wrong_type\n"
                         r"    vi: .*\n    en: .*\n +\d+ \|   amount: mười nghìn", saves[what])
        assert "/ 1 error(s), 0 warning(s) in 1 file(s)" in saves[what]
        assert "nothing was built" in saves[what]
    # mended: the record's warnings are back, and said again in full
    assert summary_field in saves["mended"] and "[name] missing_translation" in saves["mended"]
    assert "not repeated" not in saves["mended"]


def test_a_warning_said_before_is_counted_as_often_as_it_was_there():
    from collections import Counter

    from ocop_catalog.cli import format_text, said
    from ocop_catalog.records.issues import Issue

    def warning(line: int, field: str = "name") -> Issue:
        return Issue("products/p/q/product.yml", line, 3, field, "warning",
                     "missing_translation", "no English text", "chưa có bản tiếng Anh")

    before = Counter(said(i) for i in [warning(7)])
    # the same warning twice now (the save copied the line): one is counted, one shown;
    # an error is shown even if it says what a warning said
    error = Issue("products/p/q/product.yml", 9, 3, "name", "error", "missing_translation",
                  "no English text", "chưa có bản tiếng Anh")
    text = format_text([warning(5), warning(8), error], before=before)
    assert text.count("cảnh báo/warning [name] missing_translation") == 1
    assert "product.yml:8:3: cảnh báo/warning" in text  # the one the save added, in order
    assert "product.yml:9:3: lỗi/error [name]" in text
    assert "\n1 cảnh báo giống lần dựng trước" in text
    assert text.endswith("/ 1 error(s), 2 warning(s) in 1 file(s)\n")
    # nothing said before: everything, as 'ocop build' and 'ocop validate' show it
    assert format_text([warning(5), warning(8)]) == format_text([warning(5), warning(8)],
                                                                before=Counter())
    assert "not repeated" not in format_text([warning(5)], before=None)


def test_browsers_reload_after_the_pages_and_a_waiting_change_skips_the_rest(tmp_path):
    """What ``ocop serve`` does with MkDocs' live-reload server between its two builds
    after an edit, on the server the installed MkDocs makes: once the pages are in, the
    version a browser polls for is the one the build began as (the browser reloads, and
    the server no longer holds page requests back); whether another change is waiting
    (then the build of the rest is left to that change's rebuild) is the server's flag."""
    from mkdocs.livereload import LiveReloadServer

    from ocop_catalog.serve import _can_show, _changed_again, _show_built

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0,
                              root=str(tmp_path))
    try:
        server._wanted_epoch = server._visible_epoch + 1  # a build began, as its loop does
        assert _can_show(server) and _show_built(server)
        assert server._visible_epoch == server._wanted_epoch
        assert not _changed_again(server)
        server._want_rebuild = True  # what its watcher sets on a change
        assert _changed_again(server)
    finally:
        server.server_close()
    # a server without them: nothing shown early (a rebuild is one build, as before)
    assert not _can_show(object()) and not _show_built(object())
    assert not _changed_again(object())


def test_a_file_replaced_while_it_is_served_is_sent_whole_with_its_own_length(tmp_path,
                                                                            monkeypatch):
    """A build swaps the preview in while the server may be sending a file of it (the
    feeds and print assets, which the build after an edit's first makes, while browsers
    load pages): the length the server announces is the file's it opened and sends, not
    that of the file now at its path (MkDocs' server asks the path, after opening it)."""
    import os
    import os.path

    from ocop_catalog.serve import _live_server

    feed = tmp_path / "feeds" / "google" / "vi.xml"
    feed.parent.mkdir(parents=True)
    feed.write_bytes(b"<rss>old, shorter</rss>\n")
    server = _live_server(lambda: None, "127.0.0.1", 0, tmp_path, "/", lambda code: None, [])
    real = os.path.getsize
    swapped = []

    def swap_then_size(path):  # the swap comes between the server's open and its question
        if not swapped and os.fspath(path) == os.fspath(feed):
            newer = feed.with_name("vi.xml.new")
            newer.write_bytes(b"<rss>the new feed, a good deal longer than the old</rss>\n")
            os.replace(newer, feed)
            swapped.append(True)
        return real(path)

    monkeypatch.setattr(os.path, "getsize", swap_then_size)
    said = []
    try:
        body = server._serve_request({"PATH_INFO": "/feeds/google/vi.xml"},
                                     lambda status, headers, *rest: said.append(headers))
        sent = b"".join(body)
    finally:
        server.server_close()
    assert swapped, "the server no longer asks the size by the path: drop the mend"
    assert sent == b"<rss>old, shorter</rss>\n"
    assert dict(said[0])["Content-Length"] == str(len(sent))
    # a page is read whole by the server (to add its reload script): its length is right
    (tmp_path / "index.html").write_bytes(b"<html><body>page</body></html>")
    server = _live_server(lambda: None, "127.0.0.1", 0, tmp_path, "/", lambda code: None,
                          [tmp_path])
    said.clear()
    try:
        sent = b"".join(server._serve_request({"PATH_INFO": "/"},
                                              lambda status, headers, *rest:
                                              said.append(headers)))
    finally:
        server.server_close()
        server.observer.stop()
    assert b"page" in sent and dict(said[0])["Content-Length"] == str(len(sent))
    # a file gone from its path between the server's open and its question (a site the new
    # build no longer has it in): served as the site now is, not as an error
    swapped.clear()

    def gone_then_size(path):
        if not swapped and os.fspath(path) == os.fspath(feed):
            feed.unlink()
            swapped.append(True)
        return real(path)

    monkeypatch.setattr(os.path, "getsize", gone_then_size)
    server = _live_server(lambda: None, "127.0.0.1", 0, tmp_path, "/", lambda code: None, [])
    said.clear()
    try:
        found = server._serve_request({"PATH_INFO": "/feeds/google/vi.xml"},
                                      lambda status, headers, *rest: said.append(headers))
    finally:
        server.server_close()
    assert swapped and found is None and not said  # "not found", told by the caller
