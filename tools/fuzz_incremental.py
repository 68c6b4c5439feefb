"""Random changes to a copy of the sample, each built incrementally and compared with a
cold build of the same input, byte for byte.

    python tools/fuzz_incremental.py --steps 80 --seed 2 --fresh-cache 8
    python tools/fuzz_incremental.py --tour 6                  # every kind once
    python tools/fuzz_incremental.py --steps 15 --products 2000
    python tools/fuzz_incremental.py --steps 5 --only stars,decision_date
    python tools/fuzz_incremental.py --steps 60 --serve   # as 'ocop serve' rebuilds
    python tools/fuzz_incremental.py --steps 30 --fresh-checkout 3  # as on GitHub Actions

``tests/test_incremental.py`` goes through a fixed series of changes; this goes through
random ones of 36 kinds (:data:`CHANGES`: prices, names that reorder listings, texts,
photos added, left out, reordered and redrawn, sales points, tags, availability, a
product's commune or category, lots and recalls, GTINs, marketplace links, new, renamed,
moved and deleted products, producers, sales points added, left out and renamed, the
register's stars and dates, a deleted decision, the build day, the listing page size,
featured products, the catalog's short name, an authored page, a template and UI strings
overridden, alt texts, ``updated``, a translation left out, an other certification's
end near the build day), so that an incremental build missing a dependency (a file taken
over that a cold build writes otherwise) is found. Each step changes the copy, builds it
incrementally into the same site folder as every step before, builds it cold into a
fresh folder with the same caches (every ``--fresh-cache`` steps: with a cache of its
own but the processed photos, so that a cache keyed short of what it holds is found
too) and compares the two sites. A change
the checks refuse (the cold build of it fails too) is undone and another drawn; an
incremental build that fails where the cold one does not is a difference. The copy is a
git repository: a step's change is a commit, so a difference can be replayed (``git log
-p`` in the folder kept). ``--products N``: the benchmarks' synthetic catalog of N
products instead of the sample (from 300 products an incremental build runs the feeds in
worker processes, from 2,000 the QR codes too). ``--serve``: the incremental builds as
``ocop serve`` makes them, in this process one after another (so that what a process
keeps between builds is used too), trusting its own preview, at the local address (the
cold builds too), each as the deferring build that makes the pages and the build that
follows it. ``--fresh-checkout N``: every N steps, the change is committed and the
incremental build runs on a fresh clone at the same path, with the cache folder and the
site restored (every file new, modification times kept), as a GitHub Actions run has
them: the memos' outcomes are taken by what git says the files hold.

Exit code 1 at the first difference (the folder is kept and named), 0 when every step
gave equal sites.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_builds import compare

REPO = Path(__file__).resolve().parent.parent
EPOCH = 1796083200  # 2026-12-01, the benchmarks' build day
DAY = 86400
SAMPLE = ("site_config.yml", "catalog", "products", "theme")
#: The cache folders of files named by what they are made from (processed photos, print
#: assets), which a copy given a cache shares with it (:func:`make_copy`).
SHARED_CACHES = ("images", "print")


# --------------------------------------------------------------------------
# The copy and its builds
# --------------------------------------------------------------------------


#: Commits of the copy: by this name, and with none of the user's git configuration (a
#: signing key or hooks would stop them).
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "fuzz", "GIT_AUTHOR_EMAIL": "fuzz@example.com",
           "GIT_COMMITTER_NAME": "fuzz", "GIT_COMMITTER_EMAIL": "fuzz@example.com"}
#: The longest a build may take.
BUILD_SECONDS = 900


def git(root: Path, *args: str) -> str:
    """Run git in the copy; its output."""
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV}).stdout


def commit(root: Path, message: str) -> None:
    """Commit everything in the copy (its cache is ignored)."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, "--allow-empty")


def make_copy(work: Path, cache: Path | None = None, products: int | None = None,
              producers: Sequence[str] | None = None) -> Path:
    """The sample, copied into ``work/repo`` as a git repository (with ``products``: the
    benchmarks' synthetic catalog of that many products instead; with ``producers``: the
    sample with only those producers' folders, and the register saying only what it says of
    their products); with ``cache``, its processed photos and print assets are that
    cache's (the tests share them this way)."""
    root = work / "repo"
    if products:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from synthetic import make_catalog

        make_catalog(root, products)
    else:
        root.mkdir(parents=True)
        for name in SAMPLE:
            source = REPO / name
            if name == "products" and producers is not None:
                for producer in producers:
                    shutil.copytree(source / producer, root / name / producer)
            elif source.is_dir():
                shutil.copytree(source, root / name)
            else:
                shutil.copy2(source, root / name)
        if producers is not None:
            change = Change(root, random.Random(0), {})
            copied = {p.parent.name for p in change.products()}
            _keep_in_register(change, lambda product: product in copied)
    if cache is not None:
        # the processed photos and print assets (named by what they are made from) shared;
        # the rest of the cache the copy's own, as a catalog's is (its compiled templates
        # are read only from a folder reached through no link)
        (root / ".cache" / "ocop").mkdir(parents=True)
        for name in SHARED_CACHES:
            (cache / "ocop" / name).mkdir(parents=True, exist_ok=True)
            (root / ".cache" / "ocop" / name).symlink_to(cache / "ocop" / name,
                                                       target_is_directory=True)
    (root / ".gitignore").write_text(".cache\n", encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "the sample" if not products else f"a synthetic catalog of {products}")
    return root


