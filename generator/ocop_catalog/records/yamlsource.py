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
        problem, context = exc.problem_mark, exc.context_mark
        if problem is not None and context is not None and problem.index >= len(text):
            problem = context  # the file ended inside a quote or bracket: show where it opened
        mark = min(Mark.of(problem or context), _end_of(text))  # libyaml may count one more line
        detail = " ".join(filter(None, (exc.context, exc.problem))) or str(exc)
        raise YamlProblem("yaml_syntax", mark, detail=detail) from None
    except yaml.reader.ReaderError as exc:  # control characters, bad encoding
        # the first such character is the one refused; libyaml counts its position in bytes
        position = text.find(chr(exc.character))
        mark = _end_of(text[: position if position >= 0 else exc.position])
        detail = f"character U+{exc.character:04X} is not allowed in YAML"
        raise YamlProblem("yaml_syntax", mark, detail=detail) from None
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml_syntax", Mark(1, 1), detail=str(exc)) from None
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
        return _constructor.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError, OverflowError) as exc:
        mark = Mark.of(node.start_mark)
        if node.tag == _CORE + "timestamp":
            raise YamlProblem("date_impossible", mark, path, value=node.value) from None
        raise YamlProblem("yaml_syntax", mark, path, detail=str(exc)) from None


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
