"""The catalog's photos, as the edition processed them: every variant of every photo
at ``media/<digest[:16]>/<name>``, hard-linked from the cache where possible (keyed
by the photo's digest, which stands for its bytes and every setting that shapes it)."""

from __future__ import annotations

from pathlib import Path

from ..edition import Edition
from ..edition.images import publish_images
from ..edition.keys import digest
from . import Output, Run


def write(edition: Edition, site_dir: Path, options: None, run: Run) -> int:
    reuse = run.reuse
    publish_images(edition.images, site_dir, prefix=edition.config.media_prefix,
                   taken=None if reuse is None else
                   lambda rel, made_of: reuse.take(rel, digest("media", made_of)))
    return len(edition.images)


OUTPUT = Output("photos", write)
