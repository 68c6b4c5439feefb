"""Template calls go through :class:`ocop_catalog.edition.theme._Context`, which skips
Jinja's search for a ``pass_context``-style marker on plain functions, methods, builtins,
macros and translators: every kind of callable must give what Jinja's own context gives."""

from __future__ import annotations

import jinja2
import pytest
from jinja2 import pass_context, pass_environment, pass_eval_context
from ocop_catalog.edition import theme
from ocop_catalog.edition.i18n import Translator


class Holder:
    def __init__(self) -> None:
        self.seen = []

    def plain(self, value, *, extra=""):
        return f"plain:{value}{extra}"

    @pass_context
    def with_context(self, context, value):
        return f"context:{context['who']}:{value}"

    def __call__(self, value):
        return f"called:{value}"


class MarkedCall:
    @pass_context
    def __call__(self, context, value):
        return f"marked-call:{context['who']}:{value}"


@pass_environment
def with_environment(environment, value):
    return f"environment:{type(environment).__name__}:{value}"


@pass_eval_context
def with_eval_context(eval_context, value):
    return f"eval:{eval_context.autoescape}:{value}"


def stops(value):
    raise StopIteration


TEMPLATE = """\
{%- macro m(x) %}macro:{{ x }}:{{ who }}{% endmacro -%}
{{ h.plain(1) }} {{ h.plain(2, extra='!') }} {{ h.with_context(3) }} {{ h(4) }}
{{ marked(5) }} {{ env_fn(6) }} {{ eval_fn(7) }} {{ lam(8) }} {{ d.get('k') }}
{{ 'a-b'.split('-') | join('+') }} {{ m(9) }} {{ t.price(12000) }} {{ t('no.such.key') }}
{% for i in [1, 2] %}{% set inner = i * 10 %}{{ h.with_context(inner) }}{{ m(inner) }}{% endfor %}
{% block b %}{% set inner = 'b' %}{{ h.with_context(inner) }}{% endblock %}
{{ stopper(1) is undefined }} {{ len([1, 2, 3]) }} {{ cls(10) }}"""


def render(context_class) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.Undefined)
    env.context_class = context_class
    holder = Holder()
    return env.from_string(TEMPLATE).render(
        h=holder, marked=MarkedCall(), env_fn=with_environment, eval_fn=with_eval_context,
        lam=lambda value: f"lambda:{value}", d={"k": "dict-get"}, who="someone",
        t=Translator("vi", {"vi": {}}), stopper=stops, len=len, cls=str)


def test_every_kind_of_call_gives_what_jinjas_own_context_gives():
    ours, jinjas = render(theme._Context), render(jinja2.runtime.Context)
    assert ours == jinjas
    for expected in ("plain:1", "plain:2!", "context:someone:3", "called:4",
                     "marked-call:someone:5", "environment:Environment:6", "eval:True:7",
                     "lambda:8", "dict-get", "a+b", "macro:9:someone", "context:someone:10",
                     "context:someone:b", "True 3 10", "no.such.key", "12.000"):
        assert expected in ours, expected


@pytest.mark.parametrize("kind", sorted(theme._UNMARKED_TYPES, key=lambda k: k.__name__))
def test_the_classes_taken_as_plain_have_no_marker(kind):
    assert getattr(kind.__call__, "jinja_pass_arg", None) is None
