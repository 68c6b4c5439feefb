"""Machine-readable feeds: marketplaces, open data, display points.

(Work in progress: filled in by the feeds work of issue 5.)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def write_feeds(builder, site_dir: Path, options: Mapping[str, Any]) -> list[str]:
    """Write every feed into ``site_dir``; their site-relative paths."""
    return []
