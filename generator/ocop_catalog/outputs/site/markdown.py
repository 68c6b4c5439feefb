"""Markdown from producers, rendered without raw HTML.

Validation already refuses raw HTML and non-http(s) links; this renderer is
the second wall. Python-Markdown's HTML passes are removed, so any ``<tag>``
that reaches it comes out escaped, and every link gets ``rel="nofollow ugc
noopener"`` and is dropped to text unless it is http(s).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

_SAFE_LINK = re.compile(r"^https?://", re.IGNORECASE)


class _Links(Treeprocessor):
    """Mark external links and unlink anything that is not http(s)."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "a":
                    self._fix_link(child)
                elif child.tag == "img":  # producers' photos go in photos:, not in text
                    child.tag = "span"
                    child.text = child.get("alt", "")
                    child.attrib.clear()

    @staticmethod
    def _fix_link(link: etree.Element) -> None:
        href = link.get("href", "")
        if _SAFE_LINK.match(href):
            link.set("rel", "nofollow ugc noopener")
        else:
            link.tag = "span"
            link.attrib.clear()


class _Safe(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Links(md), "ocop_links", 0)


@lru_cache(maxsize=1)
def _parser() -> markdown.Markdown:
    return markdown.Markdown(extensions=[_Safe(), "sane_lists"], output_format="html")


def render_markdown(text: str, *, shift_headings: int = 1) -> Markup:
    """Safe HTML for ``text``; headings move down so the page keeps one h1."""
    return Markup(_render(text, shift_headings))


@lru_cache(maxsize=4096)
def _render(text: str, shift_headings: int) -> str:
    # cached: a text missing in a language is shown in Vietnamese, the same text again
    parser = _parser()
    html = parser.reset().convert(text)
    if shift_headings:
        html = re.sub(
            r"<(/?)h([1-6])>",
            lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift_headings, 6)}>",
            html,
        )
    return html
