"""The stores' own conditions decide a race: each test lets the service read a version that is already
stale (as if another request wrote between its read and its write), so only the write's condition stands
between the request and a lost update. Deleting the condition makes the test fail."""

import pytest

from probation.adapters.case_repository import DynamoCaseRepository
from tests.component.conftest import Caller


def test_a_case_update_from_a_stale_read_is_refused_by_the_write(
    api: Caller, crn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = DynamoCaseRepository().get(crn)
    assert api("PATCH", f"/cases/{crn}", {"lastName": "First"}, headers={"If-Match": '"1"'}).status == 200
    monkeypatch.setattr(DynamoCaseRepository, "get", lambda *_: stale)  # the read from before that PATCH
    lost = api("PATCH", f"/cases/{crn}", {"lastName": "Second"}, headers={"If-Match": '"1"'})
    assert lost.status == 412
    monkeypatch.undo()
    assert api("GET", f"/cases/{crn}").body["lastName"] == "First", "the first change was not overwritten"
