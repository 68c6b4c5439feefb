"""Site search: Pagefind indexing of the built site, and Vietnamese folding.

The catalog is searched in the browser with Pagefind: ``build_index`` runs
Pagefind (the binary shipped in the ``pagefind-bin-extended`` wheel) over the
built HTML and writes the search
bundle to ``<site>/pagefind/``. Pagefind makes one index per ``<html lang>``,
so Vietnamese, English and Chinese pages are searched separately, each page
in its own language's index.

Pagefind (1.5 and later) already matches words with or without tone and vowel
marks ("vinh tuong" finds "Vĩnh Tường"), but ``đ`` is a letter of its own in
Unicode, not ``d`` plus a mark, so "dai dong" does not find "Đại Đồng". Product
pages therefore carry the folded spelling of the words that have ``đ``/``Đ``
in a hidden element inside their ``data-pagefind-body``; ``fold_terms`` gives
that text.

Pagefind writes a few of its files (the filter indexes, and so the metadata
and the entry file naming them) in a different order on each run.
``build_index`` rewrites those files in a canonical order, so that the same
site always gives a byte-identical bundle.

Needs the PyPI packages ``pagefind[extended]`` (checked with 1.5.2; the
extended binary is the one that splits Chinese text into words).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "SearchIndexError",
    "SearchStats",
    "IndexJob",
    "build_index",
    "start_index",
    "fold",
    "fold_terms",
    "pagefind_executable",
]

# Letters that are not a base letter plus combining marks, so NFD leaves them
# alone. U+00D0/U+00F0 (Icelandic eth) look like Đ/đ and are typed for them.
_LETTER_FOLDS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
_WORD = re.compile(r"\w+")

# Files of the Pagefind bundle that this site does not serve: Pagefind's own
# search interfaces (the site ships theme/assets/search.js).
_UI_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
_SIGNATURE = b"pagefind_dcd"
# Languages whose words are not separated by spaces: only the extended
# Pagefind binary segments them into words.
_SEGMENTED_LANGS = ("zh", "ja")


class SearchIndexError(RuntimeError):
    """Pagefind failed, or wrote a bundle that this module does not understand."""


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """``text`` without diacritics: tone and vowel marks dropped, đ→d, Đ→D.

    >>> fold("Trà hoa vàng Tam Đảo")
    'Tra hoa vang Tam Dao'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTER_FOLDS))
    bare = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return unicodedata.normalize("NFC", bare)


def fold_terms(*texts: str | None) -> str:
    """The folded words that Pagefind cannot match without diacritics by itself.

    Pagefind drops combining marks from indexed words and from queries, but
    not the stroke of ``đ``: these are the words of ``texts`` that have
    ``đ``/``Đ``, folded, each once, in order of first appearance. Product
    pages put this text in a hidden element inside ``data-pagefind-body``:
    ``fold_terms("Thanh long ruột đỏ", "HTX Nông nghiệp Đại Đồng")`` is
    ``"do Dai Dong"``. Empty when no word needs it.
    """
    seen: set[str] = set()
    out: list[str] = []
    for text in texts:
        for word in _WORD.findall(text or ""):
            folded = fold(word)
            key = folded.casefold()
            if word != word.translate(_LETTER_FOLDS) and key not in seen:
                seen.add(key)
                out.append(folded)
    return " ".join(out)


@dataclass(frozen=True)
class SearchStats:
    """What ``build_index`` indexed and wrote."""

    languages: dict[str, int]
    """Pages in each language's index, by language code (sorted)."""
    html_files: int
    """HTML files Pagefind read (pages without ``data-pagefind-body`` are
    read but left out once any page has it)."""
    bundle_bytes: int
    """Total size of the files written under the output folder."""
    bundle_files: int
    index_bytes: int
    """Size of the index data (meta, index chunks, fragments, filters), without
    the fixed JavaScript and WebAssembly files."""
    seconds: float
    executable: str
    """File name of the Pagefind binary used (``pagefind_extended`` or ``pagefind``)."""
    version: str
    warnings: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(self.languages.values())


