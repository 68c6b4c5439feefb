"""``ocop build``: run MkDocs with the ocop plugin, atomically.

The site is built into a temporary folder beside the target; only when the
build succeeds is the old site swapped out, so a failed build (invalid
records, a template error) leaves the previous site untouched. When no input
changed since the last build of the same folder (records, photos, authored
pages, theme, configuration, the build date and this package), the build is
skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException

from .settings import build_date, plugin_options


class BuildFailed(Exception):
    pass


def build_site(
    config_file: Path, site_dir: Path | None = None, *, strict: bool = False
) -> tuple[Path, bool]:
    """Build the site of ``config_file`` into ``site_dir``.

    Returns the folder and whether it was built (False: it was up to date).
    """
    _show_mkdocs_messages()
    config = load_config(config_file=str(config_file), strict=strict)
    target = Path(site_dir or config.site_dir).resolve()
    root = Path(config_file).resolve().parent
    fingerprint = _fingerprint(root, Path(config_file), strict)
    record = root / _BUILDS
    _remove_later(*_leftovers(target))
    if (target / "index.html").is_file() and _last_build(record).get(str(target)) == fingerprint:
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    config.site_dir = str(staging)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, Abort) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        reason = "see the errors above" if isinstance(exc, Abort) else str(exc)
        raise BuildFailed(f"nothing was built, the previous site is unchanged ({reason})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, target)
    _remember_build(record, str(target), fingerprint)
    return target, True


# --------------------------------------------------------------------------
# Up-to-date check: nothing changed, nothing to do
# --------------------------------------------------------------------------

_BUILDS = ".cache/ocop/builds.json"
_INPUTS = ("products", "catalog", "theme")


def _fingerprint(root: Path, config_file: Path, strict: bool) -> str:
    """Every input of a build: files (by size and modification time), options, date."""
    digest = hashlib.sha256()
    options = plugin_options(config_file)
    digest.update(f"{strict}|{build_date(options.get('build_date'))}\n".encode())
    package = Path(__file__).resolve().parent
    sources = [config_file] + [p for folder in _INPUTS for p in (root / folder).rglob("*")]
    sources += list(package.rglob("*.py")) + list(package.rglob("*.yml"))
    for path in sorted(sources):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _last_build(record: Path) -> dict[str, str]:
    try:
        return json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _remember_build(record: Path, target: str, fingerprint: str) -> None:
    builds = _last_build(record)
    builds[target] = fingerprint
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_name(f".{record.name}.{os.getpid()}")
    tmp.write_text(json.dumps(builds, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, record)


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target`` with two renames; the old site is deleted
    by a background process (at 10,000 products that takes about ten seconds)."""
    os.chmod(staging, 0o755)
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        os.replace(target, old)
        os.replace(staging, target)
        _remove_later(old)
    else:
        os.replace(staging, target)


def _remove_later(*folders: Path) -> None:
    """Delete ``folders`` in a process of their own that outlives this one."""
    if not folders:
        return
    try:
        subprocess.Popen(
            [sys.executable, "-c",
             "import shutil, sys\nfor f in sys.argv[1:]: shutil.rmtree(f, ignore_errors=True)",
             *map(str, folders)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True)
    except OSError:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def _leftovers(target: Path) -> list[Path]:
    """Old sites whose deletion was cut short (the machine stopped, say)."""
    prefix = f".{target.name}.old-"
    if not target.parent.is_dir():
        return []
    return sorted(p for p in target.parent.iterdir()
                  if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink())


def _show_mkdocs_messages() -> None:
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
