"""Errors the catalog core raises for its callers (the command line, the MkDocs plugin)."""

from __future__ import annotations


class OptionError(ValueError):
    """An option in site_config.yml is wrong; the message names it and says what is
    expected. ``ocop build`` and the MkDocs plugin report it as a build error, without a
    traceback."""
