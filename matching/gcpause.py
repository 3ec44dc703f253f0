"""Pausing Python's cyclic garbage collector while a step allocates many lasting objects.

Validation builds one object per post and the vectoriser and greedy assignment build millions
of short-lived ones. None of them form reference cycles (reference counting frees them), but
every 700 allocations the collector walks the young objects, and now and then every object in
the process, the caller's input included: about 1.3 s of validating and vectorising 250k x
250k posts went into walks that found nothing to free. The steps below run with the collector
paused and restore it afterwards, so the caller's setting is kept (a nested pause is a no-op).
The pause is process-wide: other threads allocate without cyclic collection for its duration,
and anything they leave in cycles is collected once it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (or decorated call), then restore it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
