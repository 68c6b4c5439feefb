"""``ocop diff``: what a pull request changes in the catalog, for the office's review.

Two states of the catalog repository are compared: a git revision (``BASE``, what is
published: a pull request's base, e.g. ``origin/main``) and either another revision
(``HEAD``) or, when none is given, the working tree (tracked and untracked files that
git does not ignore). Records are read leniently, as :mod:`.records.history` reads
them (``git ls-tree`` then ``git cat-file --batch``; a record that cannot be parsed
counts as a changed file with no fields), and compared field by field.

Errors (exit status 1):

* ``broken_address``: a product id (or former id) of ``BASE`` that is neither an id
  nor a former id of any product any more: its page address and, printed on
  packaging, its QR link would stop working;
* ``qr_code_changed``: a product of ``BASE`` (the same id, or renamed with the old id
  in ``former_ids``) whose permanent QR code would differ (:mod:`.catalog.links`);
* ``outside_own_folders`` (with ``--author``): a changed folder that is not one of the
  producers whose ``maintainers:`` name the author (as in ``BASE``; a producer new in
  the change, as in ``HEAD``);
* ``symlink``: a file under ``products/`` or ``catalog/`` that is a symbolic link
  (git mode 120000; ``ocop validate`` refuses the YAML records under ``catalog/`` that are
  links, ``ocop diff`` every link there);
* ``certificate_lost``: a product of ``BASE`` with a certificate in the register of
  decisions that still has its page but no certificate any more (its decision deleted,
  or edited not to name it). Certificates are matched by product, not by the name a
  decision writes: decisions naming a former id are the renamed product's.

Only the CLI (``cli.py``) calls this module; it reads no settings and builds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from .catalog.links import derived_code
from .records import history

#: What is compared: the records, the catalog-wide data and the site configuration.
TRACKED = ("products", "catalog", "site_config.yml")
#: GitHub's limit on a comment is 65,536 characters; the Markdown report stays below.
MAX_MARKDOWN = 60_000
#: A value echoed in the Markdown report is cut to this many characters.
MAX_VALUE = 100
LOGIN = re.compile(r"^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$")  # records.models.GitHubHandle
#: A pull request's author: a login, or a GitHub App's bot account (``name[bot]``, which
#: no producer's maintainers can list).
AUTHOR = re.compile(r"^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}(\[bot\])?$")


class DiffError(Exception):
    """A revision cannot be read (unknown revision, not a git repository)."""


# --------------------------------------------------------------------------
# Reading one state of the repository
# --------------------------------------------------------------------------


@dataclass
class State:
    label: str
    files: dict[str, str] = field(default_factory=dict)
    """Every tracked file: path (relative to the catalog's folder) → git object id."""
    data: dict[str, Any] = field(default_factory=dict)
    """Each record file (producer.yml, product.yml, catalog/*.yml) → its parsed data
    (None when it cannot be read)."""
    links: set[str] = field(default_factory=set)
    """The files that are symbolic links (git mode 120000): they are not read."""


def _git(root: Path, *args: str, data: bytes | None = None, what: str = "") -> bytes:
    try:
        return history.git(root, *args, data=data, what=what)
    except history.HistoryError as exc:
        raise DiffError(str(exc)) from None


def is_record(path: str) -> bool:
    parts = PurePosixPath(path).parts
    if any(p.startswith((".", "_")) for p in parts[1:]):
        return False
    if parts[0] == "products":
        return ((len(parts) == 3 and parts[2] == "producer.yml")
                or (len(parts) == 4 and parts[3] == "product.yml"))
    if parts[0] != "catalog":
        return False
    if len(parts) > 2 and parts[1] == "decisions":  # the register, sub-folders included
        return parts[-1].endswith(".yml")
    return len(parts) == 2 and parts[1].endswith((".yml", ".yaml"))


def read_revision(root: Path, revision: str, parsed: dict[str, Any] | None = None) -> State:
    """The catalog at git revision ``revision``; ``parsed``: record data by git object,
    parsed before (:func:`.history.records`: each object of two revisions parsed once)."""
    try:
        links: set[str] = set()
        commit, files = history.tree(root, revision, TRACKED, links)
        state = State(f"{revision} ({commit[:10]})", files, links=links)
        wanted = [p for p in state.files if is_record(p) and p not in links]
        state.data.update(zip(wanted, history.records(root, [files[p] for p in wanted],
                                                      parsed)))
    except history.HistoryError as exc:
        raise DiffError(str(exc)) from None
    return state


def read_worktree(root: Path, parsed: dict[str, Any] | None = None) -> State:
    """The catalog as it is on disk: tracked files and the untracked ones git does not
    ignore; ``parsed``: record data by git object, parsed before (a file whose content is
    an object there is not parsed again)."""
    parsed = {} if parsed is None else parsed
    listing = _git(root, "ls-files", "-z", "-c", "-o", "--exclude-standard", "--", *TRACKED)
    state = State("working tree / thư mục làm việc")
    for raw in dict.fromkeys(listing.split(b"\0")):
        if not raw:
            continue
        path = raw.decode("utf-8", "replace")
        if (root / path).is_symlink():  # hashed as git does: the link's target
            target = bytes(Path(os.readlink(root / path)).as_posix(), "utf-8", "replace")
            state.files[path] = hashlib.sha1(b"blob %d\0" % len(target) + target).hexdigest()
            state.links.add(path)
            continue
        try:
            content = (root / path).read_bytes()
        except OSError:  # deleted, or not a file
            continue
        state.files[path] = obj = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
        if is_record(path):
            state.data[path] = parsed[obj] if obj in parsed else history.parse_record(content)
    return state


# --------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field that changed: its dotted path, added / removed / changed, values."""

    path: str
    kind: str
    old: Any = None
    new: Any = None


@dataclass
class RecordDiff:
    id: str
    producer: str
    name: str
    change: str
    """added, removed, renamed, moved (to another producer), changed"""
    old_id: str | None = None
    fields: list[Change] = field(default_factory=list)
    files: dict[str, list[str]] = field(default_factory=dict)
    """Other files of the folder (photos): added, removed, changed."""


@dataclass(frozen=True)
class Problem:
    code: str
    path: str
    message_vi: str
    message_en: str


@dataclass
class Report:
    base: str
    head: str
    producers: list[RecordDiff] = field(default_factory=list)
    products: list[RecordDiff] = field(default_factory=list)
    files: dict[str, list[str]] = field(default_factory=dict)
    """catalog/ and site_config.yml: added, removed, changed."""
    errors: list[Problem] = field(default_factory=list)
    author: str | None = None
    certificates: list[CertificateChange] = field(default_factory=list)
    """Products whose certificate in the register of decisions changes."""

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "author": self.author,
                "errors": [asdict(p) for p in self.errors],
                "producers": [asdict(r) for r in self.producers],
                "products": [asdict(r) for r in self.products],
                "certificates": [asdict(c) for c in self.certificates],
                "files": self.files}


