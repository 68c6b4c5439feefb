"""The catalog's photos, as the edition processed them: every variant of every photo
at ``media/<digest[:16]>/<name>``, hard-linked from the cache where possible."""

from __future__ import annotations

from pathlib import Path

from ..edition import Edition
from ..edition.images import publish_images
from . import Output, Run


def write(edition: Edition, site_dir: Path, options: None, run: Run) -> int:
    publish_images(edition.images, site_dir, prefix=edition.config.media_prefix)
    return len(edition.images)


OUTPUT = Output("photos", write)
