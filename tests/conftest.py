from __future__ import annotations

import string
from pathlib import Path

import pytest

from ocop_catalog.records import issues, messages
from scratch import Scratch, build_catalog
from siteutil import REPO, build_ok, chromium, serve


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample catalog built once per session with ``ocop build`` on the build day
    (2026-11-29). Tests only read it: a test that changes a site works on a copy."""
    out = tmp_path_factory.mktemp("sample") / "site"
    build_ok(REPO, out)
    return out


@pytest.fixture(scope="session")
def sample_site_again(tmp_path_factory) -> Path:
    """A second build of the same input, for the tests that compare two builds."""
    out = tmp_path_factory.mktemp("sample-again") / "site"
    build_ok(REPO, out)
    return out


@pytest.fixture(scope="session")
def sample_base_url(sample_site) -> str:
    """The sample site served over HTTP from 127.0.0.1 (text gzip-compressed)."""
    with serve(sample_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless. Module scope: Playwright's sync API runs one event
    loop per thread, and tests/test_search.py starts its own."""
    with chromium() as instance:
        yield instance


@pytest.fixture
def scratch(tmp_path) -> Scratch:
    """A valid catalog repository in a temporary folder (see tests/scratch.py)."""
    return build_catalog(tmp_path / "repo")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _checked_render(code: str, params: dict) -> tuple[str, str]:
    """``messages.render`` that fails when a message would be given a blank.

    ``render`` fills a missing parameter with an empty string so that a
    producer never sees a traceback; in the tests a missing parameter is a bug
    (it once made the duplicate-key message read "'' is written twice").
    """
    for template in messages.MESSAGES[code]:
        for name in _placeholders(template):
            given = name in params or (name.endswith("_vi") and name[:-3] in params)
            assert given, f"message {code!r} is reported without its parameter {name!r}"
    return messages.render(code, params)


@pytest.fixture(autouse=True, scope="session")
def _every_message_is_filled_in():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(issues, "render", _checked_render)
        yield
