"""The package's layers, read from its imports: records → catalog → edition → outputs.

docs/architecture.md describes them; these tests keep the code to it. Every module
of the package is parsed (not imported) and its imports, relative ones resolved,
are checked against the rules below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from siteutil import REPO

PACKAGE = REPO / "generator" / "ocop_catalog"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (``from x import y`` counts x and x.y)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}

#: Feed modules every feed output may read; the others are outputs of their own.
FEED_SHARED = {"data", "marketplace", "options", "schema", "export"}


def _output_of(module: str) -> str | None:
    """The output a module belongs to, or None (shared, or not an output)."""
    parts = module.split(".")
    if parts[:2] != ["ocop_catalog", "outputs"] or len(parts) < 3:
        return None
    if parts[2] == "feeds":
        return None if len(parts) < 4 or parts[3] in FEED_SHARED else ".".join(parts[:4])
    return ".".join(parts[:3])


def _in(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_layout_is_what_the_docs_say():
    top = {_module(p).split(".")[1] for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE}
    assert top == {"records", "catalog", "edition", "outputs"}
    outputs = {m for m in MODULES if _output_of(m)}
    assert {"ocop_catalog.outputs.site", "ocop_catalog.outputs.printing",
            "ocop_catalog.outputs.media", "ocop_catalog.outputs.feeds.google"} <= {
        _output_of(m) for m in outputs}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _output_of(m)))
def test_no_output_imports_another_output(module):
    mine = _output_of(module)
    others = {_output_of(i) for i in MODULES[module] if i in MODULES}
    assert others <= {mine, None}, f"{module} imports another output: {others - {mine, None}}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_lower_layers_do_not_reach_up(module):
    """records and catalog know nothing of publishing; the edition knows no output; only
    the adapters (CLI, MkDocs plugin, ``ocop build``, ``ocop serve``) import MkDocs."""
    imports = MODULES[module]
    if _in(module, "ocop_catalog.records", "ocop_catalog.catalog"):
        assert not {i for i in imports
                    if _in(i, "ocop_catalog.edition", "ocop_catalog.outputs",
                           "ocop_catalog.pipeline")}
    if _in(module, "ocop_catalog.edition"):
        assert not {i for i in imports if _in(i, "ocop_catalog.outputs", "ocop_catalog.pipeline")}
    if module not in ("ocop_catalog.mkdocs_plugin", "ocop_catalog.build", "ocop_catalog.cli",
                      "ocop_catalog.serve"):
        assert not {i for i in imports if _in(i, "mkdocs")}, f"{module} imports MkDocs"


def test_only_the_pipeline_lists_the_outputs():
    """An output is declared once (``OUTPUT`` in its module) and listed only in the
    pipeline: nothing else reaches for another module's ``OUTPUT``."""
    declared = sorted(m for m in MODULES if "OUTPUT = Output(" in _source(m))
    units = sorted(_output_of(m) for m in declared)
    assert None not in units and len(units) == len(set(units))  # one declaration an output
    assert set(units) == {_output_of(m) for m in MODULES} - {None}
    users = {m for m, imports in MODULES.items()
             if any(i.endswith(".OUTPUT") for i in imports) or ".OUTPUT" in _code(m)}
    assert users == {"ocop_catalog.pipeline"}


def _path(module: str) -> Path:
    rel = Path(*module.split(".")[1:])
    return (PACKAGE / rel / "__init__.py") if (PACKAGE / rel).is_dir() else (
        PACKAGE / rel.with_suffix(".py"))


def _source(module: str) -> str:
    return _path(module).read_text(encoding="utf-8")


def _code(module: str) -> str:
    """The module's source without its docstrings and comments."""
    tree = ast.parse(_source(module))
    return "\n".join(ast.unparse(node) for node in tree.body
                     if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)))


def _writes_in_place(path: Path) -> list[str]:
    """Calls in ``path`` that can write into an existing file: ``write_text``,
    ``write_bytes``, ``open`` for writing or appending (``"x"`` creates, ``"r"`` reads)."""
    return _writes_in_place_source(path.read_text(encoding="utf-8"), path.name)


def _writes_in_place_source(source: str, name: str = "<source>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if attr in ("write_text", "write_bytes"):
            found.append(f"{name}:{node.lineno} {attr}")
        elif attr == "open":  # open(path, mode) or path.open(mode)
            first = 0 if isinstance(func, ast.Attribute) else 1
            modes = node.args[first:first + 1] + [k.value for k in node.keywords
                                                  if k.arg == "mode"]
            mode = (modes[0].value if isinstance(modes[0], ast.Constant) else None) \
                if modes else "r"  # a mode not written out counts as a write
            if not isinstance(mode, str) or set(mode) & set("wa+"):
                found.append(f"{name}:{node.lineno} open({mode!r})")
    return found


def test_outputs_never_write_into_an_existing_file():
    """A site file may be shared, by a hard link, with the published site (files taken
    over, the spare: ocop_catalog/reuse.py): outputs write new files only, through
    reuse.write_new (unlink, then create) or a temporary file and os.replace."""
    offending = [hit for path in sorted((PACKAGE / "outputs").rglob("*.py"))
                 for hit in _writes_in_place(path)]
    assert not offending, offending
    assert _writes_in_place_source("Path(x).open('w')") and _writes_in_place_source(
        "open(x, mode='a')") and not _writes_in_place_source("open(x, 'xb')")
    # the check itself finds what it looks for (build.py writes its records' temporary
    # files with write_text)
    assert any("write_text" in hit for hit in _writes_in_place(PACKAGE / "build.py"))
