"""Cache files vouched for by a signature beside them (``records/decoded.py``): the feeds'
parts, the kept listing cards and shelf labels. Read when the file has the stat
signature this program recorded, or, in a build that trusts the site it replaces (which
may have been restored with the cache from one ``actions/cache`` entry on a fresh runner,
where every file is new), when it holds what the signature's SHA-256 says."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from ocop_catalog.records.decoded import read_signed, stat_signature, write_signed

from siteutil import restore_cache_entry, save_cache_entry

DATA = "\n".join(f"{i:064x}\t{{\"title\":\"Mật ong {i}\"}}" for i in range(200)).encode()


def _signed(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True)
    store = folder / "google-0123456789abcdef.json"
    signature = store.with_suffix(".signature")  # as fragments.py names it
    write_signed(store, iter([DATA[:1000], DATA[1000:]]), signature)  # written in pieces
    return store, signature


def test_a_signed_file_is_read_by_its_stat_or_restored_by_what_it_holds(tmp_path):
    store, signature = _signed(tmp_path / "cache" / "fragments")
    recorded = json.loads(signature.read_bytes())
    assert recorded == [*stat_signature(store), hashlib.sha256(DATA).hexdigest()]
    assert read_signed(store, 1 << 20, signature) == DATA
    assert read_signed(store, len(DATA) - 1, signature) is None  # larger than allowed

    # the cache folder as actions/cache brings it back on a fresh runner: new inodes and
    # change times, the same bytes
    entry = tmp_path / "entry.tar"
    save_cache_entry(tmp_path, ["cache"], entry)
    runner = tmp_path / "runner"
    runner.mkdir()
    restore_cache_entry(entry, runner)
    store, signature = (runner / p.relative_to(tmp_path) for p in (store, signature))
    assert stat_signature(store) != recorded[:5]
    assert read_signed(store, 1 << 20, signature) is None  # not by its stat
    assert read_signed(store, 1 << 20, signature, restored=True) == DATA

    # a byte changed (the same size): not what was written
    flipped = tmp_path / "flipped.json"
    shutil.copy2(store, flipped)
    flipped.write_bytes(DATA.replace(b'ong 7"}', b'ong 8"}', 1))
    assert flipped.stat().st_size == store.stat().st_size
    assert read_signed(flipped, 1 << 20, signature, restored=True) is None

    # a signature that is not what write_signed writes: nothing is read
    for bad in ([*recorded[:5], "0" * 64], [*recorded[:5], recorded[5].upper()],
                [*recorded[:5], 7], recorded[5], {"sha256": recorded[5]}, [1, 2, 3]):
        signature.write_text(json.dumps(bad), encoding="utf-8")
        assert read_signed(store, 1 << 20, signature, restored=True) is None, bad
    signature.write_text("[", encoding="utf-8")
    assert read_signed(store, 1 << 20, signature, restored=True) is None

    # one written by the version before (its stat signature alone): read by its stat only
    signature.write_text(json.dumps(stat_signature(store)), encoding="utf-8")
    assert read_signed(store, 1 << 20, signature) == DATA
    restore_cache_entry(entry, runner)  # the same files again, new once more
    signature.write_text(json.dumps(recorded[:5]), encoding="utf-8")
    assert read_signed(store, 1 << 20, signature, restored=True) is None


def test_a_signature_that_is_a_link_or_missing_vouches_for_nothing(tmp_path):
    store, signature = _signed(tmp_path / "cache")
    signature.unlink()
    assert read_signed(store, 1 << 20, signature, restored=True) is None
    signature.symlink_to("/dev/zero")
    assert read_signed(store, 1 << 20, signature, restored=True) is None
    signature.unlink()
    other = tmp_path / "elsewhere.signature"
    write_signed(tmp_path / "elsewhere.json", DATA, other)
    signature.symlink_to(other)  # a link to a signature of the same bytes
    assert read_signed(store, 1 << 20, signature, restored=True) is None


def test_a_build_record_vouches_only_for_stores_this_program_wrote_or_read(tmp_path):
    """What a build's record says of the stores of parts (``fragments.vouched_stores``): each store
    whose file has the stat signature recorded beside it, and each the record before
    vouched for that still has its SHA-256; not a store put there by anyone else, signed
    with its own SHA-256, even if it stayed there through builds that did not read it."""
    from ocop_catalog.fragments import vouched_stores as _stores

    cache = tmp_path / "cache"
    store, signature = _signed(cache / "fragments")
    sha = hashlib.sha256(DATA).hexdigest()
    assert _stores(cache, {}) == {store.name: sha}  # written here: vouched by its stat

    planted = tmp_path / "planted"  # signed as this program signs, then copied in place
    forged, forged_signature = _signed(planted)
    for path in (forged, forged_signature):
        shutil.copy(path, cache / "fragments" / path.name.replace("google-", "meta-"))
    assert set(_stores(cache, {})) == {store.name}  # not the planted one
    # restored (new inodes and change times): vouched only by the record before
    entry = tmp_path / "entry.tar"
    save_cache_entry(tmp_path, ["cache"], entry)
    runner = tmp_path / "runner"
    runner.mkdir()
    restore_cache_entry(entry, runner)
    restored = runner / "cache"
    assert _stores(restored, {}) == {}
    assert _stores(restored, {store.name: sha}) == {store.name: sha}
    assert _stores(restored, {store.name: "0" * 64}) == {}
    meta = forged.name.replace("google-", "meta-")
    assert _stores(restored, {store.name: sha, meta: "0" * 64}) == {store.name: sha}
    # and the record's SHA-256 decides what is read: the store's bytes, whatever its
    # signature says
    read = read_signed(restored / "fragments" / store.name, 1 << 20,
                       restored / "fragments" / signature.name, restored=sha)
    assert read == DATA
    (restored / "fragments" / store.name).write_bytes(DATA.replace(b"ong 7", b"ong 8", 1))
    assert read_signed(restored / "fragments" / store.name, 1 << 20,
                       restored / "fragments" / signature.name, restored=sha) is None
    assert read_signed(restored / "fragments" / store.name, 1 << 20,
                       restored / "fragments" / signature.name, restored="not hex") is None
