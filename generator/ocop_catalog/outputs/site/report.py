"""The "report wrong information" link of a product page.

A catalog may name the form that receives reports, with the ``report_url`` option of
the ``ocop`` plugin (a GitHub issue form of the catalog's repository, a web form…),
where ``{product}`` (the product's name in the page's language), ``{id}`` (its
permanent id) and ``{url}`` (the page's address) are filled in, percent-encoded::

    report_url: "https://github.com/org/catalog/issues/new?title={product}&body={url}"

Without it the link is a ``mailto:`` to the office's e-mail (``identity.office.email``),
with a subject and a body that name the product and its page; without either, there is
no link. Only the address is made here: the template writes the link.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from ...errors import OptionError

#: What ``report_url`` may ask to be filled in.
PLACEHOLDERS = ("product", "id", "url")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def parse_report_url(value: Any) -> str | None:
    """The checked ``report_url`` option (None when not given)."""
    if value is None or value == "":
        return None
    where = "'report_url'"
    if not isinstance(value, str):
        raise OptionError(f"{where} must be an address (text), not {value!r}")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value) or any(
            ch in value for ch in "<>\"'`\\"):
        raise OptionError(f"{where}: an address holds no spaces, quotes or control "
                          f"characters (write a space as %20): {value!r}")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise OptionError(f"{where} must be a full http:// or https:// address, not {value!r}")
    for name in _PLACEHOLDER.findall(value):
        if name not in PLACEHOLDERS:
            raise OptionError(f"{where}: unknown placeholder {{{name}}} (known: "
                              + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS) + ")")
    if "{" in _PLACEHOLDER.sub("", value) or "}" in _PLACEHOLDER.sub("", value):
        raise OptionError(f"{where}: a brace that opens no placeholder; write {{ as %7B and "
                          f"}} as %7D: {value!r}")
    return value


def _encoded(text: str) -> str:
    return quote(text, safe="")


def report_link(template: str | None, email: str, *, product: str, product_id: str,
                page_url: str, subject: str, body: str) -> str | None:
    """The address of the report link: ``template`` with its placeholders filled in,
    else a ``mailto:`` to ``email`` with ``subject`` and ``body`` (line breaks sent as
    CRLF, RFC 6068), else None."""
    if template:
        values = {"product": product, "id": product_id, "url": page_url}
        return _PLACEHOLDER.sub(lambda m: _encoded(values[m.group(1)]), template)
    email = email.strip()
    if not email or "@" not in email:
        return None
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (f"mailto:{quote(email, safe='@')}?subject={_encoded(subject)}"
            f"&body={_encoded(body)}")
