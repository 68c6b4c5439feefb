"""The ``ocop`` command.

    ocop validate [PATH…] [--format text|json|github] [--strict] [--today DATE] [--base REV]
    ocop build [-f site_config.yml] [-d SITE_DIR] [--strict]
    ocop serve [-f site_config.yml] [-a HOST:PORT]
    ocop schema [--check]
    ocop diff BASE [HEAD] [--format markdown|json] [--author LOGIN]
    ocop codeowners [--check]
    ocop init DIR --province CODE|NAME --site-url URL --office-name TEXT --office-team @ORG/TEAM
              [--languages vi,en] […]
    ocop new producer [ID] […] | ocop new product PRODUCER [ID] [--photo FILE…] […]
    ocop passport [--format text|csv] [--today DATE]
    ocop report [--out DIR] [--date YYYY-MM-DD] [--lang vi|en]
    ocop preview --before DIR --into DIR [--site DIR] [--lang vi|en]

Exit status: 0 when there are no errors, 1 when there are, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from .codeowners import office_team_issues
from .housekeeping import committed_issues, spare_name
from .edition.languages import language_issues
from .edition.theme import theme_dirs
from .records.issues import Excerpt, Issue, Note, with_excerpts
from .records.loader import load_catalog
from .records.schemas import write_schemas
from .records.history import (CATALOG_JSON, HistoryError, Published, from_catalog_json,
                              from_git)
from .settings import CONFIG_FILE, cache_folder, find_root, load_settings, site_dir, vietnam_today

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
#: What a shell reports for a program stopped by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130
T = TypeVar("T")


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
    build.add_argument("--full", action="store_true",
                       help="render every file again instead of taking over the ones whose "
                            "inputs did not change since the last build")
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="preview the site with live reload")
    serve.add_argument("-f", "--config-file", type=Path, help="MkDocs config (site_config.yml)")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT")
    serve.set_defaults(run=run_serve)

    schema = commands.add_parser("schema", help="write the record JSON Schemas under schema/")
    schema.add_argument("--check", action="store_true", help="only report stale schemas")
    schema.set_defaults(run=run_schema)

    init = commands.add_parser(
        "init", help="start a new catalog repository for a province (khởi tạo danh mục mới)",
        description="Write a new catalog repository into DIR that builds at once. Missing "
                    "required answers are asked (in Vietnamese) when run in a terminal.")
    init.add_argument("dir", type=Path, metavar="DIR", help="an empty folder (created if needed)")
    init.add_argument("--province", metavar="CODE|NAME",
                      help='the province: its code ("15") or name ("Lào Cai", "lao cai")')
    init.add_argument("--site-url", metavar="URL",
                      help="where the site will be published, e.g. https://ocop.example.org/")
    init.add_argument("--office-name", metavar="TEXT",
                      help="the OCOP office that keeps the catalog")
    init.add_argument("--office-team", metavar="@ORG/TEAM",
                      help="the office's GitHub team, e.g. @ocop-lao-cai/van-phong: the only "
                           "owner of catalog/ (the register of decisions) in CODEOWNERS")
    init.add_argument("--languages", metavar="vi,en", default="vi,en",
                      help="site languages, Vietnamese first (default: vi,en)")
    init.add_argument("--name", metavar="TEXT",
                      help='the catalog\'s name (default: "Sản phẩm OCOP <province>")')
    for option in ("address", "phone", "email", "website"):
        init.add_argument(f"--office-{option}", metavar="TEXT", default="",
                          help=f"the office's {option} (optional)")
    init.add_argument("--force", action="store_true",
                      help="write into a folder that is not empty (files with the same names "
                           "are replaced)")
    init.add_argument("--list-provinces", action="store_true",
                      help="print the 34 provinces with their codes and stop")
    init.set_defaults(run=run_init)
    _add_review_parsers(commands)
    _add_new_parser(commands)
    _add_passport_parser(commands)
    _add_report_parser(commands)
    _add_preview_parser(commands)
    return parser


def _add_passport_parser(commands) -> None:
    """``ocop passport``: the digital product passport of each product (catalog/passport.py)."""
    passport = commands.add_parser(
        "passport", help="which passport items each product has, and whether it is ready for "
                         "the national traceability portal (hộ chiếu số sản phẩm)",
        description="For every product: which of the eight items of a digital product "
                    "passport (Decree 37/2026/NĐ-CP, Art. 32) its records give, and whether "
                    "the national traceability portal would take it (a valid GTIN, a photo "
                    "at a public https:// address, net content with its unit, the producer's "
                    "tax code or GLN).")
    passport.add_argument("--format", choices=("text", "csv"), default="text")
    passport.add_argument("--today", type=_date,
                          help="judge certificates on this date (default: today)")
    passport.set_defaults(run=run_passport)


def run_passport(args: argparse.Namespace) -> int:
    from .catalog.passport import passport_report
    from .settings import site_url

    root = _repository([])
    result = load_catalog(load_settings(root, today=args.today))
    if result.catalog is None:
        print("ocop passport: the records have errors; run 'ocop validate' / hồ sơ có lỗi, "
              "hãy chạy 'ocop validate'", file=sys.stderr)
        return EXIT_ERRORS
    rows = passport_report(result.catalog, site_url(root))
    sys.stdout.write(format_passport_csv(rows) if args.format == "csv"
                     else format_passport_text(rows, site_url(root)))
    return EXIT_OK


def _add_new_parser(commands) -> None:
    """``ocop new producer|product``: a record without writing YAML (see new.py)."""
    new = commands.add_parser(
        "new", help="write a new producer or product record (tạo hồ sơ chủ thể, sản phẩm)",
        description="Write a new record that passes 'ocop validate'. Missing required values "
                    "are asked (in Vietnamese; --lang en for English) when run in a terminal.")
    kinds = new.add_subparsers(dest="kind", required=True)
    producer = kinds.add_parser("producer", help="products/ID/producer.yml")
    producer.add_argument("id", nargs="?", metavar="ID",
                          help="folder name, e.g. htx-che-ta-van (default: from --name)")
    product = kinds.add_parser("product", help="products/PRODUCER/ID/product.yml and photos")
    product.add_argument("producer", metavar="PRODUCER", help="the producer's id")
    product.add_argument("id", nargs="?", metavar="ID",
                         help="folder name, e.g. che-shan-tuyet (default: from --name)")
    for sub in (producer, product):
        sub.add_argument("--lang", choices=("vi", "en"), default="vi",
                         help="language of the questions (default: vi)")
        sub.add_argument("--name", metavar="TEXT")
        sub.add_argument("--description", metavar="TEXT")
        sub.add_argument("--commune", metavar="CODE", help='five-digit commune code, "08911"')
    producer.add_argument("--type", metavar="HTX|DN|THT|HKD")
    producer.add_argument("--representative", metavar="TEXT")
    producer.add_argument("--phone", metavar="TEXT")
    producer.add_argument("--email", metavar="TEXT")
    product.add_argument("--summary", metavar="TEXT", help="one sentence for listings")
    product.add_argument("--criteria-set", metavar="N", help="OCOP criteria set, 1-26")
    product.add_argument("--criteria-version", metavar="1048/2019|148/2023|26/2026",
                         help="default: the one in force today")
    product.add_argument("--price", metavar="DONG", help="retail price in đồng: 250000")
    product.add_argument("--unit", metavar="TEXT", help="what the price buys: hũ 500 g")
    product.add_argument("--photo", nargs="+", metavar="FILE",
                         help="photos, the main one first: copied in as 1.jpg, 2.jpg…")
    product.add_argument("--alt", action="append", metavar="TEXT",
                         help="what each photo shows, once per photo, in order")
    new.set_defaults(run=run_new)


def run_new(args: argparse.Namespace) -> int:
    from . import new

    root = _repository([])
    asker = new.Asker(args.lang)
    try:
        if args.kind == "producer":
            written = new.new_producer(root, args, asker)
        else:
            written = new.new_product(root, args, asker, load_settings(root))
    except new.NewError as exc:
        if exc.usage:
            raise UsageError(str(exc)) from None
        print(f"ocop new: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("ocop new: đã dừng, chưa ghi gì / interrupted, nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
    for rel in written:
        print(f"Đã ghi / wrote {rel}")
    print("Tiếp theo / next: ocop validate, rồi mở pull request / then open a pull request")
    if args.kind == "product":
        print("Sản phẩm được đăng khi văn phòng OCOP ghi quyết định công nhận (số sao) vào "
              "catalog/decisions/ / The product is published once the OCOP office records "
              "the decision recognising it (its stars) in catalog/decisions/")
    return EXIT_OK


def _add_report_parser(commands) -> None:
    """``ocop report``: the OCOP office's workbook and CSV files (see report.py)."""
    report = commands.add_parser(
        "report", help="the OCOP office's report: Excel workbook and CSV files (báo cáo)",
        description="Write the office's report of the catalog on a date: an Excel workbook "
                    "and the same sheets as CSV (summary and targets, products, certificates "
                    "expiring within 3/6/12 months with contacts, revocations, counts by "
                    "area). Not published: nothing is written into the site.")
    report.add_argument("--out", type=Path, metavar="DIR",
                        help="folder to write into (default: reports/DATE/ of the catalog)")
    report.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                        help="judge certificates on this date (default: today in Vietnam)")
    report.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help="language of the headers and texts (default: vi)")
    report.set_defaults(run=run_report)


