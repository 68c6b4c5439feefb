"""The theme: page templates (``ocop/``), UI strings (``ocop/i18n/<lang>.yml``), label
fonts (``ocop/fonts/``), CSS and JavaScript (``assets/``) and Material overrides
(``main.html``).

The theme ships inside the package (:data:`PACKAGED`; in this repository it is the
``theme/`` folder). A catalog repository may hold an ``overrides/`` folder laid out
the same way: a file there replaces the packaged file with the same path, the way
Material's ``custom_dir`` works (:func:`theme_dirs`). Templates are loaded
autoescaped, strict about undefined names, and compiled once (their code kept for later
builds in the same process and, in the cache folder, for later processes:
:class:`_CompiledTemplates`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import (BuiltinFunctionType, FunctionType, MappingProxyType, MethodDescriptorType,
                   MethodType, MethodWrapperType, WrapperDescriptorType)
from typing import TYPE_CHECKING, Any, get_args

import jinja2
import jinja2.bccache
import jinja2.runtime
import jinja2.utils
import markupsafe
from jinja2 import meta

from ..catalog import certificates as certs
from ..housekeeping import no_links
from ..records.decoded import read_signed, stat_signature, write_signed
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
    """Templates' compiled code and the templates each one names, kept in this process for
    the next environment and in the cache folder for the next process
    (:func:`load_compiled`, :func:`save_compiled`). A template's code is found by its name
    and file, the filters and tests of the environment (compiled code depends on them: a
    filter with constant arguments can run at compile time) and, checked by Jinja, the
    checksum of the source it was compiled from, so an edited template is compiled again;
    and by the environment's settings that shape compiled code (:func:`_compile_settings`:
    syntax, whitespace, extensions, autoescaping), since MkDocs' environment, which renders
    the authored pages, keeps its code here too. A build compiles a template once either
    way; compiling and parsing the theme took 0.4 s of every ``ocop build`` (whatever the
    catalog's size), and a third of a second of each rebuild of 'ocop serve' (MkDocs'
    templates another 0.03 s of each)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}
        #: (name, file) → (SHA-256 of the source, the templates it names; None: by a variable)
        self.references: dict[tuple[str, str], tuple[str, tuple[str | None, ...]]] = {}
        #: Something compiled or parsed since the store was read or written.
        self.changed = False
        #: The stat signature of the store as this process last read or wrote it, by path.
        self.seen: dict[str, list[int] | None] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        key = self.get_cache_key(name, filename) + "/" + hashlib.sha1(
            "\n".join([*_functions(environment), *_compile_settings(environment, name)]
                      ).encode()).hexdigest()
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self.code.get(bucket.key)
        if found is not None:  # Jinja checks its format and the source's checksum
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()
        self.changed = True

    def referenced(self, environment: jinja2.Environment, name: str, file: str | None,
                   source: str) -> tuple[str | None, ...]:
        """The templates ``source`` names (None: one named by a variable), parsed with its
        name and file so that a syntax error says where it is."""
        checksum = hashlib.sha256(source.encode("utf-8")).hexdigest()
        found = self.references.get((name, file or ""))
        if found is not None and found[0] == checksum:
            return found[1]
        names = tuple(meta.find_referenced_templates(environment.parse(source, name, file)))
        self.references[(name, file or "")] = (checksum, names)
        self.changed = True
        return names


def _compile_settings(environment: jinja2.Environment, name: str) -> list[str]:
    """What else of an environment the code it compiles ``name`` to depends on: its class,
    syntax, whitespace handling, extensions and their settings, what undefined values are
    and how output is finalized (both used when constants are folded at compile time),
    and whether the template autoescapes (MkDocs' environment, which renders the authored
    pages, shares the store with the catalog's)."""
    e = environment
    autoescape = e.autoescape(name) if callable(e.autoescape) else e.autoescape
    return [f"setting:{value!r}" for value in (
        _function_id(type(e)), e.block_start_string, e.block_end_string,
        e.variable_start_string, e.variable_end_string, e.comment_start_string,
        e.comment_end_string, e.line_statement_prefix, e.line_comment_prefix,
        e.trim_blocks, e.lstrip_blocks, e.newline_sequence, e.keep_trailing_newline,
        e.optimized, e.is_async, bool(autoescape), sorted(e.extensions),
        _function_id(e.undefined), _function_id(e.finalize) if e.finalize else None,
        getattr(e, "newstyle_gettext", None),
        sorted((key, _function_id(value) if callable(value) else repr(value))
               for key, value in e.policies.items()))]


