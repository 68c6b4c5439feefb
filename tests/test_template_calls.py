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


PRINTED = """\
{%- macro m(x) %}<b>{{ x }}</b>{% endmacro -%}
{{ text }}|{{ markup }}|{{ number }}|{{ flag }}|{{ none }}|{{ obj }}|{{ html_obj }}|{{ m(text) }}
{% set block %}<i>{{ text }}</i>{% endset %}{{ block }}|{{ block | length }}
{% filter upper %}{{ text }}{{ markup }}{% endfilter %}|{{ [text, markup] | join(',') }}
{% autoescape false %}{{ text }}{% endautoescape %}|{{ text ~ markup }}|{{ (text | e) }}"""


class Shown:
    def __str__(self) -> str:
        return "<shown & 'said'>"


class Html:
    def __html__(self) -> str:
        return "<em>kept</em>"


def printed(template_class) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.template_class = template_class
    return env.from_string(PRINTED).render(
        text='<a href="x">Trà & "chè" \'Tân Cương\'</a>', markup=jinja2.utils.markupsafe.Markup(
            "<br>"), number=12000, flag=True, none=None, obj=Shown(), html_obj=Html())


def test_what_a_template_prints_is_escaped_as_jinja_escapes_it():
    """Templates print through theme._printed (a plain escaped string, not a Markup per
    value): the same page as Jinja's own escaping, every kind of value."""
    ours, jinjas = printed(theme._Template), printed(jinja2.Template)
    assert ours == jinjas
    assert "&lt;a href=&#34;x&#34;&gt;Trà &amp; &#34;chè&#34; &#39;Tân Cương&#39;&lt;/a&gt;" in ours
    assert "|<br>|12000|True|None|&lt;shown &amp; &#39;said&#39;&gt;|<em>kept</em>|<b>&lt;a" \
        in ours
    # and the code that prints was given the plain escaping (not left to MarkupSafe's)
    env = jinja2.Environment(autoescape=True)
    env.template_class = theme._Template
    assert env.from_string("{{ x }}").root_render_func.__globals__["escape"] is theme._printed


def test_a_strict_undefined_value_printed_still_fails():
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.template_class = theme._Template
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
