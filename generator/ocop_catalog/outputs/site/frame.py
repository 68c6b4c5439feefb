"""What the page frame needs besides the pages: the 404 page (``404.html``, every
language in one page: hosts serve one file for every missing address) and the default
sharing image (:mod:`ocop_catalog.edition.social`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from ...edition import Edition
from ...edition.keys import code_key, digest
from ...reuse import Reuse, write_new

NOT_FOUND = "404.html"


def site_path(site_url: str) -> str:
    """The path the site is published under (``/`` or ``/ocop/``): a 404 page is served
    at any address, so its links start from there."""
    path = urlsplit(site_url).path if site_url else ""
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def write_not_found(edition: Edition, env: jinja2.Environment, site_dir: Path,
                    reuse: Reuse | None = None, key: str = "") -> None:
    """``404.html`` (theme ``ocop/404.html``): every language's header, message, search
    form and footer in one page, links from the site's path. With ``reuse``, taken over
    from the previous build when ``key`` (what every page's frame shows, and the
    template) is unchanged."""
    if reuse is not None and reuse.take(NOT_FOUND, key):
        return
    base = site_path(edition.urls.site_url)
    languages = []
    for lang in edition.languages:
        t = edition.translator(lang)
        languages.append({
            "lang": lang, "t": t, "ui": t.ui,
            "alternates": {code: edition.urls.home(code) for code in edition.languages},
            "title": f"{t('frame.notfound_title')} · {t('site.name')}",
        })
    html = env.get_template(NOT_FOUND).render(
        languages=languages, base=base, rel=base.__add__, url=NOT_FOUND)
    write_new(site_dir / NOT_FOUND, html)


def write_social_image(edition: Edition, site_dir: Path, reuse: Reuse | None = None) -> None:
    """The default sharing image (``og:image`` of every page but a product's). Its name
    carries a digest of what it is drawn from; with ``reuse``, the previous build's file of
    that name (and this code's version) is taken over instead of drawn again."""
    image = edition.social_image
    if reuse is not None and reuse.take(image.path, digest(code_key(), image.path)):
        return
    target = site_dir / image.path
    target.parent.mkdir(parents=True, exist_ok=True)
    write_new(target, image.render())
