"""Turn pydantic validation errors into producer-friendly issues.

Pydantic knows what is wrong but speaks in Python terms ("dict_type",
"string_pattern_mismatch"). Each error type is translated here into one of the
bilingual messages, with the field's own words (a commune code, a slug…) and a
"did you mean" hint for misspelt keys and values.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .issues import Document, did_you_mean, format_path, language_meant
from .messages import LANGUAGE_NAMES, MONTH_NAMES, TYPE_WORDS, phrase_params
from .text import DEFAULT_LANGUAGE, Localized, is_language_code

# pydantic error type -> the type word of what was expected
_EXPECTED = {
    "string_type": "text",
    "int_type": "whole number",
    "int_parsing": "whole number",
    "int_from_float": "whole number",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "yes/no",
    "bool_parsing": "yes/no",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "list_type": "list",
    "tuple_type": "list",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "localized_type": "translations",
    "localized_value": "text",
}

_SLUG_WORDS = ("id (lower-case letters, digits and hyphens, e.g. mat-ong-hoa-rung)",
               "id (chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ mat-ong-hoa-rung)")
# (field name, pattern) -> what the value should be, in English and Vietnamese
_PATTERN_WORDS = {
    "id": _SLUG_WORDS,
    "commune": ("commune code (five digits in quotes, e.g. \"08911\")",
                "mã xã (năm chữ số trong dấu nháy, ví dụ \"08911\")"),
    "code": ("code (digits in quotes)", "mã (chữ số trong dấu nháy)"),
    "gtin": ("GTIN (digits only, in quotes)", "mã GTIN (chỉ gồm chữ số, trong dấu nháy)"),
    "phone": ("phone number", "số điện thoại"),
    "qr_code": ("QR code (4-10 characters of 0-9 and a-z without i, l, o, u)",
                "mã QR (4-10 ký tự 0-9 và a-z, trừ i, l, o, u)"),
    "maintainers": ("GitHub user name", "tên người dùng GitHub"),
    "tax_code": ("tax code (10 digits, or 10 digits, a hyphen and 3 digits for a branch, in "
                 "quotes, e.g. \"2500123456\" or \"2500123456-001\")",
                 "mã số thuế (10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với chi "
                 "nhánh, trong dấu nháy, ví dụ \"2500123456\" hoặc \"2500123456-001\")"),
    "gln": ("GLN (13 digits in quotes, as given by GS1 Vietnam)",
            "mã GLN (13 chữ số trong dấu nháy, do GS1 Việt Nam cấp)"),
}
#: YAML 1.1 number forms (see yamlsource.NumberForm): how YAML reads them.
_FORM_WORDS = {
    "base60": ("numbers with colons as base 60", "số có dấu hai chấm là số hệ 60"),
    "octal": ("a leading 0 as octal", "số bắt đầu bằng 0 là số hệ bát phân"),
    "hexadecimal": ("0x as hexadecimal", "0x là số hệ thập lục phân"),
    "binary": ("0b as binary", "0b là số hệ nhị phân"),
    "underscores": ("_ as a separator between digits", "dấu _ là dấu phân cách giữa các chữ số"),
}
_NUMBER_KINDS = {"int_type", "int_parsing", "int_from_float", "float_type", "float_parsing"}
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_MONEY_FIELDS = {"amount", "price_per_person"}
_CODE_FIELDS = {"commune", "gtin", "code", "phone", "decision_number", "product_code",
                "tax_code", "gln"}
_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+(\s*(đ|₫|vnd|VND|đồng))?$")
_CURRENCY = re.compile(r"\s*(đ|₫|vnd|VND|đồng)$")
#: A date written with other separators or orders: 20/11/2025, 2025/11/20, 1-7-2025.
_DATE_WRITTEN = re.compile(r"^(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})$")
_DATE_KINDS = {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_MAPPING_KINDS = {"model_type", "dict_type", "model_attributes_type"}


def _looks_like_money(value: Any) -> bool:
    """A price written with thousands separators or decimals (250.000 / 250,000)."""
    if isinstance(value, float):
        return True
    return isinstance(value, str) and bool(_GROUPED.match(value.strip()))


def report_validation_error(doc: Document, exc: ValidationError, model: type[BaseModel]) -> None:
    """Add one issue to ``doc`` for every error pydantic found.

    A field written one level too high (``unit:`` at the start of a line after the
    ``price:`` block) is one mistake, not three (an unknown field, a missing one, an
    empty section): it is reported once, saying where to indent it.
    """
    errors = exc.errors(include_url=False)
    misplaced = {}
    for error in errors:
        if error["type"] == "extra_forbidden":
            home = _home_of(doc, tuple(error["loc"]), model)
            if home is not None:
                misplaced[tuple(error["loc"])] = home
    moved_in = {(*home.path, loc[-1]) for loc, home in misplaced.items()}
    emptied = {home.path for home in misplaced.values() if home.empty}
    for error in errors:
        loc = tuple(error["loc"])
        if loc in misplaced:
            _report_misplaced(doc, loc, misplaced[loc])
        elif error["type"] == "missing" and loc in moved_in:
            continue  # written, but not under its section: said by the misplaced key
        elif error["type"] in _MAPPING_KINDS and loc in emptied and error.get("input") is None:
            continue  # the section is empty because its fields were written below it
        else:
            _report_one(doc, error, model)


def _report_one(doc: Document, error: dict[str, Any], model: type[BaseModel]) -> None:
    kind = error["type"]
    loc = tuple(error["loc"])
    value = error.get("input")
    ctx = error.get("ctx") or {}
    name = str(loc[-1]) if loc else ""
    if kind in _NUMBER_KINDS and _report_number_form(doc, loc, value):
        return
    if kind in ("text_control", "text_line_break", "text_blank", "localized_too_long"):
        _report_text(doc, loc, kind, value, ctx)
    elif kind == "finite_number":
        doc.report("number_not_finite", loc, value=doc.where.written.get(loc, value))
    elif kind == "date_range":
        doc.report("date_range", loc, value=value, min=ctx["min"], max=ctx["max"])
    elif kind == "missing":
        doc.report("missing", loc, key=True, name=name, **_missing_words(doc, loc))
    elif kind == "extra_forbidden" and loc == ("certification",) \
            and model.__name__ == "Product":  # the register holds certificates now
        doc.report("certification_in_product", loc, key=True)
    elif kind == "extra_forbidden":
        hint, hint_vi = did_you_mean(name, _field_names(model, loc[:-1]))
        doc.report("unknown_key", loc, key=True, name=name, hint=hint, hint_vi=hint_vi)
    elif kind == "literal_error":
        allowed = _literal_choices(ctx.get("expected", ""))
        hint, hint_vi = did_you_mean(value, allowed)
        doc.report("unknown_value", loc, value=value, hint=hint, hint_vi=hint_vi,
                   allowed=", ".join(allowed))
    elif kind == "url_scheme":
        doc.report("link_scheme", loc, value=value)
    elif kind == "traceability_https":
        doc.report("traceability_https", loc, value=value)
    elif kind == "url_https":
        doc.report("link_https", loc, value=value)
    elif kind == "lot_code_chars":
        doc.report("lot_code", loc, value=value, char=ctx.get("char", ""))
    elif kind in ("email", "zalo", "facebook_link"):
        doc.report(kind, loc, value=value)
    elif kind == "localized_missing_vi":
        _report_missing_vi(doc, loc)
    elif kind in _DATE_KINDS and isinstance(value, str) and _DATE_WRITTEN.match(value.strip()):
        _report_date(doc, loc, value)
    elif name in _MONEY_FIELDS and _looks_like_money(value):
        _report_price(doc, loc, value)
    elif name in _CODE_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        doc.report("quote_code", loc, name=name)
    elif kind in _EXPECTED:
        _report_type(doc, loc, _EXPECTED[kind], value)
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        _report_range(doc, loc, kind, value, ctx)
    elif kind == "string_pattern_mismatch":
        what, what_vi = _PATTERN_WORDS.get(name, _SLUG_WORDS if _is_slug(ctx) else ("value", "giá trị"))
        doc.report("pattern", loc, value=value, what=what, what_vi=what_vi)
    elif kind in ("string_too_short", "too_short"):
        unit = ("characters", "ký tự") if isinstance(value, str) else ("items", "mục")
        doc.report("too_short", loc, name=format_path(loc), length=_length(value, ctx),
                   min=ctx.get("min_length"), unit=unit[0], unit_vi=unit[1])
    elif kind in ("string_too_long", "too_long"):
        unit = ("characters", "ký tự") if isinstance(value, str) else ("items", "mục")
        doc.report("too_long", loc, name=format_path(loc), length=_length(value, ctx),
                   max=ctx.get("max_length"), unit=unit[0], unit_vi=unit[1])
    else:
        doc.report("invalid", loc, detail=error.get("msg", kind))


# --------------------------------------------------------------------------
# Hints that say how to fix
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Home:
    """The section a field written at the wrong level belongs to."""

    path: tuple  # of the section (``("price",)``)
    line: int  # of its key
    spaces: int  # how far under its key its fields are indented
    next_to: bool  # the section is written just above the field
    empty: bool  # the section has no value (``price:`` and nothing under it)


def _home_of(doc: Document, loc: tuple, model: type[BaseModel]) -> _Home | None:
    """The section next to the unknown field ``loc`` (the nearest above first, then
    below) that has a field of that name and lacks it; None if there is none."""
    name, parent = loc[-1], loc[:-1]
    siblings = _raw(doc.data, parent)
    if not isinstance(siblings, dict) or name not in siblings:
        return None
    keys = list(siblings)  # in the order they are written
    index = keys.index(name)
    nearby = [*reversed(keys[:index]), *keys[index + 1:]]
    for key in nearby:
        section = (*parent, key)
        value = siblings[key]
        if value is not None and not isinstance(value, dict) or (value and name in value):
            continue
        if not (name in _field_names(model, section)
                or isinstance(name, str) and is_language_code(name)
                and _is_text_field(model, section)):
            continue
        at = doc.where.find(section, key=True)
        spaces = 2
        if value:  # its fields' indentation, if written one per line below it
            first = doc.where.find((*section, next(iter(value))), key=True)
            if first.line == at.line:
                continue  # {…} on one line: no indentation to give
            spaces = first.column - at.column
        if spaces <= 0:
            continue
        return _Home(section, at.line, spaces, next_to=nearby.index(key) == 0 and
                     keys.index(key) < index, empty=value is None)
    return None


def _report_misplaced(doc: Document, loc: tuple, home: _Home) -> None:
    move = {"move": "", "move_vi": ""} if home.next_to else phrase_params("move", "move_there")
    doc.report("misplaced_key", loc, key=True, name=loc[-1], parent=home.path[-1],
               line=home.line, spaces=home.spaces, **move)


def _missing_words(doc: Document, loc: tuple) -> dict[str, str]:
    """Where the field is missing and how to add it (``where``/``fix`` and ``_vi``)."""
    name, parent = loc[-1], loc[:-1]
    if not parent:
        return {**phrase_params("where", "missing_top"), **phrase_params("fix", "add_top",
                                                                        name=name)}
    if isinstance(parent[-1], int) and len(parent) > 1:
        return {**phrase_params("where", "missing_in_item", item=parent[-1] + 1,
                                parent=parent[-2]),
                **phrase_params("fix", "add_in_item", name=name)}
    section = parent[-1]
    where = phrase_params("where", "missing_in", parent=section)
    value = _raw(doc.data, parent)
    at = doc.where.find(parent, key=True)
    spaces = 2
    if isinstance(value, dict) and value:
        first = doc.where.find((*parent, next(iter(value))), key=True)
        spaces = first.column - at.column
        if first.line == at.line or spaces <= 0:  # {…} on one line
            return {**where, **phrase_params("fix", "add_in", name=name, parent=section)}
    return {**where, **phrase_params("fix", "add_under", name=name, parent=section,
                                     spaces=spaces)}


def _report_missing_vi(doc: Document, loc: tuple) -> None:
    """No Vietnamese text: if it was written under another key (``vn:``, ``VI:``), say
    which to write instead."""
    raw = _raw(doc.data, loc)
    written = [k for k in raw if isinstance(k, str)] if isinstance(raw, dict) else []
    typo = next((k for k in written if language_meant(k, (DEFAULT_LANGUAGE,))), None)
    if typo is None:
        doc.report("missing_vi", loc)
        return
    names = LANGUAGE_NAMES[DEFAULT_LANGUAGE]
    doc.report("wrong_language_code", (*loc, typo), key=True, value=typo,
               suggestion=DEFAULT_LANGUAGE, lang_name=names[0], lang_name_vi=names[1])


def _report_price(doc: Document, loc: tuple, value: Any) -> None:
    """A price with separators or decimals, quoted as typed, with the digits to write."""
    typed = doc.where.written.get(loc) if isinstance(value, float) else None
    typed = typed if typed is not None else str(value)
    digits = ""
    if _GROUPED.match(typed.strip()):
        digits = re.sub(r"\D", "", _CURRENCY.sub("", typed.strip()))
    elif isinstance(value, float) and value.is_integer() and "e" in typed.lower():
        digits = str(int(value))
    fix = (phrase_params("fix", "write_digits", digits=digits) if digits
           else phrase_params("fix", "price_example"))
    reading = {"reading": "", "reading_vi": ""}
    if isinstance(value, float):
        amount = f"{int(value)}" if value.is_integer() else f"{value:g}"
        reading = phrase_params("reading", "price_decimal", value=typed, reading=repr(value),
                                amount=amount)
    doc.report("price_format", loc, value=typed, **reading, **fix)


def _written_date(value: str) -> dt.date | None:
    """The date ``value`` most likely means, if it is written day/month/year (as in
    Vietnam), month/day/year when the day comes second, or year/month/day with other
    separators or without leading zeros; None if it is none of these."""
    match = _DATE_WRITTEN.match(value.strip())
    if match is None:
        return None
    first, second, third = match.groups()
    if len(first) == 4 and len(third) <= 2:
        year, month, day = int(first), int(second), int(third)
    elif len(third) == 4 and len(first) <= 2:
        day, month, year = int(first), int(second), int(third)
        if month > 12 >= day:  # 11/20/2025: the day is second
            day, month = month, day
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _report_date(doc: Document, loc: tuple, value: str) -> None:
    """A date that is not written YYYY-MM-DD: the same date as it should be written."""
    date = _written_date(value)
    if date is not None:
        doc.report("date_format", loc, value=value, **phrase_params(
            "fix", "write_date", iso=date.isoformat(), day=date.day, month=date.month,
            month_name=MONTH_NAMES[date.month - 1], year=date.year))
    elif _is_date_like(value):  # written right, but no such day
        doc.report("date_impossible", loc, value=value)
    else:
        doc.report("date_format", loc, value=value, **phrase_params("fix", "date_example"))


def _length(value: Any, ctx: dict) -> Any:
    if "actual_length" in ctx:
        return ctx["actual_length"]
    return len(value) if isinstance(value, (str, list, tuple, dict)) else "?"


def _report_number_form(doc: Document, loc: tuple, value: Any) -> bool:
    """A number expected and a YAML 1.1 number form or a yes/no found: say so."""
    form = doc.where.number_forms.get(loc)
    if form is not None and isinstance(value, str):
        words = _FORM_WORDS[form.form]
        doc.report("number_form", loc, value=value, form=words[0], form_vi=words[1],
                   reading=form.reading, suggestion=form.suggestion)
        return True
    if isinstance(value, bool):
        written = doc.where.written.get(loc, str(value).lower())
        doc.report("number_yes_no", loc, value=written)
        return True
    return False


def _report_text(doc: Document, loc: tuple, kind: str, value: Any, ctx: dict) -> None:
    """A text refused for a character, for showing nothing, or for its length; reported
    at the language (``name.en``) when the text is written per language."""
    lang = ctx.get("lang")
    path = (*loc, lang) if lang else loc
    raw = _raw(doc.data, path)
    if kind == "text_blank":
        doc.report("text_blank", path)
    elif kind == "localized_too_long":
        doc.report("too_long", path, name=format_path(path), length=ctx["actual_length"],
                   max=ctx["max_length"], unit="characters", unit_vi="ký tự")
    else:
        offset = ctx["offset"]
        if isinstance(raw, str) and raw[offset:offset + 1] != chr(ctx["code"]):
            offset += len(raw) - len(raw.lstrip())  # the model saw it without leading spaces
        mark = doc.text_mark(path, raw, offset) if isinstance(raw, str) else None
        doc.report(kind, path, mark=mark, position=offset + 1, char=ctx["char"])


def _raw(data: Any, path: tuple) -> Any:
    """The value at ``path`` of the document as read, or None."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _report_type(doc: Document, loc: tuple, expected: str, value: Any) -> None:
    found = _type_word(value)
    doc.report(
        "wrong_type",
        loc,
        expected=TYPE_WORDS[expected][0],
        expected_vi=TYPE_WORDS[expected][1],
        found=TYPE_WORDS[found][0] if found in TYPE_WORDS else found,
        found_vi=TYPE_WORDS[found][1] if found in TYPE_WORDS else found,
    )