def _functions(environment: jinja2.Environment) -> list[str]:
    """The environment's filters and tests as compiled code may depend on them (a filter
    with constant arguments can run at compile time), worked out again only when they
    are not the ones of the last call for this environment."""
    tables = (("filter", environment.filters), ("test", environment.tests))
    now = tuple((kind, key, id(f)) for kind, table in tables for key, f in table.items())
    found = _FUNCTIONS.get(environment)
    if found is None or found[0] != now:
        found = _FUNCTIONS[environment] = (now, sorted(
            f"{kind}:{key}={_function_id(f)}" for kind, table in tables
            for key, f in table.items()))
    return found[1]


_FUNCTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _function_id(f: Any) -> str:
    """A filter, test or class as compiled code may depend on it: where it is defined, how
    Jinja passes it arguments, and the content of its module's file (a library upgraded,
    a hook edited), the same in every process."""
    module = getattr(f, "__module__", None) or ""
    name = getattr(f, "__qualname__", None) or type(f).__qualname__
    return f"{module}.{name}:{getattr(f, 'jinja_pass_arg', '')}:{_module_digest(module)}"


def _module_digest(module: str) -> str:
    """The SHA-256 of the file ``module`` was loaded from (empty when it has none), worked
    out once per file, size and modification time."""
    path = getattr(sys.modules.get(module), "__file__", None)
    if not path:
        return ""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    key = (path, st.st_size, st.st_mtime_ns)
    found = _MODULE_DIGESTS.get(key)
    if found is None:
        try:
            found = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            found = ""
        _MODULE_DIGESTS[key] = found
    return found


_MODULE_DIGESTS: dict[tuple[str, int, int], str] = {}


_COMPILED = _CompiledTemplates()


def compiled_templates() -> jinja2.BytecodeCache:
    """The store of compiled templates this process shares between environments
    (:func:`load_compiled`, :func:`save_compiled`)."""
    return _COMPILED


def referenced(environment: jinja2.Environment, name: str, file: str | None,
               source: str) -> tuple[str | None, ...]:
    """The templates ``source`` names (None: one named by a variable), remembered by
    source for later environments and builds (:func:`load_compiled`)."""
    return _COMPILED.referenced(environment, name, file, source)


#: The folder of the store of compiled templates in a build's cache folder (this user's
#: alone), the store and the file vouching for it.
STORE_DIR = "templates"
STORE = "compiled.bin"
STORE_SIGNATURE = "compiled.signature"
#: The most a store may hold to be read.
MAX_STORE_BYTES = 64 << 20
STORE_FORMAT = 1


def _store_version() -> str:
    """What compiled code depends on besides the templates: this package's code (the
    environment's settings, filters run at compile time), Jinja's and Python's versions."""
    from .keys import code_key  # keys imports this module

    return hashlib.sha256(f"{STORE_FORMAT}\0{code_key()}\0{jinja2.__version__}\0"
                          f"{sys.version}".encode()).hexdigest()


