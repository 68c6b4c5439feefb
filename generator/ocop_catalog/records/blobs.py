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

Git's answer comes from one ``git ls-files`` (the index's blob ids, and which tracked
files git finds changed in the work tree, or is told not to look at: left out) and ``git
check-attr`` (files an attribute converts between the blob and the work tree: line ends,
``ident``, an encoding, a filter; left out), in the catalog's folder; nothing when there
is no git, no repository, or git refuses it (:func:`git_blobs`). A memo compares each
file's size too.

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

__all__ = ["RACY_NS", "git_blobs", "remember_unanswered", "settled", "unanswered"]

#: How long before a load began a file must have last changed to be described by its
#: blob id (nanoseconds).
RACY_NS = 2_000_000_000
#: From this many paths, git is asked about their top folders instead (a command line
#: has a limit; listing a whole folder of a 10,000-product catalog takes git 0.1 s).
PATHS_AT_ONCE = 256

_MODES = (b"100644", b"100755")


def git_blobs(root: Path, paths: Collection[str] = ()) -> dict[str, str]:
    """Blob id by path (relative to ``root``, POSIX) of every regular file under ``paths``
    (relative to ``root``; all of it when empty) that git's index tracks, merged, that git
    finds unchanged in the work tree and that no attribute converts on its way out of git.
    Empty when git cannot answer.

    One ``git ls-files -c -m -v`` reads the index once (two commands could see two
    indexes: a ``git add`` between them), checking each file's stat against the index and,
    for a file changed as recently as the index was written, its content: a modified file
    (``C``) is left out, and so is one git is told not to look at (``assume-unchanged``, a
    lower-case tag; ``skip-worktree``, ``S``), with the settings that make git trust stat
    data less (``core.ignoreStat``, ``core.checkStat``, ``core.trustctime``) set to git's
    defaults. Then ``git check-attr``: a file with ``ident``, ``filter`` or
    ``working-tree-encoding`` set is left out, since its bytes in the work tree may differ
    from the blob's at the same size (``$Id: 000…0 $`` expanded, a one-byte encoding). Line
    ends (``text``, ``eol``, ``crlf``) only ever add a carriage return before a line feed on
    the way out, which the size that memos compare tells."""
    if len(paths) > PATHS_AT_ONCE:
        paths = sorted({path.partition("/")[0] for path in paths})
    listed = _git(root, None, "ls-files", "-z", "-s", "-c", "-m", "-v", "--", *paths)
    if not listed:
        return {}
    found: dict[str, str] = {}
    changed: set[bytes] = set()
    for entry in listed.split(b"\0"):
        head, tab, name = entry.partition(b"\t")
        fields = head.split(b" ")
        if not tab or len(fields) != 4:
            continue
        if fields[0] != b"H":  # C: modified; h, S, …: not looked at, or not a plain entry
            changed.add(name)
            continue
        if fields[1] in _MODES and fields[3] == b"0":
            try:
                found[name.decode("utf-8")] = fields[2].decode("ascii")
            except UnicodeDecodeError:
                continue
    for name in changed:
        found.pop(name.decode("utf-8", "surrogateescape"), None)
    if not found:
        return found
    names = list(found)
    said = _git(root, "\0".join(names).encode("utf-8") + b"\0", "check-attr", "-z", "--stdin",
                *_CONVERTING)
    if said is None:
        return {}
    parts = said.split(b"\0")
    for i in range(0, len(parts) - 2, 3):
        if parts[i + 2] not in (b"unspecified", b"unset"):
            found.pop(parts[i].decode("utf-8", "surrogateescape"), None)
    return found


def settled(signature: list | None, before_ns: int) -> bool:
    """Whether a file of stat ``signature`` (size, modification and change times, …: as
    :func:`.memo.listing` lists it) last changed :data:`RACY_NS` or more before
    ``before_ns`` (when the load began: ``time.time_ns()``, the clock the kernel dates
    files by, which the margin covers the coarseness of)."""
    return (isinstance(signature, list) and len(signature) >= 3
            and max(signature[1], signature[2]) < before_ns - RACY_NS)


def _git(root: Path, given: bytes | None, *args: str) -> bytes | None:
    try:
        done = subprocess.run(
            ["git", *_SETTINGS, *args], cwd=root, input=given, capture_output=True,
            timeout=TIMEOUT, check=False,
            env={**_ENVIRONMENT, "GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "1",
                 "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):  # no git (a catalog downloaded), …
        return None
    return done.stdout if done.returncode == 0 else None


#: Attributes under which a file's bytes in the work tree may differ from its blob's at the
#: same size.
_CONVERTING = ("ident", "filter", "working-tree-encoding")
#: Git's defaults for how far it trusts a file's stat data, whatever the repository says.
_SETTINGS = ("-c", "core.fsmonitor=false", "-c", "core.quotepath=off",
             "-c", "core.ignoreStat=false", "-c", "core.checkStat=default",
             "-c", "core.trustctime=true")
#: How long git may take to answer (seconds); a build goes on without its answer.
TIMEOUT = 30
#: The environment git runs in: without the variables that point it at another
#: repository, index or work tree, or at other attributes or settings (a hook or a
#: wrapper that set them would have git describe other files at the same paths).
_ENVIRONMENT = {name: value for name, value in os.environ.items()
                if not name.startswith("GIT_")}

#: What git could not describe in this process (a file or folder by its path and stat
#: signatures: untracked, not committed, under an attribute, or no repository at all), so
#: that 'ocop serve' does not ask again at every rebuild until it changes (or the next
#: process: a commit does not change a file's signature).
_UNANSWERED: set[tuple] = set()


def unanswered(key: tuple) -> bool:
    """Whether git could not describe ``key`` (:func:`remember_unanswered`) in this
    process."""
    return key in _UNANSWERED


def remember_unanswered(key: tuple) -> None:
    """Remember that git could not describe ``key``: a tuple of the catalog's folder, a
    path and the stat signatures it was asked with."""
    _UNANSWERED.add(key)