def ocop(root: Path, site: Path, epoch: int) -> subprocess.CompletedProcess:
    """``ocop build -d site`` in ``root`` on the build day ``epoch`` (a build that takes
    longer than :data:`BUILD_SECONDS` fails, as one that stopped with an error)."""
    script = Path(sys.executable).with_name("ocop")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "ocop_catalog.cli"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    try:
        return subprocess.run([*command, "build", "-d", str(site)], cwd=root, env=env,
                              capture_output=True, text=True, check=False,
                              timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(exc.cmd, -1, "", f"no end in {BUILD_SECONDS} s")


#: The address ``ocop serve`` previews at (``--serve``): both builds of a step use it.
SERVE_URL = "http://127.0.0.1:8000/"
_COLD_SERVE = ("import sys; from pathlib import Path; from ocop_catalog.build import build_site; "
               "build_site(Path('site_config.yml').resolve(), Path(sys.argv[1]), "
               "site_url=sys.argv[2])")


class _Log(logging.Handler):
    """What the in-process builds log (MkDocs' logger and the plugin's under it)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def serve_build(root: Path, site: Path, epoch: int) -> subprocess.CompletedProcess:
    """A rebuild as ``ocop serve`` makes it: in this process, which made the builds
    before (what a process keeps between builds is used), trusting its own preview,
    at the local address, in two builds: the pages first (``defer``: the other outputs'
    files carried over as they were), then the build that brings the rest up to date.
    Its log and failure as a finished process's; the process's logging, build day and
    working folder are left as they were."""
    from ocop_catalog.build import build_site
    from ocop_catalog.parallel import unfreeze

    logger = logging.getLogger("mkdocs")
    kept = logger.level, logger.propagate, logger.handlers[:]
    day = os.environ.get("SOURCE_DATE_EPOCH")
    handler = _Log()
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    here = Path.cwd()
    os.chdir(root)
    code = 0
    try:
        for defer in (True, False):
            build_site(root / "site_config.yml", site, site_url=SERVE_URL,
                       published=root / "site" / "catalog.json", own=True, defer=defer)
        # a build made again (a key recorded for a file that is not there, found before
        # the swap) would hide what went wrong from the comparison: a failure of its own
        again = [line for line in handler.lines if "building again" in line]
        if again:
            handler.lines.append(f"ERROR: a build was made again: {again[0]}")
            code = 1
    except Exception as exc:  # noqa: BLE001 - a failed build, as 'ocop serve' says it
        handler.lines.append(f"ERROR: {type(exc).__name__}: {exc}")
        code = 1
    finally:
        unfreeze()
        os.chdir(here)
        logger.handlers, logger.propagate = kept[2], kept[1]
        logger.setLevel(kept[0])
        if day is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = day
    return subprocess.CompletedProcess(["build_site"], code, "", "\n".join(handler.lines))


def serve_cold(root: Path, site: Path, epoch: int) -> subprocess.CompletedProcess:
    """A cold build at ``ocop serve``'s address, in a process of its own."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    try:
        return subprocess.run([sys.executable, "-c", _COLD_SERVE, str(site), SERVE_URL],
                              cwd=root, env=env, capture_output=True, text=True, check=False,
                              timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(exc.cmd, -1, "", f"no end in {BUILD_SECONDS} s")


def taken(log: str) -> str:
    """What a build's log says it took over from the previous build."""
    found = re.search(r"incremental: (\d+) of (\d+) keyed files", log)
    again = re.search(r"(\d+) written again for the build day", log)
    return (f"{found.group(1)}/{found.group(2)} taken over" if found else "nothing taken over") \
        + (f", {again.group(1)} written again for the day" if again else "")


def differences(incremental: Path, cold: Path) -> list[str]:
    """What differs between two sites (nothing: they are equal; ``compare_builds.py``'s
    comparison), with the first three text files' differences shown."""
    problems = []
    shown = 0
    for line in compare(cold, incremental, ("the cold build", "the incremental build")):
        problems.append(line)
        rel = line.removeprefix("differs: ")
        if rel != line and rel.endswith((".html", ".json", ".xml", ".csv", ".txt")) \
                and shown < 3:
            shown += 1
            a, b = _lines(incremental / rel), _lines(cold / rel)
            problems += list(difflib.unified_diff(a, b, "incremental", "cold", n=1,
                                                  lineterm=""))[:30]
    return problems


def _lines(path: Path) -> list[str]:
    """A text file's lines to compare: JSON a value to a line, HTML and XML a tag to a line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".json":
        try:
            return json.dumps(json.loads(text), ensure_ascii=False, indent=1).splitlines()
        except ValueError:
            pass
    return text.replace("><", ">\n<").splitlines()


# --------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------


class _Plain(yaml.SafeDumper):
    """No anchors and aliases (records may not hold them: ``yaml_alias``), even for a value
    written twice."""

    def ignore_aliases(self, data) -> bool:
        return True


class Change:
    """What a change needs: the copy, the random source and the state of the run."""

    def __init__(self, root: Path, rng: random.Random, state: dict) -> None:
        self.root, self.rng, self.state = root, rng, state

    def products(self) -> list[Path]:
        return sorted((self.root / "products").glob("*/*/product.yml"))

    def product(self) -> Path:
        return self.rng.choice(self.products())

    def load(self, path: Path):
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    def dump(self, path: Path, data) -> None:
        path.write_text(yaml.dump(data, Dumper=_Plain, allow_unicode=True, sort_keys=False,
                                  width=1000), encoding="utf-8")

    def new_id(self, *parts: str) -> str:
        """An id made of ``parts`` as the records' ids are written (lowercase letters,
        digits, single hyphens), at most 60 characters."""
        text = "-".join(parts).replace("đ", "d").lower()
        text = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "", text))[:60]
        return text.strip("-")

    def word(self) -> str:
        return self.rng.choice(("Ánh", "Bắc", "Cao", "Đỏ", "Gia", "Hồng", "Lam", "Mới", "Ngọc",
                                "Phúc", "Quê", "Sơn", "Tân", "Vàng", "Xanh", "Yên", "Zô"))


def _edit_product(change: Change, edit: Callable[[dict], str | None],
                  where: Callable[[dict], bool] | None = None) -> str | None:
    """``edit`` a product's record (one for which ``where`` holds)."""
    if where is None:
        path = change.product()
    else:
        paths = [p for p in change.products() if where(change.load(p))]
        if not paths:
            return None
        path = change.rng.choice(paths)
    data = change.load(path)
    said = edit(data)
    if said is None:
        return None
    change.dump(path, data)
    return f"{path.parent.name}: {said}"


def price(change: Change) -> str | None:
    """A price up or down."""
    def edit(data):
        if not data.get("price"):
            return None
        data["price"]["amount"] += change.rng.choice((-5, 1, 2, 10, 50)) * 1000
        if data["price"]["amount"] <= 0:
            return None
        return f"price {data['price']['amount']}"
    return _edit_product(change, edit)


def name(change: Change) -> str | None:
    """A name that sorts elsewhere (listings are in name order): a word in front or behind."""
    def edit(data):
        lang = change.rng.choice(sorted(data["name"]))
        word = change.word()
        old = data["name"][lang]
        data["name"][lang] = f"{word} {old}" if change.rng.random() < 0.5 else f"{old} {word}"
        return f"name.{lang} {data['name'][lang]!r}"
    return _edit_product(change, edit)


def text(change: Change) -> str | None:
    """A sentence with Markdown added to a text of a product, in one language."""
    def edit(data):
        field = change.rng.choice(("summary", "description", "ingredients", "storage"))
        if not isinstance(data.get(field), dict):
            return None
        lang = change.rng.choice(sorted(data[field]))
        extra = f"**{change.word()}** {change.word().lower()}."
        data[field][lang] = data[field][lang].rstrip() + (
            f"\n\n{extra}\n" if field == "description" else f" {extra}")
        return f"{field}.{lang} + {extra!r}"
    return _edit_product(change, edit)


def availability(change: Change) -> str | None:
    """Another availability (in stock, sold out, preorder, discontinued)."""
    def edit(data):
        data["availability"] = change.rng.choice(
            [a for a in ("in_stock", "out_of_stock", "preorder", "discontinued")
             if a != data.get("availability", "in_stock")])
        return f"availability {data['availability']}"
    return _edit_product(change, edit)


def photos(change: Change) -> str | None:
    """A product's photos in the reverse order, or its last photo left out."""
    def edit(data):
        shots = data.get("photos") or []
        if len(shots) < 2:
            return None
        if change.rng.random() < 0.5:
            shots.reverse()
            return "photos reversed"
        gone = shots.pop()
        return f"photo {gone['file']} left out"
    return _edit_product(change, edit)


def alt(change: Change) -> str | None:
    """A word added to a photo's alternative text, in one language."""
    def edit(data):
        shots = data.get("photos") or []
        if not shots:
            return None
        shot = change.rng.choice(shots)
        lang = change.rng.choice(sorted(shot["alt"]))
        shot["alt"][lang] += f" {change.word()}"
        return f"alt of {shot['file']}.{lang}"
    return _edit_product(change, edit)


def points(change: Change) -> str | None:
    """A product sold at one sales point more, or one fewer."""
    every = [p["id"] for p in change.load(change.root / "catalog/sales-points.yml")
             ["sales_points"]]

    def edit(data):
        have = data.setdefault("sales_points", [])
        if have and change.rng.random() < 0.5:
            gone = have.pop(change.rng.randrange(len(have)))
            if not have:
                del data["sales_points"]
            return f"not at {gone}"
        new = [p for p in every if p not in have]
        if not new:
            return None
        have.append(change.rng.choice(new))
        return f"at {have[-1]}"
    return _edit_product(change, edit)


def tags(change: Change) -> str | None:
    """A tag added to a product, or its last tag left out."""
    def edit(data):
        have = data.setdefault("tags", [])
        if have and change.rng.random() < 0.4:
            return f"tag {have.pop()} left out"
        have.append(change.word().lower())
        return f"tag {have[-1]}"
    return _edit_product(change, edit)


def commune(change: Change) -> str | None:
    """Another commune some product of the catalog is from (areas' listings change)."""
    codes = sorted({change.load(p)["origin"]["commune"] for p in change.products()})

    def edit(data):
        origin = data["origin"]
        others = [c for c in codes if c != origin["commune"]]
        if not others:
            return None
        origin["commune"] = change.rng.choice(others)
        origin.pop("legacy", None)
        return f"commune {origin['commune']}"
    return _edit_product(change, edit)


def category(change: Change) -> str | None:
    """Another criteria set of the same version some product has (sector/group listings)."""
    sets: dict[str, set[int]] = {}
    for path in change.products():
        data = change.load(path)
        if "tourism" not in data:  # goods: a service's sets need its tourism fields
            found = data["category"]
            sets.setdefault(found["criteria_version"], set()).add(found["criteria_set"])

    def edit(data):
        cat = data["category"]
        others = sorted(sets.get(cat["criteria_version"], set()) - {cat["criteria_set"]})
        if not others:
            return None
        cat["criteria_set"] = change.rng.choice(others)
        return f"criteria set {cat['criteria_set']}"
    return _edit_product(change, edit, where=lambda data: "tourism" not in data)


def lot(change: Change) -> str | None:
    """A lot left out, or its quantity changed."""
    def edit(data):
        lots = data.get("lots")
        if not lots:
            return None
        one = change.rng.choice(lots)
        if len(lots) > 1 and change.rng.random() < 0.5:
            lots.remove(one)
            return f"lot {one['code']} left out"
        one["quantity"] = one.get("quantity", 900) + 100
        return f"lot {one['code']} quantity {one['quantity']}"
    return _edit_product(change, edit, where=lambda data: bool(data.get("lots")))


def copy_product(change: Change) -> str | None:
    """A new product: a copy of one under a new id, with no decision (no stars)."""
    path = change.product()
    new_id = change.new_id(path.parent.name[:40], change.word(), str(change.rng.randrange(1000)))
    folder = path.parent.parent / new_id
    if folder.exists():
        return None
    shutil.copytree(path.parent, folder)
    data = change.load(folder / "product.yml")
    data["id"] = new_id
    for field in ("gtin", "qr_code", "former_ids", "lots", "traceability"):
        data.pop(field, None)
    data["name"] = {k: f"{v} {change.word()}" for k, v in data["name"].items()}
    change.dump(folder / "product.yml", data)
    return f"new product {new_id}"


def _decisions(change: Change) -> list[Path]:
    """The register's decision files."""
    return sorted(p for p in (change.root / "catalog/decisions").rglob("*.yml")
                  if not p.name.startswith(("_", ".")))


def _keep_in_register(change: Change, keep: Callable[[str], bool]) -> None:
    """The register saying only what it says of the products ``keep`` holds for; a
    decision left naming no product is deleted."""
    for path in _decisions(change):
        data = change.load(path)
        touched = False
        for field, entries in list(data.items()):
            if isinstance(entries, list) and entries and isinstance(entries[0], dict) \
                    and "product" in entries[0]:
                kept = [e for e in entries if keep(e.get("product"))]
                if len(kept) != len(entries):
                    touched = True
                    if kept:
                        data[field] = kept
                    else:
                        del data[field]
        if touched:
            if not any(isinstance(v, list) and v and isinstance(v[0], dict) and "product" in v[0]
                       for v in data.values()):
                path.unlink()
            else:
                change.dump(path, data)


def delete_product(change: Change) -> str | None:
    """A product deleted, with the register's entries for it."""
    path = change.product()
    if len(change.products()) < 20:
        return None
    shutil.rmtree(path.parent)
    gone = path.parent.name
    _keep_in_register(change, lambda product: product != gone)
    _renamed(change, gone, None)
    return f"deleted {path.parent.name}"


def rename(change: Change) -> str | None:
    """A new id with the old one in former_ids (the register names the new one)."""
    path = change.product()
    data = change.load(path)
    old = data["id"]
    new = change.new_id(old[:40], change.word())
    if new == old or (path.parent.parent / new).exists():
        return None
    data["id"] = new
    data["former_ids"] = [*data.get("former_ids", []), old]
    change.dump(path, data)
    path.parent.rename(path.parent.parent / new)
    _renamed(change, old, new)
    return f"renamed {old} → {new}"


def _renamed(change: Change, old: str, new: str | None) -> None:
    """The register and the featured products name ``new`` where they named ``old``
    (None: the product is gone; the featured list leaves it out)."""
    if new is not None:
        named = re.compile(rf"(product: ){re.escape(old)}(?![a-z0-9-])")
        for decision in _decisions(change):
            content = decision.read_text(encoding="utf-8")
            if named.search(content):
                decision.write_text(named.sub(rf"\g<1>{new}", content), encoding="utf-8")
    path = change.root / "site_config.yml"
    content = path.read_text(encoding="utf-8")
    found = re.search(r"\n      featured: \[(.*)\]", content)
    if found:
        ids = [i.strip() for i in found.group(1).split(",")]
        if old in ids:
            ids = [new if i == old else i for i in ids if i != old or new is not None]
            line = f"\n      featured: [{', '.join(ids)}]" if ids else ""
            path.write_text(content.replace(found.group(0), line, 1), encoding="utf-8")


def producer(change: Change) -> str | None:
    """A producer's name or description (a word added) or phone number."""
    path = change.rng.choice(sorted((change.root / "products").glob("*/producer.yml")))
    data = change.load(path)
    what = change.rng.choice(("name", "description", "phone"))
    if what == "phone":
        data.setdefault("contact", {})["phone"] = f"+84 000 000 {change.rng.randrange(1000):03d}"
    else:
        lang = change.rng.choice(sorted(data[what]))
        data[what][lang] = f"{data[what][lang].rstrip()} {change.word()}"
    change.dump(path, data)
    return f"producer {data['id']}: {what}"


def sales_point(change: Change) -> str | None:
    """A word added to a sales point's name, in one language."""
    path = change.root / "catalog/sales-points.yml"
    data = change.load(path)
    point = change.rng.choice(data["sales_points"])
    lang = change.rng.choice(sorted(point["name"]))
    point["name"][lang] += f" {change.word()}"
    change.dump(path, data)
    return f"sales point {point['id']}: name.{lang}"


def stars(change: Change) -> str | None:
    """A province's decision granting 3 stars where it granted 4, or 4 where 3 (a district
    grants 3 stars at most)."""
    found = [(p, data) for p in _decisions(change) if (data := change.load(p)).get("level")
             == "province" and any(e.get("stars") in (3, 4) for e in data.get("recognises") or [])]
    if not found:
        return None
    path, data = change.rng.choice(found)
    entry = change.rng.choice([e for e in data["recognises"] if e.get("stars") in (3, 4)])
    entry["stars"] = 4 if entry["stars"] == 3 else 3
    entry.pop("score", None)
    change.dump(path, data)
    return f"{path.name}: {entry['product']} {entry['stars']} stars"


def decision_date(change: Change) -> str | None:
    """A decision dated a few days or weeks earlier or later (its certificates' terms
    move)."""
    path = change.rng.choice(_decisions(change))
    data = change.load(path)
    day = data["date"] if isinstance(data["date"], dt.date) else dt.date.fromisoformat(
        str(data["date"]))
    data["date"] = day + dt.timedelta(days=change.rng.choice((-40, -3, 2, 25)))
    change.dump(path, data)
    return f"{path.name}: dated {data['date']}"


def build_day(change: Change) -> str | None:
    """A later build day (certificates lapse; every product and lot page says the day it
    was checked: those whose state did not change are written from the previous day's with
    the new day's text, :meth:`ocop_catalog.reuse.Reuse.earlier`)."""
    change.state["epoch"] += change.rng.choice((1, 17, 90, 400)) * DAY
    return f"build day +{(change.state['epoch'] - EPOCH) // DAY} days"


def _edit_config(change: Change, pattern: str, new: Callable[[re.Match], str]) -> str | None:
    """site_config.yml with the first match of ``pattern`` replaced by ``new(match)``: the
    text put in (None: nothing matched, nothing changed)."""
    path = change.root / "site_config.yml"
    content = path.read_text(encoding="utf-8")
    found = re.search(pattern, content)
    if not found:
        return None
    text = new(found)
    path.write_text(content[:found.start()] + text + content[found.end():], encoding="utf-8")
    return text


def page_size(change: Change) -> str | None:
    """Another number of product cards per listing page."""
    def size(found: re.Match) -> str:
        other = change.rng.choice([s for s in (3, 5, 12, 24) if s != int(found.group(1))])
        return f"listing_page_size: {other}"
    put = _edit_config(change, r"listing_page_size: (\d+)", size)
    return put.replace(":", "") if put else None


def authored(change: Change) -> str | None:
    """A paragraph added to an authored page (``catalog/**/*.md``)."""
    pages = sorted((change.root / "catalog").rglob("*.md"))
    if not pages:
        return None
    path = change.rng.choice(pages)
    with path.open("a", encoding="utf-8") as out:
        out.write(f"\n\nThêm một đoạn: *{change.word()}*.\n")
    return f"authored page {path.relative_to(change.root)}"


def override(change: Change) -> str | None:
    """A template of the theme overridden with an attribute added (or the override gone)."""
    overrides = change.root / "overrides" / "ocop"
    there = sorted(p for p in overrides.rglob("*.html")) if overrides.is_dir() else []
    if there and change.rng.random() < 0.4:
        gone = change.rng.choice(there)
        gone.unlink()
        return f"override {gone.relative_to(overrides)} removed"
    theme = REPO / "theme" / "ocop"
    choices = [(p, text) for p in sorted(theme.rglob("*.html"))
               if "<div" in (text := p.read_text(encoding="utf-8")) or "<section" in text]
    source, content = change.rng.choice(choices)
    rel = source.relative_to(theme)
    tag = "<section" if "<section" in content else "<div"
    mark = f'{tag} data-fuzz="{change.rng.randrange(10**6)}"'
    target = overrides / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content.replace(tag, mark, 1), encoding="utf-8")
    return f"override {rel}"


