"""The product form: a page in every site language where a producer who never opens a
terminal fills in a product and gets its folder, ``product.yml`` and photos.

Everything happens in the visitor's browser (``theme/assets/form.js``): the fields are
checked as they are typed against the JSON Schema of the product record, the one
``ocop validate`` checks (generated here from the record model, never copied), with
Ajv (vendored in the theme, ``theme/assets/vendor/``); photos are checked for type,
size and pixels against the catalog's limits; the YAML is shown as it grows; the
folder is downloaded as a zip made in the browser, or, when the catalog's repository is
on GitHub (MkDocs' ``repo_url``), opened as a new file on GitHub. The form makes **new**
products only (the page says so): a published product's record holds fields the form does
not ask for, which a form-made file would drop. Nothing is sent anywhere, and the page
works from any static host or straight from the disk.

The page links the contributor guide (:data:`GUIDE_PAGE`, an authored page) in its own
language, else in English, else in Vietnamese, when the catalog has it.

Writes the page in every language (``urls.form``; ``noindex``: a tool, not catalog
content, so it stays out of the sitemap) and the product schema as
``assets/schema/product.schema.json`` and, for pages opened from the disk (where a
page cannot fetch a file), as the script ``assets/schema/product.schema.js``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..catalog.taxonomy import CURRENT_VERSION, load_taxonomies
from ..edition import Edition
from ..edition.keys import code_key, digest
from ..edition.urls import relative
from ..records.schemas import SCHEMAS, schema_for
from ..records.text import DEFAULT_LANGUAGE
from . import Output, Run
from ..reuse import write_new

__all__ = ["OUTPUT", "SCHEMA_JS", "SCHEMA_JSON", "github_urls"]

SCHEMA_NAME = "product.schema.json"
#: Where the product schema is written in the site, as JSON and as a script.
SCHEMA_JSON = "assets/schema/product.schema.json"
SCHEMA_JS = "assets/schema/product.schema.js"

#: The contributor guide: an authored page of the catalog (``catalog/contributing.md``,
#: ``catalog/en/contributing.md``: the sample's and those ``ocop init`` writes), linked
#: from the form in the page's language, else in English, else in Vietnamese.
GUIDE_PAGE = "contributing/"
#: The languages a guide is looked for in after the page's own.
GUIDE_FALLBACK = ("en", DEFAULT_LANGUAGE)

#: UI strings the browser shows (form.js), given to it without this prefix.
_MESSAGES = "form.msg."
_GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9](?:-?[A-Za-z0-9])*)/"
                     r"([A-Za-z0-9._-]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class _Site:
    """What the page frame (base.html) asks of ``site``."""

    authored_menu: tuple[tuple[str, str], ...]


def github_urls(repo_url: str, branch: str) -> dict[str, str] | None:
    """GitHub's new-file page of the repository's ``products/`` folder (the form adds
    ``<producer>…``), or None when ``repo_url`` is not a GitHub repository. There is no
    link to edit a published product's file: the form knows only the fields it asks for,
    and pasted over a published record it would drop the others (``gtin``,
    ``former_ids``, ``qr_code``, marketplaces…); the page says to edit that file itself."""
    found = _GITHUB.match(repo_url.strip()) if repo_url else None
    if found is None or not branch:
        return None
    base = f"https://github.com/{found.group(1)}/{found.group(2)}"
    ref = quote(branch, safe="/")
    return {"repository": base, "new": f"{base}/new/{ref}/products/"}


def guide_links(edition: Edition) -> dict[str, tuple[str, str] | None]:
    """For each site language, the contributor guide the form links: (its URL, its
    language), or None when the catalog has no such page (MkDocs rendered no
    ``contributing.md``)."""
    built = {url for url, _ in edition.config.extra_pages}
    links: dict[str, tuple[str, str] | None] = {}
    for lang in edition.languages:
        links[lang] = None
        for candidate in (lang, *GUIDE_FALLBACK):
            if candidate in edition.languages and edition.urls.at(candidate, GUIDE_PAGE) in built:
                links[lang] = (edition.urls.at(candidate, GUIDE_PAGE), candidate)
                break
    return links


def schema_text() -> str:
    """The product record's JSON Schema, as ``ocop schema`` writes it."""
    model = SCHEMAS[SCHEMA_NAME]
    return json.dumps(schema_for(model, SCHEMA_NAME), ensure_ascii=False, indent=2) + "\n"


