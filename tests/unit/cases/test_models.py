from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from probation.domain.cases.models import (
    Case,
    CasePatch,
    NewCase,
    NewContact,
    NewConviction,
    Requirement,
    expected_end_date,
)

TODAY = date.today()


def person(**changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Jane",
        "lastName": "Doe",
        "dateOfBirth": "1990-05-17",
        "gender": "FEMALE",
        "teamCode": "N07CAM",
        **changes,
    }


def conviction(**changes: Any) -> dict[str, Any]:
    return {
        "convictionDate": "2025-03-01",
        "court": "Highbury Corner Magistrates' Court",
        "offences": [{"offenceCode": "04600", "offenceDate": "2025-01-10", "main": True}],
        "sentence": {"type": "COMMUNITY", "sentenceDate": "2025-03-01", "lengthMonths": 12},
        **changes,
    }


def error_fields(error: ValidationError) -> set[str]:
    return {".".join(str(part) for part in detail["loc"]) for detail in error.errors()}


def test_a_complete_new_case_parses_from_camel_case_json() -> None:
    new_case = NewCase.model_validate(person(pncNumber="2002/0073319z", address=None))
    assert new_case.last_name == "Doe"
    assert new_case.pnc_number == "2002/0073319Z"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dateOfBirth": (TODAY - timedelta(days=365 * 9)).isoformat()}, "dateOfBirth"),
        ({"dateOfBirth": "1899-12-31"}, "dateOfBirth"),
        ({"gender": "UNKNOWN"}, "gender"),
        ({"firstName": ""}, "firstName"),
        ({"lastName": "D" * 36}, "lastName"),
        ({"teamCode": "n07"}, "teamCode"),
        ({"pncNumber": "2002/0073319A"}, "pncNumber"),
        ({"croNumber": "12345/99"}, "croNumber"),
        (
            {"address": {"addressLine1": "1 High St", "town": "Leeds", "postcode": "NOT A CODE"}},
            "address.postcode",
        ),
        ({"nickname": "Jay"}, "nickname"),
    ],
)
def test_invalid_person_fields_are_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        NewCase.model_validate(person(**changes))
    assert field in error_fields(error.value)


def test_a_person_must_be_at_least_ten() -> None:
    ten_today = date(TODAY.year - 10, TODAY.month, min(TODAY.day, 28))
    assert NewCase.model_validate(person(dateOfBirth=ten_today.isoformat())).date_of_birth == ten_today


def test_a_patch_may_clear_optional_fields_but_not_required_ones() -> None:
    assert CasePatch.model_validate({"phoneNumber": None}).model_fields_set == {"phone_number"}
    with pytest.raises(ValidationError, match="cannot be removed"):
        CasePatch.model_validate({"lastName": None})
    with pytest.raises(ValidationError, match="changes nothing"):
        CasePatch.model_validate({})


def test_patching_applies_only_the_named_fields_and_bumps_the_version() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    case = Case.model_validate(
        person(crn="X123456", version=3, createdAt=now, updatedAt=now, phoneNumber="0113 496 0000")
    )
    later = now + timedelta(hours=1)
    patched = case.patched(CasePatch.model_validate({"lastName": "Smith", "phoneNumber": None}), later)
    assert (patched.last_name, patched.phone_number, patched.first_name) == ("Smith", None, "Jane")
    assert (patched.version, patched.updated_at, patched.created_at) == (4, later, now)


def test_a_conviction_needs_exactly_one_main_offence() -> None:
    two_main = conviction(
        offences=[
            {"offenceCode": "04600", "offenceDate": "2025-01-10", "main": True},
            {"offenceCode": "10500", "offenceDate": "2025-01-10", "main": True},
        ]
    )
    with pytest.raises(ValidationError, match="exactly one offence must be marked main"):
        NewConviction.model_validate(two_main)
    none_main = conviction(offences=[{"offenceCode": "04600", "offenceDate": "2025-01-10"}])
    with pytest.raises(ValidationError, match="exactly one offence"):
        NewConviction.model_validate(none_main)


def test_offences_cannot_postdate_the_conviction_nor_the_sentence_predate_it() -> None:
    late_offence = conviction(offences=[{"offenceCode": "04600", "offenceDate": "2025-03-02", "main": True}])
    with pytest.raises(ValidationError, match="offence date must not be after"):
        NewConviction.model_validate(late_offence)
    early_sentence = conviction(
        sentence={"type": "COMMUNITY", "sentenceDate": "2025-02-28", "lengthMonths": 6}
    )
    with pytest.raises(ValidationError, match="sentenceDate must not be before"):
        NewConviction.model_validate(early_sentence)


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        ({"type": "CUSTODY", "sentenceDate": "2025-03-01", "lengthMonths": 12}, "releaseDate is required"),
        (
            {
                "type": "CUSTODY",
                "sentenceDate": "2025-03-01",
                "lengthMonths": 12,
                "releaseDate": "2025-02-01",
            },
            "releaseDate must not be before",
        ),
        (
            {
                "type": "COMMUNITY",
                "sentenceDate": "2025-03-01",
                "lengthMonths": 12,
                "releaseDate": "2025-09-01",
            },
            "custodial sentences only",
        ),
        (
            {
                "type": "CUSTODY",
                "sentenceDate": "2025-03-01",
                "lengthMonths": 12,
                "releaseDate": "2025-09-01",
                "requirements": [{"type": "CURFEW"}],
            },
            "no community requirements",
        ),
        (
            {"type": "COMMUNITY", "sentenceDate": "2025-03-01", "lengthMonths": 0},
            "greater than or equal to 1",
        ),
    ],
)
def test_sentence_rules(sentence: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NewConviction.model_validate(conviction(sentence=sentence))


def test_a_requirement_length_needs_its_unit() -> None:
    assert (
        Requirement.model_validate({"type": "UNPAID_WORK", "length": 120, "lengthUnit": "HOURS"}).length
        == 120
    )
    with pytest.raises(ValidationError, match="length and lengthUnit go together"):
        Requirement.model_validate({"type": "UNPAID_WORK", "length": 120})


def test_a_contact_is_something_that_has_happened() -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert NewContact.model_validate(
        {"type": "PHONE_CALL", "contactDate": past, "outcome": "ATTENDED_COMPLIED"}
    )
    typed_on_a_fast_clock = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert NewContact.model_validate({"type": "PHONE_CALL", "contactDate": typed_on_a_fast_clock})
    for future in (datetime.now(UTC) + timedelta(minutes=10), datetime.now(UTC) + timedelta(days=1)):
        with pytest.raises(ValidationError, match="a meeting still to come is an appointment") as refused:
            NewContact.model_validate({"type": "OFFICE_APPOINTMENT", "contactDate": future.isoformat()})
        assert refused.value.errors()[0]["loc"] == ("contactDate",)
    with pytest.raises(ValidationError, match="needs a UTC offset"):
        NewContact.model_validate({"type": "PHONE_CALL", "contactDate": "2025-01-01T10:00:00"})


@pytest.mark.parametrize(
    ("sentence_date", "length_months", "end"),
    [
        (date(2025, 10, 1), 12, date(2026, 10, 1)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # no 31 February: the month's last day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 12, 31), 18, date(2027, 6, 30)),
    ],
)
def test_a_sentence_is_expected_to_end_its_length_after_its_date(
    sentence_date: date, length_months: int, end: date
) -> None:
    assert expected_end_date(sentence_date, length_months) == end