def _own(path: Path, folder: bool) -> bool:
    """Whether ``path`` is a folder (``folder``) or a file of this user's that no one else
    may write (not a link: looked at as itself)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    kind = stat.S_ISDIR(st.st_mode) if folder else stat.S_ISREG(st.st_mode)
    return kind and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _store_folder(cache_dir: Path, root: Path) -> Path | None:
    """The store's folder in ``cache_dir`` if code may be read from it and kept there: this
    user's, written by no one else, reached through no symbolic link below ``root`` (a
    pull request can commit ``.cache`` as a link to a folder someone else can write);
    None otherwise, and where there are no such owners (not POSIX: no store)."""
    folder = Path(cache_dir) / STORE_DIR
    if not hasattr(os, "geteuid") or not no_links(folder, root):
        return None
    return folder if _own(folder, folder=True) else None


def load_compiled(cache_dir: Path, root: Path, into: _CompiledTemplates = _COMPILED) -> None:
    """Take the templates compiled by earlier builds from the store in ``cache_dir``. The
    store holds code, which is run: it is read only from a folder of this user's that no
    one else may write, reached through no link below the catalog's ``root``
    (:func:`_store_folder`), while it is this user's and has the stat signature this
    program recorded beside it when it wrote it (:func:`read_signed`: a store committed by
    a pull request or restored from a cache has another; the change time is set by the
    kernel), and only when it was written by this code under this Jinja and Python.
    Anything else is ignored, and the templates are compiled as if there were no store."""
    folder = _store_folder(cache_dir, root)
    if folder is None:
        return
    path = folder / STORE
    signature = stat_signature(path)
    if signature is None or into.seen.get(str(path)) == signature:
        return  # no store, or the one this process read or wrote last
    if not _own(path, folder=False):
        return
    data = read_signed(path, MAX_STORE_BYTES, folder / STORE_SIGNATURE)
    if data is None:
        return
    header, _, blobs = data.partition(b"\n")
    try:
        found = json.loads(header)
        if found.get("version") != _store_version():
            return
        code, references, offset = {}, {}, 0
        for key, size in found["code"]:
            if type(key) is not str or type(size) is not int or size < 0:
                return
            code[key] = blobs[offset:offset + size]
            offset += size
        if offset != len(blobs):
            return
        for name, file, checksum, names in found["references"]:
            if not (type(name) is type(file) is type(checksum) is str and type(names) is list
                    and all(n is None or type(n) is str for n in names)):
                return
            references[(name, file)] = (checksum, tuple(names))
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return
    for key, blob in code.items():
        into.code.setdefault(key, blob)
    for where, entry in references.items():
        into.references.setdefault(where, entry)
    into.seen[str(path)] = signature


def save_compiled(cache_dir: Path, root: Path,
                  compiled: _CompiledTemplates = _COMPILED) -> None:
    """Keep the templates this process compiled or parsed in the store in ``cache_dir``
    for the next build: when something is new, or the store is not the one this process
    read or wrote last (nothing when the cache cannot be written, or its folder is not one
    to read code from: :func:`_store_folder`)."""
    folder = Path(cache_dir) / STORE_DIR
    path = folder / STORE
    if not compiled.changed and compiled.seen.get(str(path)) == stat_signature(path):
        return
    code = sorted(compiled.code.items())
    header = json.dumps({
        "version": _store_version(),
        "code": [[key, len(blob)] for key, blob in code],
        "references": [[name, file, checksum, list(names)] for (name, file), (checksum, names)
                       in sorted(compiled.references.items())]}, ensure_ascii=True)
    with contextlib.suppress(OSError):
        if not folder.exists() and no_links(folder.parent, root):
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)  # whatever the umask
        if _store_folder(cache_dir, root) is None:
            return
        write_signed(path, b"\n".join([header.encode("ascii"), b"".join(b for _, b in code)]),
                     folder / STORE_SIGNATURE)
        compiled.changed = False
        compiled.seen[str(path)] = stat_signature(path)


class _Template(jinja2.Template):
    """A template whose imports find the globals it lacks with a C set operation: Jinja
    takes ``set - template.globals.keys()``, and the keys of a ``ChainMap`` (what a
    template's globals are) make Python run that item by item (``Set.__rsub__``), for every
    import on every page (4% of rendering a product page). Same result.

    Its code escapes what it prints with :func:`_printed` instead of MarkupSafe's
    ``escape``, which makes a ``Markup`` of every value printed, only for it to be joined
    into the page's text (a tenth of rendering a page)."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        # the compiled code calls "escape" only for what an expression prints (Jinja's
        # CodeGenerator._output_child_pre), and looks it up in this namespace when it runs
        if namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = _printed
        return super()._from_namespace(environment, namespace, globals)

    def _get_default_module(self, ctx: jinja2.runtime.Context | None = None):
        if ctx is not None and not ctx.globals_keys.difference(self.globals):
            ctx = None  # nothing new: the module made once serves
        return super()._get_default_module(ctx)


def _printed(value: Any) -> str:
    """What a template prints for ``value``, escaped as MarkupSafe's ``escape`` does (and
    with its result's text), as a plain string when that is what it makes: a string's
    text escaped, markup's as it is, anything else by ``escape`` (numbers, undefined
    values: a strict one raises as it did)."""
    kind = type(value)
    if kind is str:
        return _escape_text(value)
    if kind is markupsafe.Markup:
        return value
    return markupsafe.escape(value)


try:  # MarkupSafe's C escaping of a string into a string (what its escape() wraps)
    from markupsafe import _escape_inner as _escape_text
except ImportError:  # pragma: no cover - another MarkupSafe
    _escape_text = markupsafe.escape


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
