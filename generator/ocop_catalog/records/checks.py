"""Rules that need more than one field, more than one record, or the disk.

Each ``check_*`` function takes a :class:`~ocop_catalog.records.issues.Document`, the
validated record and a :class:`Context`, and reports what is wrong. Nothing
here changes a record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..catalog import certificates as certs
from ..catalog import geography
from .issues import Document, did_you_mean, format_path, language_meant
from ..catalog.links import LISTING_PAGES, lot_has_page
from .messages import LANGUAGE_NAMES, phrase_params
from .photos import ImageInfo, check_image
from .models import Address, Producer, Product, Regions, SalesPoints
from ..settings import Settings
from ..catalog.taxonomy import criteria_set_of
from ..catalog.passport import safety_rule
from .text import DEFAULT_LANGUAGE, Localized, LocalizedMarkdown, is_language_code
from .yamlsource import Mark



@dataclass
class Context:
    """Catalog-wide facts the record checks refer to."""

    settings: Settings
    communes: Mapping[str, Any] = field(default_factory=dict)
    districts: frozenset[str] = frozenset()
    sales_points: frozenset[str] = frozenset()

    #: The build days for which the checks of the folder being read give what they gave,
    #: ``[first, end)`` (None: no bound): every comparison with the build day narrows it
    #: (:meth:`before_today`, :meth:`after_today`, :meth:`today_said`), so that the
    #: records memo can keep a folder's outcome from one day to the next
    #: (:class:`.memo.FolderMemo`). Reset for each folder (:meth:`new_days`).
    days: list = field(default_factory=lambda: [None, None], compare=False, hash=False,
                       repr=False)

    def new_days(self) -> None:
        self.days[:] = [None, None]

    def before_today(self, day: dt.date) -> bool:
        """Whether ``day`` is before the build day (noted in :attr:`days`)."""
        today = self.settings.today
        if day < today:  # so for every day after it
            self._narrow(_next(day), None)
            return True
        self._narrow(None, _next(day))
        return False

    def after_today(self, day: dt.date) -> bool:
        """Whether ``day`` is after the build day (noted in :attr:`days`)."""
        today = self.settings.today
        if day > today:  # so for every day before it
            self._narrow(None, day)
            return True
        self._narrow(day, None)
        return False

    def today_said(self) -> dt.date:
        """The build day, for a message that says it: the outcome holds for it alone."""
        today = self.settings.today
        self._narrow(today, _next(today))
        return today

    def _narrow(self, first: dt.date | None, end: dt.date | None) -> None:
        days = self.days
        if first is not None and (days[0] is None or first > days[0]):
            days[0] = first
        if end is not None and (days[1] is None or end < days[1]):
            days[1] = end

    @classmethod
    def build(cls, settings: Settings, regions: Regions | None, points: SalesPoints | None):
        return cls(
            settings=settings,
            communes={c.code: c for c in regions.communes} if regions else {},
            districts=frozenset(d.id for d in regions.legacy_districts) if regions else frozenset(),
            sales_points=frozenset(p.id for p in points.sales_points) if points else frozenset(),
        )


# --------------------------------------------------------------------------
# Text: languages, translations, Markdown
# --------------------------------------------------------------------------

# A fence or code span opens with a whole run of backticks (the lookarounds keep a
# long run from being retried at every length and offset: that took minutes).
_FENCED = re.compile(r"^ {0,3}(`{3,}(?!`)|~{3,}(?!~)).*?^ {0,3}\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1", re.DOTALL)
# A tag as the Markdown renderer and browsers read it: "<" and a letter, then anything up
# to ">" (the name may run into "/" or a quote: <img/src=x>, <svg/onload=…>), or a
# comment, processing instruction, declaration or CDATA section. <scheme:…> and <a@b.vn>
# are autolinks, checked as links.
_HTML = re.compile(
    r"<(?:/?(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>)[A-Za-z][^<>@\s]*(?:\s[^<>]*)?>"
    r"|!--|\?|![A-Za-z]|!\[CDATA\[)"
)
# A link destination in pointy brackets, [text](<https://…>): not a tag.
_POINTY_DESTINATION = re.compile(r"(\]\(\s*)(<[^<>\n]*>)")
# Any "](": link texts may nest brackets ([a [b]](…), [![img](…)](…)) or escape them.
_INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
# A reference definition "[label]: target" at the start of a line, however indented and
# inside block quotes and list items ("> - [x]: …"), where Markdown reads one too.
_REF_DEF = re.compile(
    r"^(?:[ \t]|>|[-+*][ \t]|[0-9]{1,9}[.)][ \t])*\[(?:\\.|[^\[\]\\])*\]:\s*<?(\S+?)>?(?:\s|$)",
    re.MULTILINE,
)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>")
_EMAIL_AUTOLINK = re.compile(r"<([^<>\s!:]+@[^@<>\s]+)>")  # a mailto: link


def iter_texts(model: BaseModel, path: tuple = ()) -> Iterator[tuple[tuple, Localized]]:
    """Every translatable value inside ``model`` with its field path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        yield from _iter_value(value, (*path, name))


