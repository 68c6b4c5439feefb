"""What is already published: the ids, GTINs and QR codes a new record may not take.

A product's permanent QR code, its GTIN and its page address are printed on
packaging and shelf labels. Whoever published one first keeps it: when two
records claim the same one, the record that *introduces* the clash is at fault,
never the established product — and records are not ranked by the order their
folders sort in, which a newcomer can choose. So clashes are decided against
what is already published (:class:`Published`), read from

* a git revision of the catalog repository (``ocop validate --base origin/main``,
  what a pull request's check runs): the records as they are there;
* the published site's ``feeds/catalog.json`` (``ocop build`` checks against the
  site it is about to replace; ``ocop validate`` against ``site_dir``'s).

A published product keeps its code for good: a later version of the same product
(the same id, or the published id among its ``former_ids``) that no longer has
it is refused too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import operator
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from ..catalog.certificates import gtin14
from ..catalog.links import derived_code
from .decoded import atomic_write, read_regular, stat_signature
from .yamlsource import YamlProblem, read_yaml

#: Where a built site publishes its catalog (written by ocop_catalog.outputs.feeds.opendata).
CATALOG_JSON = "feeds/catalog.json"
#: A published record larger than this is not read (records are far smaller).
MAX_RECORD_BYTES = 1 << 20
#: A published catalog JSON larger than this is not read.
MAX_CATALOG_BYTES = 512 << 20


class HistoryError(Exception):
    """The published state cannot be read (an unknown git revision, say)."""


@dataclass(frozen=True)
class PublishedProduct:
    id: str
    former_ids: tuple[str, ...]
    code: str
    gtin: str | None
    """The GTIN padded to 14 digits."""
    producer: str = ""
    """The producer (folder) it was published under: with the id, what makes a record
    the same product (a newcomer's folder can have the same product id)."""
    lots: tuple[tuple[str, str], ...] = ()
    """Its lots as published: (lot code, production date YYYY-MM-DD or "")."""


@dataclass(frozen=True)
class Published:
    """The products as published, and where that was read from (for messages)."""

    source: str
    products: tuple[PublishedProduct, ...]

    @cached_property
    def owners(self) -> dict[tuple[str, str], PublishedProduct]:
        """Who holds each claim: ``("id", id)`` (ids and former ids), ``("code", code)``,
        ``("gtin", gtin14)``. Where the published state itself holds a clash, the first
        product read keeps the claim (the published site shows it that way)."""
        owners: dict[tuple[str, str], PublishedProduct] = {}
        for product in self.products:
            for claim in claims_of(product.id, product.former_ids, product.code, product.gtin):
                owners.setdefault(claim, product)
        return owners

    def owner(self, claim: tuple[str, str]) -> PublishedProduct | None:
        return self.owners.get(claim)

    @cached_property
    def _by_id(self) -> dict[str, list[PublishedProduct]]:
        found: dict[str, list[PublishedProduct]] = {}
        for product in self.products:
            found.setdefault(product.id, []).append(product)
        return found

    def find(self, producer: str, product_id: str, former_ids: Iterable[str]
             ) -> Iterator[PublishedProduct]:
        """The published products a record of ``producer`` is a later version of: the same
        id, or a published id among its former ids, under the same producer."""
        for name in dict.fromkeys((product_id, *former_ids)):
            for product in self._by_id.get(name, ()):
                if product.producer == producer:
                    yield product


def claims_of(product_id: str, former_ids: Iterable[str], code: str,
              gtin: str | None) -> list[tuple[str, str]]:
    claims = [("id", product_id), *(("id", old) for old in former_ids), ("code", code)]
    if gtin:
        claims.append(("gtin", gtin14(gtin)))
    return claims


# --------------------------------------------------------------------------
# Reading the published state
# --------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _product(data: Any, producer: str) -> PublishedProduct | None:
    """The claims of a published record, read leniently (whatever else it holds)."""
    if not isinstance(data, dict) or not _text(data.get("id")):
        return None
    former = data.get("former_ids")
    former_ids = tuple(x for x in former if _text(x)) if isinstance(former, list) else ()
    code = _text(data.get("qr_code")) or derived_code(former_ids[0] if former_ids
                                                      else data["id"])
    gtin = data.get("gtin")
    gtin = gtin14(gtin) if isinstance(gtin, str) and gtin.isdigit() else None
    return PublishedProduct(data["id"], former_ids, code, gtin, producer,
                            _lots(data.get("lots")))


def _lots(value: Any) -> tuple[tuple[str, str], ...]:
    """(code, production date) of published lots, read leniently (``produced`` as YAML
    reads it, a date, or as catalog.json writes it, a text)."""
    found = []
    for lot in value if isinstance(value, list) else ():
        if isinstance(lot, dict) and isinstance(lot.get("code"), (str, int)):
            produced = lot.get("produced")
            found.append((str(lot["code"]), produced.isoformat()
                          if hasattr(produced, "isoformat") else str(produced or "")))
    return tuple(found)


def git(root: Path, *args: str, data: bytes | None = None, what: str = "") -> bytes:
    """The output of ``git -C root args…`` (HistoryError naming ``what`` if it fails)."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=data,
                              capture_output=True, check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HistoryError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(f"git cannot read {what or 'the repository'}"
                           + (f": {detail[-1]}" if detail else ""))
    return done.stdout


def tree(root: Path, revision: str, folders: tuple[str, ...], links: set[str] | None = None
         ) -> tuple[str, dict[str, str]]:
    """The commit ``revision`` names, and every file under ``folders`` there: path
    (relative to the catalog's folder, which need not be the repository's top) → object.
    The paths of symbolic links among them (git mode 120000) are added to ``links``."""
    what = f"revision '{revision}'"
    commit = git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}",
                 what=what).decode().strip()
    files: dict[str, str] = {}
    # "<mode> blob <object>\t<path>"
    for entry in git(root, "ls-tree", "-r", "-z", commit, "--", *folders, what=what).split(b"\0"):
        head, _, raw = entry.partition(b"\t")
        fields = head.split()
        if len(fields) == 3 and fields[1] == b"blob":
            files[raw.decode("utf-8", "replace")] = fields[2].decode("ascii", "replace")
            if links is not None and fields[0] == b"120000":
                links.add(raw.decode("utf-8", "replace"))
    return commit, files


def records(root: Path, objects: list[str], parsed: dict[str, Any] | None = None) -> list[Any]:
    """The parsed data of record files by git object (None where one cannot be read:
    missing, too large, not UTF-8 or not YAML), read leniently and in one git call.
    ``parsed``: data by object parsed before (two revisions share most of their files),
    which objects read here are added to; the data is shared, never to be changed."""
    if parsed is None:
        parsed = {}
    wanted = [o for o in dict.fromkeys(objects) if o not in parsed]
    if wanted:
        batch = git(root, "cat-file", "--batch",
                    data=b"".join(o.encode() + b"\n" for o in wanted))
        parsed.update(zip(wanted, map(parse_record, _blobs(batch, len(wanted)))))
    return [parsed[o] for o in objects]


def parse_record(blob: bytes | None) -> Any:
    if blob is None or len(blob) > MAX_RECORD_BYTES:
        return None
    try:
        data, _ = read_yaml(blob.decode("utf-8-sig"))
    except (UnicodeDecodeError, YamlProblem, RecursionError):
        return None
    return data


def from_git(root: Path, revision: str) -> Published:
    """The products of ``products/<producer>/<product>/product.yml`` at ``revision``."""
    commit, files = tree(root, revision, ("products",))
    wanted: list[tuple[str, str]] = []  # (object, producer)
    for path, obj in files.items():
        parts = PurePosixPath(path).parts
        if (len(parts) == 4 and parts[3] == "product.yml"
                and not parts[1].startswith((".", "_")) and not parts[2].startswith((".", "_"))):
            wanted.append((obj, parts[1]))
    products = []
    for (_, producer), data in zip(wanted, records(root, [o for o, _ in wanted])):
        found = _product(data, producer) if data is not None else None
        if found is not None:
            products.append(found)
    return Published(f"{revision} ({commit[:10]})", tuple(products))


def _blobs(batch: bytes, count: int) -> Iterator[bytes | None]:
    """The ``count`` contents in ``git cat-file --batch`` output, in order (None for an
    object that is missing or a header that cannot be read)."""
    at = 0
    for _ in range(count):
        end = batch.find(b"\n", at)
        if end < 0:
            yield None
            continue
        header = batch[at:end].split()
        at = end + 1
        if len(header) != 3 or not header[2].isdigit():
            yield None  # "<object> missing"
            continue
        size = int(header[2])
        yield batch[at:at + size]
        at += size + 1


def from_catalog_json(path: Path, cache_dir: Path | None = None) -> Published | None:
    """The products of a published ``feeds/catalog.json``; None when there is none or
    it cannot be read (then nothing is known to be published).

    With ``cache_dir``: the build that wrote the file kept its claims there with the
    file's stat signature (:func:`remember_published`); while the file keeps that
    signature they are taken from there, and the whole catalog (30 MB at 10,000
    products) is not parsed again."""
    signature = stat_signature(path)
    if signature is None or not Path(path).is_file() or signature[0] > MAX_CATALOG_BYTES:
        return None
    if cache_dir is not None:
        found = _read_memo(Path(cache_dir) / PUBLISHED_MEMO, signature)
        if found is not None:
            return Published(str(path), found)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    products = []
    items = document.get("products") if isinstance(document, dict) else None
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        found = claims(item, _text(item.get("producer")) or "")
        if found is not None:
            products.append(found)
    return Published(str(path), tuple(products))


def claims(item: Any, producer: str) -> PublishedProduct | None:
    """The claims of a product object of ``feeds/catalog.json`` (read leniently)."""
    if not isinstance(item, dict):
        return None
    short_url = _text(item.get("short_url")) or ""
    code = short_url.rstrip("/").rpartition("/")[2]
    return _product({"id": item.get("id"), "former_ids": item.get("former_ids"),
                     "qr_code": code or None, "gtin": item.get("gtin"),
                     "lots": item.get("lots")}, producer)


#: A product's fields, in order, as a tuple (what the memo keeps of it).
_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(PublishedProduct)))

#: Where :func:`remember_published` keeps the claims of catalog.json files (cache folder):
#: the last few written, so that ``ocop serve``'s preview and ``ocop build``'s site do not
#: push each other out.
PUBLISHED_MEMO = "published.json"
MEMO_FORMAT = 2
MEMO_SLOTS = 3


def remember_published(path: Path, products: Iterable[PublishedProduct],
                       cache_dir: Path) -> None:
    """Keep ``products`` (what :func:`from_catalog_json` reads from the catalog.json
    just written at ``path``) with the file's stat signature, which moving its site
    folder keeps; nothing when the cache cannot be written."""
    signature = stat_signature(path)
    if signature is None:
        return
    memo = Path(cache_dir) / PUBLISHED_MEMO
    kept = [entry for entry in _memo_entries(memo) if entry.get("signature") != signature]
    # each product as dataclasses.astuple gives it (its fields in order), without the
    # deep copy astuple makes of every product
    entry = {"signature": signature, "products": [_FIELDS(p) for p in products]}
    data = {"format": MEMO_FORMAT, "entries": [entry, *kept[:MEMO_SLOTS - 1]]}
    with contextlib.suppress(OSError):  # a read-only cache: the file is read next time
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        atomic_write(memo, json.dumps(data, ensure_ascii=False,
                                      separators=(",", ":")).encode("utf-8"))


def _memo_entries(memo: Path) -> list[dict[str, Any]]:
    data = read_regular(memo, MAX_CATALOG_BYTES)
    try:
        found = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):
        return []
    if not isinstance(found, dict) or found.get("format") != MEMO_FORMAT \
            or not isinstance(found.get("entries"), list):
        return []
    return [entry for entry in found["entries"] if isinstance(entry, dict)]


def _read_memo(memo: Path, signature: list[int]) -> tuple[PublishedProduct, ...] | None:
    """What :func:`remember_published` kept of the file that has ``signature``."""
    for entry in _memo_entries(memo):
        if entry.get("signature") == signature:
            return _memo_products(entry.get("products"))
    return None


def _memo_products(items: Any) -> tuple[PublishedProduct, ...] | None:
    try:
        products = tuple(PublishedProduct(id_, tuple(former), code, gtin, producer,
                                          tuple((c, d) for c, d in lots))
                         for id_, former, code, gtin, producer, lots in items
                         if type(former) is list and type(lots) is list)
        if len(products) != len(items):
            return None
    except (ValueError, TypeError):
        return None
    texts = (x for p in products for x in (p.id, p.code, p.producer, *p.former_ids,
                                           *(t for lot in p.lots for t in lot)))
    if all(isinstance(x, str) for x in texts) and all(
            p.gtin is None or isinstance(p.gtin, str) for p in products):
        return products
    return None
