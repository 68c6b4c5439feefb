"""Catalog settings, read from the ``ocop`` plugin entry of site_config.yml.

The catalog core must not import MkDocs, yet ``ocop validate`` has to know the
site's languages and limits. So the settings live where site builders expect
them (the plugin options in site_config.yml) and are read here with a plain
YAML reader that ignores MkDocs' own tags (``!ENV``, ``!!python/name:``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from .records.history import Published

from .catalog import certificates as certs

CONFIG_FILE = "site_config.yml"


@dataclass(frozen=True)
class Settings:
    """What the loader and validator need to know about the catalog."""

    root: Path
    #: Site languages, Vietnamese first.
    languages: tuple[str, ...] = ("vi", "en", "zh")
    #: Languages whose missing translations are reported as warnings.
    translation_warnings: tuple[str, ...] = ("en",)
    photo_max_bytes: int = 15 * 1024 * 1024
    photo_max_pixels: int = 50_000_000
    photo_min_side: int = 500
    expiry_warning_days: int = certs.EXPIRING_DAYS
    #: The date certificates are judged against; the build date.
    today: dt.date = field(default_factory=dt.date.today)
    #: What is already published, which clashes of ids, GTINs and QR codes are decided by
    #: (ocop_catalog.records.history); None: nothing known to be published.
    published: Published | None = field(default=None, compare=False, repr=False)
    #: The build's cache folder (the plugin's ``cache_dir`` option, from ``root``; the
    #: build sets it, ``ocop validate`` does not): photos that decoded cleanly and are
    #: unchanged since are not decoded again (ocop_catalog.records.decoded). None: decode
    #: every photo.
    cache_dir: str | None = field(default=None, compare=False)
    #: The memos in the cache folder that the record of the site the build takes over
    #: vouches for (restored with it, on a fresh runner): the SHA-256 of each, by path from
    #: ``root`` (ocop_catalog.records.decoded.read_vouched). None: none.
    restored: Mapping[str, str] | None = field(default=None, compare=False, repr=False)

    @property
    def cache_path(self) -> Path | None:
        return None if self.cache_dir is None else self.root / self.cache_dir

    @property
    def products_dir(self) -> Path:
        return self.root / "products"

    @property
    def catalog_dir(self) -> Path:
        return self.root / "catalog"


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader (libyaml's where PyYAML has it: a build reads site_config.yml a few
    times) that reads MkDocs-specific tags as empty values."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/", lambda loader, suffix, node: None
)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds site_config.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The options given to the ``ocop`` plugin in an MkDocs config file."""
    with open(config_file, encoding="utf-8") as fh:
        config = yaml.load(fh, Loader=_ConfigLoader) or {}
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and "ocop" in entry:
            return dict(entry["ocop"] or {})
    return {}


#: Vietnam's time zone (no daylight saving): "today" is a day in Vietnam wherever the
#: build runs (a CI runner in UTC would otherwise be a day behind until 07:00).
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def vietnam_today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def build_date(value: Any = None) -> dt.date:
    """The build date: given, else SOURCE_DATE_EPOCH, else today in Vietnam."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return vietnam_today()


def _config_value(root: Path, key: str) -> Any:
    """A top-level value of ``root``'s site_config.yml (None: no file, or not set)."""
    config_file = root / CONFIG_FILE
    config: Any = {}
    if config_file.is_file():
        with open(config_file, encoding="utf-8") as fh:
            config = yaml.load(fh, Loader=_ConfigLoader) or {}
    return config.get(key) if isinstance(config, dict) else None


def site_dir(root: Path) -> Path:
    """The site folder ``site_config.yml`` names (``site_dir``, default ``site``)."""
    folder = _config_value(root, "site_dir")
    return root / (folder if isinstance(folder, str) and folder else "site")


def site_url(root: Path) -> str:
    """The address the site is published at (``site_url`` of site_config.yml), or ""."""
    url = _config_value(root, "site_url")
    return url if isinstance(url, str) else ""


#: The build's cache folder when the plugin's ``cache_dir`` option does not name one.
DEFAULT_CACHE_DIR = ".cache/ocop"


def cache_folder(root: Path) -> Path:
    """The build's cache folder of the catalog at ``root`` (its ``cache_dir`` option, as
    the build takes it), for commands that do not build (``ocop validate``)."""
    config_file = root / CONFIG_FILE
    try:
        value = plugin_options(config_file).get("cache_dir") if config_file.is_file() else None
    except Exception:  # noqa: BLE001 - an unreadable config is reported where it is read
        value = None
    return root / (value if isinstance(value, str) and value else DEFAULT_CACHE_DIR)


def load_settings(root: Path, *, today: dt.date | None = None, **overrides: Any) -> Settings:
    """Settings for the catalog at ``root``, from its site_config.yml if present."""
    config_file = root / CONFIG_FILE
    options = plugin_options(config_file) if config_file.is_file() else {}
    return settings_from_options(root, options, today=today, **overrides)


def settings_from_options(root: Path, options: dict[str, Any], *, today: dt.date | None = None,
                          **overrides: Any) -> Settings:
    """Settings from the ``ocop`` plugin options (other options are ignored)."""
    known = {f.name for f in dataclasses.fields(Settings)} - {"root", "today", "published",
                                                               "cache_dir", "restored"}
    values = {k: v for k, v in options.items() if k in known}
    for key in ("languages", "translation_warnings"):
        if key in values:
            values[key] = tuple(values[key])
    values.update(overrides)
    return Settings(
        root=root, today=today or build_date(options.get("build_date")), **values
    )