def _iter_value(value: Any, path: tuple) -> Iterator[tuple[tuple, Localized]]:
    if isinstance(value, Localized):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from iter_texts(value, path)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _iter_value(item, (*path, index))


def check_texts(doc: Document, record: BaseModel, ctx: Context) -> None:
    languages = ctx.settings.languages
    for path, text in iter_texts(record):
        meant = _language_typos(doc, path, languages)
        for lang in text:  # texts in unpublished languages were left out (text.py)
            if lang not in languages and not is_language_code(lang):
                code = language_meant(lang, languages)
                hint = {"hint": "", "hint_vi": ""} if code is None else phrase_params(
                    "hint", "language_hint", code=code)
                doc.report("unknown_language", (*path, lang), key=True, value=lang,
                           allowed=", ".join(languages), **hint)
        for lang in ctx.settings.translation_warnings:
            if lang in meant:
                continue  # written, under a wrong code: said above
            if lang != DEFAULT_LANGUAGE and lang not in text and path[-1] != "alt":
                en, vi = LANGUAGE_NAMES.get(lang, (lang, lang))
                doc.report("missing_translation", path, lang_name=en, lang_name_vi=vi)
        if isinstance(text, LocalizedMarkdown):
            for lang, body in text.items():
                check_markdown(doc, (*path, lang), body)


def _language_typos(doc: Document, path: tuple, languages: tuple[str, ...]) -> set[str]:
    """Report the language keys of the text at ``path`` written as a code people often
    use for a published language (``vn:`` for ``vi:``, ``eng:``, ``cn:``), which would
    otherwise be left out as an unpublished language; the languages they meant."""
    raw: Any = doc.data
    for part in path:
        raw = raw.get(part) if isinstance(raw, dict) else (
            raw[part] if isinstance(raw, list) and isinstance(part, int)
            and 0 <= part < len(raw) else None)
    meant = set()
    for key in raw if isinstance(raw, dict) else ():
        if (isinstance(key, str) and raw[key] is None and key not in languages
                and not is_language_code(key)):
            # left out of the text as an empty translation; most often the end of a
            # text cut by a comma in a flow mapping: {vi: Mật ong, hoa rừng, en: …}
            doc.report("unknown_language", (*path, key), key=True, value=key,
                       allowed=", ".join(languages), **phrase_params("hint", "comma_hint"))
            continue
        code = language_meant(key, languages) if isinstance(key, str) else None
        if code is not None and is_language_code(key):  # others: unknown_language
            names = LANGUAGE_NAMES.get(code, (code, code))
            doc.report("wrong_language_code", (*path, key), key=True, value=key,
                       suggestion=code, lang_name=names[0], lang_name_vi=names[1])
            meant.add(code)
    return meant


def check_markdown(doc: Document, path: tuple, body: str) -> None:
    """Refuse raw HTML and links that are not http(s), at the line where they are."""
    prose = _CODE_SPAN.sub(_blank, _FENCED.sub(_blank, body))  # same offsets as body
    html = _HTML.search(_POINTY_DESTINATION.sub(_blank_destination, prose))
    if html:
        doc.report("markdown_html", path, mark=text_position(doc, path, body, html.start()),
                   value=html.group(0)[:40])
    targets: dict[str, int] = {}  # <url> is also an autolink: report it once
    for pattern in (_INLINE_LINK, _REF_DEF, _AUTOLINK, _EMAIL_AUTOLINK):
        for match in pattern.finditer(prose):
            targets.setdefault(match.group(1), match.start(1))
    for target, offset in sorted(targets.items(), key=lambda item: item[1]):
        if not re.match(r"^https?://[^\s/]", target, re.IGNORECASE):
            doc.report("link_scheme", path, mark=text_position(doc, path, body, offset),
                       value=target[:80])


