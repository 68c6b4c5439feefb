"""The theme: page templates (``ocop/``), UI strings (``ocop/i18n/<lang>.yml``), label
fonts (``ocop/fonts/``), CSS and JavaScript (``assets/``) and Material overrides
(``main.html``).

The theme ships inside the package (:data:`PACKAGED`; in this repository it is the
``theme/`` folder). A catalog repository may hold an ``overrides/`` folder laid out
the same way: a file there replaces the packaged file with the same path, the way
Material's ``custom_dir`` works (:func:`theme_dirs`). Templates are loaded
autoescaped, strict about undefined names, and compiled once per build
(and their code kept for later builds in the same process: :class:`_CompiledTemplates`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import (BuiltinFunctionType, FunctionType, MappingProxyType, MethodDescriptorType,
                   MethodType, MethodWrapperType, WrapperDescriptorType)
from typing import TYPE_CHECKING, Any, get_args

import jinja2
import jinja2.bccache
import jinja2.runtime
import jinja2.utils

from ..catalog import certificates as certs
from ..records.text import DEFAULT_LANGUAGE
from .i18n import NATIVE_NAMES, SHORT_NAMES, Translator, load_strings, og_locale

if TYPE_CHECKING:
    from . import Edition

#: Certificate statuses, in the order pages explain them.
STATUSES = get_args(certs.Status)
#: The theme that ships in the package.
PACKAGED = Path(__file__).resolve().parent.parent / "theme"
#: The folder of a catalog repository whose files replace the packaged theme's.
OVERRIDES = "overrides"


def theme_dirs(root: Path) -> tuple[Path, ...]:
    """The theme folders of the catalog at ``root``, first wins: its ``overrides/``
    (when it has one), then the packaged theme."""
    overrides = root / OVERRIDES
    return (overrides, PACKAGED) if overrides.is_dir() else (PACKAGED,)


def find(dirs: Sequence[Path], rel: str) -> Path:
    """The theme file ``rel`` (e.g. ``assets/kiosk.js``) from the first folder that has
    it (the packaged one's path when none has: the caller's open() then says so)."""
    for folder in dirs:
        if (folder / rel).is_file():
            return folder / rel
    return dirs[-1] / rel


def theme_strings(dirs: Sequence[Path], languages: tuple[str, ...]
                  ) -> Mapping[str, Mapping[str, str]]:
    """UI strings per language: the packaged file's, with those of an override file of
    the same language on top (an override written for an older engine still has every
    string the templates ask for)."""
    strings: dict[str, Mapping[str, str]] = {}
    for lang in languages:
        merged: dict[str, str] = {}
        for folder in reversed(dirs):
            path = folder / "ocop" / "i18n" / f"{lang}.yml"
            if path.is_file():
                merged.update(load_strings(path.parent, (lang,))[lang])
        strings[lang] = MappingProxyType(merged)
    return MappingProxyType(strings)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates' compiled code, kept in this process for the next environment. A
    template's code is found by its name and file, the filters and tests of the
    environment (compiled code depends on them: a filter with constant arguments can run
    at compile time) and, checked by Jinja, the checksum of the source it was compiled
    from, so an edited template is compiled again; every environment
    :func:`environment` makes has the same settings. A build compiles a template once
    either way; 'ocop serve' builds again and again in one process, and compiling the
    theme took a third of a second of each rebuild."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        functions = sorted(f"{kind}:{key}={getattr(f, '__module__', '')}."
                           f"{getattr(f, '__qualname__', repr(f))}"
                           for kind, table in (("filter", environment.filters),
                                               ("test", environment.tests))
                           for key, f in table.items())
        key = self.get_cache_key(name, filename) + "/" + hashlib.sha1(
            "\n".join(functions).encode()).hexdigest()
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self.code.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


class _Template(jinja2.Template):
    """A template whose imports find the globals it lacks with a C set operation: Jinja
    takes ``set - template.globals.keys()``, and the keys of a ``ChainMap`` (what a
    template's globals are) make Python run that item by item (``Set.__rsub__``), for every
    import on every page (4% of rendering a product page). Same result."""

    def _get_default_module(self, ctx: jinja2.runtime.Context | None = None):
        if ctx is not None and not ctx.globals_keys.difference(self.globals):
            ctx = None  # nothing new: the module made once serves
        return super()._get_default_module(ctx)


class _Context(jinja2.runtime.Context):
    """A template context whose calls of plain functions and methods skip Jinja's search
    for a ``pass_context``-style marker, worked out once per function (a product page
    makes some 270 calls: translations, links, macros); what Jinja does with the others.
    Same result: the marker decides the first argument, Jinja's own keywords are dropped,
    a StopIteration is an undefined value."""

    @jinja2.utils.internalcode  # not shown in a template error's traceback, as Jinja's
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's
        kind = type(__obj)
        if kind in _BUILTINS:
            plain = True
        elif kind is MethodType:
            try:
                plain = _unmarked(__obj.__func__)
            except TypeError:  # a method of a callable that cannot be a dict key
                plain = False
        elif kind is FunctionType:
            plain = getattr(__obj, "jinja_pass_arg", None) is None
        elif kind in _UNMARKED_TYPES:
            plain = True
        else:
            plain = False
        if not plain:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


#: Callables that cannot carry Jinja's marker (no attributes of their own).
_BUILTINS = frozenset({BuiltinFunctionType, MethodWrapperType, WrapperDescriptorType,
                       MethodDescriptorType})
#: Functions whose methods were found without Jinja's marker.
_UNMARKED: dict[Any, bool] = {}


def _unmarked(function: Any) -> bool:
    found = _UNMARKED.get(function)
    if found is None:
        found = _UNMARKED[function] = getattr(function, "jinja_pass_arg", None) is None
    return found


#: Callable classes without the marker (nor their instances: Jinja's macros, translators).
_UNMARKED_TYPES = frozenset(kind for kind in (jinja2.runtime.Macro, Translator)
                            if getattr(kind.__call__, "jinja_pass_arg", None) is None)


def environment(edition: Edition, **globals: Any) -> jinja2.Environment:
    """A Jinja environment over the edition's theme; templates see the edition, its
    catalog and URLs, the status names, language names and ``globals``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder / "ocop") for folder in edition.theme_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
        bytecode_cache=_COMPILED,
    )
    env.template_class = _Template
    env.context_class = _Context
    env.globals.update(
        edition=edition,
        catalog=edition.catalog,
        urls=edition.urls,
        statuses=STATUSES,
        native_names=NATIVE_NAMES,
        short_names=SHORT_NAMES,
        default_lang=DEFAULT_LANGUAGE,
        today=edition.today,
        # the page frame (base.html): the authored pages in the menu, sharing tags
        authored_menu=tuple((page.slug, page.title_key) for page in edition.authored),
        og_locales={lang: og_locale(lang) for lang in edition.languages},
        social_image=edition.social_image,
        repo_url=edition.config.repo_url if edition.config.repo_url.startswith(
            ("https://", "http://")) else "",
        **globals,
    )
    return env