def strings(change: Change) -> str | None:
    """A UI string of a language overridden (or the overrides gone)."""
    lang = change.rng.choice(("vi", "en", "zh"))
    target = change.root / "overrides" / "ocop" / "i18n" / f"{lang}.yml"
    if target.exists() and change.rng.random() < 0.3:
        target.unlink()
        return f"UI strings of {lang}: overrides removed"
    packaged = change.load(REPO / "theme" / "ocop" / "i18n" / f"{lang}.yml")
    keys = sorted(k for k, v in packaged.items() if isinstance(v, str) and v and "{" not in v)
    key = change.rng.choice(keys)
    have = change.load(target) if target.exists() else {}
    have[key] = f"{packaged[key]} {change.word()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    change.dump(target, have)
    return f"UI string {lang}:{key}"


def identity(change: Change) -> str | None:
    """A word added to the catalog's short name in Vietnamese (every page shows it)."""
    put = _edit_config(change, r"short_name: \{vi: ([^,]+),",
                       lambda found: f"short_name: {{vi: {found.group(1)} {change.word()},")
    return f"identity short_name.vi {put[len('short_name: {vi: '):-1]!r}" if put else None


def featured(change: Change) -> str | None:
    """The home page's products: a number of them, three named (products the register
    names: a product without a decision is not published), or the default."""
    path = change.root / "site_config.yml"
    content = path.read_text(encoding="utf-8")
    content = re.sub(r"\n      featured: .*", "", content)
    named = {entry.get("product") for decision in _decisions(change)
             for entry in change.load(decision).get("recognises") or []}
    ids = sorted(p.parent.name for p in change.products() if p.parent.name in named)
    if len(ids) < 3:
        return None
    choice = change.rng.choice(("number", "list", "none"))
    if choice == "number":
        line = f"featured: {change.rng.choice((0, 2, 6))}"
    elif choice == "list":
        line = f"featured: [{', '.join(change.rng.sample(ids, 3))}]"
    else:
        path.write_text(content, encoding="utf-8")
        return "featured: default"
    content = content.replace("      listing_page_size:", f"      {line}\n      listing_page_size:", 1)
    path.write_text(content, encoding="utf-8")
    return line