def _report_range(doc: Document, loc: tuple, kind: str, value: Any, ctx: dict) -> None:
    name = str(loc[-1]) if loc else ""
    if name == "stars":
        doc.report("stars_range", loc, value=value)
        return
    if name == "criteria_set":
        doc.report("unknown_category", loc, value=value)
        return
    limit_value = next(iter(ctx.values()), "")
    words = {
        "greater_than_equal": ("at least {}", "lớn hơn hoặc bằng {}"),
        "less_than_equal": ("at most {}", "nhỏ hơn hoặc bằng {}"),
        "greater_than": ("more than {}", "lớn hơn {}"),
        "less_than": ("less than {}", "nhỏ hơn {}"),
    }[kind]
    doc.report("out_of_range", loc, value=value, limit=words[0].format(limit_value),
               limit_vi=words[1].format(limit_value))


def _type_word(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int):
        return "whole number"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dt.datetime):  # a subclass of date: test it first
        return "date and time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def _is_date_like(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATE_LIKE.match(value.strip()))


def _is_slug(ctx: dict) -> bool:
    return "a-z0-9" in str(ctx.get("pattern", ""))


def _literal_choices(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected) or [expected]


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _inner_model(fields[part].annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _is_text_field(model: type[BaseModel], loc: tuple) -> bool:
    """Whether the field at ``loc`` inside ``model`` is translatable text."""
    current: Any = model
    annotation = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return False
        annotation = fields[part].annotation
        current = _inner_model(annotation)
    return _holds(annotation, Localized)


def _holds(annotation: Any, cls: type) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, cls)
    return any(_holds(arg, cls) for arg in get_args(annotation))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel inside ``X | None`` or ``tuple[X, ...]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None or hasattr(annotation, "__args__"):
        for arg in get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None
