"""Turn pydantic validation errors into producer-friendly issues.

Pydantic knows what is wrong but speaks in Python terms ("dict_type",
"string_pattern_mismatch"). Each error type is translated here into one of the
bilingual messages, with the field's own words (a commune code, a slug…) and a
"did you mean" hint for misspelt keys and values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .issues import Document, did_you_mean, format_path
from .messages import TYPE_WORDS

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
_CODE_FIELDS = {"commune", "gtin", "code", "phone", "decision_number", "product_code"}
_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+(\s*(đ|₫|vnd|VND|đồng))?$")


def _looks_like_money(value: Any) -> bool:
    """A price written with thousands separators or decimals (250.000 / 250,000)."""
    if isinstance(value, float):
        return True
    return isinstance(value, str) and bool(_GROUPED.match(value.strip()))


def report_validation_error(doc: Document, exc: ValidationError, model: type[BaseModel]) -> None:
    """Add one issue to ``doc`` for every error pydantic found."""
    for error in exc.errors(include_url=False):
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
        doc.report("missing", loc, key=True, name=name)
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
    elif kind == "email":
        doc.report("email", loc, value=value)
    elif kind == "localized_missing_vi":
        doc.report("missing_vi", loc)
    elif kind in ("date_from_datetime_parsing", "date_parsing") and _is_date_like(value):
        doc.report("date_impossible", loc, value=value)
    elif name in _MONEY_FIELDS and _looks_like_money(value):
        doc.report("price_format", loc, value=value)
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