@dataclass(frozen=True)
class Standing:
    """What the register says of a product, as far as a lenient reading tells: its latest
    recognition (stars, decision) and whether a later decision revokes it."""

    stars: int | None
    number: str
    date: str
    file: str
    revoked_by: str | None = None


@dataclass(frozen=True)
class CertificateChange:
    product: str
    old: Standing | None
    new: Standing | None


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _key(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for name in ("file", "id", "platform", "url"):
            if isinstance(item.get(name), (str, int)) and not isinstance(item[name], bool):
                return str(item[name])
    return str(index)


def compare(old: Any, new: Any, path: str = "") -> list[Change]:
    """The fields that differ, by dotted path (``price.amount``, ``name.zh``,
    ``photos[3.jpg]``); lists of plain values change as a whole."""
    out: list[Change] = []
    _compare(old, new, path, out)
    return out


def _compare(old: Any, new: Any, path: str, out: list[Change]) -> None:
    if old is new or (old == new and type(old) is type(new)):  # one NaN: yamlsource._NAN
        return
    if isinstance(old, dict) and isinstance(new, dict):
        _compare_keyed(old, new, out, lambda key: f"{path}.{key}" if path else str(key))
    elif (isinstance(old, list) and isinstance(new, list)
          and not all(_scalar(x) for x in [*old, *new])):
        olds = {_key(x, i): x for i, x in enumerate(old)}
        news = {_key(x, i): x for i, x in enumerate(new)}
        if len(olds) != len(old) or len(news) != len(new):  # keys repeat: by position
            olds, news = dict(enumerate(old)), dict(enumerate(new))  # type: ignore[arg-type]
        _compare_keyed(olds, news, out, lambda key: f"{path}[{key}]")
    else:
        out.append(Change(path, "changed", old, new))


def _compare_keyed(old: dict, new: dict, out: list[Change], where: Callable[[Any], str]
                   ) -> None:
    """The entries of two mappings compared key by key (``where``: a key's path)."""
    for key in dict.fromkeys([*old, *new]):
        sub = where(key)
        if key not in old:
            out.append(Change(sub, "added", None, new[key]))
        elif key not in new:
            out.append(Change(sub, "removed", old[key], None))
        else:
            _compare(old[key], new[key], sub, out)


@dataclass(frozen=True)
class _Product:
    id: str
    producer: str
    folder: str
    former_ids: tuple[str, ...]
    code: str
    data: Any


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _products(state: State) -> dict[str, _Product]:
    found: dict[str, _Product] = {}
    for path, data in sorted(state.data.items()):
        parts = PurePosixPath(path).parts
        if parts[0] != "products" or len(parts) != 4:
            continue
        record = data if isinstance(data, dict) else {}
        product_id = _text(record.get("id")) or parts[2]
        former = record.get("former_ids")
        former_ids = tuple(x for x in former if _text(x)) if isinstance(former, list) else ()
        code = _text(record.get("qr_code")) or derived_code(
            former_ids[0] if former_ids else product_id)
        found.setdefault(product_id, _Product(product_id, parts[1], parts[2], former_ids,
                                              code, data))
    return found


def _producers(state: State) -> dict[str, Any]:
    """Producer folder → its producer.yml data ({} when missing or unreadable)."""
    folders: dict[str, Any] = {}
    for path in state.files:
        parts = PurePosixPath(path).parts
        if parts[0] == "products" and len(parts) >= 3 and not parts[1].startswith((".", "_")):
            folders.setdefault(parts[1], {})
    for path, data in state.data.items():
        parts = PurePosixPath(path).parts
        if parts[0] == "products" and len(parts) == 3 and isinstance(data, dict):
            folders[parts[1]] = data
    return folders


def _register(state: State, resolve: Callable[[str], str]) -> dict[str, Standing]:
    """Each product's standing in the register of decisions (catalog/decisions/), by the
    product it is (``resolve``: a name a decision writes, an id or a former id → the
    product's id), as :mod:`.records.register` gives it: the latest recognition, revoked
    by the first revocation on or after it (a second one changes nothing)."""
    events: list[tuple[str, int, str, str, str, Any]] = []
    for path, data in state.data.items():
        if not path.startswith("catalog/decisions/") or not isinstance(data, dict):
            continue
        number, day = str(data.get("number", "?")), str(data.get("date", ""))
        for order, part in ((0, "recognises"), (1, "revokes")):
            items = data.get(part)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and _text(item.get("product")):
                    when = str(item.get("date") or day) if order else day
                    events.append((when, order, path, resolve(item["product"]), number, item))
    found: dict[str, Standing] = {}
    for when, order, path, product, number, item in sorted(events, key=lambda e: e[:4]):
        if order == 0:
            stars = item.get("stars")
            found[product] = Standing(stars if isinstance(stars, int) else None, number, when,
                                      path)
        elif product in found and found[product].revoked_by is None:
            found[product] = replace(found[product], revoked_by=number)
    return found


def _standing(value: Standing | None) -> str:
    if value is None:
        return "—"
    stars = f"{value.stars}★" if value.stars is not None else "?★"
    text = f"{stars} · {md(value.number)} ({md(value.date)})"
    if value.revoked_by:
        text += f" · **thu hồi / revoked** ({md(value.revoked_by)})"
    return text


def _name(data: Any) -> str:
    name = data.get("name") if isinstance(data, dict) else None
    if isinstance(name, dict):
        name = name.get("vi") or next(iter(name.values()), "")
    return name if isinstance(name, str) else ""


def maintainers(data: Any) -> list[str]:
    """The well-formed GitHub logins of a producer record's ``maintainers:``."""
    found = data.get("maintainers") if isinstance(data, dict) else None
    return [m for m in found if isinstance(m, str) and LOGIN.match(m)] if isinstance(
        found, list) else []


def _file_changes(base: State, head: State, prefix: str, skip: Iterable[str] = ()
                  ) -> dict[str, list[str]]:
    """Files under ``prefix`` added, removed and changed (paths relative to it)."""
    skip = set(skip)
    old = {p: base.files[p] for p in _under(base, prefix) if p not in skip}
    new = {p: head.files[p] for p in _under(head, prefix) if p not in skip}
    result = {"added": sorted(p for p in new if p not in old),
              "removed": sorted(p for p in old if p not in new),
              "changed": sorted(p for p in new if p in old and old[p] != new[p])}
    return {k: [p[len(prefix):] for p in v] for k, v in result.items() if v}


def _under(state: State, prefix: str) -> list[str]:
    """The paths of ``state``'s files that start with ``prefix`` (a folder: it ends with
    ``/``), found in the sorted list of its paths (made by :func:`diff` for each call: a
    record's folder is looked up for each of the catalog's records, which a scan of every
    path made quadratic, 39 s at 10,000 products). Every path that starts with the prefix
    sorts before the prefix with its last character's successor, whatever follows."""
    paths = state.__dict__.get("_sorted")
    if paths is None:
        paths = state.__dict__["_sorted"] = sorted(state.files)
    start = bisect_left(paths, prefix)
    return paths[start:bisect_left(paths, prefix[:-1] + chr(ord(prefix[-1]) + 1), start)]


def diff(base: State, head: State, author: str | None = None,
         extra_paths: Iterable[str] = ()) -> Report:
    """What changes from ``base`` to ``head``; ``extra_paths``: other changed files of
    the repository (for ``author``'s folders)."""
    report = Report(base.label, head.label, author=author)
    for state in (base, head):  # the paths in order, as they are now (_under)
        state.__dict__["_sorted"] = sorted(state.files)
    old_products, new_products = _products(base), _products(head)
    claimed: dict[str, str] = {}  # every id and former id of head → its product's id
    for product in new_products.values():
        for name in (product.id, *product.former_ids):
            claimed.setdefault(name, product.id)

    def error(code: str, path: str, vi: str, en: str) -> None:
        report.errors.append(Problem(code, path, vi, en))

    matched: set[str] = set()
    for old in old_products.values():
        new_id = old.id if old.id in new_products else claimed.get(old.id)
        old_path = f"products/{old.producer}/{old.folder}/product.yml"
        for former in old.former_ids:
            if former not in claimed:
                error("broken_address", old_path,
                      f"Địa chỉ cũ products/{former}/ của sản phẩm '{old.id}' sẽ không còn "
                      "hoạt động: giữ id cũ trong former_ids",
                      f"The old address products/{former}/ of product '{old.id}' would "
                      "stop working: keep the old id in former_ids")
        if new_id is None:
            report.products.append(RecordDiff(old.id, old.producer, _name(old.data),
                                              "removed"))
            error("broken_address", old_path,
                  f"Sản phẩm '{old.id}' bị xóa hoặc đổi tên mà không ghi id cũ vào "
                  f"former_ids: địa chỉ products/{old.id}/ và mã QR {old.code} đã in sẽ "
                  "không còn hoạt động",
                  f"Product '{old.id}' is removed, or renamed without its old id in "
                  f"former_ids: its address products/{old.id}/ and printed QR code "
                  f"{old.code} would stop working")
            continue
        new = new_products[new_id]
        matched.add(new_id)
        new_path = f"products/{new.producer}/{new.folder}/product.yml"
        if new.code != old.code:
            error("qr_code_changed", new_path,
                  f"Mã QR cố định của sản phẩm '{new.id}' sẽ đổi từ {old.code} thành "
                  f"{new.code}: mã đã in trên bao bì sẽ không còn đúng",
                  f"The permanent QR code of product '{new.id}' would change from "
                  f"{old.code} to {new.code}: codes printed on packaging would be wrong")
        change = ("renamed" if new.id != old.id else
                  "moved" if new.producer != old.producer else "changed")
        old_prefix = f"products/{old.producer}/{old.folder}/"
        new_prefix = f"products/{new.producer}/{new.folder}/"
        fields = compare(old.data, new.data)
        files: dict[str, list[str]] = {}
        if old_prefix == new_prefix:
            files = _file_changes(base, head, new_prefix, [new_path])
        if fields or files or change != "changed":
            report.products.append(RecordDiff(new.id, new.producer, _name(new.data), change,
                                              old.id if new.id != old.id else None,
                                              fields, files))
    for new in new_products.values():
        if new.id not in matched:
            report.products.append(RecordDiff(new.id, new.producer, _name(new.data), "added",
                                              files=_file_changes(
                                                  base, head,
                                                  f"products/{new.producer}/{new.folder}/",
                                                  [(f"products/{new.producer}/{new.folder}/"
                                                   "product.yml")])))

    old_producers, new_producers = _producers(base), _producers(head)
    moved_to: dict[str, set[str]] = {}
    for record in report.products:
        if record.change in ("moved", "renamed"):
            old = old_products.get(record.old_id or record.id)
            if old is not None:
                moved_to.setdefault(old.producer, set()).add(record.producer)
    added = [p for p in new_producers if p not in old_producers]
    for folder, data in old_producers.items():
        if folder in new_producers:
            prefix = f"products/{folder}/"
            fields = compare(data, new_producers[folder])
            files = {k: [p for p in v if "/" not in p] for k, v in _file_changes(
                base, head, prefix, [f"{prefix}producer.yml"]).items()}
            files = {k: v for k, v in files.items() if v}
            if fields or files:
                report.producers.append(RecordDiff(folder, folder, _name(new_producers[folder]),
                                                   "changed", None, fields, files))
            continue
        targets = moved_to.get(folder, set())
        if len(targets) == 1 and next(iter(targets)) in added:
            target = targets.pop()
            added.remove(target)
            report.producers.append(RecordDiff(target, target, _name(new_producers[target]),
                                               "renamed", folder,
                                               compare(data, new_producers[target])))
        else:
            report.producers.append(RecordDiff(folder, folder, _name(data), "removed"))
    for folder in added:
        report.producers.append(RecordDiff(folder, folder, _name(new_producers[folder]),
                                           "added"))

    _check_links(report, head)
    _check_certificates(report, base, head, old_products, new_products, claimed)

    report.files = {k: [f"catalog/{p}" for p in v]
                    for k, v in _file_changes(base, head, "catalog/").items()}
    config = _config_change(base, head)
    if config is not None:
        report.files.setdefault(config, []).append("site_config.yml")

    if author is not None:
        _check_author(report, base, head, author, old_producers, new_producers, extra_paths)
    return report


def _check_links(report: Report, head: State) -> None:
    """A symbolic link under products/ or catalog/ is an error: through a link in the
    office's folder a producer's file could become a decision (``record_symlink`` of
    ``ocop validate``), and no record needs one."""
    for path in sorted(head.links):
        if PurePosixPath(path).parts[0] not in ("products", "catalog"):
            continue
        report.errors.append(Problem(
            "symlink", path,
            f"{path} là liên kết tượng trưng (symlink, git mode 120000): trong products/ và "
            "catalog/ không được có liên kết; hãy xóa liên kết và đưa chính tệp vào",
            f"{path} is a symbolic link (git mode 120000): products/ and catalog/ may hold "
            "no links; remove it and commit the file itself"))


def _check_certificates(report: Report, base: State, head: State,
                        old_products: dict[str, _Product], new_products: dict[str, _Product],
                        claimed: dict[str, str]) -> None:
    """The certificates that change, by product (a renamed product keeps its history:
    decisions naming its old id are its decisions); a product of ``base`` that keeps its
    page but loses the certificate it had is an error."""
    base_ids: dict[str, str] = {}  # every id and former id of base → its product's id
    for product in old_products.values():
        for name in (product.id, *product.former_ids):
            base_ids.setdefault(name, product.id)

    def in_head(name: str) -> str:
        return claimed.get(name, name)

    def in_base(name: str) -> str:
        return in_head(base_ids.get(name, name))

    old_register, new_register = _register(base, in_base), _register(head, in_head)
    for product in sorted({*old_register, *new_register}):
        old, new = old_register.get(product), new_register.get(product)
        if old != new:
            report.certificates.append(CertificateChange(product, old, new))
        if old is not None and new is None and product in new_products:
            state = f"thu hồi bởi {old.revoked_by}, " if old.revoked_by else ""
            state_en = f"revoked by {old.revoked_by}, " if old.revoked_by else ""
            report.errors.append(Problem(
                "certificate_lost", old.file,
                f"Sản phẩm '{product}' mất chứng nhận ({state}QĐ {old.number} ngày {old.date}): "
                "không còn quyết định nào công nhận, sản phẩm sẽ bị gỡ khỏi danh mục. Đừng xóa "
                "hay sửa quyết định đã ban hành; muốn thu hồi, thêm quyết định thu hồi (revokes:)",
                f"Product '{product}' loses its certificate ({state_en}decision {old.number} of "
                f"{old.date}): no decision recognises it any more, so it would leave the "
                "catalog. Do not delete or edit an issued decision; to revoke, add a "
                "revocation decision (revokes:)"))


def _config_change(base: State, head: State) -> str | None:
    old, new = base.files.get("site_config.yml"), head.files.get("site_config.yml")
    if old == new:
        return None
    return "added" if old is None else "removed" if new is None else "changed"


def changed_paths(base: State, head: State) -> set[str]:
    return {p for p in {*base.files, *head.files} if base.files.get(p) != head.files.get(p)}


def _folder(path: str) -> str:
    """The folder a changed file belongs to, as an author's rights go: a producer's
    folder, else the top-level folder (or file)."""
    parts = PurePosixPath(path).parts
    if parts[0] == "products" and len(parts) >= 3:
        return f"products/{parts[1]}/"
    return f"{parts[0]}/" if len(parts) > 1 else parts[0]


def _check_author(report: Report, base: State, head: State, author: str,
                  old_producers: dict[str, Any], new_producers: dict[str, Any],
                  extra_paths: Iterable[str]) -> None:
    login = author.lower()
    owned = {folder for folder in {*old_producers, *new_producers}
             if login in (m.lower() for m in maintainers(
                 old_producers[folder] if folder in old_producers else new_producers[folder]))}
    counts: dict[str, int] = {}
    for path in {*changed_paths(base, head), *extra_paths}:
        folder = _folder(path)
        if not (folder.startswith("products/") and folder[len("products/"):-1] in owned):
            counts[folder] = counts.get(folder, 0) + 1
    for folder in sorted(counts):
        report.errors.append(Problem(
            "outside_own_folders", folder,
            f"{author} sửa {counts[folder]} tệp trong {folder}, không phải thư mục của chủ thể "
            "mà {author} có tên trong maintainers: văn phòng OCOP cần xem xét".replace(
                "{author}", author),
            f"{author} changes {counts[folder]} file(s) in {folder}, which is not the folder "
            f"of a producer whose maintainers include {author}: the OCOP office must review"))


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_MARKDOWN = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "@": "&#64;",
             '"': "&quot;"}