def photo_bytes(change: Change) -> str | None:
    """A photo's file replaced by another picture under the same name."""
    path = change.product()
    data = change.load(path)
    shots = data.get("photos") or []
    if not shots:
        return None
    shot = change.rng.choice(shots)
    file = path.parent / shot["file"]
    with Image.open(file) as image:
        picture = image.convert("RGB")
    draw = ImageDraw.Draw(picture)
    x = change.rng.randrange(picture.width // 2)
    draw.rectangle((x, 10, x + 120, 130), fill=(change.rng.randrange(256), 40, 90))
    file.unlink()  # a new file: the photo may be a hard link another product's shares
    picture.save(file, quality=88)
    return f"{path.parent.name}: photo {shot['file']} redrawn"


def _gtin13(rng: random.Random) -> str:
    """A valid GTIN-13 with Vietnam's prefix (893) and a random item."""
    from ocop_catalog.catalog.certificates import gs1_check_digit

    body = "893" + "".join(str(rng.randrange(10)) for _ in range(9))
    return body + str(gs1_check_digit(body))


def gtin(change: Change) -> str | None:
    """A GTIN given to a product, or its GTIN (and its lots, which need one) left out."""
    def edit(data):
        if data.get("gtin") and change.rng.random() < 0.5:
            gone = data.pop("gtin")
            data.pop("lots", None)  # lots need a GTIN
            return f"gtin {gone} left out (and its lots)"
        data["gtin"] = _gtin13(change.rng)
        return f"gtin {data['gtin']}"
    # goods only: a tourism service has no GTIN
    return _edit_product(change, edit, where=lambda data: "tourism" not in data)


def marketplaces(change: Change) -> str | None:
    """A marketplace link given to a product, or its links left out."""
    def edit(data):
        if data.get("marketplaces") and change.rng.random() < 0.5:
            del data["marketplaces"]
            return "marketplaces left out"
        data["marketplaces"] = [{"platform": "shopee", "url":
                                 f"https://shopee.vn/p-i.{change.rng.randrange(10**8)}.1"}]
        return "a marketplace link"
    return _edit_product(change, edit)


def updated(change: Change) -> str | None:
    """A later day in a product's ``updated``."""
    def edit(data):
        day = data.get("updated") or data.get("listed")
        if not isinstance(day, dt.date):
            return None
        later = min(day + dt.timedelta(days=change.rng.choice((1, 30, 200))),
                    dt.date(2026, 11, 30))
        if later == data.get("updated"):
            return None
        data["updated"] = later
        return f"updated {data['updated']}"
    return _edit_product(change, edit)


def move(change: Change) -> str | None:
    """A product moved to another producer's folder, under a new id (a published id stays
    its producer's: ``taken_id``), which the register names from then on."""
    paths = [p for p in change.products()
             if len(list(p.parent.parent.glob("*/product.yml"))) > 1]
    if not paths:
        return None
    path = change.rng.choice(paths)
    producers = sorted(p for p in (change.root / "products").iterdir()
                       if p.is_dir() and p != path.parent.parent)
    to = change.rng.choice(producers)
    data = change.load(path)
    old = data["id"]
    new = change.new_id(old[:40], to.name[:12])
    if new == old or (to / new).exists():
        return None
    data["id"] = new
    for field in ("former_ids", "gtin", "lots"):  # a published GTIN stays its producer's too
        data.pop(field, None)
    change.dump(path, data)
    path.parent.rename(to / new)
    _renamed(change, old, new)
    return f"{old} moved to {to.name} as {new}"


def untranslated(change: Change) -> str | None:
    """A product's Chinese name, summary or description left out."""
    fields = ("name", "summary", "description")

    def translated(data) -> list[str]:
        return [f for f in fields if isinstance(data.get(f), dict) and "zh" in data[f]]

    def edit(data):
        field = change.rng.choice(translated(data))
        del data[field]["zh"]
        return f"{field}.zh left out"
    return _edit_product(change, edit, where=lambda data: bool(translated(data)))


def drop_decision(change: Change) -> str | None:
    """A decision deleted (its products lose that certificate)."""
    paths = _decisions(change)
    if len(paths) < 3:
        return None
    path = change.rng.choice(paths)
    path.unlink()
    return f"decision {path.name} deleted"


def recall(change: Change) -> str | None:
    """A lot recalled (or its recall withdrawn)."""
    def edit(data):
        one = change.rng.choice(data["lots"])
        if one.get("recall"):
            del one["recall"]
            return f"lot {one['code']}: recall withdrawn"
        produced = one.get("produced") or dt.date(2026, 1, 1)
        one["recall"] = {"date": produced + dt.timedelta(days=change.rng.randrange(1, 20)),
                         "reason": {"vi": f"Thu hồi lô {one['code']}: nắp không kín.",
                                    "en": f"Lot {one['code']} recalled: the lids leak."}}
        return f"lot {one['code']} recalled"
    return _edit_product(change, edit, where=lambda data: bool(data.get("lots")))


def certification_end(change: Change) -> str | None:
    """A product's other certification (VietGAP, organic…) made to end a few days before
    or after the build day: its passport and JSON-LD say it has expired from the day after
    (in its pages' keys) and the records' check warns of it (the records memo keeps a
    folder's load for the days its checks hold for); a later build day crosses the end."""
    day = dt.datetime.fromtimestamp(change.state["epoch"],
                                    dt.timezone(dt.timedelta(hours=7))).date()
    end = day + dt.timedelta(days=change.rng.randrange(-2, 4))

    def edit(data):
        certs = data.get("certifications") or []
        if not certs:
            data["certifications"] = [{
                "type": "vietgap", "number": f"VietGAP-{change.rng.randrange(10 ** 6)}",
                "issuer": {"vi": "QUACERT", "en": "QUACERT"},
                "issued": end - dt.timedelta(days=365), "valid_until": end}]
            return f"a VietGAP certification ending {end}"
        one = change.rng.choice(certs)
        issued = one.get("issued")
        if isinstance(issued, dt.date) and issued > end:
            return None  # an end before the issue is an error
        one["valid_until"] = end
        return f"certification {one.get('number')} ends {end}"
    return _edit_product(change, edit)


def new_photo(change: Change) -> str | None:
    """A photo added to a product (a new file)."""
    path = change.product()
    data = change.load(path)
    shots = data.setdefault("photos", [])
    name = f"{len(shots) + 10}.jpg"
    if (path.parent / name).exists():
        return None
    colour = tuple(change.rng.randrange(256) for _ in range(3))
    Image.new("RGB", (800, 600), colour).save(path.parent / name, quality=85)
    shots.append({"file": name, "alt": {"vi": f"Ảnh {change.word()}",
                                        "en": f"A photo {change.word()}"}})
    change.dump(path, data)
    return f"{path.parent.name}: photo {name} added"


def new_point(change: Change) -> str | None:
    """A sales point added to the catalog (and a product sold there), or one left out of
    the catalog with the products' mentions of it."""
    path = change.root / "catalog/sales-points.yml"
    data = change.load(path)
    points = data["sales_points"]
    if len(points) > 3 and change.rng.random() < 0.4:
        gone = points.pop(change.rng.randrange(len(points)))
        change.dump(path, data)
        for product in change.products():
            record = change.load(product)
            if gone["id"] in record.get("sales_points", []):
                record["sales_points"].remove(gone["id"])
                if not record["sales_points"]:
                    del record["sales_points"]
                change.dump(product, record)
        return f"sales point {gone['id']} left out"
    model = change.rng.choice(points)
    new = {**model, "id": f"diem-{change.rng.randrange(10**4)}",
           "name": {k: f"{v} {change.word()}" for k, v in model["name"].items()}}
    if any(p["id"] == new["id"] for p in points):
        return None
    points.append(new)
    change.dump(path, data)
    product = change.product()
    record = change.load(product)
    record.setdefault("sales_points", []).append(new["id"])
    change.dump(product, record)
    return f"sales point {new['id']} added, {product.parent.name} sold there"


CHANGES: tuple[tuple[Callable[[Change], str | None], int], ...] = (
    (price, 6), (name, 4), (text, 3), (availability, 2), (photos, 2), (alt, 1), (points, 3),
    (tags, 2), (commune, 2), (category, 2), (lot, 2), (copy_product, 2), (delete_product, 2),
    (rename, 2), (producer, 2), (sales_point, 1), (stars, 3), (decision_date, 2),
    (build_day, 1), (page_size, 1), (authored, 1), (override, 1), (strings, 1),
    (identity, 1), (featured, 1), (photo_bytes, 2), (gtin, 2), (marketplaces, 2), (updated, 2),
    (move, 2), (untranslated, 2), (drop_decision, 1), (recall, 1), (new_photo, 1),
    (new_point, 1), (certification_end, 1),
)


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def fresh_cold(root: Path, work: Path, step: int) -> Path:
    """A copy of the repository for a cold build with caches of its own, but the processed
    photos (named by their bytes and settings) linked, or copied, from the copy's."""
    other = work / f"cold-repo-{step}"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns(".cache", ".git"))
    images = root / ".cache" / "ocop" / "images"
    if images.is_dir():
        (other / ".cache" / "ocop").mkdir(parents=True)
        shutil.copytree(images, other / ".cache" / "ocop" / "images", copy_function=_link)
    return other


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


