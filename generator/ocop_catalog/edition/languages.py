"""Whether the site can speak each language it publishes.

A published language needs its UI strings (``ocop/i18n/<lang>.yml`` in the theme:
the catalog's ``overrides/`` or the packaged theme), the names of every category
in the taxonomy (each sector, group and criteria set of ``catalog/taxonomy/qd*.yml``)
and a Babel locale for its dates and prices. Without them its pages would silently
be in Vietnamese (or the build would fail half-way), so a language that lacks any
of them is one error, on the ``languages`` option of ``site_config.yml``, given by
``ocop validate`` and before a build writes anything (docs/architecture.md, "Add a
language").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from ..catalog.taxonomy import data_file, load_taxonomies
from ..records.issues import Document, Issue
from ..records.text import Localized
from ..records.yamlsource import Mark
from .i18n import LOCALES
from .theme import find

#: Where the UI strings of a language are, inside a theme folder.
STRINGS = "ocop/i18n/{lang}.yml"


@dataclass(frozen=True)
class LanguageGap:
    """What one published language lacks."""

    lang: str
    #: No UI strings file in any theme folder.
    no_strings: bool
    #: Taxonomy data files with category names missing in this language, and how many
    #: names are missing of how many.
    taxonomy_files: tuple[str, ...]
    names_missing: int
    names_total: int
    #: Babel knows no locale for it.
    no_locale: bool

    def __bool__(self) -> bool:
        return self.no_strings or bool(self.names_missing) or self.no_locale

    def missing(self) -> tuple[str, str]:
        """What is missing, in English and in Vietnamese."""
        en: list[str] = []
        vi: list[str] = []
        lang = self.lang
        if self.no_strings:
            path = STRINGS.format(lang=lang)
            en.append(f"no UI strings ({path} is in neither overrides/ nor the theme)")
            vi.append(f"chưa có chuỗi giao diện (không có {path} trong overrides/ lẫn theme)")
        if self.names_missing:
            files = ", ".join(self.taxonomy_files)
            if self.names_missing == self.names_total:
                en.append(f"no category names in the taxonomy (catalog/taxonomy/: {files})")
                vi.append(f"chưa có tên danh mục trong bảng phân loại (catalog/taxonomy/: "
                          f"{files})")
            else:
                en.append(f"no names for {self.names_missing} of the {self.names_total} "
                          f"categories in the taxonomy (catalog/taxonomy/: {files})")
                vi.append(f"thiếu tên của {self.names_missing} trên {self.names_total} danh "
                          f"mục trong bảng phân loại (catalog/taxonomy/: {files})")
        if self.no_locale:
            en.append("no Babel locale for its dates and prices (LOCALES in edition/i18n.py)")
            vi.append("không có locale Babel cho ngày tháng và giá (LOCALES trong "
                      "edition/i18n.py)")
        return _listed(en, " and "), _listed(vi, " và ")


def language_gaps(languages: Iterable[str], theme_dirs: Sequence[Path]) -> list[LanguageGap]:
    """What each of ``languages`` lacks, for those that lack something."""
    gaps = []
    for lang in languages:
        gap = _gap(lang, theme_dirs)
        if gap:
            gaps.append(gap)
    return gaps


def language_issues(config_file: Path, languages: Sequence[str],
                    theme_dirs: Sequence[Path], root: Path | None = None) -> list[Issue]:
    """One error per published language that lacks something, at the ``languages``
    option of the ``ocop`` plugin in ``config_file`` (named relative to ``root``)."""
    gaps = language_gaps(languages, theme_dirs)
    if not gaps:
        return []
    root = root or config_file.parent
    try:
        rel = config_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = config_file.as_posix()
    doc = Document(path=config_file, rel=rel)
    mark = languages_mark(config_file)
    for gap in gaps:
        en, vi = gap.missing()
        doc.report("language_unsupported", ("languages",), mark=mark, value=gap.lang,
                   allowed=", ".join(languages), missing=en, missing_vi=vi)
    return doc.issues


def languages_mark(config_file: Path) -> Mark:
    """Where the ``languages`` option of the ``ocop`` plugin is written in
    ``config_file`` (else the ``- ocop:`` line, else the top of the file)."""
    try:
        lines = config_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return Mark(1, 1)
    plugin = indent = None
    for number, line in enumerate(lines, 1):
        if plugin is None:
            if re.match(r"\s*-\s*ocop\s*:\s*(#.*)?$", line):
                plugin = number
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        own = len(line) - len(line.lstrip(" "))
        if indent is None:
            indent = own  # the indentation of the plugin's options
        if own < indent:
            break  # past the plugin's options
        if own == indent and re.match(r"languages\s*:", line[own:]):
            return Mark(number, own + 1)
    return Mark(plugin or 1, 1)


def _gap(lang: str, theme_dirs: Sequence[Path]) -> LanguageGap:
    rel = STRINGS.format(lang=lang)
    no_strings = not find(theme_dirs, rel).is_file()
    files: list[str] = []
    missing = total = 0
    for version, taxonomy in load_taxonomies().items():
        names = _names(taxonomy)
        absent = sum(1 for name in names if lang not in name)
        total += len(names)
        if absent:
            missing += absent
            files.append(data_file(version))
    try:
        Locale.parse(LOCALES.get(lang, lang))
        no_locale = False
    except (UnknownLocaleError, ValueError, TypeError):
        no_locale = True
    return LanguageGap(lang, no_strings, tuple(files), missing, total, no_locale)


def _listed(parts: list[str], last: str) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return last.join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def _names(taxonomy) -> list[Localized]:
    """The name of every sector, group and criteria set of a taxonomy, each once."""
    names: dict[tuple[str, str], Localized] = {}
    for sector in taxonomy.sectors:
        names[("sector", sector.id)] = sector.name
    for item in taxonomy.sets.values():
        names[("group", item.group.id)] = item.group.name
        names[("set", item.code)] = item.name
    return list(names.values())
