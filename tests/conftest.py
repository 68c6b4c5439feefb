from __future__ import annotations

import string

import pytest

from ocop_catalog import issues, messages
from scratch import Scratch, build_catalog


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
