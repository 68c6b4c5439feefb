"""What a build moves out of the cycle collector's reach goes back when its region ends,
unless it was out before the region began (a loaded catalog: its caller gives it back)."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocop_catalog.parallel import freeze, freeze_kept, frozen, unfreeze


def test_a_region_gives_back_what_it_froze_and_leaves_what_was_frozen_before():
    unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        with frozen():
            assert gc.get_freeze_count() > 0
            kept = [[n] for n in range(100)]  # a plan made within: frozen with the rest
            before = gc.get_freeze_count()
            freeze_kept()
            assert gc.get_freeze_count() >= before + len(kept)
        assert gc.get_freeze_count() == 0  # all of it back to the collector
        freeze()  # a catalog loaded and frozen before the build's region
        with frozen():
            pass
        assert gc.get_freeze_count() > 0  # left to whoever froze it
        unfreeze()
        assert gc.get_freeze_count() == 0
        freeze_kept()  # outside a region: nothing (no one would give it back)
        assert gc.get_freeze_count() == 0
    finally:
        unfreeze()


#: A process that starts a pool of two workers (a forked pool, or the photos' executor),
#: each of which writes its pid and then works on (sleeps), and is then killed outright,
#: as a build killed by SIGKILL is.
_KILLED = r"""
import os, signal, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from ocop_catalog.parallel import forked_pool, ignore_interrupts, worker_setup

folder, kind = Path(sys.argv[1]), sys.argv[2]

def work(n):
    (folder / f".worker-{n}").write_text(str(os.getpid()))
    os.replace(folder / f".worker-{n}", folder / f"worker-{n}")  # whole when seen
    time.sleep(60)

def wait_and_die():
    while len(list(folder.glob("worker-*"))) < 2:
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)

if kind == "pool":
    with forked_pool(2) as pool:
        pool.map_async(work, [0, 1], chunksize=1)
        wait_and_die()
else:
    with ProcessPoolExecutor(2, initializer=ignore_interrupts,
                             initargs=worker_setup()) as pool:
        for n in (0, 1):
            pool.submit(work, n)
        wait_and_die()
"""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's signal is Linux's")
@pytest.mark.parametrize("kind", ["pool", "photos' executor"])
def test_a_pools_workers_end_when_the_process_that_forked_them_is_killed(tmp_path, kind):
    """A build killed outright (SIGKILL: no pool is stopped) leaves no worker going on,
    writing into a staging folder the next build deletes and holding the lock of the site
    folder, which the next build would wait for."""
    done = subprocess.run([sys.executable, "-c", _KILLED, str(tmp_path), kind], timeout=120,
                          check=False)
    assert done.returncode == -signal.SIGKILL
    pids = [int(p.read_text()) for p in sorted(tmp_path.glob("worker-*"))]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while any(map(_alive, pids)):
        assert time.monotonic() < deadline, "workers went on after their parent was killed"
        time.sleep(0.05)


#: A pool whose worker dies in a task (the pool forks another from a thread of its own),
#: then is stopped, ten times over: it must end.
_REPLACED = r"""
import os, signal, time
from ocop_catalog.parallel import forked_pool

def die(_):
    os.kill(os.getpid(), signal.SIGKILL)

def pid(_):
    return os.getpid()

for _ in range(10):
    with forked_pool(1) as pool:
        pool.apply_async(die, (0,))
        time.sleep(0.1)
        pool.apply(pid, (0,))  # served by the worker forked in the dead one's place
print("stopped")
"""


def test_a_pool_whose_worker_was_replaced_is_stopped(tmp_path):
    """A worker forked later by the pool's own thread (in place of one that died) is not
    killed when that thread ends as the pool is stopped: killed holding the lock of the
    pool's queue, it would leave the stopping waiting for ever."""
    done = subprocess.run([sys.executable, "-c", _REPLACED], timeout=120, check=False,
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "stopped", done.stderr[-2000:]
