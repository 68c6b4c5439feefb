"""The ``ocop`` command.

    ocop validate [PATH…] [--format text|json|github] [--strict] [--today DATE] [--base REV]
    ocop build [-f site_config.yml] [-d SITE_DIR] [--strict]
    ocop serve [-f site_config.yml] [-a HOST:PORT]
    ocop schema [--check]

Exit status: 0 when there are no errors, 1 when there are, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .records.issues import Issue
from .records.loader import load_catalog
from .records.schemas import write_schemas
from .records.history import (CATALOG_JSON, HistoryError, Published, from_catalog_json,
                              from_git)
from .settings import CONFIG_FILE, find_root, load_settings, site_dir

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
#: What a shell reports for a program stopped by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    pass


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ocop", description="OCOP catalog tools")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate", help="check the catalog records and report every problem"
    )
    validate.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help="files or folders to report on (default: the whole catalog)",
    )
    validate.add_argument("--format", choices=("text", "json", "github"), default="text")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument(
        "--today", type=_date, help="judge certificates on this date (default: today)"
    )
    validate.add_argument(
        "--base", metavar="REV",
        help="the git revision that is published (e.g. origin/main, a pull request's base): "
             "a record that takes an id, GTIN or QR code a product there has is at fault "
             "(default: the published site in site_dir, if built)")
    validate.set_defaults(run=run_validate)

    build = commands.add_parser("build", help="validate the records and build the site")
    build.add_argument("-f", "--config-file", type=Path, help="MkDocs config (site_config.yml)")
    build.add_argument("-d", "--site-dir", type=Path, help="output folder (default: site/)")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="preview the site with live reload")
    serve.add_argument("-f", "--config-file", type=Path, help="MkDocs config (site_config.yml)")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT")
    serve.set_defaults(run=run_serve)

    schema = commands.add_parser("schema", help="write the record JSON Schemas under schema/")
    schema.add_argument("--check", action="store_true", help="only report stale schemas")
    schema.set_defaults(run=run_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        parser.error(str(exc))  # exits with status 2
        return EXIT_USAGE  # pragma: no cover


def _repository(paths: Sequence[Path]) -> Path:
    for path in paths:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
    start = paths[0] if paths else Path.cwd()
    root = find_root(start if start.is_dir() else start.parent)
    if root is None:
        raise UsageError(f"{start} is not inside a catalog repository (no {CONFIG_FILE} found)")
    return root


def run_validate(args: argparse.Namespace) -> int:
    root = _repository(args.paths)
    settings = load_settings(root, today=args.today, published=_published(root, args.base))
    result = load_catalog(settings)
    issues = _only_under(result.issues, root, args.paths)
    if args.strict:
        issues = [_as_error(i) for i in issues]
    output = {"text": format_text, "json": format_json, "github": format_github}[args.format]
    sys.stdout.write(output(issues))
    return EXIT_ERRORS if any(i.is_error for i in issues) else EXIT_OK


def _published(root: Path, base: str | None) -> Published | None:
    """What is already published: the records at git revision ``base``, else the
    catalog JSON of the site last built in site_dir (if any)."""
    if base is None:
        return from_catalog_json(site_dir(root) / CATALOG_JSON)
    try:
        return from_git(root, base)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None


def _config_file(args: argparse.Namespace) -> Path:
    if args.config_file is not None:
        if not args.config_file.is_file():
            raise UsageError(f"no such config file: {args.config_file}")
        return args.config_file.resolve()
    return _repository([]) / CONFIG_FILE


def run_build(args: argparse.Namespace) -> int:
    """Build into a fresh folder, then swap it in: a failed build changes nothing."""
    from .build import BuildFailed, build_site

    unchanged = "nothing was built, the previous site is unchanged"
    try:
        site_dir, built = build_site(_config_file(args), args.site_dir, strict=args.strict)
    except BuildFailed as exc:
        print(f"ocop build: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print(f"ocop build: interrupted; {unchanged}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # a full disk, a read-only or vanished folder
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"ocop build: {exc.strerror or exc}{where}; {unchanged}", file=sys.stderr)
        return EXIT_ERRORS
    state = "built in" if built else "is up to date (no input changed) in"
    print(f"Site {state} {site_dir}\nPreview it with 'ocop serve' (http://127.0.0.1:8000/).")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    config_file = _config_file(args)
    serve(config_file=str(config_file), dev_addr=args.dev_addr, livereload=True,
          watch=[str(config_file.parent / "products")])
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    root = _repository([])
    stale = write_schemas(root, check=args.check)
    for name in stale:
        print(f"{'stale' if args.check else 'wrote'}: {name}")
    return EXIT_ERRORS if (args.check and stale) else EXIT_OK


def _only_under(issues: Sequence[Issue], root: Path, paths: Sequence[Path]) -> list[Issue]:
    if not paths:
        return list(issues)
    wanted = [p.resolve() for p in paths]
    if root.resolve() in wanted:
        return list(issues)

    def inside(issue: Issue) -> bool:
        target = (root / issue.file).resolve()
        return any(target == w or w in target.parents for w in wanted)

    return [i for i in issues if inside(i)]


def _as_error(issue: Issue) -> Issue:
    return replace(issue, severity="error")


# --------------------------------------------------------------------------
# Output formats
# --------------------------------------------------------------------------


# Everything an issue echoes from a record (file names, keys, values) is shown with
# control characters, line breaks and text-direction overrides written out as \x1b,
# \n, \u202e…: a record must not clear the terminal, colour the log or forge a line
# of the report (or a GitHub annotation).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff\ufeff\ufffe\uffff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _printable(text: str) -> str:
    """``text`` with every character that could act on a terminal or log written out."""
    return _UNSAFE.sub(_escape_char, text)


def _escape_char(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def format_text(issues: Sequence[Issue]) -> str:
    lines = []
    for i in issues:
        field = f" [{_printable(i.field)}]" if i.field else ""
        lines.append(f"{_printable(i.file)}:{i.line}:{i.column}: {i.severity}{field} {i.code}")
        lines.append(f"    en: {_printable(i.message_en)}")
        lines.append(f"    vi: {_printable(i.message_vi)}")
    errors = sum(i.is_error for i in issues)
    warnings = len(issues) - errors
    files = len({i.file for i in issues})
    if issues:
        lines.append("")
    lines.append(
        f"{errors} error(s), {warnings} warning(s) in {files} file(s) / "
        f"{errors} lỗi, {warnings} cảnh báo trong {files} tệp"
    )
    return "\n".join(lines) + "\n"


def format_json(issues: Sequence[Issue]) -> str:
    return json.dumps([i.to_json() for i in issues], ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    """A workflow command's data: %, CR and LF escaped (GitHub's own rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: as data, and : and , escaped too."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(issues: Sequence[Issue]) -> str:
    """GitHub Actions workflow commands: one annotation per issue."""
    lines = []
    for i in issues:
        title = _escape_property(_printable(f"{i.code} {i.field}".strip()))
        # the one real line break, between the languages, stays a line break (%0A)
        message = _escape_data(f"{_printable(i.message_vi)}\n{_printable(i.message_en)}")
        lines.append(
            f"::{i.severity} file={_escape_property(_printable(i.file))},line={i.line},"
            f"col={i.column},title={title}::{message}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
