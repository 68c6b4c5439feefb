"""Site search: a static, sharded index of what visitors search by, and its folding rules.

Visitors search products, producers and sales points by name, producer,
category and place, in the page's language, with or without Vietnamese
diacritics ("thanh long" finds "Thanh long ruột đỏ", "dai dong" finds "Đại
Đồng"). :func:`write_index` writes, for each language, a folder
``search-index/<lang>/`` that ``theme/assets/search.js`` reads in the
browser:

``index.json``
    ``{"format": 2, "docs": N, "per_chunk": K, "shards": [...], "chunks": [...]}``:
    the names (content hashes) of the term shards and the document chunks.
    Small; fetched fresh (``cache: "no-cache"``), the rest is named by content
    and can be cached for ever.
``t/<i>.<hash>.json``
    Term shard ``i``: ``{term: postings}`` for every term whose *key* hashes to
    ``i`` (:func:`shard_of`). A term's key is its first two characters (its
    first character for Chinese and Japanese), so every term that starts
    with a typed word of two characters or more is in one shard: a word
    matches the terms it begins (as-you-type). Postings are integers, one per
    document, ``delta * 4 + weight``: ``delta`` is the document number minus
    the previous one's (the first is absolute), ``weight`` 3 for the name, 2
    for producer, category and place, 1 for other text (the highest where the
    term occurs).
``d/<i>.<hash>.json``
    Document chunk ``i``: for documents ``i*K`` to ``i*K+K-1``, ``[url, title, facts,
    summary, kind, image, stars, status, valid_until, revoked, price]`` (empty values at
    the end left out): ``url`` and ``image`` (a small photo or logo) relative to the
    site root; ``kind`` ``product``, ``producer`` or ``point``; for a product its stars,
    its certificate's status on the build day with the dates the browser re-checks it
    by (as the listing cards), and its price as written in the page's language.

Each index holds the page language's texts and, so that a visitor who types in another
language still finds what they look for ("honey" on the Vietnamese pages), the names,
categories and summaries written in every published language; results show the page
language's text.

A query downloads ``index.json``, one shard per distinct word and one chunk per
page of results shown, so what a visitor downloads stays small however large
the catalog is (``benchmarks/bench_build.py`` prints the worst case).

Terms are made the same way here and in ``search.js``: lower case; tone and
vowel marks dropped (Unicode NFD, combining marks removed, NFC), ``đ``→``d``;
split into runs of letters and digits; Chinese and Japanese runs, which are
not separated by spaces, become their characters and character pairs, and a
query's run must contain all of its pairs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...edition.keys import digest
from ...reuse import write_new

__all__ = [
    "INDEX_DIR",
    "KINDS",
    "LanguageDocs",
    "FORMAT",
    "SearchDoc",
    "SearchStats",
    "fold",
    "search_terms",
    "shard_of",
    "sort_key",
    "term_key",
    "write_index",
    "write_indexes",
]

#: Folder of the search index in the site, one sub-folder per language.
INDEX_DIR = "search-index"
FORMAT = 2
#: What a result is (SearchDoc.kind).
KINDS = ("product", "producer", "point")
#: Weights of a document's fields (see SearchDoc.fields).
NAME, FACT, TEXT = 3, 2, 1
#: Documents per chunk file.
PER_CHUNK = 40
#: Shards are sized for about this many bytes of JSON each (before compression).
SHARD_BYTES = 24_000
MAX_SHARDS = 4096
#: Longer "words" (pasted links, codes) are not indexed; Chinese and Japanese runs are
#: always split into characters and pairs.
MAX_TERM = 40

# Letters that are not a base letter plus combining marks, so NFD leaves them
# alone. U+00F0 (Icelandic eth) looks like đ and is typed for it.
_LETTER_FOLDS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
_TOKEN = re.compile(r"[^\W_]+")
# Scripts written without spaces between words: Han (Chinese), kana (Japanese).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"([{_CJK}]+)")
_IS_CJK = re.compile(f"[{_CJK}]")


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.translate(_LETTER_FOLDS))
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", bare)


class _CharTable(dict):
    """``make`` of each character met, by code point, for ``str.translate`` (which looks a
    character up here, at C speed, and has a missing one worked out: a catalog's text uses
    a few hundred characters, and working out all 65,000 of the Basic Multilingual Plane
    up front cost every build a tenth of a second); the first :data:`_KEPT` are kept
    ('ocop serve' runs for days)."""

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, code: int) -> str:
        found = self.make(chr(code))
        if len(self) < _KEPT:
            self[code] = found
        return found


_KEPT = 20_000

#: :func:`_fold_char` of the characters met (:func:`fold`).
_FOLDS = _CharTable(_fold_char)


def fold(text: str) -> str:
    """``text`` without diacritics: tone and vowel marks dropped, đ→d, Đ→D (and NFC).

    >>> fold("Trà hoa vàng Tam Đảo")
    'Tra hoa vang Tam Dao'
    """
    if text.isascii():
        return text
    folded = text.translate(_FOLDS)
    if not unicodedata.is_normalized("NFC", folded):  # e.g. Hangul typed as jamo
        folded = unicodedata.normalize("NFC", folded)
    return folded


# Letters of the Vietnamese alphabet that come after their base letter (a ă â, d đ, e ê,
# o ô ơ, u ư), and the tone marks, which only order words that are otherwise the same.
# Each character becomes two: its base letter and its place after it ("0": none).
_VI_LETTERS = {"ă": "a1", "â": "a2", "đ": "d1", "ð": "d1", "ê": "e1", "ô": "o1", "ơ": "o2",
               "ư": "u1"}
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _primary_char(ch: str) -> str:
    bare = unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", ch) if c not in _TONES))
    found = _VI_LETTERS.get(bare)
    return found if found is not None else "".join(c + "0" for c in fold(bare))


@functools.lru_cache(maxsize=1 << 16)  # 'ocop serve' sorts the same names on every rebuild
def sort_key(text: str) -> tuple[str, str, str]:
    """How names are put in order (listings, "name A–Z"): Vietnamese alphabetical order
    (*Đ* after *D*, *Ă* and *Â* after *A*…), then tones, then the text itself, so the
    order is total and the same on every build. Other scripts sort by code point.

    >>> sorted(["Đông trùng", "Dưa chuột", "Dứa", "Ăn liền", "Bưởi"], key=sort_key)
    ['Ăn liền', 'Bưởi', 'Dứa', 'Dưa chuột', 'Đông trùng']
    """
    lower = unicodedata.normalize("NFC", text.casefold())
    return lower.translate(_PRIMARY), fold(lower) + lower, text


#: :func:`_primary_char` of the characters met (:func:`sort_key`).
_PRIMARY = _CharTable(_primary_char)


def search_terms(text: str | None) -> Iterator[str]:
    """The index terms of ``text``, in order (with repeats).

    >>> list(search_terms("Thanh long ruột đỏ, 500g"))
    ['thanh', 'long', 'ruot', 'do', '500g']
    >>> list(search_terms("红心火龙果"))[:6]
    ['红', '红心', '心', '心火', '火', '火龙']
    """
    if not text:
        return
    folded = fold(text.lower())
    tokens = _TOKEN.findall(folded)
    if not _IS_CJK.search(folded):
        yield from (token for token in tokens if len(token) <= MAX_TERM)
        return
    for token in tokens:
        if not _IS_CJK.search(token):
            if len(token) <= MAX_TERM:
                yield token
            continue
        for i, piece in enumerate(_CJK_RUN.split(token)):
            if not piece:
                continue
            if i % 2 == 0:  # between CJK runs
                if len(piece) <= MAX_TERM:
                    yield piece
                continue
            for j, ch in enumerate(piece):
                yield ch
                if j + 1 < len(piece):
                    yield piece[j : j + 2]


def term_key(term: str) -> str:
    """What a term's shard is chosen by: its first two characters, or its first
    character if that is Chinese or Japanese."""
    return term[:1] if _IS_CJK.match(term) else term[:2]


def shard_of(term: str, shards: int) -> int:
    """The shard of ``term`` among ``shards``: FNV-1a (32 bits) of its key's code points."""
    h = 0x811C9DC5
    for ch in term_key(term):
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h % shards