def _add_preview_parser(commands) -> None:
    """``ocop preview``: what a build changed, as a folder to open (see preview.py)."""
    preview = commands.add_parser(
        "preview", help="copy what a build changed into a folder a reviewer opens (xem trước)",
        description="Compare the built site with the site it replaced (a copy kept before "
                    "the build, e.g. 'cp -al site site-before') and write into a new folder "
                    "the files that changed, what the changed pages show (style sheets, "
                    "photos, QR codes), and _preview.html listing them.")
    preview.add_argument("--before", type=Path, required=True, metavar="DIR",
                         help="the site as it was before the build (missing: every file "
                              "is new)")
    preview.add_argument("--into", type=Path, required=True, metavar="DIR",
                         help="a new or empty folder to write the preview into")
    preview.add_argument("--site", type=Path, metavar="DIR",
                         help="the built site (default: the site folder of site_config.yml)")
    preview.add_argument("--lang", choices=("vi", "en"), default="vi",
                         help="the language of _preview.html (default: vi)")
    preview.set_defaults(run=run_preview)


def run_preview(args: argparse.Namespace) -> int:
    import yaml

    from . import preview
    from .errors import OptionError
    from .housekeeping import record_of

    root = _repository([])
    try:
        site = args.site if args.site is not None else site_dir(root)
        before = args.before if args.before.exists() else None
        strings = preview.preview_strings(theme_dirs(root), args.lang)
        made = preview.write_preview(before, site, args.into, strings, theme_dirs(root),
                                     record_of(root, site.resolve()))
    except (OptionError, preview.PreviewError) as exc:
        print(f"ocop preview: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        print(f"ocop preview: không đọc được {CONFIG_FILE} ({type(exc).__name__}); hãy sửa "
              f"tệp, 'ocop validate' chỉ chỗ sai / cannot read {CONFIG_FILE} "
              f"({type(exc).__name__}); fix it, 'ocop validate' says where", file=sys.stderr)
        return EXIT_ERRORS
    except OSError as exc:  # a folder that cannot be read, a read-only or full disk
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"ocop preview: không đọc hoặc ghi được / cannot read or write: "
              f"{exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_ERRORS
    changes = made.changes
    if before is None:
        print(f"ocop preview: không có {args.before}, mọi tệp đều là mới / no {args.before}: "
              f"every file is new", file=sys.stderr)
    other = len(changes.made) - len(made.pages)
    megabytes = f"{made.size / 1e6:.1f}"
    dated = len(changes.redated)
    print(f"{len(made.pages)} trang thay đổi, {other} tệp khác, {len(changes.removed)} tệp bị "
          f"gỡ" + (f", {dated} trang chỉ đổi ngày dựng" if dated else "") + f"; {made.files} "
          f"tệp ({megabytes} MB) trong {_shown(args.into)} / {len(made.pages)} pages changed, "
          f"{other} other files, {len(changes.removed)} removed"
          + (f", {dated} pages with only the build day changed" if dated else "")
          + f"; {made.files} files ({megabytes} MB) in {_shown(args.into)}")
    print(f"Mở / open: {_shown(args.into)}{preview.PAGE}")
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    from . import report
    from .errors import OptionError

    root = _repository([])
    day = args.date or vietnam_today()
    out = args.out if args.out is not None else root / report.DEFAULT_DIR / day.isoformat()
    site = site_dir(root).resolve()
    if out.resolve() == site or site in out.resolve().parents:
        raise UsageError(f"--out {out}: báo cáo không được công bố, hãy chọn thư mục ngoài "
                         f"{site} / the report is not published: choose a folder outside "
                         f"the site folder {site}")
    try:
        edition, result = report.report_edition(root, day)
        if edition is None:
            errors = len(result.errors)
            print(f"ocop report: hồ sơ có {errors} lỗi, chưa ghi báo cáo; chạy 'ocop validate' "
                  f"để xem và sửa / the records have {errors} error(s), no report was "
                  f"written; run 'ocop validate' for the list", file=sys.stderr)
            return EXIT_ERRORS
        strings = report.report_strings(edition.theme_dirs, args.lang)
    except OptionError as exc:  # targets: in site_config.yml, a report strings file
        print(f"ocop report: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    sheets = report.build_sheets(edition, strings)
    try:
        written = report.write_report(sheets, out, day, args.lang)
    except OSError as exc:  # a read-only or full disk, a file open in Excel
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"ocop report: không ghi được / cannot write: {exc.strerror or exc}{where}",
              file=sys.stderr)
        return EXIT_ERRORS
    shown = _shown(out)
    print(f"Đã ghi báo cáo ngày {day.isoformat()} vào {shown} (1 tệp Excel, "
          f"{len(written) - 1} tệp CSV) / wrote the report of {day.isoformat()} to {shown} "
          f"(1 Excel workbook, {len(written) - 1} CSV files):")
    for path in written:
        print(f"    {path.name}")
    counts = report.expiring_counts(edition)
    windows = " / ".join(str(m) for m in counts)
    numbers = " / ".join(str(n) for n in counts.values())
    print(f"Giấy chứng nhận hết hạn trong {windows} tháng tới: {numbers} / certificates "
          f"expiring in the next {windows} months: {numbers}")
    if result.warnings:
        print(f"({len(result.warnings)} cảnh báo trong hồ sơ, xem 'ocop validate' / "
              f"{len(result.warnings)} warning(s) in the records, see 'ocop validate')",
              file=sys.stderr)
    return EXIT_OK


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


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
    # a published language the theme or the taxonomy cannot speak (site_config.yml)
    unsupported = language_issues(root / CONFIG_FILE, settings.languages, theme_dirs(root), root)
    # a register of decisions that no office team owns (CODEOWNERS)
    unowned = office_team_issues(root)
    # the build's cache committed to the repository: no build would take it; the built
    # site or its spare committed: nothing a build would publish
    # the spare beside the site, as a build names it (none beside the file system's root)
    site = Path(os.path.normpath(site_dir(root)))  # the catalog's folder is absolute
    built = [site] + ([site.with_name(spare_name(site.name))] if site.name else [])
    cached = [*committed_issues(root, cache_folder(root)),
              *(issue for folder in built
                for issue in committed_issues(root, folder, "site_committed"))]
    issues = _only_under(sorted([*unsupported, *unowned, *cached, *result.issues]), root,
                         args.paths)
    # texts in languages the site does not publish: one note, not a problem (no exit status)
    note = result.note(_only_under(result.ignored, root, args.paths))
    notes = [note] if note is not None else []
    if args.strict:
        issues = [_as_error(i) for i in issues]
    if args.format == "json":  # the note beside the JSON, which stays a list of issues
        sys.stdout.write(format_json(issues))
        sys.stderr.write("".join(format_note(n) for n in notes))
    elif args.format == "github":
        sys.stdout.write(format_github(issues, notes))
    else:  # the line each issue is on, read again only where it was not kept
        sys.stdout.write(format_text(with_excerpts(issues, root), notes))
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
    from .build import BuildFailed, PublishedInterrupt, build_site

    unchanged = "nothing was built, the previous site is unchanged"
    try:
        site_dir, built = build_site(_config_file(args), args.site_dir, strict=args.strict,
                                     full=args.full)
    except BuildFailed as exc:
        print(f"ocop build: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except PublishedInterrupt as exc:
        print(f"ocop build: interrupted as the new site was being published; it was "
              f"finished first: the site is built in {exc.site_dir}", file=sys.stderr)
        return EXIT_INTERRUPTED
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
    """Build the preview the way 'ocop build' builds, serve it, rebuild it on changes."""
    from .build import BuildFailed, _show_mkdocs_messages
    from .serve import serve

    config_file = _config_file(args)
    _show_mkdocs_messages()
    try:
        serve(config_file, args.dev_addr)
    except BuildFailed as exc:
        print(f"ocop serve: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:  # the preview is as it was, or as a build that finished
        print("ocop serve: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # the address is taken, a full disk
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"ocop serve: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK


#: ``ocop init``'s questions for missing required flags (asked in Vietnamese).
_QUESTIONS = (
    ("province", "Tỉnh, thành phố (tên hoặc mã, ví dụ: Lào Cai hoặc 15): "),
    ("site_url", "Địa chỉ trang sẽ công bố (ví dụ: https://ocop.example.org/): "),
    ("office_name", "Tên cơ quan quản lý danh mục (ví dụ: Văn phòng Điều phối NTM tỉnh): "),
    ("office_team", "Nhóm GitHub của văn phòng, duyệt mọi thay đổi (ví dụ: "
                    "@ocop-lao-cai/van-phong): "),
)


def run_init(args: argparse.Namespace) -> int:
    from . import init
    from .catalog import geography

    if args.list_provinces:
        for item in geography.provinces():
            print(f"{item.code}  {item.name}")
        return EXIT_OK
    for key, question in _QUESTIONS:
        if getattr(args, key):
            continue
        flag = "--" + key.replace("_", "-")
        if not sys.stdin.isatty():
            raise UsageError(f"{flag} is required (thiếu {flag})")
        try:
            setattr(args, key, input(question).strip())
        except EOFError:
            raise UsageError(f"{flag} is required (thiếu {flag})") from None
        if not getattr(args, key):
            raise UsageError(f"{flag} is required (thiếu {flag})")
    try:
        answers = init.Answers(
            province=init.province_or_error(args.province),
            site_url=init.site_url_or_error(args.site_url),
            office_name=args.office_name.strip(),
            office_team=init.office_team_or_error(args.office_team),
            languages=init.languages_or_error(args.languages),
            name=(args.name or "").strip(),
            office_address=args.office_address.strip(), office_phone=args.office_phone.strip(),
            office_email=args.office_email.strip(), office_website=args.office_website.strip())
    except init.InitError as exc:
        raise UsageError(str(exc)) from None
    try:
        written = init.write(args.dir, answers, force=args.force)
    except init.InitError as exc:
        print(f"ocop init: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    print(f"Đã tạo danh mục OCOP {answers.province.full_name} trong {args.dir} "
          f"({len(written)} tệp) / created a catalog for {answers.province.english_name}.\n"
          f"Tiếp theo / next: cd {args.dir} && ocop validate && ocop build "
          f"(xem README.md / see README.md)")
    return EXIT_OK


def _add_review_parsers(commands) -> None:
    """``ocop diff`` and ``ocop codeowners``: reviewing a pull request (see diff.py,
    codeowners.py, docs/review.md)."""
    diff = commands.add_parser(
        "diff", help="what a change does to the catalog, for review (so sánh hai phiên bản)",
        description="Compare the catalog at git revision BASE with HEAD (default: the "
                    "working tree): producers and products added, removed, renamed, fields "
                    "changed; errors when a printed QR code or a product address would break.")
    diff.add_argument("base", metavar="BASE", help="the published revision, e.g. origin/main")
    diff.add_argument("head", nargs="?", metavar="HEAD",
                      help="the revision to review (default: the working tree)")
    diff.add_argument("--format", choices=("markdown", "json"), default="markdown")
    diff.add_argument("--author", metavar="LOGIN",
                      help="the pull request's author: a folder changed outside the "
                           "producers that list LOGIN in maintainers is an error")
    diff.set_defaults(run=run_diff)
    owners = commands.add_parser(
        "codeowners", help="write .github/CODEOWNERS from the producers' maintainers")
    owners.add_argument("--check", action="store_true",
                        help="only report whether the file is stale (exit 1), write nothing")
    owners.set_defaults(run=run_codeowners)


def run_diff(args: argparse.Namespace) -> int:
    from . import diff

    root = _repository([])
    if args.author is not None and not diff.AUTHOR.match(args.author):
        raise UsageError(f"--author: not a GitHub login: {args.author!r}")
    try:
        report = diff.run(root, args.base, args.head, args.author)
    except diff.DiffError as exc:
        raise UsageError(str(exc)) from None
    output = diff.format_json if args.format == "json" else diff.format_markdown
    sys.stdout.write(output(report))
    return EXIT_ERRORS if report.errors else EXIT_OK


def run_codeowners(args: argparse.Namespace) -> int:
    from . import codeowners
    from .settings import plugin_options

    root = _repository([])
    try:
        office = codeowners.office_owners(plugin_options(root / CONFIG_FILE).get("office_team"))
        stale = codeowners.write(root, office, check=args.check)
    except codeowners.OwnersError as exc:
        print(f"ocop codeowners: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    if args.check:
        if stale:
            print(f"{codeowners.CODEOWNERS} is stale: run 'ocop codeowners' "
                  f"/ {codeowners.CODEOWNERS} chưa cập nhật", file=sys.stderr)
            return EXIT_ERRORS
        print(f"{codeowners.CODEOWNERS} is up to date / đã cập nhật")
        return EXIT_OK
    print(f"{'Wrote' if stale else 'Unchanged'} {codeowners.CODEOWNERS}")
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    root = _repository([])
    stale = write_schemas(root, check=args.check)
    for name in stale:
        print(f"{'stale' if args.check else 'wrote'}: {name}")
    return EXIT_ERRORS if (args.check and stale) else EXIT_OK


def _only_under(issues: Sequence[T], root: Path, paths: Sequence[Path]) -> list[T]:
    """The issues (or anything else with a ``file``) in files under ``paths``."""
    if not paths:
        return list(issues)
    wanted = [p.resolve() for p in paths]
    if root.resolve() in wanted:
        return list(issues)

    def inside(issue: T) -> bool:
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


#: The severity words of the text report, Vietnamese first.
_SEVERITY = {"error": "lỗi/error", "warning": "cảnh báo/warning"}


def format_text(issues: Sequence[Issue], notes: Sequence[Note] = (), *,
                before: Mapping[tuple[str, ...], int] | None = None) -> str:
    """The report for people: each issue (a blank line between them), each note, and a
    count of errors and warnings; Vietnamese first, then English. Warnings the report
    shown ``before`` had (``ocop serve``'s previous build: :func:`said` of each, and how
    many times), in the same file, field and words wherever an edit moved them, are
    counted, not shown again (as many times as they were there); errors are always
    shown."""
    left = Counter(before or ())
    shown = []
    for i in issues:
        if not i.is_error and left[key := said(i)] > 0:
            left[key] -= 1
        else:
            shown.append(i)
    blocks = [format_issue(i) for i in shown]
    blocks += [format_note(note).rstrip("\n") for note in notes]
    errors = sum(i.is_error for i in issues)
    warnings = len(issues) - errors
    files = len({i.file for i in issues})
    lines = ["\n\n".join(blocks)] if blocks else []
    if blocks:
        lines.append("")
    again = len(issues) - len(shown)
    if again:
        lines.append(
            f"{again} cảnh báo giống lần dựng trước, không nhắc lại ('ocop validate' liệt "
            f"kê đầy đủ) / {again} warning(s) as in the previous build, not repeated "
            "('ocop validate' lists them all)")
    lines.append(
        f"{errors} lỗi, {warnings} cảnh báo trong {files} tệp / "
        f"{errors} error(s), {warnings} warning(s) in {files} file(s)"
    )
    return "\n".join(lines) + "\n"


def said(i: Issue) -> tuple[str, ...]:
    """What an issue says, wherever it is in its file (an edit above it moves it)."""
    return i.file, i.field, i.code, i.message_en


def format_issue(i: Issue) -> str:
    """One issue as ``format_text`` shows it: where, what, the message in Vietnamese
    and in English, and (when known) the line of the file with a caret under the
    column::

        products/a/b/product.yml:34:11: lỗi/error [price.amount] price_format
            vi: '180.000' không phải là số đồng nguyên (…): … hãy viết 180000
            en: '180.000' is not a whole number of đồng (…): … write 180000
            34 |   amount: 180.000
               |           ^
    """
    field = f" [{_printable(i.field)}]" if i.field else ""
    severity = _SEVERITY.get(i.severity, i.severity)
    lines = [f"{_printable(i.file)}:{i.line}:{i.column}: {severity}{field} {i.code}",
             f"    vi: {_printable(i.message_vi)}", f"    en: {_printable(i.message_en)}"]
    if i.excerpt is not None:
        lines += _source_lines(i.line, i.excerpt)
    return "\n".join(lines)


def _source_lines(number: int, excerpt: Excerpt) -> list[str]:
    """The line as written (control characters written out) and a caret under the
    column, with the line number in a gutter."""
    gutter = str(number)
    text = _printable(excerpt.text).rstrip()
    before = _columns(_printable(excerpt.text[:excerpt.caret]))
    return [f"    {gutter} | {text}".rstrip(), f"    {' ' * len(gutter)} | {' ' * before}^"]


def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes: wide (CJK) characters two, combining
    marks and invisible format characters none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def format_note(note: Note) -> str:
    """A note in both languages, Vietnamese first, as ``format_text`` shows it."""
    return (f"ghi chú/note: {note.code}\n    vi: {_printable(note.message_vi)}\n"
            f"    en: {_printable(note.message_en)}\n")


def format_json(issues: Sequence[Issue]) -> str:
    return json.dumps([i.to_json() for i in issues], ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    """A workflow command's data: %, CR and LF escaped (GitHub's own rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: as data, and : and , escaped too."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(issues: Sequence[Issue], notes: Sequence[Note] = ()) -> str:
    """GitHub Actions workflow commands: one annotation per issue, a notice per note."""
    lines = [f"::notice title={_escape_property(note.code)}::"
             + _escape_data(f"{_printable(note.message_vi)}\n{_printable(note.message_en)}")
             for note in notes]
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


# --------------------------------------------------------------------------
# ocop passport
# --------------------------------------------------------------------------

_PORTAL_NEEDS = {  # what the national portal needs, and how to give it (Vietnamese, English)
    "gtin": ("mã GTIN hợp lệ: ghi 'gtin:'", "a valid GTIN: write 'gtin:'"),
    "image": ("ảnh tại địa chỉ https:// công khai: ghi 'site_url:' trong site_config.yml",
              "a photo at a public https:// address: set 'site_url:' in site_config.yml"),
    "net_content": ("khối lượng tịnh có đơn vị: ghi 'net_content:'",
                    "net content with its unit: write 'net_content:'"),
    "producer_id": ("mã số thuế hoặc GLN của chủ thể: ghi 'tax_code:' trong producer.yml",
                    "the producer's tax code or GLN: write 'tax_code:' in producer.yml"),
}
_STATE_MARKS = {"present": "✓", "missing": "✗", "not_applicable": "–"}


def format_passport_text(rows, site_url: str) -> str:
    """``ocop passport``'s report: per product, the eight items and the portal's needs."""
    from .catalog.passport import ITEM_FIX, ITEM_NAMES

    lines = []
    for row in rows:
        record = row.entry.record
        present = sum(item.present for item in row.items)
        marks = " ".join(f"{item.number}{_STATE_MARKS[item.state]}" for item in row.items)
        lines.append(f"{row.entry.source}: {record.name('vi')}")
        lines.append(f"    hộ chiếu số / passport: {present}/8 [{marks}]")
        for item in row.missing:
            vi_name, en_name = ITEM_NAMES[item.key][1], ITEM_NAMES[item.key][0]
            lines.append(f"    thiếu / missing {item.number}: {vi_name} / {en_name} "
                         f"({ITEM_FIX[item.key]})")
        if row.portal.ready:
            lines.append("    cổng truy xuất quốc gia / national portal: sẵn sàng / ready")
        else:
            needs = row.portal.missing
            lines.append("    cổng truy xuất quốc gia / national portal: chưa sẵn sàng, cần "
                         + "; ".join(_PORTAL_NEEDS[n][0] for n in needs)
                         + " / not ready, needs " + "; ".join(_PORTAL_NEEDS[n][1] for n in needs))
    complete = sum(not row.missing for row in rows)
    ready = sum(row.portal.ready for row in rows)
    lines.append(f"{complete}/{len(rows)} sản phẩm khai báo đủ các mục của hộ chiếu số, "
                 f"{ready}/{len(rows)} sẵn sàng cho cổng truy xuất quốc gia / {complete} of "
                 f"{len(rows)} products declare every passport item, {ready} of {len(rows)} "
                 f"are ready for the national portal")
    if not site_url:
        lines.append("site_url chưa được đặt trong site_config.yml: ảnh chưa có địa chỉ công khai "
                     "/ site_url is not set in site_config.yml: photos have no public address")
    return "\n".join(lines) + "\n"


def format_passport_csv(rows) -> str:
    """``ocop passport --format csv``: one row per product; the item cells
    (``item1_product`` … ``item8_other``) are ``present``, ``missing`` or
    ``not_applicable``, the portal's needs ``yes`` or ``no``."""
    import csv
    import io

    from .catalog.passport import ITEM_KEYS, PORTAL_NEEDS
    from .outputs.feeds.data import spreadsheet_text

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["product", "file", "name",
                     *(f"item{n}_{key}" for n, key in enumerate(ITEM_KEYS, start=1)),
                     "items_present", "portal_ready",
                     *(f"portal_{need}" for need in PORTAL_NEEDS)])
    for row in rows:
        writer.writerow([row.entry.id, spreadsheet_text(row.entry.source),
                         spreadsheet_text(row.entry.record.name("vi")),
                         *(item.state for item in row.items),
                         sum(item.present for item in row.items),
                         "yes" if row.portal.ready else "no",
                         *("yes" if getattr(row.portal, need) else "no"
                           for need in PORTAL_NEEDS)])
    return out.getvalue()
