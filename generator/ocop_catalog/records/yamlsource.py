"""Safe YAML reading that remembers where every value was written.

PyYAML's safe loader accepts duplicate keys silently (the last one wins) and
forgets positions. Producers need both caught and reported at a line and
column, so this module composes the node tree itself and converts it to plain
Python data, recording a position for every path:

    data, where = read_yaml(text)
    where.find(("certification", "stars"))  # -> Mark(line=12, column=10)

Only the YAML 1.1 core types that SafeLoader knows are accepted. Any other tag
(``!!python/object``, ``!custom``, ``!!binary``, ``!!set``…) is refused, and so
are anchors and aliases, which records do not need and which would let a small
file expand into a huge one, and values nested more than :data:`MAX_DEPTH` levels
deep (records need five or six; hundreds would exhaust Python's stack).

Numbers are read as a person reads them. YAML 1.1 also reads ``1:30`` as 90 (base
60), ``0750000`` as 249856 (octal), ``0x1F``, ``0b101`` and ``250_000``; such
values stay the text they are, and :attr:`Locations.number_forms` remembers what
YAML 1.1 would have made of them, so that a field expecting a number refuses them
with a hint instead of silently taking another number. Plain decimal numbers,
``.inf`` and ``.nan`` are numbers (the record models refuse the last two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .messages import phrase_params
from .text import BadCharacter

try:  # the C parser is about ten times faster; both give the same nodes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[Any, ...]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG = _CORE + "map"
_STR_TAG = _CORE + "str"
_SEQ_TAG = _CORE + "seq"
_INT_TAG = _CORE + "int"
_FLOAT_TAG = _CORE + "float"
_BOOL_TAG = _CORE + "bool"

#: How deep values may be nested (a mapping in a list in a mapping… counts each level).
MAX_DEPTH = 20

_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_INF_NAN = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
#: YAML 1.1 number forms that are not plain decimal numbers, by name (tried in order).
_NUMBER_FORMS = (
    ("base60", re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")),
    ("binary", re.compile(r"[-+]?0b[01_]+\Z")),
    ("hexadecimal", re.compile(r"[-+]?0x[0-9a-fA-F_]+\Z")),
    ("octal", re.compile(r"[-+]?0[0-7_]+\Z")),
    ("underscores", re.compile(r"[-+]?[0-9.]*_[0-9_.]*\Z")),
)
_constructor = yaml.constructor.SafeConstructor()
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_OTHER_BREAK = re.compile("[\r\x85\u2028\u2029]")  # line breaks other than \n


@dataclass(frozen=True, order=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    column: int

    @classmethod
    def of(cls, mark: yaml.Mark | None) -> Mark:
        if mark is None:
            return cls(1, 1)
        return cls(mark.line + 1, mark.column + 1)


class YamlProblem(Exception):
    """The file is not acceptable YAML; ``code`` selects the message."""

    def __init__(self, code: str, mark: Mark, path: Path = (), **params: Any):
        super().__init__(code)
        self.code = code
        self.mark = mark
        self.path = path
        self.params = params


@dataclass(frozen=True)
class NumberForm:
    """A YAML 1.1 number form kept as text: what YAML 1.1 reads and what was likely meant."""

    form: str  # base60, octal, hexadecimal, binary, underscores
    reading: str  # the number YAML 1.1 makes of it
    suggestion: str  # the plain digits to write instead


@dataclass
class Locations:
    """Where each path of a document was written (value and, for keys, the key).

    The tables hold PyYAML's own marks (cheap to keep); lookups give :class:`Mark`.
    ``written`` keeps the source text of every number and yes/no value (``yes``,
    ``0x1F``…), for messages that quote it; ``number_forms`` the YAML 1.1 number
    forms that were kept as text.
    """

    values: dict[Path, Any] = field(default_factory=dict)
    keys: dict[Path, Any] = field(default_factory=dict)
    written: dict[Path, str] = field(default_factory=dict)
    number_forms: dict[Path, NumberForm] = field(default_factory=dict)

    def find(self, path: Path, *, key: bool = False) -> Mark:
        """The mark of ``path``, or of its nearest written ancestor."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return Mark.of(table[probe])
            if probe in self.values:
                return Mark.of(self.values[probe])
            probe = probe[:-1]
        return Mark.of(self.values.get(()))

    def all_marks(self) -> list[tuple[Path, Mark]]:
        return [(p, Mark.of(m)) for p, m in [*self.values.items(), *self.keys.items()]]