def _blank_destination(match: re.Match) -> str:
    return match.group(1) + " " * len(match.group(2))


def _blank(match: re.Match) -> str:
    """The matched text with every character but line breaks turned into a space."""
    return re.sub(r"[^\n]", " ", match.group(0))


def text_position(doc: Document, path: tuple, body: str, offset: int) -> Mark:
    """Where character ``offset`` of the text at ``path`` stands in the file
    (see :meth:`Document.text_mark`)."""
    return doc.text_mark(path, body, offset)


# --------------------------------------------------------------------------
# Places and references
# --------------------------------------------------------------------------


def check_address(doc: Document, address: Address, path: tuple, ctx: Context) -> None:
    commune = ctx.communes.get(address.commune)
    if commune is None:
        hint, hint_vi = did_you_mean(address.commune, ctx.communes)
        doc.report("unknown_commune", (*path, "commune"), value=address.commune,
                   hint=hint, hint_vi=hint_vi)
    legacy = address.legacy
    if legacy is None:
        return
    if legacy.district not in ctx.districts:
        hint, hint_vi = did_you_mean(legacy.district, ctx.districts)
        doc.report("unknown_legacy_district", (*path, "legacy", "district"),
                   value=legacy.district, hint=hint, hint_vi=hint_vi)
    elif commune is not None and legacy.district not in commune.legacy_districts:
        doc.report("legacy_district_mismatch", (*path, "legacy", "district"),
                   value=legacy.district, commune=commune.name(DEFAULT_LANGUAGE),
                   expected=", ".join(commune.legacy_districts) or "—")


def check_sales_point_refs(doc: Document, refs: tuple[str, ...], ctx: Context) -> None:
    _check_repeats(doc, "sales_points", refs)
    for index, ref in enumerate(refs):
        if ref not in ctx.sales_points:
            hint, hint_vi = did_you_mean(ref, ctx.sales_points)
            doc.report("unknown_sales_point", ("sales_points", index), value=ref,
                       hint=hint, hint_vi=hint_vi)


def check_folder_id(doc: Document, record_id: str, folder: Path) -> None:
    if record_id != folder.name:
        doc.report("id_mismatch", ("id",), value=record_id, folder=folder.name)


#: Product ids the site uses itself: ``products/page/<n>/`` are the product list's pages.
RESERVED_PRODUCT_IDS = frozenset({LISTING_PAGES})


def _check_reserved_ids(doc: Document, product: Product) -> None:
    if product.id in RESERVED_PRODUCT_IDS:
        doc.report("reserved_id", ("id",), value=product.id)
    for index, old in enumerate(product.former_ids):
        if old in RESERVED_PRODUCT_IDS:
            doc.report("reserved_id", ("former_ids", index), value=old)


# --------------------------------------------------------------------------
# Products and producers
# --------------------------------------------------------------------------


def check_product(doc: Document, product: Product, ctx: Context) -> tuple[ImageInfo, ...]:
    """Check a product; return the photos that are usable."""
    folder = doc.path.parent
    check_folder_id(doc, product.id, folder)
    _check_reserved_ids(doc, product)
    check_texts(doc, product, ctx)
    check_address(doc, product.origin, ("origin",), ctx)
    check_sales_point_refs(doc, product.sales_points, ctx)
    _check_kind(doc, product)
    if product.gtin is not None:
        check_gtin(doc, product.gtin, ("gtin",))
    _check_repeats(doc, "season_months", product.season_months)
    _check_passport(doc, product, ctx)
    _check_lots(doc, product)
    if product.listed and product.updated and product.updated < product.listed:
        doc.report("date_order", ("updated",), value=product.updated,
                   other_field="listed", other=product.listed)
    photos = []
    for index, photo in enumerate(product.photos):
        path = ("photos", index)
        info = check_image(doc, folder, photo.file, (*path, "file"), ctx.settings)
        if info is not None:
            photos.append(info)
        if photo.alt is None:
            doc.report("photo_alt_missing", path, value=photo.file)
    return tuple(photos)


