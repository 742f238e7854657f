"""The runner's heap kept out of the cyclic garbage collector's way.

The AWS stand-in holds millions of objects that live as long as the stack: every attribute value of every
item, every stream record and queued message. Each full collection walked all of them while holding the
interpreter lock, and so held up every request the runner was serving: up to a third of a second at a time
under a load of writes, two-thirds of a second in all while the demo loaded.

So what has lived through the young collections is frozen (``gc.freeze``) every second: later full
collections walk only what arrived since. A frozen object is still freed as soon as nothing refers to it;
only a cycle among frozen objects that later becomes garbage is never collected. Young cycles are collected
just before each freeze, so what is kept so is what lived for a while and then died in a cycle, which the
stand-in's items, records and messages do not.
"""

import gc
import threading

FREEZE_INTERVAL_SECONDS = 1.0


def freeze_long_lived() -> None:
    gc.collect(1)
    gc.freeze()


class Freezer:
    """Freezes the long-lived heap every FREEZE_INTERVAL_SECONDS, from ``start`` to ``stop``."""

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
        while not self._stopped.wait(FREEZE_INTERVAL_SECONDS):
            freeze_long_lived()