Kind = Callable[[Change], "str | None"]


class Run:
    """A copy of the sample built incrementally step after step, each step compared with a
    cold build (see the module's docstring); ``say`` is told of each step."""

    def __init__(self, work: Path, seed: int, *, fresh_cache: int = 0,
                 cache: Path | None = None, products: int | None = None,
                 producers: Sequence[str] | None = None, serve: bool = False,
                 fresh_checkout: int = 0, say: Callable[[str], None] = print) -> None:
        self.work, self.fresh_cache, self.say = work, fresh_cache, say
        #: Every this many steps, the incremental build runs on a fresh checkout.
        self.fresh_checkout = fresh_checkout
        #: How the incremental and the cold builds are made (``serve``: as ``ocop serve``
        #: rebuilds, in this process, and cold at its address).
        self.build, self.cold = (serve_build, serve_cold) if serve else (ocop, ocop)
        self.root = make_copy(work, cache, products, producers)
        #: The changes made, step by step, and the names of their kinds.
        self.made: list[str] = []
        self.kinds: list[str] = []
        self.site = work / "site"
        self.state = {"epoch": EPOCH}
        self.rng = random.Random(seed)
        self.steps = 0
        first = self.build(self.root, self.site, self.state["epoch"])
        if first.returncode:
            raise RuntimeError(f"the catalog does not build:\n{first.stderr[-3000:]}")

    def step(self, kinds: list[Kind]) -> list[str] | None:
        """Make the changes ``kinds`` (those that apply), build, compare: what differs
        (nothing: the sites are equal); None when no change applied or the checks refused
        them (they are undone). An incremental build that fails where a cold build of the
        same input does not is a difference."""
        epoch_before = self.state["epoch"]
        said, names = [], []
        for kind in kinds:
            found = kind(Change(self.root, self.rng, self.state))
            if found is not None:
                said.append(found)
                names.append(kind.__name__)
        if not said:
            return None
        what = "; ".join(said)
        step = self.steps + 1
        checkout = bool(self.fresh_checkout) and step % self.fresh_checkout == 0
        if checkout:  # the change committed, as a pull request's run checks it out
            commit(self.root, f"step {step}: {what} (SOURCE_DATE_EPOCH={self.state['epoch']})")
            self._check_out_afresh()
        built = self.build(self.root, self.site, self.state["epoch"])
        if built.returncode:
            cold = self.work / f"cold-{step}"
            done = self.cold(self.root, cold, self.state["epoch"])
            shutil.rmtree(cold, ignore_errors=True)
            if not done.returncode:
                return [(f"step {step}: {what}: the incremental build failed, a cold build "
                         f"of the same input did not:\n{built.stderr[-3000:]}")]
            reason = next((line for line in done.stderr.splitlines()
                           if "error" in line and "catalog records" not in line), "")[:160]
            self.say(f"      refused: {what}\n        ({reason.strip()})")
            if checkout:
                git(self.root, "reset", "-q", "--hard", "HEAD~1")
            git(self.root, "checkout", "-q", "--", ".")
            git(self.root, "clean", "-qfd", "-e", ".cache")
            self.state["epoch"] = epoch_before
            return None
        self.steps = step
        self.made += said
        self.kinds += names
        if not checkout:
            commit(self.root, f"step {step}: {what} (SOURCE_DATE_EPOCH={self.state['epoch']})")
        # on a fresh checkout, and before one, a cold build with caches of its own: one
        # in the copy's cache folder would take what the incremental build just took (by
        # the signatures it wrote), and before a checkout it could write the memos again,
        # which the record of the site the checkout takes over would then not vouch for
        # (on GitHub Actions nothing builds between a run's build and its cache entry)
        fresh = (bool(self.fresh_cache) and step % self.fresh_cache == 0) or checkout or (
            bool(self.fresh_checkout) and (step + 1) % self.fresh_checkout == 0)
        cold_root = fresh_cold(self.root, self.work, step) if fresh else self.root
        cold = self.work / f"cold-{step}"
        done = self.cold(cold_root, cold, self.state["epoch"])
        if done.returncode:
            return [(f"step {step}: {what}: the cold build failed, the incremental one did "
                     f"not:\n{done.stderr[-3000:]}")]
        problems = differences(self.site, cold)
        by_git = re.search(r"records: (\d+) of (\d+) producer folders taken from the memo "
                           r"by what git says", built.stderr)
        self.say(f"{step:4d} {what} ({taken(built.stderr)}{', own caches' if fresh else ''}"
                 + (f", fresh checkout: {by_git.group(1)} of {by_git.group(2)} producer "
                    "folders taken by their contents" if by_git else
                    ", fresh checkout" if checkout else "") + "): "
                 f"{'DIFFERENT' if problems else 'same'}")
        if not problems:
            shutil.rmtree(cold)
            if fresh:
                shutil.rmtree(cold_root)
        return problems


    def _check_out_afresh(self) -> None:
        """The copy as a GitHub Actions run has it: cloned afresh at its path (every file
        new), its cache folder and the site restored as a cache entry restores them (new
        inodes and change times, modification times kept), no spare; then the two seconds
        after which the build takes the checked-out files' contents from git
        (``records/blobs.py``)."""
        kept = self.root.with_name(self.root.name + ".kept")
        shutil.rmtree(kept, ignore_errors=True)
        self.root.rename(kept)
        git(self.work, "clone", "-q", str(kept), str(self.root))
        if (kept / ".cache").is_dir():
            shutil.copytree(kept / ".cache", self.root / ".cache", symlinks=True)
        shutil.rmtree(kept)
        if self.site.is_dir():
            restored = self.site.with_name(self.site.name + ".restored")
            shutil.copytree(self.site, restored, symlinks=True)
            shutil.rmtree(self.site)
            restored.rename(self.site)
        shutil.rmtree(self.site.with_name(f".{self.site.name}.spare"), ignore_errors=True)
        time.sleep(RACY_SECONDS)


