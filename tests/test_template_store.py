"""The store of compiled templates in the cache folder (``ocop_catalog.edition.theme``).

A build keeps the code Jinja compiled and the templates each template names, so that the
next ``ocop build`` (a new process) compiles nothing that did not change. The store holds
code that is run, so it is read only as this program wrote it: a copy (what a pull request
can commit, or a restored CI cache) is not, nor one in a folder others may write or reached
through a link (a pull request can commit ``.cache`` as one), nor a store of other code,
nor a damaged one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest
from ocop_catalog.edition import theme
from ocop_catalog.records.decoded import write_signed

PAGE = '{% extends "base.html" %}{% block main %}{{ name | upper }} ✓{% endblock %}'
BASE = "<main>{% block main %}{% endblock %}</main>{% include 'foot.html' %}"
FOOT = "<footer>{{ year }}</footer>"


def _theme(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("page.html", PAGE), ("base.html", BASE), ("foot.html", FOOT)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _env(folder: Path, compiled: theme._CompiledTemplates) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                              bytecode_cache=compiled)


class _Compiles:
    """Counts what Jinja compiles and parses (a template taken from the store is neither)."""

    def __init__(self, monkeypatch) -> None:
        self.compiled: list[str | None] = []
        self.parsed: list[str | None] = []
        compile_, parse = jinja2.Environment.compile, jinja2.Environment.parse

        def counting_compile(env, source, name=None, filename=None, *args, **kwargs):
            self.compiled.append(name)
            return compile_(env, source, name, filename, *args, **kwargs)

        def counting_parse(env, source, name=None, filename=None):
            self.parsed.append(name)
            return parse(env, source, name, filename)

        monkeypatch.setattr(jinja2.Environment, "compile", counting_compile)
        monkeypatch.setattr(jinja2.Environment, "parse", counting_parse)


def _build(folder: Path, cache: Path, compiled: theme._CompiledTemplates) -> tuple[str, tuple]:
    """What a build does with the store: read it, render, name references, keep it."""
    theme.load_compiled(cache, cache.parent, compiled)
    env = _env(folder, compiled)
    html = env.get_template("page.html").render(name="mật ong", year=2026)
    source, file, _ = env.loader.get_source(env, "base.html")
    refs = compiled.referenced(env, "base.html", file, source)
    theme.save_compiled(cache, cache.parent, compiled)
    return html, refs


def test_a_later_process_takes_compiled_templates_and_references_from_the_store(
        tmp_path, monkeypatch):
    folder, cache = _theme(tmp_path / "theme"), tmp_path / "cache"
    first = _build(folder, cache, theme._CompiledTemplates())
    assert first == ("<main>MẬT ONG ✓</main><footer>2026</footer>", ("foot.html",))
    store = cache / theme.STORE_DIR
    assert (store / theme.STORE).is_file() and (store / theme.STORE_SIGNATURE).is_file()
    assert store.stat().st_mode & 0o777 == 0o700  # this user's alone

    counts = _Compiles(monkeypatch)  # a new process: nothing in memory, the store on disk
    assert _build(folder, cache, theme._CompiledTemplates()) == first
    assert counts.compiled == [] and counts.parsed == []

    # an edited template is compiled (and parsed) again; the others still come from the store
    (folder / "base.html").write_text(BASE.replace("<main>", "<main class=x>"), "utf-8")
    html, refs = _build(folder, cache, theme._CompiledTemplates())
    assert html.startswith("<main class=x>MẬT ONG") and refs == ("foot.html",)
    assert counts.compiled == ["base.html"] and counts.parsed == ["base.html"]


def test_a_copied_store_is_not_read(tmp_path, monkeypatch):
    """A store committed by a pull request, or restored from a CI cache, is a copy: its
    signature (inode, change time) is not the one recorded when it was written."""
    folder, cache = _theme(tmp_path / "theme"), tmp_path / "cache"
    _build(folder, cache, theme._CompiledTemplates())
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(cache, elsewhere)
    counts = _Compiles(monkeypatch)
    _build(folder, elsewhere, theme._CompiledTemplates())
    assert sorted(counts.compiled) == ["base.html", "foot.html", "page.html"]


def test_a_store_others_may_write_or_reached_through_a_link_is_not_read(tmp_path,
                                                                        monkeypatch):
    """Signed by whoever wrote it (anyone who can write a file can stat it): code is read
    only from this user's folder that no one else may write, reached through no link."""
    folder, cache = _theme(tmp_path / "theme"), tmp_path / "cache"
    _build(folder, cache, theme._CompiledTemplates())
    counts = _Compiles(monkeypatch)
    # the catalog's .cache a link to a folder elsewhere (as a pull request can commit it)
    elsewhere = tmp_path / "shared-cache"
    cache.rename(elsewhere)
    cache.symlink_to(elsewhere, target_is_directory=True)
    compiled = theme._CompiledTemplates()
    theme.load_compiled(cache, tmp_path, compiled)
    assert compiled.code == {}
    theme.load_compiled(elsewhere, tmp_path, compiled)  # the same store, not through a link
    assert compiled.code
    # the store's folder or file writable by others (a change of mode changes the file's
    # signature too, so each is looked at on a store just written)
    store = elsewhere / theme.STORE_DIR
    for path, mode in ((store, 0o770), (store, 0o702), (store / theme.STORE, 0o664)):
        _build(folder, elsewhere, theme._CompiledTemplates())  # a store it reads
        path.chmod(mode)
        compiled = theme._CompiledTemplates()
        theme.load_compiled(elsewhere, tmp_path, compiled)
        assert compiled.code == {}, (path.name, oct(mode))
        path.chmod(0o700 if path == store else 0o644)
    assert counts.compiled == []


