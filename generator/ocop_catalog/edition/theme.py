"""The theme's page templates (``<theme>/ocop/``), as every output that renders HTML
loads them: autoescaped, strict about undefined names, compiled once per build."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args

import jinja2

from ..catalog import certificates as certs
from ..records.text import DEFAULT_LANGUAGE
from .i18n import NATIVE_NAMES, SHORT_NAMES

if TYPE_CHECKING:
    from . import Edition

#: Certificate statuses, in the order pages explain them.
STATUSES = get_args(certs.Status)


def environment(edition: Edition, **globals: Any) -> jinja2.Environment:
    """A Jinja environment over the edition's theme; templates see the edition, its
    catalog and URLs, the status names, language names and ``globals``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(edition.theme_dir / "ocop")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
    )
    env.globals.update(
        edition=edition,
        catalog=edition.catalog,
        urls=edition.urls,
        statuses=STATUSES,
        native_names=NATIVE_NAMES,
        short_names=SHORT_NAMES,
        default_lang=DEFAULT_LANGUAGE,
        today=edition.today,
        **globals,
    )
    return env
