"""Print assets: QR PNGs at 300 dpi, product labels, shelf-label sheets, posters.

(Work in progress: filled in by the print-assets work of issue 4.)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def write_print_assets(builder, site_dir: Path, cache_dir: Path,
                       options: Mapping[str, Any], *, workers: int | None = None) -> int:
    """Write every print asset into ``site_dir``; the number of files written."""
    return 0