def _check_kind(doc: Document, product: Product) -> None:
    """Goods and tourism services carry different fields. Which criteria sets are services
    is the taxonomy's word (``goods: false``: community tourism), as for the feeds."""
    criteria = criteria_set_of(product.category)
    if criteria is None:
        return  # an unknown criteria set or version is reported by the model check
    if not criteria.goods:
        if product.tourism is None:
            doc.report("tourism_missing", ("category", "criteria_set"))
        for name in ("gtin", "net_content", "shelf_life", "lots"):
            if getattr(product, name) not in (None, ()):
                doc.report("not_for_services", (name,), key=True, name=name)
    else:
        if product.tourism is not None:
            doc.report("tourism_only", ("tourism",), key=True)
        if product.price is None:
            doc.report("price_missing", ())


def _check_lots(doc: Document, product: Product) -> None:
    """A lot's dates in order; a code a static host cannot give a page is a warning. Lot
    codes listed twice are decided in the loader, against what is published."""
    for index, lot in enumerate(product.lots):
        path = ("lots", index)
        if lot.produced and lot.expires and lot.expires < lot.produced:
            doc.report("date_order", (*path, "expires"), value=lot.expires,
                       other_field="produced", other=lot.produced)
        if lot.produced and lot.recall and lot.recall.date < lot.produced:
            doc.report("date_order", (*path, "recall", "date"), value=lot.recall.date,
                       other_field="produced", other=lot.produced)
        if not lot_has_page(lot.code):
            doc.report("lot_no_page", (*path, "code"), value=lot.code)


def _check_passport(doc: Document, product: Product, ctx: Context) -> None:
    """The digital product passport's fields (docs/records.md §3, "Digital product
    passport"): where the last processing stage is, the other certifications, the safety
    warning the law requires of some criteria sets."""
    place = product.last_processing
    if place is not None:
        path = ("last_processing", "commune")
        if place.commune not in ctx.communes and geography.commune(place.commune) is None:
            matches = geography.describe(geography.close_communes(place.commune))
            doc.report("unknown_processing_commune", path, value=place.commune,
                       matches=f"; closest: {matches}" if matches else "",
                       matches_vi=f"; gần nhất: {matches}" if matches else "")
        elif place.commune == product.origin.commune:
            doc.report("processing_same_as_origin", path, value=place.commune)
    seen: dict[tuple[str, str], int] = {}
    for index, cert in enumerate(product.certifications):
        path = ("certifications", index)
        key = (cert.type, cert.number.casefold())
        if key in seen:
            doc.report("duplicate_certification", (*path, "number"), value=cert.number,
                       type=cert.type, item=seen[key] + 1)
        seen.setdefault(key, index)
        if cert.issued and ctx.after_today(cert.issued):
            doc.report("date_future", (*path, "issued"), value=cert.issued,
                       today=ctx.today_said())
        if cert.issued and cert.valid_until and cert.valid_until < cert.issued:
            doc.report("date_order", (*path, "valid_until"), value=cert.valid_until,
                       other_field="issued", other=cert.issued)
        elif cert.valid_until and ctx.before_today(cert.valid_until):
            doc.report("certification_expired", (*path, "valid_until"), value=cert.valid_until,
                       type=cert.type, number=cert.number)
    rule = safety_rule(criteria_set_of(product.category))
    if rule is not None and product.safety_warning is None:
        doc.report("safety_warning_missing", ("category", "criteria_set"),
                   what=rule.what[0], what_vi=rule.what[1], law=rule.law[0],
                   law_vi=rule.law[1], example=rule.example)


def check_gln(doc: Document, gln: str, path: tuple) -> None:
    """A GLN's last digit is its GS1 check digit (the pattern made it 13 digits)."""
    expected = certs.gs1_check_digit(gln[:-1])
    if int(gln[-1]) != expected:
        doc.report("gln_check_digit", path, value=gln, expected=expected)


def check_gtin(doc: Document, gtin: str, path: tuple) -> None:
    if len(gtin) not in (8, 12, 13, 14):
        doc.report("gtin_length", path, value=gtin, length=len(gtin))
        return
    expected = certs.gs1_check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        doc.report("gtin_check_digit", path, value=gtin, expected=expected)


def _check_repeats(doc: Document, field: str, values: tuple) -> None:
    """A value listed twice in the list ``field``: reported at its second place."""
    seen: set = set()
    for index, value in enumerate(values):
        if value in seen:
            doc.report("duplicate_value", (field, index), value=value)
        seen.add(value)