def schema_script(text: str) -> str:
    """The schema as a script that sets ``window.OCOP_PRODUCT_SCHEMA`` (ASCII only, so no
    character can end the script or a string early)."""
    data = json.loads(text)
    return ("/* The product record's JSON Schema (generated by ocop-catalog; also "
            f"{Path(SCHEMA_JSON).name}) */\nwindow.OCOP_PRODUCT_SCHEMA = "
            + json.dumps(data, ensure_ascii=True, separators=(",", ":")) + ";\n")


def _criteria_sets() -> list[dict[str, Any]]:
    """Every decision's criteria sets for goods (tourism services have fields of their
    own that the form does not ask for), newest decision first."""
    result = []
    for version, taxonomy in reversed(load_taxonomies().items()):
        sets = [s for s in taxonomy.sets.values() if s.goods]
        result.append({"version": version, "decision": taxonomy.decision, "sets": sets,
                       "current": version == CURRENT_VERSION})
    return result


def write(edition: Edition, site_dir: Path, options: Any, run: Run) -> int:
    """Write the form page in every language and the product schema; the pages written.
    With the run's keys, files whose key is unchanged are taken over from the previous
    build (:mod:`ocop_catalog.reuse`): the schema is the code's; a page shows the build's
    settings, UI strings, template and sharing image, and of the records the producers
    and sales points its lists offer (a price leaves it alone)."""
    reuse, keys = run.reuse, run.keys
    schema_key = digest(code_key(), "product-schema") if keys is not None else ""
    if reuse is None or not reuse.take_all([SCHEMA_JSON, SCHEMA_JS], schema_key):
        text = schema_text()
        for rel, content in ((SCHEMA_JSON, text), (SCHEMA_JS, schema_script(text))):
            if reuse is not None:
                reuse.made(rel, schema_key)
            target = site_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write_new(target, content)
    config = edition.config
    catalog = edition.catalog
    social = edition.social_image  # og:image: its name is the digest of what it shows
    # the packaged form does not show the build date (an override may)
    page_key = digest(keys.undated, keys.day_of("form.html"), keys.strings,
                      keys.template("form.html"),
                      social.path, social.alt,
                      [keys.producer(pid) for pid in catalog.producers],
                      [keys.point(pid) for pid in catalog.sales_points]) \
        if keys is not None else ""
    path = edition.urls.form(None)
    todo = [lang for lang in edition.languages
            if reuse is None or not reuse.take(_page_file(edition, lang, path),
                                               digest(page_key, lang))]
    if not todo:
        return len(edition.languages)
    env = edition.templates(site=_Site(tuple((p.slug, p.title_key) for p in edition.authored)))
    template = env.get_template("form.html")
    settings = catalog.settings
    context = {
        "github": github_urls(config.repo_url, config.repo_branch),
        "repository": config.repo_url if config.repo_url.startswith(("https://", "http://"))
        else "",
        "criteria": _criteria_sets(),
        "translations": tuple(lang for lang in settings.translation_warnings
                              if lang in edition.languages and lang != DEFAULT_LANGUAGE),
        "limits": {"max_bytes": settings.photo_max_bytes,
                   "max_pixels": settings.photo_max_pixels,
                   "min_side": settings.photo_min_side},
    }
    alternates = edition.alternates(path)
    guides = guide_links(edition)
    for lang in todo:
        url = edition.urls.at(lang, path)
        t = edition.translator(lang)
        messages = {key[len(_MESSAGES):]: string for key, string in sorted(t.ui.items())
                    if key.startswith(_MESSAGES)}
        html = template.render(t=t, ui=t.ui, lang=lang, url=url, alternates=alternates,
                               rel=lambda target, url=url: relative(url, target),
                               messages=messages, guide=guides[lang], **context)
        target = site_dir / _page_file(edition, lang, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, html)
    return len(edition.languages)


def _page_file(edition: Edition, lang: str, path: str) -> str:
    return f"{edition.urls.at(lang, path)}index.html"


OUTPUT = Output("form", write, light=True, templates=lambda options: ("form.html",))
