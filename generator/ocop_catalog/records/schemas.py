"""JSON Schemas for the record files, generated from the record models.

Editors (VS Code with the YAML extension, JetBrains) read the
``# yaml-language-server: $schema=…`` line at the top of each record and
offer completion and underline mistakes. The schemas are committed under
``schema/`` so those links work in a plain checkout; ``ocop schema`` rewrites
them and ``ocop schema --check`` fails when they are stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .models import RECORD_FILES

SCHEMA_DIR = "schema"
SCHEMAS: dict[str, type[BaseModel]] = {
    Path(name).stem + ".schema.json": model for model, name in RECORD_FILES.items()
}


def schema_for(model: type[BaseModel], name: str) -> dict:
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ocop-catalog.example/schema/{name}",
        **schema,
    }


def render_schemas() -> dict[str, str]:
    """File name → JSON text of every record schema."""
    return {
        name: json.dumps(schema_for(model, name), ensure_ascii=False, indent=2) + "\n"
        for name, model in SCHEMAS.items()
    }


def write_schemas(root: Path, *, check: bool = False) -> list[str]:
    """Write the schemas under ``root/schema``; with ``check``, list stale files only."""
    stale = []
    folder = root / SCHEMA_DIR
    for name, text in render_schemas().items():
        target = folder / name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        stale.append(f"{SCHEMA_DIR}/{name}")
        if not check:
            folder.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return stale