_PUNCT = set("\\`*_[]()!~#:.")


def md(value: Any, limit: int = MAX_VALUE) -> str:
    """``value`` as inert Markdown text on one line: nothing in it can start a link, a
    mention, an HTML tag, an emphasis or a new table cell."""
    text = value if isinstance(value, str) else _short(value)
    text = _CONTROL.sub(" ", text).strip()
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return "".join(_MARKDOWN.get(c) or (f"\\{c}" if c in _PUNCT else c) for c in text)


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _value_cells(change: Change) -> tuple[str, str]:
    old, new = change.old, change.new
    if (isinstance(old, list) and isinstance(new, list)):  # a list of plain values
        gone = [x for x in old if x not in new]
        came = [x for x in new if x not in old]
        if gone or came:
            return ("− " + ", ".join(md(x) for x in gone) if gone else "",
                    "+ " + ", ".join(md(x) for x in came) if came else "")
    return (md(old) if change.kind != "added" else "—",
            md(new) if change.kind != "removed" else "—")


_CHANGE = {"added": "thêm / added", "removed": "xóa / removed", "renamed": "đổi tên / renamed",
           "moved": "chuyển chủ thể / moved", "changed": "sửa / changed"}


def format_markdown(report: Report) -> str:
    lines = ["## Thay đổi danh mục OCOP / OCOP catalog changes", "",
             f"So sánh / comparing **{md(report.base)}** → **{md(report.head)}**"
             + (f" · người gửi / author: **{md(report.author)}**" if report.author else ""),
             ""]
    if report.errors:
        lines += [f"### ❌ {len(report.errors)} lỗi / error(s)", "",
                  "| Mã / Code | Ở đâu / Where | Lỗi / Error |", "|---|---|---|"]
        lines += [f"| <code>{md(p.code)}</code> | <code>{md(p.path)}</code> | "
                  f"{md(p.message_vi, 400)}<br>{md(p.message_en, 400)} |" for p in report.errors]
        lines.append("")
    else:
        lines += [("✅ Không có lỗi: mã QR và địa chỉ sản phẩm được giữ nguyên / No errors: QR "
                  "codes and product addresses are kept."), ""]
    for title, records in (("Chủ thể / Producers", report.producers),
                           ("Sản phẩm / Products", report.products)):
        if not records:
            continue
        lines += [f"### {title} ({len(records)})", "",
                  "| Thay đổi / Change | Id | Tên / Name | Chủ thể / Producer |",
                  "|---|---|---|---|"]
        for r in records:
            ident = f"<code>{md(r.id)}</code>"
            if r.old_id:
                ident = f"<code>{md(r.old_id)}</code> → {ident}"
            lines.append(f"| {_CHANGE.get(r.change, md(r.change))} | {ident} | {md(r.name)} | "
                         f"<code>{md(r.producer)}</code> |")
        lines.append("")
        for r in records:
            if not r.fields and not r.files:
                continue
            lines += [f"#### <code>{md(r.id)}</code> {md(r.name)}", ""]
            if r.fields:
                lines += ["| Trường / Field | Cũ / Old | Mới / New |", "|---|---|---|"]
                for change in r.fields:
                    old, new = _value_cells(change)
                    lines.append(f"| <code>{md(change.path or '(record)')}</code> | {old} | "
                                 f"{new} |")
                lines.append("")
            for kind, paths in r.files.items():
                lines.append(f"- Tệp / files {_CHANGE[kind]}: "
                             + ", ".join(f"<code>{md(p)}</code>" for p in paths))
            if r.files:
                lines.append("")
    if report.certificates:
        lines += [f"### Sổ quyết định: chứng nhận thay đổi / Register of decisions: certificates "
                  f"that change ({len(report.certificates)})", "",
                  "Chỉ văn phòng OCOP được sửa catalog/decisions/ / Only the OCOP office edits "
                  "catalog/decisions/.", "",
                  "| Sản phẩm / Product | Trước / Before | Sau / After |", "|---|---|---|"]
        lines += [f"| <code>{md(c.product)}</code> | {_standing(c.old)} | {_standing(c.new)} |"
                  for c in report.certificates]
        lines.append("")
    if report.files:
        lines += ["### Dữ liệu chung và cấu hình / Catalog data and configuration", ""]
        for kind, paths in report.files.items():
            lines.append(f"- {_CHANGE[kind]}: "
                         + ", ".join(f"<code>{md(p)}</code>" for p in paths))
        lines.append("")
    if not (report.producers or report.products or report.files or report.certificates):
        lines += ["Không có thay đổi nào trong danh mục / No change to the catalog.", ""]
    text = "\n".join(lines)
    if len(text) > MAX_MARKDOWN:
        cut = text.rfind("\n", 0, MAX_MARKDOWN - 200)
        text = (text[:cut] + "\n\n… (rút gọn; xem `ocop diff --format json` / truncated; "
                "see `ocop diff --format json`)")
    return text.rstrip("\n") + "\n"


def format_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str) + "\n"


def extra_changed(root: Path, base: str, head: str | None) -> Iterator[str]:
    """Changed files outside :data:`TRACKED` (for ``--author``), relative to ``root``."""
    args = ["diff", "--name-only", "-z", "--no-renames", "--relative", base]
    if head is not None:
        args.append(head)
    for raw in _git(root, *args, "--", what=f"revision '{base}'").split(b"\0"):
        path = raw.decode("utf-8", "replace")
        if path and PurePosixPath(path).parts[0] not in TRACKED:
            yield path


def run(root: Path, base: str, head: str | None, author: str | None) -> Report:
    parsed: dict[str, Any] = {}  # what the two states share is parsed once
    base_state = read_revision(root, base, parsed)
    head_state = read_worktree(root, parsed) if head is None else read_revision(root, head,
                                                                                parsed)
    extra = list(extra_changed(root, base, head)) if author is not None else []
    return diff(base_state, head_state, author, extra)