#: How long a checked-out file waits before git's blob id describes it to a build.
RACY_SECONDS = 2.2


#: Changes that make every page, or every page of a kind, again (the build day, what every
#: page shows, a template): in a build with others, they would hide a file those others
#: should have made again and did not; :func:`tour` builds each on its own.
EVERYWHERE = (build_day, page_size, identity, strings, override)


def tour(run: Run, per_build: int, kinds: list[Kind] | None = None, *,
         alone: bool = True) -> list[str]:
    """Every kind of change (of ``kinds``: all) once, in a random order, ``per_build`` to a
    build, each of those that make every page again (:data:`EVERYWHERE`) in a build of its
    own (``alone``; else all of them in one build, which is quicker and finds less); a
    group the checks refuse is tried again in two halves. What differs at the first
    difference."""
    every = [kind for kind, _ in CHANGES] if kinds is None else kinds
    order = [kind for kind in every if kind not in EVERYWHERE]
    run.rng.shuffle(order)
    queue = [order[i:i + per_build] for i in range(0, len(order), per_build)]
    everywhere = [kind for kind in EVERYWHERE if kind in every]
    queue += [[kind] for kind in everywhere] if alone else [everywhere] if everywhere else []
    while queue:
        group = queue.pop(0)
        problems = run.step(group)
        if problems:
            return problems
        if problems is None and len(group) > 1:
            half = len(group) // 2
            queue[:0] = [group[:half], group[half:]]
    return []