def test_a_store_of_other_code_or_damaged_is_not_used(tmp_path, monkeypatch):
    folder, cache = _theme(tmp_path / "theme"), tmp_path / "cache"
    _build(folder, cache, theme._CompiledTemplates())
    counts = _Compiles(monkeypatch)

    # written by another version of this package (or of Jinja, or Python)
    monkeypatch.setattr(theme, "_store_version", lambda: "another version")
    compiled = theme._CompiledTemplates()
    theme.load_compiled(cache, tmp_path, compiled)
    assert compiled.code == {} and compiled.references == {}
    monkeypatch.undo()

    # damaged, though signed: headers and lengths that do not hold, code Jinja cannot load
    store = cache / theme.STORE_DIR / theme.STORE
    signature = cache / theme.STORE_DIR / theme.STORE_SIGNATURE
    good = store.read_bytes()
    header, _, blobs = good.partition(b"\n")
    for bad in (b"", b"not json\n", header + b"\n" + blobs[:-1], b"[]\n" + blobs,
                header.replace(b'"code": [[', b'"code": [[7, ') + b"\n" + blobs):
        write_signed(store, bad, signature)
        compiled = theme._CompiledTemplates()
        theme.load_compiled(cache, tmp_path, compiled)
        assert compiled.code == {}, bad[:60]
    # a well-formed store whose code is not what Jinja wrote: each template is compiled again
    write_signed(store, header + b"\n" + b"\0" * len(blobs), signature)
    counts = _Compiles(monkeypatch)
    html, _ = _build(folder, cache, theme._CompiledTemplates())
    assert html == "<main>MẬT ONG ✓</main><footer>2026</footer>"
    assert sorted(counts.compiled) == ["base.html", "foot.html", "page.html"]


