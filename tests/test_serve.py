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
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from siteutil import BUILD_EPOCH, copy_repository, default_sigint, ocop_command

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

    def set_price(self, amount: int | str) -> None:
        text = self.record.read_text(encoding="utf-8")
        changed, count = re.subn(r"amount: [^,}\n]+", f"amount: {amount}", text, count=1)
        assert count == 1, text
        self.record.write_text(changed, encoding="utf-8")


@pytest.fixture
def preview(tmp_path):
    repo = copy_repository(tmp_path / "repo", (PRODUCER,))
    (repo / ".cache").unlink()  # its own cache: the preview folder lives there
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
    (repo / ".cache").unlink()
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
    (repo / ".cache").unlink()
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