#: Draws in a row that made no step (no change applied, or the checks refused it) before a
#: random run gives up (the kinds it may draw no longer apply).
MISSES = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh-cache", type=int, default=0, metavar="N",
                        help="every N steps, the cold build has caches of its own")
    parser.add_argument("--fresh-checkout", type=int, default=0, metavar="N",
                        help="every N steps, the incremental build runs on a fresh checkout "
                        "with the cache folder and site restored, as on GitHub Actions")
    parser.add_argument("--tour", type=int, default=0, metavar="K",
                        help="instead of --steps random changes: every kind once, K a build")
    parser.add_argument("--only", metavar="KIND,...",
                        help="only these kinds of change (their names: " + ", ".join(
                            kind.__name__ for kind, _ in CHANGES) + ")")
    parser.add_argument("--products", type=int, metavar="N",
                        help="the benchmarks' synthetic catalog of N products instead of the "
                        "sample (from 300, an incremental build runs the feeds in workers)")
    parser.add_argument("--serve", action="store_true",
                        help="incremental builds as 'ocop serve' makes them: in this process, "
                        "one after another, at its local address")
    parser.add_argument("--workdir", type=Path, help="work here (a new or empty folder; kept)")
    args = parser.parse_args()
    chosen = list(CHANGES)
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        known = {kind.__name__: (kind, weight) for kind, weight in CHANGES}
        unknown = [name for name in names if name not in known]
        if unknown:
            parser.error(f"no such kind of change: {', '.join(unknown)}")
        chosen = [known[name] for name in dict.fromkeys(names)]
    if args.workdir and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"{args.workdir} is not empty: a run starts from a new folder")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="ocop-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    run = Run(work, args.seed, fresh_cache=args.fresh_cache, products=args.products,
              serve=args.serve, fresh_checkout=args.fresh_checkout,
              say=lambda line: print(line, flush=True))
    if args.tour:
        problems = tour(run, args.tour, [kind for kind, _ in chosen])
    else:
        kinds = [change for change, weight in chosen for _ in range(weight)]
        problems, misses = [], 0
        while run.steps < args.steps and not problems:
            before = run.steps
            problems = run.step([run.rng.choice(kinds)]) or []
            misses = 0 if run.steps > before else misses + 1
            if misses >= MISSES:
                print(f"{MISSES} draws in a row made no change the build took: the kinds "
                      "drawn no longer apply to this catalog")
                return 2
    if problems:
        print("\n".join(problems[:80]))
        print(f"\nkept: {work} (the repository's git log has every step)")
        return 1
    print(f"{run.steps} steps, every incremental build equal to the cold one")
    if not args.workdir:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
