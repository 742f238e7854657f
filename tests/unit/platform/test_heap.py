"""The runner's long-lived heap is frozen out of the collector's way; young garbage is not kept with it."""

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from infrastructure.local import heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test session collects as before


def test_what_is_alive_is_frozen_and_a_young_cycle_that_died_is_collected_first() -> None:
    alive = Node()
    dead, partner = Node(), Node()
    dead.other, partner.other = partner, dead  # a cycle: only the cyclic collector can free it
    died = weakref.ref(dead)
    del dead, partner

    heap.freeze_long_lived()

    assert died() is None, "a cycle that was already garbage is collected, not frozen"
    assert gc.get_freeze_count() > 0
    assert not any(tracked is alive for tracked in gc.get_objects()), (
        "what is alive is out of the collector's sight"
    )


def test_the_freezer_freezes_at_start_and_stops_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "FREEZE_INTERVAL_SECONDS", 0.01)
    freezer = heap.Freezer()
    freezer.start()
    assert gc.get_freeze_count() > 0
    freezer.stop()
    assert not freezer._thread.is_alive()


def test_a_cycle_that_died_after_it_was_frozen_is_reclaimed_in_the_next_full_collection() -> None:
    one, other = Node(), Node()
    one.other, other.other = other, one
    died = weakref.ref(one)
    heap.freeze_long_lived()  # alive, so frozen
    del one, other
    gc.collect()
    assert died() is not None, "frozen, a cycle is out of the collector's sight"

    heap.reclaim_frozen()

    assert died() is None
    assert gc.get_freeze_count() > 0, "and what is alive is frozen again"


def test_the_freezer_reclaims_once_its_interval_has_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "FREEZE_INTERVAL_SECONDS", 0.01)
    monkeypatch.setattr(heap, "RECLAIM_INTERVAL_SECONDS", 0.05)
    reclaimed = threading.Event()
    monkeypatch.setattr(heap, "reclaim_frozen", reclaimed.set)
    freezer = heap.Freezer()
    freezer.start()
    try:
        assert reclaimed.wait(timeout=5)
    finally:
        freezer.stop()
