"""What a build moves out of the cycle collector's reach goes back when its region ends,
unless it was out before the region began (a loaded catalog: its caller gives it back)."""

from __future__ import annotations

import gc

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
