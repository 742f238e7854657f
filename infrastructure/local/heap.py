"""The runner's heap kept out of the cyclic garbage collector's way.

The AWS stand-in holds millions of objects that live as long as the stack: every attribute value of every
item, every stream record and queued message. Each full collection walked all of them while holding the
interpreter lock, and so held up every request the runner was serving: a third of a second at a time under
a load of writes, two-thirds of a second in all while the demo loaded.

So what has lived through the young collections is frozen (``gc.freeze``) every second: later full
collections walk only what arrived since. A frozen object is still freed as soon as nothing refers to it;
only a cycle among frozen objects that becomes garbage afterwards (a request in flight at the moment of a
freeze, whose request object and environ refer to each other) is not. Young cycles are collected just before
each freeze, and every ten minutes everything is unfrozen and collected in full, so such garbage never
outlives that: about 1,800 objects after 400 contacts, for one full collection of about a third of a
second with the demo's data.
"""

import gc
import threading
import time

FREEZE_INTERVAL_SECONDS = 1.0
RECLAIM_INTERVAL_SECONDS = 600.0


def freeze_long_lived() -> None:
    gc.collect(1)
    gc.freeze()


def reclaim_frozen() -> None:
    """A full collection of everything, frozen or not, and then all of it frozen again."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Freezer:
    """Freezes the long-lived heap every FREEZE_INTERVAL_SECONDS, and reclaims what died frozen every
    RECLAIM_INTERVAL_SECONDS, from ``start`` to ``stop``."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heap-freezer", daemon=True)

    def start(self) -> None:
        freeze_long_lived()
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        reclaimed_at = time.monotonic()
        while not self._stopped.wait(FREEZE_INTERVAL_SECONDS):
            if time.monotonic() - reclaimed_at >= RECLAIM_INTERVAL_SECONDS:
                reclaim_frozen()
                reclaimed_at = time.monotonic()
            else:
                freeze_long_lived()
