"""Work on all cores in forked worker processes that inherit the catalog.

The edition, the page builder and the plans of the print writer are
large, immutable once built, and cheap to share by forking: a worker sees them
as they were when the pool started, without pickling. :func:`forked_pool`
starts such a pool; module-level worker functions read what it shares with
:func:`shared`. Where ``fork`` is not available (Windows, macOS' default), the
callers run their work in one process instead (:func:`can_fork`).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any

__all__ = ["can_fork", "collector_off", "forked_pool", "freeze", "freeze_kept", "frozen",
           "ignore_interrupts", "shared", "unfreeze", "worker_setup"]

_SHARED: dict[str, Any] = {}


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def forked_pool(workers: int, *, niceness: int = 0, **objects: Any) -> Iterator[Pool]:
    """A pool of ``workers`` forked processes in which :func:`shared` returns ``objects``;
    with ``niceness``, the workers run at that much lower a priority (:func:`os.nice`)."""
    _SHARED.update(objects)
    try:
        with multiprocessing.get_context("fork").Pool(
                workers, ignore_interrupts, worker_setup(niceness)) as pool:
            yield pool
    finally:
        for name in objects:
            _SHARED.pop(name, None)


def worker_setup(niceness: int = 0) -> tuple[int, int, int]:
    """The arguments of :func:`ignore_interrupts` for the workers of a pool made now, in
    this thread: ``niceness``, and who forks them."""
    return niceness, os.getpid(), threading.get_ident()


def ignore_interrupts(niceness: int = 0, parent: int | None = None,
                      thread: int | None = None) -> None:
    """In a worker process: leave Ctrl-C to the parent, which stops the pool and reports
    it once (instead of every worker printing a traceback); lower its priority by
    ``niceness``; with ``parent`` and ``thread`` (the process and thread that made the
    pool: :func:`worker_setup`), end when that process does (:func:`_end_with_parent`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if niceness:
        with contextlib.suppress(OSError):  # a priority that cannot be lowered: as it is
            os.nice(niceness)
    # a worker a pool forked later from a thread of its own (to replace one that died) is
    # left as it was: that thread ends as the pool is stopped, which would kill it at once,
    # while it may hold the lock of the pool's queue the stopping waits for
    if parent is not None and thread == threading.get_ident():
        _end_with_parent(parent)


#: Linux's prctl option: the signal a process gets when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1


def _end_with_parent(parent: int) -> None:
    """Have this worker killed when ``parent`` ends (Linux): a build killed outright
    (SIGKILL, SIGTERM: no pool is stopped then) would otherwise leave its workers making
    files in a staging folder the next build deletes, and holding the lock of the site
    folder they inherited, which the next build waits for. The kernel sends the signal
    when the thread that forked the worker ends: each pool is made, used and stopped by one
    thread of the build, which forks its first workers (:func:`ignore_interrupts`)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
    except (ImportError, OSError, AttributeError):  # no C library to ask: as before
        return
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


def shared(name: str) -> Any:
    """An object given to :func:`forked_pool` (in a worker process)."""
    return _SHARED[name]


@contextmanager
def frozen() -> Iterator[None]:
    """Every object alive moved out of the cycle collector's reach (:func:`gc.freeze`: data
    a build keeps to its end, and that forked workers then share without copying), and what
    is frozen within stays out; on the way out, everything frozen goes back to the
    collector, unless something was frozen already on the way in (whoever froze it
    unfreezes it)."""
    global _FROZEN
    outermost = not _HELD
    freeze()
    _FROZEN += 1
    try:
        yield
    finally:
        _FROZEN -= 1
        if outermost:
            unfreeze()


#: How many :func:`frozen` regions this process is in.
_FROZEN = 0

#: Whether :func:`freeze` moved objects out of the collector's reach that no
#: :func:`unfreeze` has given back since. (``gc.get_freeze_count()`` would say so too, but
#: it walks every frozen object to count them: 25-50 ms of every build, whose catalog and
#: the process's modules are frozen.)
_HELD = False


def freeze() -> None:
    """:func:`gc.freeze`, remembered for :func:`frozen`: this program freezes and unfreezes
    through these two functions only."""
    global _HELD
    gc.freeze()
    _HELD = True


def unfreeze() -> None:
    """:func:`gc.unfreeze` (everything frozen goes back to the collector), remembered."""
    global _HELD
    gc.unfreeze()
    _HELD = False


def freeze_kept() -> None:
    """Within :func:`frozen` (a build), move what was made so far out of the collector's
    reach as well (what the build keeps to its end: a plan of every page), to go back to
    the collector with the rest; outside one, nothing (no one would unfreeze it)."""
    if _FROZEN:
        freeze()


@contextmanager
def collector_off() -> Iterator[None]:
    """The cycle collector off (and so in the processes forked meanwhile): for work that
    makes many small objects and no cycles (the light outputs, a walk of the site)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