def check_producer(doc: Document, producer: Producer, ctx: Context) -> ImageInfo | None:
    """Check a producer; return its logo if usable."""
    check_folder_id(doc, producer.id, doc.path.parent)
    check_texts(doc, producer, ctx)
    check_address(doc, producer.address, ("address",), ctx)
    if producer.gln is not None:
        check_gln(doc, producer.gln, ("gln",))
    if producer.logo is None:
        return None
    return check_image(doc, doc.path.parent, producer.logo, ("logo",), ctx.settings)


# --------------------------------------------------------------------------
# Catalog-wide files
# --------------------------------------------------------------------------


def check_regions(doc: Document, regions: Regions, ctx: Context) -> None:
    check_texts(doc, regions, ctx)
    _check_unique(doc, [(("legacy_districts", i, "id"), d.id)
                        for i, d in enumerate(regions.legacy_districts)])
    _check_unique(doc, [(("communes", i, "code"), c.code) for i, c in enumerate(regions.communes)])
    districts = {d.id for d in regions.legacy_districts}
    for i, commune in enumerate(regions.communes):
        for j, district in enumerate(commune.legacy_districts):
            if district not in districts:
                hint, hint_vi = did_you_mean(district, districts)
                doc.report("unknown_legacy_district", ("communes", i, "legacy_districts", j),
                           value=district, hint=hint, hint_vi=hint_vi)
    check_official_units(doc, regions)


def check_official_units(doc: Document, regions: Regions) -> None:
    """The province and every commune against the official list of administrative units
    since 1 July 2025 (:mod:`ocop_catalog.catalog.geography`): codes that are not in it,
    or are another province's, are errors; names that are not the official ones are
    warnings (case, spacing and the place of the tone mark do not count, every letter
    does, the unit's prefix "Xã", "Phường", "Đặc khu" included)."""
    code = regions.province.code
    province = geography.province(code)
    if province is None:
        named = geography.find_province(regions.province.name(DEFAULT_LANGUAGE))
        close = (named,) if named else geography.close_provinces(
            regions.province.name(DEFAULT_LANGUAGE))
        matches = geography.describe(close)
        doc.report("unknown_province", ("province", "code"), value=code,
                   hint=f" (closest by name: {matches})" if matches else "",
                   hint_vi=f" (gần nhất theo tên: {matches})" if matches else "")
    for i, commune in enumerate(regions.communes):
        name = commune.name(DEFAULT_LANGUAGE)
        official = geography.commune(commune.code)
        if official is not None and (province is None or official.province == code):
            if not geography.same_name(name, official.name):
                doc.report("commune_name_differs", ("communes", i, "name", DEFAULT_LANGUAGE),
                           value=commune.code, name=name, official=official.name)
            continue
        matches = geography.describe(geography.close_communes(
            commune.code, name, province_code=code if province else None))
        hints = {"matches": f"; closest: {matches}" if matches else "",
                 "matches_vi": f"; gần nhất: {matches}" if matches else ""}
        if official is None:
            doc.report("unofficial_commune", ("communes", i, "code"), value=commune.code,
                       **hints)
        else:
            other = geography.province(official.province)
            doc.report("commune_other_province", ("communes", i, "code"), value=commune.code,
                       official=official.name,
                       other=other.full_name if other else official.province,
                       province=province.full_name, province_code=code, **hints)


def check_sales_points(doc: Document, points: SalesPoints, ctx: Context) -> None:
    check_texts(doc, points, ctx)
    _check_unique(doc, [(("sales_points", i, "id"), p.id) for i, p in enumerate(points.sales_points)])
    for i, point in enumerate(points.sales_points):
        check_address(doc, point.address, ("sales_points", i, "address"), ctx)


def _check_unique(doc: Document, entries: list[tuple[tuple, str]]) -> None:
    first: dict[str, tuple] = {}
    for path, value in entries:
        if value in first:
            doc.report("duplicate_id", path, value=value, other=_describe(doc.rel, first[value]))
        else:
            first[value] = path


def _describe(rel: str, path: tuple) -> str:
    return f"{rel} ({format_path(path)})"


def _next(day: dt.date) -> dt.date | None:
    """The day after ``day`` (None after the last day there is)."""
    return None if day == dt.date.max else day + dt.timedelta(days=1)
