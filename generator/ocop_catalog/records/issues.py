"""Problems found in records: where they are, how bad, and what to say.

An :class:`Issue` names the file, line, column and field path of a problem,
its severity and a message in English and Vietnamese, and carries the line of
the file it is on (:class:`Excerpt`, for the text report's caret line). A
:class:`Document` is one YAML file read with its locations; checks report
against it by field path and the document turns the path into a line and column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NamedTuple

from .messages import LANGUAGE_NAMES, LANGUAGE_TYPOS, render
from .yamlsource import Locations, Mark, split_lines

Severity = Literal["error", "warning"]

#: Codes that are warnings; every other code is an error.
WARNING_CODES = frozenset(
    {
        "missing_translation",
        "cert_expiring",
        "cert_expired",
        "photo_small",
        "photo_alt_missing",
        "legacy_district_mismatch",
        "commune_name_differs",
        "criteria_version_date",
        "no_decision",
        "decision_file_ignored",
        "processing_same_as_origin",
        "certification_expired",
        "safety_warning_missing",
        "lot_no_page",
    }
)


#: Codes about a whole file (or a folder), not a place in it: no line is shown.
WHOLE_FILE_CODES = frozenset(
    {
        "file_unreadable",
        "file_too_large",
        "empty_file",
        "missing_record",
        "cache_committed",
        "site_committed",
        "record_outside",
        "record_symlink",
        "decision_file_ignored",
        "unknown_producer",
        "price_missing",
    }
)

#: The longest stretch of a line an excerpt keeps (around the issue's column).
EXCERPT_WIDTH = 100


class Excerpt(NamedTuple):
    """The line of the file an issue is on, as written (when long, the part around the
    issue's column, cut with "…"), and the 0-based place in ``text`` of that column."""

    text: str
    caret: int


def excerpt_of(lines: Sequence[str], line: int, column: int) -> Excerpt | None:
    """The excerpt of 1-based ``line`` at ``column`` of ``lines``, or None if there is
    no such line."""
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    caret = min(max(column - 1, 0), len(text))
    if len(text) > EXCERPT_WIDTH:
        start = max(0, min(caret - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
        head = "…" if start else ""
        tail = "…" if start + EXCERPT_WIDTH < len(text) else ""
        text, caret = head + text[start:start + EXCERPT_WIDTH] + tail, caret - start + len(head)
    return Excerpt(text, caret)


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    line: int
    column: int
    field: str
    severity: Severity
    code: str
    message_en: str
    message_vi: str
    #: The line it is on (None: not known, or the issue is about the whole file).
    excerpt: Excerpt | None = field(default=None, compare=False, repr=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "severity": self.severity,
            "code": self.code,
            "message": {"en": self.message_en, "vi": self.message_vi},
        }


class IgnoredTexts(NamedTuple):
    """The texts of one file written in a language the site does not publish: left out
    of the catalog, kept in the file."""

    file: str
    lang: str
    count: int


@dataclass(frozen=True)
class Note:
    """A remark on the whole run, not a problem in a record: said once, it changes no
    exit status and is no warning (not even with ``--strict``)."""

    code: str
    message_en: str
    message_vi: str


def unpublished_note(ignored: Iterable[IgnoredTexts], languages: Iterable[str]) -> Note | None:
    """The one note saying how many texts in which unpublished languages were ignored
    (None: none were)."""
    ignored = list(ignored)
    if not ignored:
        return None
    by_lang: dict[str, int] = {}
    for item in ignored:
        by_lang[item.lang] = by_lang.get(item.lang, 0) + item.count

    def named(lang: str, vi: bool) -> str:
        names = LANGUAGE_NAMES.get(lang)
        return f"{lang} ({names[vi]})" if names else lang

    params = {
        "count": sum(by_lang.values()),
        "files": len({item.file for item in ignored}),
        "langs": ", ".join(f"{n} in {named(lang, False)}" for lang, n in sorted(by_lang.items())),
        "langs_vi": ", ".join(f"{n} bằng {named(lang, True)}"
                              for lang, n in sorted(by_lang.items())),
        "allowed": ", ".join(languages),
    }
    code = "unpublished_language"
    en, vi = render(code, params)
    return Note(code, _no_surrogates(en), _no_surrogates(vi))


def format_path(path: Iterable[Any]) -> str:
    """``('photos', 0, 'file')`` → ``photos[0].file``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    """``text`` with the bytes of a file name that is not UTF-8 (which Python keeps as
    lone surrogates, and no output can encode) written as ``\\xff``."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(
        lambda m: (f"\\x{ord(m.group()) - 0xDC00:02x}" if "\udc80" <= m.group() <= "\udcff"
                   else f"\\u{ord(m.group()):04x}"), text)


def did_you_mean(value: Any, choices: Iterable[Any]) -> tuple[str, str]:
    """English and Vietnamese ' (did you mean …?)' hints, or empty strings."""
    names = [str(c) for c in choices]
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f" (did you mean '{close[0]}'?)", f" (có phải ý bạn là '{close[0]}'?)"


def language_meant(key: str, languages: Iterable[str]) -> str | None:
    """The code of one of ``languages`` that the language key ``key`` was likely meant
    to be (``vn`` → ``vi``, ``eng`` → ``en``, ``cn`` → ``zh``, ``VI`` → ``vi``), or None."""
    languages = set(languages)
    lower = key.lower()
    if lower != key and lower in languages:
        return lower
    meant = LANGUAGE_TYPOS.get(lower)
    return meant if meant in languages and meant != key else None


@dataclass
class Document:
    """One record file as read: its data, locations and the issues found in it."""

    path: Path
    rel: str
    data: Any = None
    #: The file's text, for positions inside long values.
    source: str | None = None
    where: Locations = field(default_factory=Locations)
    issues: list[Issue] = field(default_factory=list)
    #: Texts left out because the site does not publish their language: language → count.
    ignored: dict[str, int] = field(default_factory=dict)
    #: The source's lines, split once (for :meth:`text_mark`), with the source they are of.
    _lines: tuple[str | None, list[str]] | None = field(default=None, repr=False, compare=False)

    def report(
        self,
        code: str,
        path: tuple[Any, ...] = (),
        *,
        key: bool = False,
        mark: Mark | None = None,
        **params: Any,
    ) -> None:
        """Record an issue at ``path`` (at the key itself when ``key``)."""
        where = mark or self.where.find(path, key=key)
        en, vi = render(code, params)
        severity: Severity = "warning" if code in WARNING_CODES else "error"
        excerpt = None
        if self.source is not None and code not in WHOLE_FILE_CODES:
            excerpt = excerpt_of(self._source_lines(), where.line, where.column)
        self.issues.append(Issue(
            _no_surrogates(self.rel), where.line, where.column,
            _no_surrogates(format_path(path)), severity, code, _no_surrogates(en),
            _no_surrogates(vi), excerpt,
        ))

    def text_mark(self, path: tuple[Any, ...], body: str, offset: int) -> Mark:
        """Where character ``offset`` of the text ``body`` at ``path`` stands in the file.

        Exact for one-line values and for literal blocks (``|``), where each line
        of the text is a line of the file; elsewhere (and whenever the file does not
        show that character there), the start of the value.
        """
        start = self.where.find(path)
        lines = self._source_lines()
        if not 0 < start.line <= len(lines):
            return start
        head = lines[start.line - 1][start.column - 1:]
        line_index = body.count("\n", 0, offset)
        in_line = offset - (body.rfind("\n", 0, offset) + 1)
        mark = start
        if head[:1] == "|":
            first = next((i for i in range(start.line, len(lines)) if lines[i].strip()), None)
            if first is None:
                return start
            indent = len(lines[first]) - len(lines[first].lstrip(" "))
            mark = Mark(start.line + 1 + line_index, indent + 1 + in_line)
        elif line_index == 0 and head[:1] not in (">", "'", '"'):
            mark = Mark(start.line, start.column + in_line)
        if mark.line > len(lines) or mark.column > len(lines[mark.line - 1]) + 1:
            return start
        shown = lines[mark.line - 1][mark.column - 1:mark.column]
        wanted = body[offset:offset + 1]
        if shown == wanted or (not shown and wanted in ("", "\n")):
            return mark
        return start

    def _source_lines(self) -> list[str]:
        if self._lines is None or self._lines[0] is not self.source:
            self._lines = (self.source, split_lines(self.source) if self.source else [])
        return self._lines[1]

    @property
    def has_errors(self) -> bool:
        return any(issue.is_error for issue in self.issues)


#: Largest file :func:`with_excerpts` reads for its lines (every record is smaller).
_EXCERPT_FILE_MAX = 4 * 2**20


def with_excerpts(issues: Iterable[Issue], root: Path) -> list[Issue]:
    """``issues``, each with the line it is on where it was not kept when it was found
    (a clash between records found after they were read in another process; a
    setting): read from its file under ``root``, once per file. Call it with the
    issues to be printed only."""
    cache: dict[str, list[str] | None] = {}
    done = []
    for issue in issues:
        if issue.excerpt is None and issue.code not in WHOLE_FILE_CODES:
            if issue.file not in cache:
                cache[issue.file] = _read_lines(root / issue.file)
            lines = cache[issue.file]
            if lines is not None:
                issue = replace(issue, excerpt=excerpt_of(lines, issue.line, issue.column))
        done.append(issue)
    return done


def _read_lines(path: Path) -> list[str] | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(_EXCERPT_FILE_MAX + 1)
        if len(data) > _EXCERPT_FILE_MAX:
            return None
        return split_lines(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
