"""What a build changed, as a folder a reviewer can open (``ocop preview``).

A pull request's check builds the site on the last publish run's site (the starter's
``pull-request.yml``) and used to keep the whole site as its artifact: about 0.74 MB a
product, uploaded and stored for every pull request. The preview keeps what the pull
request changes instead: every file of the new site that is not, byte for byte, the file
of the same path in the site it replaced (:func:`site_changes`), the files the changed
pages show (their style sheets, scripts, photos and QR codes: :func:`shown_by`), and a
page listing them (``theme/ocop/preview.html``, in the theme's
``ocop/preview/<lang>.yml`` strings) with links a browser opens from the unpacked folder.

A file the build took over from the site it replaced is the same file (a hard link, or
the same content): the comparison goes by inode first and reads the two files only when
they are not one and have the same size. A build on a later day than the site it replaced
writes every product and lot page again with the day's text (they say the day their
certificate was checked): the build keeps the list beside its record
(:func:`.housekeeping.remember_redated`), and those pages are counted apart, not copied,
when that list is of this site, written from the site ``--before`` holds.
"""

from __future__ import annotations

import html.parser
import os
import posixpath
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import jinja2

from .housekeeping import REDATED_SUFFIX, lines_digest, redated_files, site_line, walk_order
from .report import Strings, strings_from

#: The page that lists the changes, at the top of the preview folder (a site's own files
#: are ``index.html`` in folders, never this name).
PAGE = "_preview.html"
#: The page copied, unchanged, to show a changed style sheet or script no changed page loads.
HOME = "index.html"
#: Where the preview's strings are, in each theme folder.
STRINGS_DIR = Path("ocop") / "preview"
#: The template of :data:`PAGE`, in ``ocop/`` of the theme folders.
TEMPLATE = "preview.html"

#: Link relations whose target a page needs to show as it will look.
_SHOWN_RELS = frozenset({"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload",
                         "manifest"})
#: What a style sheet loads: ``url(…)`` and ``@import "…"``.
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
#: At most this many bytes of a page are read for its title and what it shows.
_PAGE_LIMIT = 8 << 20


class PreviewError(Exception):
    """A preview that cannot be made; the message says why and what to do, in Vietnamese
    and English."""