@dataclass(frozen=True)
class SearchDoc:
    """One search result: a page, what the result shows, and the text it is found by."""

    url: str
    """The page, relative to the site root (``en/products/mat-ong/``)."""
    title: str
    facts: tuple[str, ...] = ()
    """Shown under the title (producer, category, place)."""
    summary: str = ""
    fields: tuple[tuple[str | None, int], ...] = ()
    """``(text, weight)`` pairs the document is found by: NAME, FACT or TEXT."""
    kind: str = ""
    """One of :data:`KINDS` (empty: not said)."""
    image: str = ""
    """A small photo (a product's main photo, a producer's logo), relative to the site root."""
    stars: int = 0
    status: str = ""
    """A product's certificate status on the build day, re-checked by the browser against
    ``valid_until`` and ``revoked`` (ISO dates)."""
    valid_until: str = ""
    revoked: str = ""
    price: str = ""
    """The price as the page's language writes it."""

    def shown(self) -> list:
        """What a result shows, as written in a document chunk (empty values at the end
        left out)."""
        row = [self.url, self.title, list(self.facts), self.summary, self.kind, self.image,
               self.stars, self.status, self.valid_until, self.revoked, self.price]
        while len(row) > 4 and not row[-1]:
            row.pop()
        return row


@dataclass(frozen=True)
class SearchStats:
    """What :func:`write_index` wrote."""

    languages: dict[str, int]
    """Documents in each language's index."""
    files: int
    bytes: int
    largest_shard: int
    """Size of the largest term shard file, in bytes (before compression)."""
    seconds: float

    @property
    def pages(self) -> int:
        return sum(self.languages.values())