def test_a_store_that_cannot_be_written_stops_nothing(tmp_path):
    folder = _theme(tmp_path / "theme")
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert _build(folder, blocked, theme._CompiledTemplates())[0].startswith("<main>")
    # a store folder that is not this user's alone is not written into either
    cache = tmp_path / "cache"
    (cache / theme.STORE_DIR).mkdir(parents=True, mode=0o777)
    (cache / theme.STORE_DIR).chmod(0o777)
    assert _build(folder, cache, theme._CompiledTemplates())[0].startswith("<main>")
    assert not (cache / theme.STORE_DIR / theme.STORE).exists()


@pytest.mark.parametrize("name", ["page.html", "base.html"])
def test_a_syntax_error_is_still_said_where_it_is(tmp_path, name):
    """References are parsed with the template's name and file, from the store or not."""
    folder, cache = _theme(tmp_path / "theme"), tmp_path / "cache"
    _build(folder, cache, theme._CompiledTemplates())
    (folder / name).write_text("{% block main %}{% if %}{% endblock %}", "utf-8")
    compiled = theme._CompiledTemplates()
    theme.load_compiled(cache, tmp_path, compiled)
    env = _env(folder, compiled)
    source, file, _ = env.loader.get_source(env, name)
    with pytest.raises(jinja2.TemplateSyntaxError) as error:
        compiled.referenced(env, name, file, source)
    assert error.value.name == name and error.value.lineno == 1


def test_environments_of_other_settings_do_not_share_code(tmp_path, monkeypatch):
    """MkDocs' environment (the authored pages) shares the store with the catalog's: a
    template compiled under other settings (whitespace, autoescaping, syntax) is compiled
    again, not taken with code that would render it otherwise; the same settings in a
    later process take it from the store."""
    folder, cache = _theme(tmp_path / "theme"), tmp_path / "cache"
    (folder / "space.html").write_text("{% if x %}\n  <b>{{ x }}</b>\n{% endif %}\n", "utf-8")
    kinds = {"plain": {}, "trimmed": {"trim_blocks": True, "lstrip_blocks": True},
             "escaped": {"autoescape": True},
             "by name": {"autoescape": lambda name: name.endswith(".html")}}
    seen = {}
    for kind, settings in kinds.items():
        compiled = theme._CompiledTemplates()
        theme.load_compiled(cache, tmp_path, compiled)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)),
                                 bytecode_cache=compiled, **settings)
        seen[kind] = env.get_template("space.html").render(x="<i>")
        theme.save_compiled(cache, tmp_path, compiled)
    assert seen == {"plain": "\n  <b><i></b>\n", "trimmed": "  <b><i></b>\n",
                    "escaped": "\n  <b>&lt;i&gt;</b>\n", "by name": "\n  <b>&lt;i&gt;</b>\n"}
    counts = _Compiles(monkeypatch)
    for kind, settings in kinds.items():
        compiled = theme._CompiledTemplates()
        theme.load_compiled(cache, tmp_path, compiled)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)),
                                 bytecode_cache=compiled, **settings)
        assert env.get_template("space.html").render(x="<i>") == seen[kind]
    assert counts.compiled == []


def test_what_constants_fold_to_is_part_of_the_key(tmp_path):
    """Jinja folds constant output at compile time with the environment's ``finalize`` and
    ``undefined``: code compiled under one is never taken by an environment of another."""
    folder, cache = _theme(tmp_path / "theme"), tmp_path / "cache"
    (folder / "const.html").write_text('[{{ none }}|{{ "x".nope }}]', "utf-8")

    def render(**settings) -> str:
        compiled = theme._CompiledTemplates()
        theme.load_compiled(cache, tmp_path, compiled)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)),
                                 bytecode_cache=compiled, **settings)
        try:
            return env.get_template("const.html").render()
        except jinja2.UndefinedError:
            return "undefined"
        finally:
            theme.save_compiled(cache, tmp_path, compiled)

    def blank(value):
        return "" if value is None else value

    assert render() == "[None|]"
    assert render(finalize=blank) == "[|]"
    assert render(undefined=jinja2.StrictUndefined) == "undefined"
    assert render() == "[None|]"  # taken from the store, as it was compiled