def pagefind_executable() -> Path:
    """The Pagefind binary the Python API will run (from the installed wheels)."""
    from pagefind.service import get_executable

    exe = get_executable()
    if exe is None:
        raise SearchIndexError(
            "No Pagefind binary: install the Python packages 'pagefind[extended]'"
        )
    return exe


def start_index(
    site_dir: Path,
    *,
    parts: Sequence[str | None] = (None,),
    output_subdir: str = "pagefind",
    require_segmentation: bool = True,
) -> IndexJob:
    """Start indexing the built site in ``site_dir`` into ``site_dir/output_subdir``;
    Pagefind runs in the background until :meth:`IndexJob.finish`.

    Pagefind's command line writes the bundle into a scratch folder beside
    the site; the few files that Pagefind writes in a varying order are made
    canonical (see below), and the folder is moved in place, so a failed run
    leaves the previous bundle. Pagefind's own UI files are not kept (the site
    uses ``search.js``). With ``require_segmentation``, indexing Chinese or
    Japanese pages with the plain (not extended) binary is an error, since their
    words would not be found.

    ``parts`` are globs of the pages to index (``None``: every page); several
    are indexed by as many Pagefind runs at once — one per language, since
    Pagefind builds each language's index on its own — whose bundles are then
    merged (they share only the fixed JavaScript and WebAssembly files).
    """
    site_dir = Path(site_dir).resolve()
    if not site_dir.is_dir():
        raise SearchIndexError(f"{site_dir} is not a folder")
    out_dir = (site_dir / output_subdir).resolve()
    if out_dir == site_dir or site_dir not in out_dir.parents:
        raise SearchIndexError(f"output_subdir {output_subdir!r} must be a folder inside the site")

    exe = pagefind_executable()
    scratch = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site_dir.parent))
    outputs = ([scratch] if len(parts) == 1 else
               [scratch.with_name(f"{scratch.name}.part{i}") for i in range(len(parts))])
    job = IndexJob(exe, site_dir, out_dir, scratch, outputs, require_segmentation)
    try:
        for output, pattern in zip(outputs, parts):
            job.runs.append(_PagefindRun(exe, site_dir, output, pattern))
    except BaseException:
        job.abandon()
        raise
    return job


def build_index(site_dir: Path, **options: Any) -> SearchStats:
    """Index the built site in ``site_dir`` and write the bundle to ``site_dir/output_subdir``
    (:func:`start_index`'s options), and wait for it."""
    return start_index(site_dir, **options).finish()


class _PagefindRun:
    """One Pagefind process, its output in a file (a pipe left unread could fill up)."""

    def __init__(self, exe: Path, site_dir: Path, output: Path, glob: str | None):
        self.site_dir, self.output = site_dir, output
        self.args = [str(exe), "--site", str(site_dir), "--output-path", str(output)]
        if glob:
            self.args += ["--glob", glob]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> str:
        code = self.process.wait()
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace")
        self.log.close()
        if code != 0:
            raise SearchIndexError(
                f"Pagefind failed on {self.site_dir} (exit status {code}): {text.strip()[-2000:]}"
            )
        if not (self.output / "pagefind-entry.json").is_file():
            raise SearchIndexError("Pagefind wrote no pagefind-entry.json")
        return text

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


