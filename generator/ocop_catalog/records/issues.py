"""Problems found in records: where they are, how bad, and what to say.

An :class:`Issue` names the file, line, column and field path of a problem,
its severity and a message in English and Vietnamese. A :class:`Document` is
one YAML file read with its locations; checks report against it by field path
and the document turns the path into a line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .messages import render
from .yamlsource import Locations, Mark

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
        "criteria_version_date",
    }
)


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


def format_path(path: Iterable[Any]) -> str:
    """``('photos', 0, 'file')`` → ``photos[0].file``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(value: Any, choices: Iterable[Any]) -> tuple[str, str]:
    """English and Vietnamese ' (did you mean …?)' hints, or empty strings."""
    names = [str(c) for c in choices]
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f" (did you mean '{close[0]}'?)", f" (có phải ý bạn là '{close[0]}'?)"


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
        self.issues.append(
            Issue(self.rel, where.line, where.column, format_path(path), severity, code, en, vi)
        )

    @property
    def has_errors(self) -> bool:
        return any(issue.is_error for issue in self.issues)