def _postings(docs: Sequence[SearchDoc]) -> dict[str, list[int]]:
    """Every term's postings, encoded (see the module's docstring)."""
    index: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    terms_of: dict[str, tuple[str, ...]] = {}  # names of places and categories repeat
    for number, doc in enumerate(docs):
        best: dict[str, int] = {}
        for text, weight in doc.fields:
            if not text:
                continue
            terms = terms_of.get(text)
            if terms is None:
                terms = tuple(dict.fromkeys(search_terms(text)))
                if len(terms_of) < 100_000:
                    terms_of[text] = terms
            for term in terms:
                if best.get(term, 0) < weight:
                    best[term] = weight
        for term, weight in best.items():
            codes = index.get(term)
            if codes is None:
                index[term] = [number * 4 + weight]
            else:
                codes.append((number - last[term]) * 4 + weight)
            last[term] = number
    return index


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _named(folder: Path, sub: str, i: int, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    write_new(folder / sub / f"{i}.{digest}.json", data)
    return digest


@dataclass(frozen=True)
class LanguageDocs:
    """One language's documents, as :func:`write_indexes` takes them: how many, the
    ``i``-th made on demand (``make``), and keys that let an incremental build take
    unchanged files over (:class:`ocop_catalog.reuse.Reuse`): ``doc_keys`` (what each
    document shows, in order) and ``terms_key`` (what every document is found by, in
    order: the term shards depend on nothing else)."""

    lang: str
    count: int
    make: Callable[[int], SearchDoc]
    doc_keys: Sequence[str] = ()
    terms_key: str = ""

    @classmethod
    def of(cls, lang: str, docs: Sequence[SearchDoc]) -> LanguageDocs:
        return cls(lang, len(docs), docs.__getitem__)


def _write_language(folder: Path, source: LanguageDocs, reuse: Any = None
                    ) -> tuple[int, int, int]:
    """Write one language's index into ``folder`` (replaced); returns (files, bytes,
    largest shard). With ``reuse``, term shards are taken over from the previous build
    when ``terms_key`` is unchanged, and each document chunk when its documents' keys are."""
    if folder.exists() and not (reuse is not None and reuse.has_spare):  # the spare's: kept
        shutil.rmtree(folder)
    (folder / "t").mkdir(parents=True, exist_ok=True)
    (folder / "d").mkdir(exist_ok=True)
    site, rel = folder.parent.parent, f"{INDEX_DIR}/{source.lang}"
    made: dict[int, SearchDoc] = {}

    def doc(i: int) -> SearchDoc:
        found = made.get(i)
        if found is None:
            found = made[i] = source.make(i)
        return found

    keyed = reuse is not None and bool(source.terms_key)
    before = _previous_entry(reuse, rel) if keyed else None
    terms_key = digest("t", source.terms_key) if keyed else ""
    shard_names: list[str] = []
    sizes: list[int] = []
    if before is not None:
        old = [f"{rel}/t/{i}.{name}.json" for i, name in enumerate(before["shards"])]
        if reuse.take_all(old, terms_key):
            shard_names = list(before["shards"])
            sizes = [(site / name).stat().st_size for name in old]
        else:  # made again below, under names of their own
            for name in old:
                reuse.forget(name)
    if not shard_names:
        for i, data in enumerate(_shards([doc(i) for i in range(source.count)])):
            name = _named(folder, "t", i, data)
            shard_names.append(name)
            sizes.append(len(data))
            if keyed:
                reuse.made(f"{rel}/t/{i}.{name}.json", terms_key)
    size, largest_shard = sum(sizes), max(sizes, default=0)
    chunk_names = []
    old_chunks = before["chunks"] if before is not None else []
    for i in range(0, source.count, PER_CHUNK):
        number = i // PER_CHUNK
        end = min(i + PER_CHUNK, source.count)
        key = digest("d", *source.doc_keys[i:end]) if keyed else ""
        if number < len(old_chunks):
            old = f"{rel}/d/{number}.{old_chunks[number]}.json"
            if reuse.take(old, key):
                chunk_names.append(old_chunks[number])
                size += (site / old).stat().st_size
                continue
            reuse.forget(old)
        data = _dump([doc(j).shown() for j in range(i, end)])
        name = _named(folder, "d", number, data)
        chunk_names.append(name)
        if keyed:
            reuse.made(f"{rel}/d/{number}.{name}.json", key)
        size += len(data)
    entry = _dump({"format": FORMAT, "docs": source.count, "per_chunk": PER_CHUNK,
                   "shards": shard_names, "chunks": chunk_names})
    write_new(folder / "index.json", entry)
    return 1 + len(shard_names) + len(chunk_names), size + len(entry), largest_shard


def _shards(docs: Sequence[SearchDoc]) -> list[bytes]:
    """The term shards of ``docs``, in order: as many as keep each near
    :data:`SHARD_BYTES` (a power of two)."""
    encoded = {term: _dump(codes) for term, codes in _postings(docs).items()}
    total = sum(len(term) + len(raw) + 4 for term, raw in encoded.items())
    count = 1
    while count < MAX_SHARDS and total / count > SHARD_BYTES:
        count *= 2
    groups: list[list[str]] = [[] for _ in range(count)]
    for term in sorted(encoded):
        groups[shard_of(term, count)].append(term)
    return [b"{" + b",".join(_dump(t) + b":" + encoded[t] for t in terms) + b"}"
            for terms in groups]


def _previous_entry(reuse: Any, rel: str) -> dict[str, Any] | None:
    """The previous build's ``index.json`` of one language, if it can be read and is of
    this format (else nothing is taken over)."""
    if not reuse.incremental:
        return None
    try:
        found = json.loads((reuse.previous / rel / "index.json").read_bytes())
    except (OSError, ValueError):
        return None
    ok = (isinstance(found, dict) and found.get("format") == FORMAT
          and found.get("per_chunk") == PER_CHUNK
          and all(isinstance(found.get(k), list) and all(isinstance(n, str) and
                                                         re.fullmatch(r"[0-9a-f]{10}", n)
                                                         for n in found[k])
                  for k in ("shards", "chunks")))
    return found if ok else None


def write_index(site_dir: Path, docs_by_language: Iterable[tuple[str, Sequence[SearchDoc]]]
                ) -> SearchStats:
    """Write ``site_dir/search-index/<lang>/`` for every ``(lang, docs)``; documents are
    numbered in the order given, which is the order of results that score the same."""
    return write_indexes(site_dir, (LanguageDocs.of(lang, docs)
                                    for lang, docs in docs_by_language))


def write_indexes(site_dir: Path, sources: Iterable[LanguageDocs], reuse: Any = None
                  ) -> SearchStats:
    """:func:`write_index` for documents made on demand; with ``reuse``
    (:class:`ocop_catalog.reuse.Reuse`), unchanged files are taken over from the
    previous build."""
    started = time.perf_counter()
    root = Path(site_dir) / INDEX_DIR
    languages = {}
    files = size = largest_shard = 0
    for source in sources:
        n_files, n_bytes, shard = _write_language(root / source.lang, source, reuse)
        languages[source.lang] = source.count
        files, size, largest_shard = files + n_files, size + n_bytes, max(largest_shard, shard)
    return SearchStats(languages=dict(sorted(languages.items())), files=files, bytes=size,
                       largest_shard=largest_shard, seconds=time.perf_counter() - started)