def read_yaml(text: str) -> tuple[Any, Locations]:
    """Parse one YAML document into plain data and its locations.

    Raises :class:`YamlProblem` for syntax errors, tags, aliases, duplicate
    keys and nesting deeper than :data:`MAX_DEPTH`.
    """
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except RecursionError:  # the pure-Python composer recurses once per level
        raise YamlProblem("yaml_too_deep", Mark(1, 1), max=MAX_DEPTH) from None
    except yaml.MarkedYAMLError as exc:
        raise explain(exc, text) from None
    except yaml.reader.ReaderError as exc:  # control characters, bad encoding
        # the first such character is the one refused; libyaml counts its position in bytes
        position = text.find(chr(exc.character))
        mark = _end_of(text[: position if position >= 0 else exc.position])
        char = BadCharacter(0, chr(exc.character)).describe()
        raise YamlProblem("yaml_character", mark, char=char) from None
    except yaml.YAMLError:
        raise YamlProblem("yaml_syntax", Mark(1, 1)) from None
    where = Locations()
    if node is None:
        return None, where
    try:
        data = _convert(node, (), where, {})
    finally:  # the shared constructor would otherwise keep every node alive
        _constructor.constructed_objects.clear()
        _constructor.recursive_objects.clear()
    _refuse_anchors(text, where)
    return data, where