@dataclass(frozen=True)
class Changes:
    """The files of a new site against the site it replaced, by path (POSIX, relative)."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    #: Changed only by the build day's text (counted apart, not in :attr:`made`).
    redated: tuple[str, ...] = ()

    @property
    def made(self) -> tuple[str, ...]:
        """Added and changed, in path order."""
        return tuple(sorted((*self.added, *self.changed)))


@dataclass(frozen=True)
class Page:
    """A changed page as the preview lists it."""

    path: str  # as text to show
    href: str
    title: str
    lang: str
    added: bool
    rel: str  # as the file system names it


@dataclass(frozen=True)
class Preview:
    changes: Changes
    pages: tuple[Page, ...]
    other: tuple[tuple[str, str], ...]  # changed files that are not pages: path, href
    shown: int  # unchanged files copied because a changed page shows them
    files: int
    size: int
    #: Unchanged pages copied to show changed style sheets or scripts no changed page loads.
    showing: tuple[Page, ...] = ()


def site_files(folder: Path, others: list[str] | None = None) -> dict[str, os.stat_result]:
    """Every regular file under ``folder`` by its POSIX path relative to it (nothing when
    there is no such folder); what is neither a file nor a folder (a symbolic link…) is
    left out, and its path added to ``others``."""
    found: dict[str, os.stat_result] = {}
    if not folder.is_dir():
        return found
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((prefix + entry.name + "/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    found[prefix + entry.name] = entry.stat(follow_symlinks=False)
                elif others is not None:
                    others.append(prefix + entry.name)
    return found


def walk_digest(files: Mapping[str, os.stat_result]) -> str:
    """The digest a build records for a site of ``files`` (:class:`.build._SiteWalk`)."""
    return lines_digest(site_line(rel, files[rel]) for rel in sorted(files, key=walk_order))


def site_changes(before: Path | None, site: Path,
                 files: dict[str, os.stat_result] | None = None,
                 old: dict[str, os.stat_result] | None = None,
                 redated: frozenset[str] = frozenset(), others: Iterable[str] = ()
                 ) -> Changes:
    """The files of ``site`` (``files``: its files, if listed already) added to, changed
    from and removed from ``before`` (``old``: its files; no ``before``: every file is
    new); a changed file of ``redated`` is counted as such; ``others``: what the site has
    at a path that is not a file (a symbolic link where a file was: not removed)."""
    if old is None:
        old = site_files(before) if before is not None else {}
    new = site_files(site) if files is None else files
    added, changed, dated, unchanged = [], [], [], 0
    for rel in sorted(new):
        was = old.get(rel)
        if was is None:
            added.append(rel)
        elif _same(was, new[rel], os.path.join(before, rel), os.path.join(site, rel)):
            unchanged += 1
        else:
            (dated if rel in redated else changed).append(rel)
    removed = tuple(sorted(old.keys() - new.keys() - set(others)))
    return Changes(tuple(added), tuple(changed), removed, unchanged, tuple(dated))


def _same(was: os.stat_result, now: os.stat_result, old: str, new: str) -> bool:
    if was.st_ino == now.st_ino and was.st_dev == now.st_dev:
        return True  # one file: taken over by a hard link
    if was.st_size != now.st_size:
        return False
    with open(old, "rb") as a, open(new, "rb") as b:
        while True:
            one, two = a.read(1 << 16), b.read(1 << 16)
            if one != two:
                return False
            if not one:
                return True


class _PageReader(html.parser.HTMLParser):
    """A page's language, title and the files it loads to show itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title: list[str] = []
        self.urls: list[str] = []
        self._in_title = False
        self._titled = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "html" and not self.lang:
            self.lang = found.get("lang", "")
        elif tag == "title" and not self._titled:
            self._in_title = True
        elif tag in ("img", "source", "script", "video", "audio", "input"):
            for name in ("src", "poster"):
                if found.get(name):
                    self.urls.append(found[name])
        elif tag == "link" and _SHOWN_RELS & set(found.get("rel", "").lower().split()):
            if found.get("href"):
                self.urls.append(found["href"])
            if found.get("imagesrcset"):
                self.urls.extend(_candidates(found["imagesrcset"]))
        if tag in ("img", "source") and found.get("srcset"):
            self.urls.extend(_candidates(found["srcset"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title, self._titled = False, True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def _candidates(srcset: str) -> list[str]:
    """The URLs of a ``srcset`` ("url 360w, url 720w"; a URL of ours has no comma)."""
    return [part.split()[0] for part in srcset.split(",") if part.split()]


def _read_page(path: Path, read: dict[Path, _PageReader] | None = None) -> _PageReader:
    """What :class:`_PageReader` finds in the page at ``path`` (kept in ``read``); as much
    as it found when the page is not HTML it can read to the end."""
    found = read.get(path) if read is not None else None
    if found is None:
        found = _PageReader()
        try:
            with path.open("rb") as fh:
                found.feed(fh.read(_PAGE_LIMIT).decode("utf-8", errors="replace"))
            found.close()
        except (AssertionError, ValueError):  # markup the parser gives up on
            pass
        if read is not None:
            read[path] = found
    return found


def _resolve(rel: str, url: str) -> str | None:
    """The site path ``url`` names from the file ``rel``: None for another host, a data
    URL, a fragment, a URL that is not one, or a path that leaves the site."""
    try:
        parts = urlsplit(url.strip().replace("\\", "/"))  # a browser reads \ as /
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(
        posixpath.dirname(rel), path)
    found = posixpath.normpath(joined)
    if found in (".", "") or found.startswith("../") or found == "..":
        return None
    return found + "/index.html" if path.endswith("/") else found


def shown_by(site: Path, rels: Iterable[str], files: dict[str, os.stat_result],
             read: dict[Path, _PageReader] | None = None) -> set[str]:
    """The files of ``site`` (``files``: its files) that the pages and style sheets
    ``rels`` load to show themselves, and what those style sheets load in turn (pages
    read are kept in ``read``)."""
    found: set[str] = set()
    pending = [rel for rel in rels if rel.endswith((".html", ".css"))]
    seen = set(pending)
    while pending:
        rel = pending.pop()
        if rel.endswith(".html"):
            urls = _read_page(site / rel, read).urls
        else:
            with (site / rel).open("rb") as fh:
                text = fh.read(_PAGE_LIMIT).decode("utf-8", errors="replace")
            urls = [m[2] or m[4] for m in _CSS_URL.finditer(text)]
        for url in urls:
            target = _resolve(rel, url)
            if target is None or target not in files:
                continue
            found.add(target)
            if target.endswith(".css") and target not in seen:
                seen.add(target)
                pending.append(target)
    return found


def _href(rel: str) -> str:
    """A relative link to the file ``rel`` (its name's bytes, as the file system has them)."""
    return quote(os.fsencode(rel), safe="/")


def _text(rel: str) -> str:
    """``rel`` as text to show (a name that is not UTF-8 with its bytes replaced)."""
    return os.fsencode(rel).decode("utf-8", errors="replace")


def _page(site: Path, rel: str, read: dict[Path, _PageReader], added: bool) -> Page:
    """The page ``rel`` as :data:`PAGE` lists it: by its title (else its path)."""
    reader = _read_page(site / rel, read)
    title = " ".join("".join(reader.title).split()) or _text(rel)
    return Page(_text(rel), _href(rel), title, reader.lang, added, rel)


def _refuse_folders(before: Path | None, site: Path, into: Path) -> None:
    """Raise :class:`PreviewError` for folders that cannot be compared or written."""
    if not site.is_dir():
        raise PreviewError(
            f"không có trang đã dựng ở {site}: hãy chạy 'ocop build' trước / no built site "
            f"at {site}: run 'ocop build' first")
    if before is not None and before.exists() and not before.is_dir():
        raise PreviewError(
            f"{before} không phải thư mục; --before là bản sao của trang trước khi dựng (cp -al "
            f"site site-before) / {before} is not a folder; --before is a copy of the site "
            f"made before the build (cp -al site site-before)")
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise PreviewError(
            f"{into} đã có và không trống; hãy chọn một thư mục mới (không ghi đè gì) / "
            f"{into} exists and is not empty; choose a new folder (nothing is overwritten)")
    here, built = into.resolve(), site.resolve()
    for folder in (site, before):
        if folder is not None and (here == folder.resolve() or folder.resolve() in here.parents):
            raise PreviewError(
                f"{into} là hoặc nằm trong {folder}; hãy chọn thư mục ở ngoài / {into} is "
                f"{folder} or inside it; choose a folder outside it")
    if before is not None and before.is_dir():
        was = before.resolve()
        if was == built or was in built.parents or built in was.parents:
            raise PreviewError(
                f"--before {before} và trang {site} là một hoặc nằm trong nhau; --before là "
                f"bản sao của trang trước khi dựng / --before {before} and the site {site} "
                f"are one folder or one holds the other; --before is a copy of the site made "
                f"before the build (cp -al site site-before)")


def write_preview(before: Path | None, site: Path, into: Path, strings: Strings,
                  theme_dirs: Sequence[Path], record: Path | None = None) -> Preview:
    """Write into the folder ``into`` (new, or empty) copies of the files of ``site`` that
    differ from ``before``'s, of the files the changed pages show, and :data:`PAGE`;
    ``record``: the record of ``site``'s builds (:func:`.housekeeping.record_of`), for the
    pages its last build wrote again for the day only. Raises :class:`PreviewError` when
    it cannot, with nothing written."""
    _refuse_folders(before, site, into)
    others: list[str] = []
    files = site_files(site, others)
    if PAGE in files or PAGE in others or (site / PAGE).is_dir():
        raise PreviewError(
            f"trang đã dựng có {PAGE}, trùng tên trang xem trước / the built site has "
            f"{PAGE}, the preview page's name: rename it")
    old_others: list[str] = []
    old = site_files(before, old_others) if before is not None else {}
    redated: frozenset[str] = frozenset()
    if record is not None and before is not None and not others and not old_others \
            and record.with_name(record.stem + REDATED_SUFFIX).is_file():
        redated = redated_files(record, walk_digest(files), walk_digest(old))
    changes = site_changes(before, site, files, old, redated, others)
    made, read = changes.made, {}
    added = set(changes.added)
    pages = tuple(_page(site, rel, read, rel in added) for rel in made if rel.endswith(".html"))
    by_pages = shown_by(site, [page.rel for page in pages], files, read)
    shown = by_pages | shown_by(site, [rel for rel in made if rel.endswith(".css")], files,
                                read)  # and what the changed style sheets load
    # a style sheet or script changed that no changed page loads (a theme or engine
    # update): the home page, unchanged, to see it at work
    showing: tuple[Page, ...] = ()
    if HOME in files and HOME not in made and any(
            rel.endswith((".css", ".js")) and rel not in by_pages for rel in made):
        showing = (_page(site, HOME, read, False),)
        shown |= {HOME} | shown_by(site, [HOME], files, read)
    shown -= set(made)
    copied = sorted({*made, *shown})
    other = tuple((_text(rel), _href(rel)) for rel in made if not rel.endswith(".html"))
    preview = Preview(changes, pages, other, len(shown), len(copied),
                      sum(files[rel].st_size for rel in copied), showing)
    try:  # the page first: a template that fails leaves nothing written
        text = _environment(theme_dirs).get_template(TEMPLATE).render(
            t=strings, lang=strings.lang, preview=preview,
            compared=before is not None and before.is_dir(),
            removed=tuple(_text(rel) for rel in changes.removed))
    except (jinja2.TemplateError, UnicodeDecodeError, OSError) as exc:
        where = getattr(exc, "filename", None) or TEMPLATE
        raise PreviewError(
            f"không dựng được trang xem trước từ {where} ({type(exc).__name__}: {exc}); "
            f"hãy sửa hoặc xóa bản thay thế trong overrides/ / cannot render the preview "
            f"page from {where} ({type(exc).__name__}: {exc}); fix or remove the override "
            f"in overrides/") from None
    created = not into.exists()
    try:
        into.mkdir(parents=True, exist_ok=True)
        for rel in copied:  # copies: a preview file edited in place is not the site's
            target = into / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / rel, target)
        (into / PAGE).write_text(text, encoding="utf-8")
    except BaseException:  # nothing half written is left: the folder was new or empty
        if created:
            shutil.rmtree(into, ignore_errors=True)
        elif into.is_dir():
            for entry in into.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        raise
    return preview


def _environment(theme_dirs: Sequence[Path]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder / "ocop") for folder in theme_dirs]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)


def preview_strings(theme_dirs: Sequence[Path], lang: str) -> Strings:
    """The preview page's strings from the theme folders (a catalog's ``overrides/``
    first)."""
    return strings_from(theme_dirs, lang, STRINGS_DIR, "docs/review.md")
