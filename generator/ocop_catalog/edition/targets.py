"""The office's targets: the ``targets:`` option of the ``ocop`` plugin.

Provincial OCOP plans set numbers for a plan period (e.g. 2021–2025) or a year: new
products rated 3★ or more, at 4★, at 5★, new economic organisations, display and
sales points. The statistics page and ``ocop report`` show the progress against
them (:mod:`.figures`)::

    targets:
      - name: {vi: Kế hoạch 189/KH-UBND, en: Plan 189/KH-UBND}   # optional
        from: 2021              # plan period, years included (or  year: 2026)
        to: 2025
        products_3_stars: 80    # any of the indicators below, whole numbers
        products_5_stars: 3
        producers: 20
        sales_points: 12

:func:`parse_targets` checks them and raises :class:`TargetsError` (an
:class:`~ocop_catalog.errors.OptionError`) with a message in Vietnamese and English
naming the entry, the key and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import OptionError
from ..records.text import DEFAULT_LANGUAGE

#: The indicators a target may set, in the order pages and reports show them.
INDICATORS: tuple[str, ...] = ("products_3_stars", "products_4_stars", "products_5_stars",
                               "producers", "sales_points")
FIRST_YEAR, LAST_YEAR = 2018, 2100  # OCOP began in 2018 (QĐ 490/QĐ-TTg)
MAX_TARGETS = 50
MAX_NUMBER = 1_000_000


class TargetsError(OptionError):
    """A wrong ``targets:`` option."""


@dataclass(frozen=True)
class Target:
    """One plan period's (or one year's) targets."""

    start: int
    end: int
    #: Indicator → number, in :data:`INDICATORS` order.
    numbers: Mapping[str, int] = field(default_factory=dict)
    #: The plan's name by language (optional; pages name the period otherwise).
    name: Mapping[str, str] = field(default_factory=dict)

    def name_in(self, lang: str) -> str:
        return self.name.get(lang) or self.name.get(DEFAULT_LANGUAGE, "")


def _fail(where: str, vi: str, en: str) -> TargetsError:
    return TargetsError(f"{where}: {vi}\n    {where}: {en} (docs/configuration.md, 'targets')")


def parse_targets(value: Any, languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)
                  ) -> tuple[Target, ...]:
    """The checked ``targets:`` option (None or absent: no targets)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail("targets", "cần một danh sách chỉ tiêu, mỗi mục bắt đầu bằng '- '",
                    "expected a list of targets, each item starting with '- '")
    if len(value) > MAX_TARGETS:
        raise _fail("targets", f"tối đa {MAX_TARGETS} mục, có {len(value)}",
                    f"at most {MAX_TARGETS} items, there are {len(value)}")
    return tuple(_target(item, f"targets[{i}]", languages) for i, item in enumerate(value))


def _year(item: Mapping, key: str, where: str) -> int:
    year = item[key]
    if isinstance(year, bool) or not isinstance(year, int) \
            or not FIRST_YEAR <= year <= LAST_YEAR:
        raise _fail(f"{where}.{key}", f"cần một năm từ {FIRST_YEAR} đến {LAST_YEAR}, "
                    f"không phải {year!r}",
                    f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, not {year!r}")
    return year


def _target(item: Any, where: str, languages: tuple[str, ...]) -> Target:
    if not isinstance(item, dict):
        raise _fail(where, "cần các dòng 'khóa: giá trị' (from, to hoặc year, và chỉ tiêu)",
                    "expected key: value lines (from and to, or year, and the indicators)")
    known = {"name", "from", "to", "year", *INDICATORS}
    unknown = sorted(str(k) for k in item if k not in known)
    if unknown:
        listed = ", ".join(sorted(known))
        raise _fail(f"{where}.{unknown[0]}", f"khóa không có; các khóa được dùng: {listed}",
                    f"unknown key; known keys: {listed}")
    if "year" in item:
        if "from" in item or "to" in item:
            raise _fail(where, "ghi hoặc year (một năm), hoặc from và to (một giai đoạn), "
                        "không ghi cả hai", "give either year (one year) or from and to "
                        "(a period), not both")
        start = end = _year(item, "year", where)
    elif "from" in item and "to" in item:
        start, end = _year(item, "from", where), _year(item, "to", where)
        if end < start:
            raise _fail(f"{where}.to", f"năm kết thúc ({end}) trước năm bắt đầu ({start})",
                        f"the end year ({end}) is before the start year ({start})")
    else:
        raise _fail(where, "thiếu năm: ghi year: 2026, hoặc from: 2021 và to: 2025",
                    "no years: write year: 2026, or from: 2021 and to: 2025")
    numbers = {}
    for key in INDICATORS:
        if key not in item:
            continue
        number = item[key]
        if isinstance(number, bool) or not isinstance(number, int) \
                or not 0 < number <= MAX_NUMBER:
            raise _fail(f"{where}.{key}", f"cần một số nguyên dương, không phải {number!r}",
                        f"expected a whole number above 0, not {number!r}")
        numbers[key] = number
    if not numbers:
        listed = ", ".join(INDICATORS)
        raise _fail(where, f"chưa có chỉ tiêu nào; ghi ít nhất một trong: {listed}",
                    f"no indicator is given; write at least one of: {listed}")
    return Target(start, end, MappingProxyType(numbers), _name(item.get("name"), where,
                                                               languages))


def _name(value: Any, where: str, languages: tuple[str, ...]) -> Mapping[str, str]:
    if value is None:
        return MappingProxyType({})
    if isinstance(value, str):
        value = {DEFAULT_LANGUAGE: value}
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() and len(v) <= 200
            for k, v in value.items()):
        raise _fail(f"{where}.name", "cần tên theo ngôn ngữ, ví dụ {vi: Kế hoạch 189/KH-UBND}"
                    " (tối đa 200 ký tự)", "expected a name per language, e.g. "
                    "{vi: Kế hoạch 189/KH-UBND} (at most 200 characters)")
    if DEFAULT_LANGUAGE not in value:
        raise _fail(f"{where}.name", f"thiếu tên tiếng Việt ({DEFAULT_LANGUAGE}:)",
                    f"the Vietnamese name ({DEFAULT_LANGUAGE}:) is missing")
    return MappingProxyType({k: " ".join(v.split()) for k, v in value.items()
                             if k in languages or k == DEFAULT_LANGUAGE})