def _end_of(text: str) -> Mark:
    """The position just after the last character, counting lines as YAML does."""
    lines = _LINE_BREAK.split(text)
    return Mark(len(lines), len(lines[-1]) + 1)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as YAML counts them (``\\r\\n``, ``\\r``, ``\\n``, NEL, LS,
    PS), without a last empty line after a final line break."""
    lines = _LINE_BREAK.split(text) if _OTHER_BREAK.search(text) else text.split("\n")
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def _refuse_anchors(text: str, where: Locations) -> None:
    """Refuse the anchors that :func:`_convert` cannot see: unused, or used as keys."""
    if "&" not in text:
        return
    loader = _Loader(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.AnchorToken):
                mark = Mark.of(token.start_mark)
                marks = where.all_marks()
                path = next((p for p, m in marks if m == mark), ())
                raise YamlProblem("yaml_alias", mark, path)
    finally:
        loader.dispose()


#: The one NaN a document's values hold (:func:`_convert`).
_NAN = float("nan")


def _convert(node: yaml.Node, path: Path, where: Locations, seen: dict[int, Path]) -> Any:
    if id(node) in seen:  # only an alias reaches a node twice: report its anchor
        raise YamlProblem("yaml_alias", Mark.of(node.start_mark), seen[id(node)])
    where.values[path] = node.start_mark
    seen[id(node)] = path
    if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
        return node.value  # most values: no need for PyYAML's constructor
    if len(path) >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
        raise YamlProblem("yaml_too_deep", Mark.of(node.start_mark), path, max=MAX_DEPTH)
    if node.tag in (_INT_TAG, _FLOAT_TAG, _BOOL_TAG) and type(node) is yaml.ScalarNode:
        where.written[path] = node.value
        if node.tag != _BOOL_TAG:
            form = _number_form(node)
            if form is not None:
                where.number_forms[path] = form
                return node.value
    if isinstance(node, yaml.MappingNode):
        return _convert_mapping(node, path, where, seen)
    if isinstance(node, yaml.SequenceNode):
        _check_tag(node, _SEQ_TAG, path)
        return [_convert(item, (*path, i), where, seen) for i, item in enumerate(node.value)]
    _check_tag(node, None, path)
    try:
        value = _constructor.construct_object(node, deep=True)
        # every NaN the same object: data read twice then compares equal, as it does once
        # (containers compare items by identity first; NaN is not equal to itself)
        return _NAN if isinstance(value, float) and value != value else value
    except (yaml.constructor.ConstructorError, ValueError, OverflowError):
        mark = Mark.of(node.start_mark)
        if node.tag == _CORE + "timestamp":
            raise YamlProblem("date_impossible", mark, path, value=node.value) from None
        if node.tag in (_INT_TAG, _FLOAT_TAG):  # thousands of digits, or !!int abc
            raise YamlProblem("number_unreadable", mark, path, value=node.value) from None
        raise YamlProblem("yaml_syntax", mark, path) from None


def _number_form(node: yaml.ScalarNode) -> NumberForm | None:
    """What YAML 1.1 makes of a number that is not written as plain decimal digits;
    None for plain numbers (and for values the constructor is left to refuse)."""
    text = node.value
    if _PLAIN_INT.match(text) or _INF_NAN.match(text):
        return None
    if node.tag == _FLOAT_TAG and _PLAIN_FLOAT.match(text):
        return None
    for name, pattern in _NUMBER_FORMS:
        if pattern.match(text):
            break
    else:
        return None
    try:
        reading = _constructor.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError, OverflowError):
        _constructor.recursive_objects.pop(node, None)  # left there by the failure
        return None  # not a number even to YAML 1.1: refused as before
    try:
        shown = f"{reading:g}" if isinstance(reading, float) else str(reading)
    except ValueError:  # more digits than Python writes out
        shown = "…"
    if name == "octal":
        digits = text.replace("_", "").lstrip("+-").lstrip("0") or "0"
        suggestion = ("-" if text.startswith("-") else "") + digits
    elif name == "underscores":
        suggestion = text.replace("_", "")
    else:
        suggestion = shown
    return NumberForm(name, shown, suggestion)


def _convert_mapping(
    node: yaml.MappingNode, path: Path, where: Locations, seen: dict[int, Path]
) -> dict:
    _check_tag(node, _MAP_TAG, path)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key_mark = key_node.start_mark
        if key_node.tag == _CORE + "merge":
            raise YamlProblem("yaml_alias", Mark.of(key_mark), path)
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlProblem("yaml_key_type", Mark.of(key_mark), path)
        _check_tag(key_node, None, path)
        key = key_node.value  # keys are names: keep them as written (yes, no, 2024…)
        if key in result:
            first = Mark.of(where.keys[(*path, key)])
            raise YamlProblem("yaml_duplicate_key", Mark.of(key_mark), (*path, key), name=key,
                              first_line=first.line)
        where.keys[(*path, key)] = key_mark
        result[key] = _convert(value_node, (*path, key), where, seen)
    return result


def _check_tag(node: yaml.Node, expected: str | None, path: Path) -> None:
    ok = node.tag == expected if expected else node.tag in _SCALAR_TAGS
    if not ok:
        raise YamlProblem("yaml_tag", Mark.of(node.start_mark), path, tag=_short_tag(node.tag))


def _short_tag(tag: str) -> str:
    """A tag as the producer wrote it: ``!!python/object`` rather than its full URI."""
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


# --------------------------------------------------------------------------
# Syntax errors in plain words
# --------------------------------------------------------------------------
#
# PyYAML (and libyaml, whose words differ a little) describe a syntax error in terms
# of its parser ("mapping values are not allowed here", "did not find expected key").
# Producers are not programmers: each common error is recognised from those words and
# the text around it, and said as what to change; anything else gets a general
# message that still names the line. PyYAML's own sentence is never shown.

_CLOSING = {"[": "]", "{": "}"}
#: A field name as records write them (a key that is not one is text with a colon).
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
#: A block scalar indicator at the end of a line (``key: |``, ``- >-``, ``key: |2 # …``).
_BLOCK_SCALAR = re.compile(r"(?:^|[:\s-])\s*[|>][-+0-9]*\s*(?:#.*)?$")


@dataclass(frozen=True)
class _Entry:
    """What a line opens: a list item (``-``) or a field (``name:``), and where."""

    indent: int  # spaces before it
    label: str  # "name:", or for a list item the start of the line ("- file: 1.jpg")
    line: int
    item: bool = False  # a list item


def explain(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    """The :class:`YamlProblem` that says what is wrong in words a producer can act on."""
    lines = split_lines(text)
    end = _end_of(text)
    problem, context = exc.problem_mark, exc.context_mark
    said = " ".join(filter(None, (exc.context, exc.problem)))
    at = min(Mark.of(problem or context), end)  # libyaml may count one more line
    opened = min(Mark.of(context), end) if context is not None else at
    if problem is not None and context is not None and problem.index >= len(text):
        at = opened  # the file ended inside a quote or bracket: show where it opened
    char = _char_at(lines, at)

    tab = _tab_near(lines, at)
    if "tab character" in said or char == "\t" or (tab is not None and "indentation" in said):
        return YamlProblem("yaml_tab", tab or at)
    if "quoted scalar" in said:
        if "escape" in said:
            found = _char_at(lines, at, 2)
            return YamlProblem("yaml_bad_escape", at, escape=found or "\\")
        quote = _char_at(lines, opened) or '"'
        return YamlProblem("yaml_unclosed_quote", opened, quote=quote)
    if "maximum nesting depth" in said:
        return YamlProblem("yaml_too_deep", at, max=MAX_DEPTH)
    if "mapping values are not allowed" in said:
        return _colon_problem(lines, at)
    if "flow" in said and context is not None or (
            "could not find expected ':'" in said and _char_at(lines, opened) in _CLOSING):
        bracket = _char_at(lines, opened) or "["
        return YamlProblem("yaml_unclosed_bracket", at, bracket=bracket, line=opened.line,
                           closing=_CLOSING.get(bracket, "]"))
    if "could not find expected ':'" in said and context is not None:
        return YamlProblem("yaml_no_colon", opened)
    if "cannot start any token" in said or "undefined alias" in said:
        return YamlProblem("yaml_special_start", at, char=char or "?")
    if ("expected key" in said or "<block end>" in said or "'-' indicator" in said
            or "document start" in said):
        return _indentation_problem(lines, at)
    return YamlProblem("yaml_syntax", at)


def _char_at(lines: list[str], mark: Mark, count: int = 1) -> str:
    if not 0 < mark.line <= len(lines):
        return ""
    return lines[mark.line - 1][mark.column - 1:mark.column - 1 + count]


def _tab_near(lines: list[str], mark: Mark) -> Mark | None:
    """The first tab in the indentation of the line of ``mark``, or None."""
    if not 0 < mark.line <= len(lines):
        return None
    line = lines[mark.line - 1]
    head = line[:len(line) - len(line.lstrip(" \t"))]
    return Mark(mark.line, head.index("\t") + 1) if "\t" in head else None


def _colon_problem(lines: list[str], at: Mark) -> YamlProblem:
    """``mapping values are not allowed here``: a ``: `` inside a text (``summary: Mật
    ong: ngon``), or a field indented under one that already has a value."""
    line = lines[at.line - 1] if 0 < at.line <= len(lines) else ""
    entries = _entries(line, at.line)
    key = entries[-1] if entries and not entries[-1].item else None
    if key is not None:
        key_end = key.indent + len(key.label)  # the column of its colon, 1-based
        if key_end < at.column:  # the line's own field comes first: the colon is in its text
            value = _plain_value(line[key_end:])
            example = f'{key.label} "{_escaped(value)}"' if value else f'{key.label} "…"'
            return YamlProblem("yaml_colon_in_text", at, name=key.label[:-1], example=example)
    above = _open_entries(lines, at.line)
    fields = [e for e in above if not e.item]
    if key is not None and not _FIELD_NAME.match(key.label[:-1]) and fields:
        # not a field name but words: the text of the field above goes on with a colon
        owner = fields[-1]
        return YamlProblem("yaml_colon_in_text", at, name=owner.label[:-1],
                           example=f'{owner.label} "…"')
    if key is not None and fields:
        target = fields[-1]
        return YamlProblem("yaml_indented_under_value", at, name=key.label, above=target.label,
                           line=target.line, **_indent_fix([target]))
    return YamlProblem("yaml_syntax", at)


def _indentation_problem(lines: list[str], at: Mark) -> YamlProblem:
    """``did not find expected key`` and the like: at the start of a line, a line that
    lines up with no open field or list; after something on the line, a text that goes
    on after its closing quote."""
    line = lines[at.line - 1] if 0 < at.line <= len(lines) else ""
    indent = len(line) - len(line.lstrip(" "))
    if at.column - 1 > indent:  # not at the start of the line
        if any(q in line[:at.column - 1] for q in "'\""):
            return YamlProblem("yaml_quote_ends_early", at)
        return YamlProblem("yaml_syntax", at)
    entries = _entries(line, at.line)
    if not entries:
        return YamlProblem("yaml_syntax", at)
    first = entries[0]
    # a list item lines up with the items of a list, a field with fields
    above = [e for e in _open_entries(lines, at.line)
             if e.item == first.item and e.indent != first.indent]
    deeper = [e for e in above if e.indent > first.indent]
    shallower = [e for e in above if e.indent < first.indent]
    options = []
    if deeper:
        options.append(min(deeper, key=lambda e: (e.indent, -e.line)))
    if shallower:
        options.append(max(shallower, key=lambda e: (e.indent, e.line)))
    if first.item and not options:
        return YamlProblem("yaml_list_item", at)
    return YamlProblem("yaml_indentation", at, name=first.label, **_indent_fix(options))


def _indent_fix(options: list[_Entry]) -> dict[str, str]:
    """``fix``/``fix_vi``: write it with N spaces like ``x:`` on line L (or …)."""
    if not options:
        return phrase_params("fix", "indent_unknown")
    kinds = {0: "indent_start", 1: "indent_space"}
    parts = [phrase_params("o", kinds.get(e.indent, "indent_spaces"), spaces=e.indent,
                           name=e.label, line=e.line) for e in options]
    joiner = phrase_params("j", "indent_or")
    return phrase_params("fix", "indent_write",
                         options=joiner["j"].join(p["o"] for p in parts),
                         options_vi=joiner["j_vi"].join(p["o_vi"] for p in parts))


def _entries(line: str, number: int) -> list[_Entry]:
    """The list items and the field a line opens, e.g. ``  - file: 1.jpg`` opens a list
    item at 2 spaces and ``file:`` at 4."""
    found = []
    position = len(line) - len(line.lstrip(" "))
    rest = line[position:]
    while rest == "-" or rest.startswith(("- ", "-\t")):
        found.append(_Entry(position, _cut(rest), number, item=True))
        step = len(rest) - len(rest[1:].lstrip(" \t"))
        position += step
        rest = rest[step:]
    key = _key_of(rest)
    if key:
        found.append(_Entry(position, key + ":", number))
    return found


def _key_of(rest: str) -> str:
    """The field name ``rest`` starts with (``name`` of ``name: value``), or ''."""
    if not rest or rest[0] in "#'\"{[&*!|>%@`":
        return ""
    for index, char in enumerate(rest):
        if char == ":" and (index + 1 == len(rest) or rest[index + 1] in " \t"):
            return rest[:index].rstrip()
        if char == "#" and index and rest[index - 1] in " \t":
            return ""
    return ""


def _open_entries(lines: list[str], upto: int) -> list[_Entry]:
    """The entries still open at line ``upto``, outermost first: each the last one
    written above at its indentation, under the ones before it (blank lines, comments
    and the text of ``|`` and ``>`` blocks are skipped)."""
    stack: list[_Entry] = []
    block: int | None = None  # the text of a block scalar is indented more than this
    for number, line in enumerate(lines[:max(upto - 1, 0)], 1):
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block is not None:
            if indent > block:
                continue
            block = None
        if stripped.startswith("#"):
            continue
        entries = _entries(line, number)
        for entry in entries:
            while stack and stack[-1].indent >= entry.indent:
                stack.pop()
            stack.append(entry)
        if entries and _BLOCK_SCALAR.search(line):
            block = entries[-1].indent
    return stack


def _cut(text: str, limit: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _plain_value(rest: str) -> str:
    """The text after a field's colon, without a comment."""
    value = rest.strip()
    cut = re.search(r"\s#", value)
    return value[:cut.start()].rstrip() if cut else value


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