@dataclass
class IndexJob:
    """Pagefind running over a built site; :meth:`finish` waits, merges the parts, makes
    the bundle canonical and moves it in place (a failed run leaves the old bundle)."""

    exe: Path
    site_dir: Path
    out_dir: Path
    scratch: Path
    outputs: list[Path]
    require_segmentation: bool
    runs: list[_PagefindRun] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def finish(self) -> SearchStats:
        try:
            logs = [run.wait() for run in self.runs]
            if self.outputs != [self.scratch]:
                _merge_parts(self.outputs, self.scratch)
            stats = self._install("".join(logs))
        finally:
            self.abandon()
        return stats

    def abandon(self) -> None:
        """Stop Pagefind if it still runs and remove the scratch folders."""
        for run in self.runs:
            run.kill()
        for folder in {self.scratch, *self.outputs}:
            shutil.rmtree(folder, ignore_errors=True)

    def _install(self, log: str) -> SearchStats:
        scratch, out_dir = self.scratch, self.out_dir
        entry = _canonicalize_folder(scratch)
        for name in _UI_FILES:
            (scratch / name).unlink(missing_ok=True)
        sizes = {
            path.relative_to(scratch).as_posix(): path.stat().st_size
            for path in scratch.rglob("*")
            if path.is_file()
        }
        languages = {lang: int(info["page_count"]) for lang, info in entry["languages"].items()}
        warnings = _check_segmentation(self.exe, languages, self.require_segmentation)
        if out_dir.exists():  # only now: a failed run leaves the old bundle in place
            shutil.rmtree(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(scratch, 0o755)
        os.replace(scratch, out_dir)
        found = [int(n) for n in re.findall(r"Found (\d+) files? matching", log)]
        fixed = {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json", *_UI_FILES}
        return SearchStats(
            languages=dict(sorted(languages.items())),
            html_files=sum(found) if found else sum(languages.values()),
            bundle_bytes=sum(sizes.values()),
            bundle_files=len(sizes),
            index_bytes=sum(
                size for rel, size in sizes.items()
                if rel not in fixed and not rel.endswith(".pagefind")
            ),
            seconds=time.perf_counter() - self.started,
            executable=self.exe.name,
            version=str(entry.get("version", "")),
            warnings=warnings,
        )


# --- Making the bundle deterministic -------------------------------------
#
# Pagefind (checked on 1.5.2) lists the values of each filter, and the
# languages in pagefind-entry.json, in hash-map order, which changes from run
# to run; the filter files' hashed names, the metadata file that names them
# and the entry file that names the metadata change with it. Fragments and
# index chunks are stable. The files are gzip'd CBOR after the signature
# b"pagefind_dcd". We sort the filter values (and filter/sort names), write
# those files with gzip's timestamp zeroed, and name them by the SHA-256 of
# their content instead of Pagefind's hash. Pagefind's loader only uses these
# names to fetch the files.


def _merge_parts(outputs: Sequence[Path], merged: Path) -> None:
    """Merge the bundles of several Pagefind runs (one language each) into ``merged``:
    their index files have language-prefixed names; the JavaScript and WebAssembly
    files are the same in each."""
    languages: dict[str, Any] = {}
    entry: dict[str, Any] = {}
    for folder in outputs:
        part_entry = json.loads((folder / "pagefind-entry.json").read_text("utf-8"))
        clash = set(languages) & set(part_entry["languages"])
        if clash:
            raise SearchIndexError(f"languages {sorted(clash)} are in two search parts")
        languages.update(part_entry["languages"])
        entry = {**part_entry, "languages": languages}
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_dir() or rel.as_posix() == "pagefind-entry.json":
                continue
            target = merged / rel
            if target.exists():
                if target.read_bytes() != path.read_bytes():
                    raise SearchIndexError(f"two search parts wrote different {rel}")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    (merged / "pagefind-entry.json").write_text(json.dumps(entry), encoding="utf-8")


def _check_segmentation(exe: Path, languages: dict[str, int], required: bool) -> list[str]:
    """Chinese or Japanese pages need the extended binary, which splits their words."""
    segmented = [lang for lang in languages if lang.split("-")[0] in _SEGMENTED_LANGS]
    if not segmented or "extended" in exe.name:
        return []
    message = (
        f"pages in {', '.join(segmented)} were indexed by {exe.name}, which does not "
        "split Chinese/Japanese text into words: install 'pagefind[extended]'"
    )
    if required:
        raise SearchIndexError(message)
    return [message]


def _canonicalize_folder(folder: Path) -> dict[str, Any]:
    """Canonicalize the bundle in ``folder`` on disk: only the few files concerned."""
    names = ["pagefind-entry.json", *(p.name for p in folder.glob("*.pf_meta"))]
    names += [f"filter/{p.name}" for p in (folder / "filter").glob("*.pf_filter")]
    files = {name: (folder / name).read_bytes() for name in names}
    entry = _canonicalize(files)
    for name in names:
        (folder / name).unlink()
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return entry


def _canonicalize(files: dict[str, bytes]) -> dict[str, Any]:
    """Rewrite ``files`` (bundle path → bytes) in place; return the entry data."""
    entry = json.loads(files["pagefind-entry.json"])
    languages: dict[str, Any] = {}
    for lang in sorted(entry["languages"]):
        info = dict(entry["languages"][lang])
        meta_path = f"pagefind.{info['hash']}.pf_meta"
        meta = _read_cbor(meta_path, files.pop(meta_path, None))
        if not (isinstance(meta, list) and len(meta) >= 5 and isinstance(meta[3], list)):
            raise SearchIndexError(f"unexpected layout of {meta_path}")
        filters = []
        for name, filter_hash in sorted(meta[3]):
            filter_path = f"filter/{filter_hash}.pf_filter"
            data = _read_cbor(filter_path, files.pop(filter_path, None))
            if not (isinstance(data, list) and len(data) == 2 and isinstance(data[1], list)):
                raise SearchIndexError(f"unexpected layout of {filter_path}")
            values = sorted(
                ([value, sorted(pages)] for value, pages in data[1]), key=lambda x: x[0]
            )
            new_hash = _put_cbor(files, "filter/{}.pf_filter", lang, [data[0], values], 7)
            filters.append([name, new_hash])
        meta[3] = filters
        meta[4] = sorted(meta[4])
        info["hash"] = _put_cbor(files, "pagefind.{}.pf_meta", lang, meta, 10)
        languages[lang] = info
    entry["languages"] = languages
    files["pagefind-entry.json"] = json.dumps(
        entry, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    return entry


def _read_cbor(name: str, raw: bytes | None) -> Any:
    if raw is None:
        raise SearchIndexError(f"Pagefind returned no {name}")
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError(f"{name} has no Pagefind signature")
    body = data[len(_SIGNATURE) :]
    value, end = _cbor_decode(body, 0)
    if end != len(body) or _cbor_encode(value) != body:
        raise SearchIndexError(f"{name} does not round-trip through the CBOR codec")
    return value


def _put_cbor(files: dict[str, bytes], pattern: str, lang: str, value: Any, digits: int) -> str:
    data = _SIGNATURE + _cbor_encode(value)
    name = f"{lang}_{hashlib.sha256(data).hexdigest()[:digits]}"
    files[pattern.format(name)] = gzip.compress(data, 9, mtime=0)
    return name


def _cbor_decode(b: bytes, i: int) -> tuple[Any, int]:
    head = b[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(b[i : i + size], "big")
        i += size
    else:
        raise SearchIndexError(f"unsupported CBOR item 0x{head:02x}")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major == 2:
        return bytes(b[i : i + n]), i + n
    if major == 3:
        return b[i : i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_decode(b, i)
            items.append(item)
        return items, i
    if major == 7 and info in (20, 21, 22):
        return {20: False, 21: True, 22: None}[info], i
    raise SearchIndexError(f"unsupported CBOR item 0x{head:02x}")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise SearchIndexError(f"CBOR integer too large: {n}")


def _cbor_encode(value: Any) -> bytes:
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, (list, tuple)):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise SearchIndexError(f"cannot encode {type(value).__name__} as CBOR")
