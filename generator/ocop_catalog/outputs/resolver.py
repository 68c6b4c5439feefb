"""GS1 resolver behaviour for the printed ``/01/`` links: linksets, the resolver
description file, and ready configuration for hosts that can do more than serve files.

For every product with a GTIN:

* ``01/<GTIN-14>/linkset.json``: its linkset (RFC 9264, ``application/linkset+json``, as
  GS1-Conformant Resolver 1.2 serves it): for the GTIN, ``gs1:defaultLink`` (exactly one,
  the product page in Vietnamese), ``gs1:pip`` per language (``hreflang``),
  ``gs1:certificationInfo`` (the certificate on the product page), ``gs1:hasRetailers``
  (where to buy, when the record names sales points or shops), ``gs1:traceability`` (when
  the record links its traceability record); and for every lot, under the lot's own URI,
  ``gs1:recallStatus`` and ``gs1:pip`` per language (its page) and its own default link;
* ``01/<GTIN-14>/10/<lot file name>.linkset.json`` per lot with a page: the lot's links
  and the GTIN's (every level up to the primary key, as the standard asks).

And once:

* ``.well-known/gs1resolver``: the resolver description file;
* ``resolver/nginx.conf``: an nginx include (routing by ``linkType``, the linkset for
  ``Accept: application/linkset+json`` without a redirect, ``Accept-Language`` among the
  page languages, 400 for a malformed Digital Link, walking up from an unknown lot, query
  strings passed on, CORS, HEAD and OPTIONS);
* ``_redirects`` and ``_headers`` for Netlify and Cloudflare Pages (what they support).

The three configuration files are rendered from the theme (``ocop/resolver/``); what
holds on which host is in docs/traceability.md. Without ``site_url`` nothing is written
(linksets hold absolute URLs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..catalog.links import gs1_path, lot_segment
from ..catalog.model import ProductEntry
from ..edition import Edition
from ..edition.printspec import lot_file_name
from ..records.text import DEFAULT_LANGUAGE
from . import Output, Run
from ..reuse import write_new

#: The GS1 Web Vocabulary, the namespace of every link type.
GS1_VOC = "https://gs1.org/voc/"
#: The JSON-LD context of GS1 linksets (sent in a Link header with each linkset).
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
LINKSET_TYPE = "application/linkset+json"
#: Where the linkset of a GTIN and of a lot are, beside their pages.
LINKSET = "linkset.json"


def linkset_path(gtin: str) -> str:
    return f"{gs1_path(gtin)}/{LINKSET}"


def lot_linkset_path(gtin: str, code: str) -> str:
    return f"{gs1_path(gtin)}/10/{lot_file_name(code)}.{LINKSET}"


class Links:
    """The links of one product, with the words of their titles."""

    def __init__(self, edition: Edition, product: ProductEntry):
        self.e, self.p = edition, product
        self.urls = edition.urls
        self.anchor = edition.urls.absolute(gs1_path(product.record.gtin))

    def _name(self, lang: str) -> str:
        return self.e.translator(lang).plain(self.p.record.name)

    def _page(self, lang: str, fragment: str = "") -> str:
        return self.urls.absolute(self.urls.product(lang, self.p.id)) + fragment

    def _each(self, title_key: str | None, fragment: str = "") -> list[dict[str, Any]]:
        out = []
        for lang in self.e.languages:
            t = self.e.translator(lang)
            title = self._name(lang) if title_key is None else \
                f"{t.ui[title_key]} · {self._name(lang)}"
            out.append({"href": self._page(lang, fragment), "title": title,
                        "type": "text/html", "hreflang": [lang]})
        return out

    def types(self) -> list[str]:
        """The link types the GTIN has (CURIEs), besides the linkset."""
        record = self.p.record
        found = ["gs1:defaultLink", "gs1:pip", "gs1:certificationInfo"]
        if record.sales_points or record.marketplaces:
            found.append("gs1:hasRetailers")
        if getattr(record, "traceability_url", None):
            found.append("gs1:traceability")
        return found

    def gtin_entry(self) -> dict[str, Any]:
        record = self.p.record
        entry: dict[str, Any] = {
            "anchor": self.anchor,
            "itemDescription": self._name(DEFAULT_LANGUAGE),
            GS1_VOC + "defaultLink": [{"href": self._page(DEFAULT_LANGUAGE),
                                       "title": self._name(DEFAULT_LANGUAGE)}],
            GS1_VOC + "pip": self._each(None),
            GS1_VOC + "certificationInfo": self._each("cert.title", "#certificate"),
        }
        if "gs1:hasRetailers" in self.types():
            entry[GS1_VOC + "hasRetailers"] = self._each("product.where_to_buy", "#buy")
        url = getattr(record, "traceability_url", None)
        if url:
            entry[GS1_VOC + "traceability"] = [{"href": url, "title": self.e.translator(
                DEFAULT_LANGUAGE).ui["resolver.traceability"]}]
        return entry

    def lot_anchor(self, lot) -> str:
        return f"{self.anchor}/10/{lot_segment(lot.code)}"

    def lot_entry(self, lot) -> dict[str, Any]:
        """A lot's links: its page per language (pip and recallStatus: the page says
        whether the lot is recalled) and, when it has one, its page as its default."""
        e = self.e
        path = e.lot_path(self.p, lot)
        entry: dict[str, Any] = {"anchor": self.lot_anchor(lot),
                                 "itemDescription": f"{self._name(DEFAULT_LANGUAGE)} · "
                                 f"{e.translator(DEFAULT_LANGUAGE)('lot.title', lot=lot.code)}"}
        if not e.lot_has_page(lot):
            return entry  # it walks up to the GTIN's links
        pages = {lang: self.urls.absolute(self.urls.at(lang, path)) for lang in e.languages}
        entry[GS1_VOC + "defaultLink"] = [{"href": pages[DEFAULT_LANGUAGE],
                                           "title": entry["itemDescription"]}]
        state = e.lot_state(lot)
        for key, word in (("pip", None), ("recallStatus", f"lot.state.{state}")):
            entry[GS1_VOC + key] = [
                {"href": pages[lang], "title": e.translator(lang)("lot.title", lot=lot.code)
                 + (f" · {e.translator(lang).ui[word]}" if word else ""),
                 "type": "text/html", "hreflang": [lang]}
                for lang in e.languages]
        return entry


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def description_file(edition: Edition) -> dict[str, Any]:
    """``/.well-known/gs1resolver`` (GS1 resolver description file schema 1.2.0)."""
    vi = edition.translator(DEFAULT_LANGUAGE)
    office = vi.ui.get("office.name", "") or vi.ui.get("site.name", "")
    data: dict[str, Any] = {
        "name": vi.ui.get("site.name", ""),
        "resolverRoot": edition.urls.site_url.rstrip("/"),
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": LINKSET_CONTEXT,
    }
    if office:
        data["contact"] = {"fn": office}
    return data


# --------------------------------------------------------------------------
# Host configuration (rendered from the theme's ocop/resolver/ templates)
# --------------------------------------------------------------------------


def nginx_escape(value: str) -> str:
    """``value`` for the inside of a double-quoted nginx string: ``"`` and ``\\`` escaped
    (a lot code may hold ``"``). ``$`` never occurs (GS1's set 82 has none; links are
    checked here)."""
    if "$" in value:
        raise ValueError(f"'$' cannot be written in an nginx string: {value!r}")
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _route(edition: Edition, product: ProductEntry) -> dict[str, Any]:
    record = product.record
    lots = [{"code": nginx_escape(lot.code), "segment": lot_segment(lot.code),
             "linkset": lot_linkset_path(record.gtin, lot.code)}
            for lot in record.lots if edition.lot_has_page(lot)]
    url = getattr(record, "traceability_url", None)
    return {"gtin": gs1_path(record.gtin)[3:], "id": product.id,
            "types": Links(edition, product).types(),
            "traceability": nginx_escape(url.replace("$", "%24")) if url else None,
            "traceability_args": bool(url) and "?" not in url, "lots": lots}


def host_config(edition: Edition) -> dict[str, Any]:
    """What the configuration templates are given."""
    base = urlsplit(edition.urls.site_url).path or "/"
    if not base.endswith("/"):
        base += "/"
    routes = [_route(edition, p) for p in edition.all_products if p.record.gtin]
    return {"base": nginx_escape(base), "routes": routes, "languages": edition.languages,
            "default_lang": DEFAULT_LANGUAGE, "site_url": edition.urls.site_url.rstrip("/"),
            "linkset_type": LINKSET_TYPE, "linkset_context": LINKSET_CONTEXT,
            "cset82": '[!\\"%-.0-?A-Z_a-z]'}


CONFIG_FILES = {"resolver/nginx.conf": "resolver/nginx.conf",
                "_redirects": "resolver/_redirects", "_headers": "resolver/_headers"}


def files(edition: Edition) -> Iterator[tuple[str, bytes]]:
    """Every file of the output: (site-relative path, content)."""
    for product in edition.all_products:
        gtin = product.record.gtin
        if not gtin:
            continue
        links = Links(edition, product)
        gtin_entry = links.gtin_entry()
        lots = [links.lot_entry(lot) for lot in product.record.lots]
        yield linkset_path(gtin), _json({"linkset": [gtin_entry, *lots]})
        for lot, entry in zip(product.record.lots, lots):
            if edition.lot_has_page(lot):
                yield lot_linkset_path(gtin, lot.code), _json({"linkset": [entry, gtin_entry]})
    yield ".well-known/gs1resolver", _json(description_file(edition))
    env = edition.templates()
    context = host_config(edition)
    for target, template in CONFIG_FILES.items():
        yield target, env.get_template(template).render(context).encode("utf-8")


def write(edition: Edition, site_dir: Path, options: None, run: Run) -> int:
    count = 0
    for rel, data in files(edition):
        target = site_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, data)
        count += 1
    return count


OUTPUT = Output("resolver", write, light=True, absolute_urls=True,
                templates=lambda options: tuple(CONFIG_FILES.values()))
