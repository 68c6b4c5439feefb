"""What git knows of a catalog's files without reading them: the object id of every file
its index tracks and finds unchanged in the work tree.

The memos that spare a build reading and checking its inputs again (a producer folder's
outcome, :mod:`.memo`; the register's; the files' digests, :class:`.decoded.FileDigests`)
go by the files' stat signatures, which only this machine could have recorded. A fresh
checkout (every build on GitHub Actions) gives every file a new one: with the build's
cache restored from the last run's ``actions/cache`` entry, every folder was read and
checked again, every photo decoded and every input hashed (docs/architecture.md, "Caches
on a fresh runner"). A memo therefore also records what git's index says each file holds
(its blob id) when it stores an outcome, and a build takes an outcome by them when the
stat signatures differ, **only from a memo the build can vouch for**: one with the
signature this program wrote beside it, or one the record of the site the build takes
over lists with its SHA-256 (:func:`.decoded.read_vouched`). A memo a pull request
committed, or one put in place by copy, is read by stat signatures alone, as before,
which never match a checked-out file.

Git's answer comes from ``git ls-files -s`` (the index's blob ids) and ``git diff-files``
(the tracked files whose stat differs from the index's: left out), in the catalog's
folder; nothing when there is no git, no repository, or git refuses it. Git's blob id is
that of the content as git stores it: with ``.gitattributes`` conversions (line ends, an
encoding) the work tree's bytes differ from it, so a memo compares each file's size too,
and a conversion that keeps the size and the blob yet changes the bytes does not exist
among git's own (its filters are configured in ``.git/config``, not by a pull request).

When is a blob id the content a load read? A file changed after the load listed it has a
new change time (the kernel sets it, no program sets it back), unless it was changed in
the same tick of the file system's clock as the change before: so only files whose
modification and change times are older than :data:`RACY_NS` before the load began are
described by blob ids (as git itself, and :class:`.decoded.FileDigests`, treat recent
files), and a folder's files are listed again after git answered: the same listing means
the content git described is the one read.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Collection
from pathlib import Path

__all__ = ["RACY_NS", "git_blobs", "settled"]

#: How long before a load began a file must have last changed to be described by its
#: blob id (nanoseconds).
RACY_NS = 2_000_000_000
#: From this many paths, git is asked about their top folders instead (a command line
#: has a limit; listing a whole folder of a 10,000-product catalog takes git 0.1 s).
PATHS_AT_ONCE = 256

_MODES = (b"100644", b"100755")


def git_blobs(root: Path, paths: Collection[str] = ()) -> dict[str, str]:
    """Blob id by path (relative to ``root``, POSIX) of every regular file under ``paths``
    (relative to ``root``; all of it when empty) that git's index tracks, merged, and that
    git finds unchanged in the work tree. Empty when git cannot answer."""
    if len(paths) > PATHS_AT_ONCE:
        paths = sorted({path.partition("/")[0] for path in paths})
    spec = ["--", *paths] if paths else []
    staged = _git(root, "ls-files", "-s", "-z", *spec)
    if not staged:
        return {}
    changed = _git(root, "diff-files", "--name-only", "--relative", "-z", *spec)
    if changed is None:
        return {}
    found: dict[str, str] = {}
    for entry in staged.split(b"\0"):
        head, tab, name = entry.partition(b"\t")
        fields = head.split(b" ")
        if tab and len(fields) == 3 and fields[0] in _MODES and fields[2] == b"0":
            try:
                found[name.decode("utf-8")] = fields[1].decode("ascii")
            except UnicodeDecodeError:
                continue
    for name in changed.split(b"\0"):
        if name:
            found.pop(name.decode("utf-8", "surrogateescape"), None)
    return found


def settled(signature: list | None, before_ns: int) -> bool:
    """Whether a file of stat ``signature`` (size, modification and change times, …: as
    :func:`.memo.listing` lists it) last changed :data:`RACY_NS` or more before
    ``before_ns`` (when the load began, by the clock the file system dates by)."""
    return (isinstance(signature, list) and len(signature) >= 3
            and max(signature[1], signature[2]) < before_ns - RACY_NS)


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-c", "core.quotepath=off", *args],
            cwd=root, capture_output=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "1",
                 "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):  # no git (a catalog downloaded), …
        return None
    return done.stdout if done.returncode == 0 else None
