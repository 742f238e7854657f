import base64
import json

import pytest

from probation.adapters.dynamodb import decode_cursor, encode_cursor
from probation.domain.errors import InvalidInput


def test_a_cursor_round_trips_the_last_evaluated_key() -> None:
    key = {"PK": "CASE#X123456", "SK": "CONTACT#2026-01-01T10:00:00.000000Z#abc"}
    cursor = encode_cursor(key)
    assert cursor is not None
    assert "=" not in cursor
    assert decode_cursor(cursor, expected={"PK": "CASE#X123456"}) == key


def test_no_last_key_means_no_next_page() -> None:
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None
    assert decode_cursor(None, expected={"PK": "CASE#X123456"}) is None


def test_a_cursor_from_another_case_is_refused() -> None:
    cursor = encode_cursor({"PK": "CASE#Y999999", "SK": "CONTACT#x"})
    with pytest.raises(InvalidInput) as error:
        decode_cursor(cursor, expected={"PK": "CASE#X123456"})
    assert [e.field for e in error.value.errors] == ["cursor"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(json.dumps(["PK"]).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps({"PK": "CASE#X123456", "SK": 5}).encode()).decode(),
    ],
)
def test_garbage_cursors_are_a_field_error_not_a_crash(cursor: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, expected={"PK": "CASE#X123456"})
