"""The MkDocs plugin: a thin adapter between MkDocs and the catalog core.

MkDocs renders the authored pages in ``catalog/`` (about OCOP, reading the
mark…), one Markdown file per language: ``x.md`` is Vietnamese, ``en/x.md`` and
``zh/x.md`` its translations. The plugin

- validates the records when the build starts and stops it on errors, with
  the same messages as ``ocop validate``;
- renders each authored page in the catalog's own frame (``theme/main.html``
  extends ``ocop/base.html``: the catalog pages' header, menu and footer, with
  its language, language switch and hreflang links), not Material's, whose
  static files it leaves out of the site; the 404 page is the catalog's too
  (written with the catalog pages);
- after MkDocs is done, publishes the catalog and writes every output (photos,
  pages, search, sitemap, print assets, feeds) through :func:`ocop_catalog.pipeline.build`.

Catalog pages never enter MkDocs' page pipeline or navigation.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import jinja2
import material
from babel import localedata
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files

from .catalog.model import Catalog
from .cli import format_issue, format_note, format_text, said
from .parallel import collector_off, unfreeze
from .records.history import CATALOG_JSON, from_catalog_json
from .records.loader import load_catalog
from .settings import CONFIG_FILE, DEFAULT_CACHE_DIR, Settings, settings_from_options
from .errors import OptionError
from .housekeeping import committed, committed_message
from .edition import Authored, EditionConfig
from .edition.images import ImageError, parse_media_options
from .edition.i18n import NATIVE_NAMES, SHORT_NAMES, Translator, og_locale
from .edition.languages import language_issues
from .edition.identity import parse_identity
from .edition.targets import parse_targets
from .edition.social import social_image
from .edition.theme import (STATUSES, compiled_templates, load_compiled, theme_dirs,
                            theme_strings)
from .edition.urls import Urls, relative
from .outputs.feeds.options import feed_options
from .outputs.site.opendata import FeedLinks
from .reuse import Reuse, file_clock
from .pipeline import build, check_options
from .records.text import DEFAULT_LANGUAGE, is_language_code

log = logging.getLogger("mkdocs.plugins.ocop")

#: The warnings about the records that the last build of a catalog (by its folder) in
#: this process reported (what each says, :func:`.cli.said`, and how many times), for the
#: catalogs :func:`say_warnings_once` names.
_SAID: dict[str, Counter] = {}


def say_warnings_once(root: Path) -> None:
    """Builds of the catalog in ``root`` in this process show in full only the warnings
    about its records that the previous one did not (``ocop serve``, which builds after
    every save: what a save caused is not lost among hundreds of lines it did not); the
    others are counted. Errors are always shown."""
    _SAID[str(Path(root).resolve())] = Counter()


#: The catalogs (by folder) whose next build says nothing of the records' warnings when
#: they are the ones the build before reported (:func:`say_nothing_again`).
_QUIET: set[str] = set()


def say_nothing_again(root: Path) -> None:
    """The next build of the catalog in ``root`` in this process (one :func:`say_warnings_once`
    names) reports nothing of its records when they have no error and the warnings the
    build before reported (``ocop serve``'s second build after an edit, of the records its
    first build has just reported on)."""
    _QUIET.add(str(Path(root).resolve()))


#: Data files in docs_dir that are read by the loader, not published as-is.
DATA_SUFFIXES = (".yml", ".yaml")
#: Material's folder: its static files (stylesheets, scripts, search workers, favicon)
#: are not used by the catalog's frame and stay out of the site.
MATERIAL = Path(material.__file__).resolve().parent / "templates"
#: Pages MkDocs would render from the theme that the catalog writes itself (the 404
#: page, in every language, with the catalog pages; sitemap.xml, with every page).
CATALOG_TEMPLATES = ("404.html", "sitemap.xml")
#: The style sheet for Material's pages that 'ocop init' listed in extra_css (until the
#: authored pages took the catalog's frame, whose ocop.css styles them): left out of
#: extra_css unless the catalog has its own in overrides/, so that no page asks for it.
FORMER_EXTRA_CSS = "assets/ocop-material.css"


class OcopConfig(base.Config):
    # the catalog settings (ocop_catalog.settings.Settings, also read by 'ocop validate')
    enabled = c.Type(bool, default=True)
    languages = c.Type(list, default=list(Settings.languages))
    translation_warnings = c.Type(list, default=list(Settings.translation_warnings))
    photo_max_bytes = c.Type(int, default=Settings.photo_max_bytes)
    photo_max_pixels = c.Type(int, default=Settings.photo_max_pixels)
    photo_min_side = c.Type(int, default=Settings.photo_min_side)
    expiry_warning_days = c.Type(int, default=Settings.expiry_warning_days)
    build_date = c.Optional(c.Type(str))
    cache_dir = c.Type(str, default=DEFAULT_CACHE_DIR)
    concurrency = c.Optional(c.Type(int))
    search = c.Type(bool, default=True)
    featured = c.Type((int, list), default=8)  # how many, or product ids (outputs/site)
    listing_page_size = c.Type(int, default=48)
    # where product pages' "report wrong information" link leads (outputs/site/report.py)
    report_url = c.Optional(c.Type(str))
    print_assets = c.Type(dict, default={})
    feeds = c.Type(dict, default={})
    # the site being replaced, whose feeds/catalog.json says what is already published
    # (ocop_catalog.records.history); 'ocop build' sets it, else site_dir's is read
    published = c.Optional(c.Type(str))
    # set by 'ocop build': the published site and its files' keys, to take over what did
    # not change, and the spare the catalog's files go to ({"previous": dir, "keys_in":
    # file, "keys_out": file, "site": dir, "spare": its files' keys}; build.py, reuse.py)
    incremental = c.Optional(c.Type(dict))
    # whose catalog this is: name, region, office… (ocop_catalog.edition.identity)
    identity = c.Optional(c.Type(dict))
    # the GitHub team that reviews every change ("@org/ocop-office"): 'ocop codeowners'
    office_team = c.Optional(c.Type(str))
    # the office's targets per plan period or year (ocop_catalog.edition.targets)
    targets = c.Optional(c.Type(list))
    # what every photo is published as: WebP widths, JPEG fallbacks… (edition/images.py)
    media = c.Optional(c.Type(dict))
    # the open data page: licence, contact, how often the site is rebuilt
    # (ocop_catalog.outputs.site.opendata)
    open_data = c.Optional(c.Type(dict))
    authored_pages = c.Type(
        list, default=[{"slug": "about-ocop", "title": "nav.about"},
                       {"slug": "ocop-mark", "title": "nav.mark"}]
    )


class OcopPlugin(BasePlugin[OcopConfig]):
    def __init__(self) -> None:
        self.catalog: Catalog | None = None
        self.root = Path.cwd()
        self.published: Path | None = None
        self.authored: list[tuple[str, dict[str, str]]] = []
        #: The keys of the files the last build made or took over (incremental builds).
        self.written_keys: dict[str, str] | None = None
        #: The files the last build wrote from the previous day's with the build day's text.
        self.redated_files: set[str] = set()
        #: The outputs the last build left to the next one (``ocop serve``'s first build
        #: after an edit: ``pipeline.build``'s ``defer``), by name.
        self.deferred: list[str] = []

    # ----------------------------------------------------------------------
    # Events
    # ----------------------------------------------------------------------

    def on_config(self, config):
        if not self.config.enabled:
            return config
        self.root = Path(config.config_file_path).resolve().parent
        self.published = Path(self.config.published or Path(config.site_dir) / CATALOG_JSON)
        self.urls = Urls(tuple(self.config.languages), config.site_url or "")
        # the theme (a catalog's overrides/, then the packaged one) for MkDocs too: its
        # CSS and JavaScript, and main.html over Material's for the authored pages
        self.theme_dirs = theme_dirs(self.root)
        for folder in reversed(self.theme_dirs):
            if str(folder) not in config.theme.dirs:
                config.theme.dirs.insert(0, str(folder))
        for name in CATALOG_TEMPLATES:
            config.theme.static_templates.discard(name)
        _unlisted_material(config.theme)
        if not any((folder / FORMER_EXTRA_CSS).is_file() for folder in self.theme_dirs):
            config.extra_css = [css for css in config.extra_css if css != FORMER_EXTRA_CSS]
        try:
            self.identity = parse_identity(self.config.identity, tuple(self.config.languages))
            self.targets = parse_targets(self.config.targets, tuple(self.config.languages))
            self.media = parse_media_options(self.config.media)
        except OptionError as exc:
            raise PluginError(str(exc)) from None
        self.strings = self.identity.apply(theme_strings(self.theme_dirs,
                                                         tuple(self.config.languages)))
        self.authored = []
        # the catalog core logs under "ocop_catalog" (what feeds left out and why, ...):
        # show it the way MkDocs shows its own messages (and count warnings for --strict)
        core, mkdocs_log = logging.getLogger("ocop_catalog"), logging.getLogger("mkdocs")
        core.setLevel(mkdocs_log.getEffectiveLevel())  # -q / -v as for MkDocs
        for handler in mkdocs_log.handlers:
            if handler not in core.handlers:
                core.addHandler(handler)
        core.propagate = False
        # a cache a pull request committed is not one to take drawn labels, processed
        # photos or stored page parts from: stop, saying how to remove it
        tracked = committed(self.root, self.cache_dir)
        if tracked:
            raise PluginError(committed_message(self.root, self.cache_dir, tracked))
        # wrong options of an output stop the build now, not after every page is written
        try:
            self.output_options = check_options(dict(self.config), tuple(self.config.languages),
                                                self.root)
        except OptionError as exc:
            raise PluginError(str(exc)) from None
        return config

    def on_files(self, files: Files, config) -> Files:
        """Validate the catalog; keep its data files out of the published site."""
        if not self.config.enabled:
            return files
        # a published language the theme or the taxonomy cannot speak: stop before any page
        unsupported = language_issues(Path(config.config_file_path or self.root / CONFIG_FILE),
                                      tuple(self.config.languages), self.theme_dirs, self.root)
        if unsupported:
            raise PluginError("\n".join(format_issue(i) for i in unsupported))
        # the catalog lives as long as the build: kept from the collector's walks (and
        # worker processes from copying its pages for them) from the moment it is loaded
        with collector_off():  # the published site's claims: tree-shaped, like the catalog
            result = load_catalog(self.settings, freeze=True)
        root = str(self.root)
        quiet = root in _QUIET
        _QUIET.discard(root)
        warnings = Counter(said(i) for i in result.issues if not i.is_error)
        if result.issues and not (quiet and not result.errors and warnings == _SAID.get(root)):
            report = format_text(result.issues, before=_SAID.get(root))
            (log.error if result.errors else log.warning)("catalog records:\n" + report)
        if root in _SAID:
            _SAID[root] = warnings
        note = result.note()  # texts in languages the site does not publish: said once
        if note is not None:
            log.info("catalog records:\n" + format_note(note).rstrip("\n"))
        if result.catalog is None:
            raise PluginError(
                f"the catalog has {len(result.errors)} error(s); nothing was built "
                f"(run 'ocop validate' for the list)"
            )
        self.catalog = result.catalog
        unpublished = []
        for file in list(files):
            if file.src_uri.endswith(DATA_SUFFIXES) or file.src_uri.startswith("ocop/"):
                files.remove(file)
            elif _material_static(file):
                files.remove(file)
            elif self._unpublished_language(file.src_uri):  # catalog/<lang>/…, lang not published
                files.remove(file)
                if file.is_documentation_page():
                    unpublished.append(file.src_uri)
        if unpublished:
            docs = Path(config.docs_dir).name
            log.info("authored pages in languages the site does not publish (languages: %s) "
                     "were not built: %s", ", ".join(self.config.languages),
                     ", ".join(f"{docs}/{src}" for src in unpublished))
        return files

    def on_env(self, env: jinja2.Environment, config, files) -> jinja2.Environment:
        """Let MkDocs render the authored pages in the catalog's frame: ``main.html``
        extends ``ocop/base.html``, whose partials are looked up in ``ocop/`` first (as for
        the catalog pages), autoescaped (MkDocs' own environment escapes nothing)."""
        if not self.config.enabled:
            return env
        env.loader = jinja2.ChoiceLoader([
            jinja2.FileSystemLoader([str(folder / "ocop") for folder in self.theme_dirs]),
            env.loader])
        env.autoescape = _frame_template
        env.trim_blocks = env.lstrip_blocks = True
        if env.bytecode_cache is None:
            # the code earlier builds compiled (and 'ocop serve''s earlier rebuilds, in
            # this process), kept with the catalog's templates' when the build is done
            load_compiled(self.cache_dir, self.root)
            env.bytecode_cache = compiled_templates()
        env.globals.update(
            urls=self.urls, catalog=self.catalog, statuses=STATUSES,
            native_names=NATIVE_NAMES, short_names=SHORT_NAMES, default_lang=DEFAULT_LANGUAGE,
            authored_menu=tuple((p["slug"], p["title"]) for p in self.config.authored_pages),
            og_locales={lang: og_locale(lang) for lang in self.config.languages},
            social_image=social_image(self.strings.get(DEFAULT_LANGUAGE, {}),
                                      config.site_url or "", self.theme_dirs),
            # the feeds a page's head links to, as on the catalog pages
            feed_links=FeedLinks.of(feed_options(dict(self.config), tuple(self.config.languages)),
                                    tuple(self.config.languages), config.site_url or ""),
            repo_url=config.repo_url if (config.repo_url or "").startswith(
                ("https://", "http://")) else "")
        return env

    def on_page_context(self, context: dict[str, Any], page, config, nav):
        """Give an authored page what the catalog's frame needs: its language, UI strings,
        links relative to it, and its translations (language switch, hreflang)."""
        if not self.config.enabled:
            return context
        lang, path = self._split(page.url)
        alternates = self._alternates(path, page.file.src_uri, config)
        t = Translator(lang, self.strings)
        url = page.url
        context.update(t=t, ui=t.ui, lang=lang, url=url, alternates=alternates,
                       rel=lambda target: relative(url, target))
        self.authored.append((page.url, alternates))
        return context

    @event_priority(-50)  # after other plugins have written their files
    def on_post_build(self, config) -> None:
        self.redated_files = set()  # MkDocs may keep a plugin for the next build
        if not self.config.enabled or self.catalog is None:
            return
        edition = EditionConfig(
            site_url=config.site_url or "",
            theme_dirs=self.theme_dirs,
            authored=tuple(Authored(p["slug"], p["title"]) for p in self.config.authored_pages),
            extra_pages=tuple(self.authored),
            print_options=self.config.print_assets,
            root=self.root,
            strings=self.strings,
            identity=self.identity,
            targets=self.targets,
            media=self.media,
            repo_url=config.repo_url or "",
            repo_branch=repo_branch(config.edit_uri),
        )
        incremental = self.config.incremental or {}
        # 'ocop build' may give the catalog's files a folder of their own: the spare, an
        # earlier site brought up to date (MkDocs' few files join them after the build)
        site_dir = Path(incremental.get("site") or config.site_dir)
        spare, spare_spans = incremental.get("spare"), incremental.get("spare_spans")
        made = incremental.get("spare_made")
        # a spare 'ocop build' makes of the published site while the records load, waited
        # for; one it could not make: the catalog's files go with MkDocs' (build.py)
        linked = callable(made) and made() is not None
        if callable(made) and not linked:
            site_dir, spare, spare_spans = Path(config.site_dir), None, None
        reuse = None
        if incremental.get("keys_out"):
            previous, keys_in = incremental.get("previous"), incremental.get("keys_in")
            reuse = Reuse.load(site_dir, Path(previous) if previous else None,
                               Path(keys_in) if keys_in else None,
                               spare if isinstance(spare, dict) else None,
                               spare_spans if isinstance(spare_spans, dict) else None)
            reuse.restored = _hashes(incremental.get("stores"))  # fragments.vouched_stores
        cache_dir = self.cache_dir
        # read beside the spare: its file system dates the files prune compares
        started = file_clock(site_dir.parent) if reuse is not None and reuse.has_spare else 0
        try:
            report = build(self.catalog, site_dir, edition, self.output_options,
                           cache_dir=cache_dir, workers=self.config.concurrency, info=log.info,
                           reuse=reuse, defer=incremental.get("defer") is True)
            self.deferred = report.deferred
            if reuse is not None:
                if reuse.has_spare:
                    gone = reuse.prune(started)
                    log.info(f"spare site: {reuse.kept} files kept as they were, "
                             f"{gone} deleted" + ("; made of the published site's files, "
                                                  "there being no spare" if linked else ""))
                reuse.save(Path(incremental["keys_out"]))
                self.written_keys = reuse.keys  # 'ocop build' tells the spare's files by them
                self.redated_files = reuse.redated
        except OptionError as exc:  # an option that names catalog records (featured)
            raise PluginError(str(exc)) from None
        except ImageError as exc:  # validation decodes photos too: a last line of defence
            raise PluginError(f"a photo cannot be used: {exc} (run 'ocop validate')") from None
        except jinja2.TemplateError as exc:  # a theme file, e.g. one in overrides/
            raise PluginError(f"a theme template has an error: {_template_error(exc)}") from None
        finally:
            if not incremental:
                # run by MkDocs itself ('mkdocs serve' builds again in its process): the
                # catalog load_catalog froze goes back to the collector ('ocop build' and
                # 'ocop serve' leave that to build_site's caller: see its docstring)
                unfreeze()

    def on_build_error(self, error) -> None:
        unfreeze()  # a build stopped after the catalog was loaded (and frozen)

    def on_serve(self, server, config, builder):
        """Rebuild when a record or photo changes, too."""
        for path in (*(self.root / f for f in ("products", "catalog")), *self.theme_dirs):
            if path.is_dir():
                server.watch(str(path))
        return server

    # ----------------------------------------------------------------------
    # Helpers
    # ----------------------------------------------------------------------

    @property
    def cache_dir(self) -> Path:
        """The build's cache folder (the ``cache_dir`` option, from the catalog's root)."""
        return self.root / self.config.cache_dir

    @property
    def settings(self) -> Settings:
        # the memos the record of the site 'ocop build' takes over vouches for
        # (build.vouched_memos)
        restored = _hashes((self.config.incremental or {}).get("memos"))
        return settings_from_options(self.root, dict(self.config),
                                     cache_dir=self.config.cache_dir,
                                     published=from_catalog_json(
                                         self.published, self.cache_dir)
                                     if self.published else None,
                                     restored=restored or None)

    def _unpublished_language(self, src_uri: str) -> bool:
        """Whether ``src_uri`` is in a folder of authored pages (``en/``, ``zh/``…) of a
        language the site does not publish: a folder named with a language code Babel
        knows (so ``img/`` or ``js/`` are not taken for languages)."""
        head, sep, _ = src_uri.partition("/")
        return (bool(sep) and head not in self.config.languages and head != DEFAULT_LANGUAGE
                and is_language_code(head) and localedata.exists(head.replace("-", "_")))

    def _split(self, url: str) -> tuple[str, str]:
        """(language, language-independent path) of a page URL."""
        head, _, rest = url.partition("/")
        if head in self.config.languages and head != DEFAULT_LANGUAGE:
            return head, rest
        return DEFAULT_LANGUAGE, url

    def _alternates(self, path: str, src_uri: str, config) -> dict[str, str]:
        """Translations of an authored page that exist, by language."""
        docs = Path(config.docs_dir)
        _, rel_src = self._split(src_uri)
        result = {}
        for lang in self.config.languages:
            if (docs / self.urls.at(lang, rel_src)).is_file():
                result[lang] = self.urls.at(lang, path)
        return result


class _ThemeLoader(jinja2.FileSystemLoader):
    """MkDocs' loader of the theme's templates (the same folders), listing the files of
    every folder but Material's: MkDocs lists a theme's files to publish its static ones,
    and Material's (its CSS, JavaScript and 14,000 icons) are left out of the site
    (:meth:`OcopPlugin.on_files`), yet walking them took 0.08 s of every build and of
    every rebuild of ``ocop serve``."""

    def list_templates(self) -> list[str]:
        listed = [folder for folder in self.searchpath
                  if not Path(folder).resolve().is_relative_to(MATERIAL)]
        return jinja2.FileSystemLoader(listed).list_templates()


def _unlisted_material(theme) -> None:
    """Make ``theme``'s environments (MkDocs' :meth:`~mkdocs.theme.Theme.get_env`) load
    with a :class:`_ThemeLoader`."""
    made = theme.get_env

    def get_env() -> jinja2.Environment:
        env = made()
        loader = env.loader
        if type(loader) is jinja2.FileSystemLoader:  # as MkDocs makes it: the theme's folders
            env.loader = _ThemeLoader(loader.searchpath, loader.encoding, loader.followlinks)
        return env

    theme.get_env = get_env


def _material_static(file) -> bool:
    """Whether ``file`` is one of Material's static files (the site does without them)."""
    return Path(file.abs_src_path or "").resolve().is_relative_to(MATERIAL)


def _frame_template(name: str | None) -> bool:
    """Whether MkDocs' environment autoescapes the template ``name``: the catalog's frame
    (``main.html`` and the ``ocop/`` templates it extends and includes), not the theme's
    own XML templates."""
    return name is not None and name.endswith(".html")


#: The ``edit_uri`` MkDocs assumes for a GitHub ``repo_url`` when none is written.
_MKDOCS_EDIT_URI = "edit/master/docs/"


def repo_branch(edit_uri: str | None) -> str:
    """The branch changes are proposed to: the one in ``edit_uri`` (``edit/<branch>/…``,
    ``blob/<branch>/…``) when the catalog writes one, else ``main`` (MkDocs' own guess,
    ``edit/master/docs/``, names neither the branch nor the folder of a catalog)."""
    parts = (edit_uri or "").strip("/").split("/")
    if edit_uri in (None, "", _MKDOCS_EDIT_URI) or len(parts) < 2 or parts[0] not in (
            "edit", "blob", "tree"):
        return "main"
    return parts[1]


def _template_error(exc: jinja2.TemplateError) -> str:
    """``file:line: message`` of a template error, also when it was raised in a worker
    process (then the line is read from the worker's traceback)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}: {exc.message}"
    frames = traceback.extract_tb(exc.__traceback__)
    text = "".join(traceback.format_list(frames)) + str(exc.__cause__ or "")
    found = re.findall(r'File "([^"]+\.(?:html|xml|txt))", line (\d+)', text)
    where = f"{found[-1][0]}:{found[-1][1]}: " if found else ""
    return f"{where}{exc.message or type(exc).__name__}"


def _hashes(value: Any) -> dict[str, str]:
    """The SHA-256 hashes by name that ``ocop build``'s ``incremental`` option gives (the
    stores or memos the record of the site it takes over vouches for): text values only,
    whatever a hand-written option holds."""
    if not isinstance(value, dict):
        return {}
    return {name: sha for name, sha in value.items() if type(name) is str and type(sha) is str}
