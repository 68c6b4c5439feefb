"""``ocop build``: run MkDocs with the ocop plugin, atomically.

The site is built into a temporary folder beside the target; only when the
build succeeds is the old site swapped out, so a failed build (invalid
records, a template error) leaves the previous site untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException


class BuildFailed(Exception):
    pass


def build_site(config_file: Path, site_dir: Path | None = None, *, strict: bool = False) -> Path:
    """Build the site of ``config_file`` into ``site_dir``; the folder written."""
    _show_mkdocs_messages()
    config = load_config(config_file=str(config_file), strict=strict)
    target = Path(site_dir or config.site_dir).resolve()
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
    return target


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target`` with two renames."""
    os.chmod(staging, 0o755)
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def _show_mkdocs_messages() -> None:
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
