"""The checks of SPEC §9.2 and §9.3: each failure is a named field error, never an exception."""

import functools
import itertools
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from probation.risk import RiskCalculationRequest, calculate, calculator
from probation.risk.coefficients import available_versions, load_model
from probation.risk.combined import COMBINED_SERIOUS_REQUIRED
from probation.risk.ogrs3 import OGRS3_REQUIRED
from probation.risk.sexual import DIRECT_CONTACT_REQUIRED, INDIRECT_CONTACT_REQUIRED

from .builders import BASE_CASE, SEXUAL_HISTORY, errors_of, score

LINEAR = ("all_reoffending", "violent_reoffending", "serious_violent_reoffending")


def unscored(result: Any, *predictors: str) -> bool:
    return all(getattr(result, predictor) == {"static": None, "dynamic": None} for predictor in predictors)


def scored(result: Any, *predictors: str) -> bool:
    return all(getattr(result, predictor)["static"] is not None for predictor in predictors)


def test_a_missing_mandatory_input_is_named_with_everything_it_stops() -> None:
    result = score(dateOfBirth=None)

    assert unscored(result, *LINEAR)
    assert result.direct_contact_sexual is None
    assert result.rsr is None
    assert result.ogrs3 is None
    assert result.indirect_contact_sexual is not None
    assert errors_of(result, "dateOfBirth") == [
        "dateOfBirth is required. [MISSING_MANDATORY_INPUT] Affects: allReoffending, violentReoffending, "
        "seriousViolentReoffending, directContactSexual, rsr [COMPONENT_VALIDATION_ERROR], ogrs3."
    ]


def test_violent_sanctions_are_required_by_vrp_and_svrp_only() -> None:
    result = score(totalNumberOfViolentSanctions=None)

    assert scored(result, "all_reoffending")
    assert result.all_reoffending["dynamic"] is not None
    assert unscored(result, "violent_reoffending", "serious_violent_reoffending")
    assert errors_of(result, "totalNumberOfViolentSanctions") == [
        "totalNumberOfViolentSanctions is required. [MISSING_MANDATORY_INPUT] Affects: violentReoffending, "
        "seriousViolentReoffending, rsr [COMPONENT_VALIDATION_ERROR]."
    ]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("2700", "OFFENCE_CODE_INCORRECT_FORMAT"),
        ("0270A", "OFFENCE_CODE_INCORRECT_FORMAT"),
        ("\u0660\u0662\u0667\u0660\u0660", "OFFENCE_CODE_INCORRECT_FORMAT"),  # Arabic-Indic digits
        ("99999", "OFFENCE_CODE_MAPPING_NOT_FOUND"),
        ("00000", "OFFENCE_CODE_MAPPING_NOT_FOUND"),  # maps to UNKNOWN
    ],
)
def test_offence_code_must_be_five_digits_with_a_category(code: str, error: str) -> None:
    result = score(currentOffenceCode=code)

    assert unscored(result, *LINEAR)
    assert any(
        f"[{error}] Affects: allReoffending, violentReoffending" in m
        for m in errors_of(result, "currentOffenceCode")
    )


@pytest.mark.parametrize(
    ("sanctions", "valid"), [(0, False), (1, True), (999, True), (1000, False), (-3, False)]
)
def test_total_sanctions_between_1_and_999(sanctions: int, valid: bool) -> None:
    result = score(totalNumberOfSanctionsForAllOffences=sanctions, totalNumberOfViolentSanctions=0)

    assert scored(result, *LINEAR) is valid
    messages = errors_of(result, "totalNumberOfSanctionsForAllOffences")
    assert any("[TOTAL_NUMBER_OF_SANCTIONS_OUT_OF_RANGE]" in m for m in messages) is not valid


@pytest.mark.parametrize(("violent", "valid"), [(-1, False), (0, True), (5, True), (6, False)])
def test_violent_sanctions_between_0_and_all_sanctions(violent: int, valid: bool) -> None:
    result = score(totalNumberOfSanctionsForAllOffences=5, totalNumberOfViolentSanctions=violent)

    assert scored(result, "all_reoffending")
    assert scored(result, "violent_reoffending", "serious_violent_reoffending") is valid
    messages = errors_of(result, "totalNumberOfViolentSanctions")
    assert any("[VIOLENT_SANCTION_OUT_OF_RANGE]" in m for m in messages) is not valid


@pytest.mark.parametrize(("age", "valid"), [(-1, False), (0, True), (40, True), (110, False)])
def test_age_at_first_sanction_between_0_and_109(age: int, valid: bool) -> None:
    result = score(ageAtFirstSanction=age)

    assert scored(result, *LINEAR) is valid
    assert any(
        "[AGE_AT_FIRST_SANCTION_OUT_OF_RANGE]" in m for m in errors_of(result, "ageAtFirstSanction")
    ) is (not valid)


def test_conviction_must_be_after_birth() -> None:
    result = score(dateOfCurrentConviction="1980-01-01", dateAtStartOfFollowup=None)

    assert unscored(result, *LINEAR)
    assert any(
        "[DATE_OF_CURRENT_CONVICTION_BEFORE_DATE_OF_BIRTH]" in m
        for m in errors_of(result, "dateOfCurrentConviction")
    )


@pytest.mark.parametrize(("first_sanction_age", "valid"), [(40, True), (41, False)])
def test_first_sanction_cannot_come_after_the_current_conviction(
    first_sanction_age: int, valid: bool
) -> None:
    # Born 1980-01-01, convicted 2020-01-01: aged 40.
    result = score(ageAtFirstSanction=first_sanction_age)

    assert scored(result, *LINEAR) is valid
    error = "[AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION]"
    assert any(error in m for m in errors_of(result, "ageAtFirstSanction")) is not valid
    assert any(error in m for m in errors_of(result, "dateOfCurrentConviction")) is not valid


@pytest.mark.parametrize(
    ("assessed", "convicted", "valid"),
    [
        ("2025-01-01", "2025-04-01", True),
        ("2025-01-01", "2025-04-02", False),
        # 30 November + 3 months is 29 February in a leap year (Java clamps to the month's end).
        ("2023-11-30", "2024-02-29", True),
        ("2023-11-30", "2024-03-01", False),
        ("2022-11-30", "2023-02-28", True),
        ("2022-11-30", "2023-03-01", False),
    ],
)
def test_conviction_at_most_three_months_after_assessment(assessed: str, convicted: str, valid: bool) -> None:
    result = score(assessmentDate=assessed, dateOfCurrentConviction=convicted, dateAtStartOfFollowup=None)

    assert scored(result, *LINEAR) is valid
    messages = errors_of(result, "dateOfCurrentConviction")
    assert any(
        "[DATE_OF_CURRENT_CONVICTION_WITHIN_THREE_MONTHS_OF_ASSESSMENT_DATE]" in m for m in messages
    ) is (not valid)


def test_arp_and_vrp_need_a_followup_or_conviction_date() -> None:
    result = score(dateOfCurrentConviction=None, dateAtStartOfFollowup=None)

    assert unscored(result, *LINEAR)
    assert errors_of(result, "dateAtStartOfFollowup") == [
        "dateAtStartOfFollowup, or failing it dateOfCurrentConviction, is required. "
        "[DATE_OF_START_OF_FOLLOWUP_REQUIRED] Affects: allReoffending, violentReoffending.",
        # DC-SRP and OGRS3 need the follow-up date itself.
        "dateAtStartOfFollowup is required. [MISSING_MANDATORY_INPUT] Affects: directContactSexual, "
        "rsr [COMPONENT_VALIDATION_ERROR], ogrs3.",
    ]


def test_followup_on_the_date_of_birth_fails_arp_and_vrp_and_breaks_svrp() -> None:
    result = score(dateAtStartOfFollowup="1980-01-01")

    assert unscored(result, *LINEAR)
    assert errors_of(result, "dateAtStartOfFollowup") == [
        "dateAtStartOfFollowup must be after dateOfBirth. [DATE_OF_START_OF_FOLLOWUP_BEFORE_DATE_OF_BIRTH] "
        "Affects: allReoffending, violentReoffending.",
        "dateAtStartOfFollowup must be after dateOfBirth. [UNEXPECTED_ERROR] Affects: "
        "seriousViolentReoffending, rsr [COMPONENT_VALIDATION_ERROR].",
        "OGRS3 needs an age of at least 10 at dateAtStartOfFollowup. Affects: ogrs3.",
    ]


def test_followup_at_110_fails_arp_and_vrp_but_not_svrp() -> None:
    result = score(
        dateOfBirth="1910-01-01",
        dateOfCurrentConviction="2019-12-31",  # aged 109
        dateAtStartOfFollowup="2020-01-01",  # aged 110
    )

    assert unscored(result, "all_reoffending", "violent_reoffending")
    assert scored(result, "serious_violent_reoffending")
    assert any(
        "[DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE]" in m for m in errors_of(result, "dateAtStartOfFollowup")
    )


def test_without_a_followup_date_a_conviction_at_110_is_named() -> None:
    result = score(dateOfBirth="1910-01-01", dateOfCurrentConviction="2020-01-01", dateAtStartOfFollowup=None)

    assert unscored(result, "all_reoffending", "violent_reoffending")
    assert errors_of(result, "dateOfCurrentConviction") == [
        "The age at the start of follow-up (dateOfCurrentConviction) must be below 110. "
        "[DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE] Affects: allReoffending, violentReoffending."
    ]


def test_a_missing_dynamic_input_leaves_the_static_score() -> None:
    result = score(temperControl=None)

    assert result.all_reoffending["dynamic"] is not None  # ARP does not use temper control
    for predictor in ("violent_reoffending", "serious_violent_reoffending"):
        assert getattr(result, predictor)["static"] is not None
        assert getattr(result, predictor)["dynamic"] is None
    assert result.rsr is not None
    assert result.rsr["type"] == "STATIC"
    assert errors_of(result, "temperControl") == [
        "temperControl is required for the dynamic score, so only the static one is given. "
        "[MISSING_DYNAMIC_INPUT] Affects: violentReoffending.dynamic, seriousViolentReoffending.dynamic."
    ]


def test_static_failures_still_report_the_missing_dynamic_inputs() -> None:
    result = score(dateOfBirth=None, temperControl=None)

    assert unscored(result, *LINEAR)
    assert len(errors_of(result, "temperControl")) == 1


def test_an_empty_request_scores_nothing_and_says_why() -> None:
    result = calculate(RiskCalculationRequest(), today=date(2025, 1, 1))

    assert unscored(result, *LINEAR)
    assert (result.direct_contact_sexual, result.indirect_contact_sexual, result.rsr, result.ogrs3) == (
        None,
        None,
        None,
        None,
    )
    named = {error["field"] for error in result.errors}
    assert {"gender", "dateOfBirth", "currentOffenceCode", "hasEverCommittedSexualOffence"} <= named


def test_a_model_version_can_be_chosen_but_must_exist() -> None:
    assert score(version="V1_0").model_version == "V1_0"
    assert score().model_version == "V1_0"

    result = score(version="V9_9")

    assert result.model_version == "V9_9"
    assert unscored(result, *LINEAR)
    assert result.errors == [
        {"field": "version", "message": "version must be one of V1_0. Affects: every predictor."}
    ]


# Values at and beyond every limit: whatever the combination, the calculator answers.
EXTREMES: dict[str, list[Any]] = {
    "dateOfBirth": ["0001-01-01", "1980-01-01", "9999-12-31"],
    "dateOfCurrentConviction": ["0001-01-01", "2020-01-01", "9999-12-31", None],
    "dateAtStartOfFollowup": ["0001-01-01", "2020-01-01", "9999-12-31", None],
    "totalNumberOfSanctionsForAllOffences": [-(2**31), 0, 1, 2, 999, 2**31 - 1],
    "ageAtFirstSanction": [-(2**31), 0, 109, 2**31 - 1],
}


@pytest.mark.parametrize("gender", ["MALE", "FEMALE"])
def test_never_raises_at_the_limits(gender: str) -> None:
    for values in itertools.product(*EXTREMES.values()):
        changes = dict(zip(EXTREMES, values, strict=True))
        result = score({**SEXUAL_HISTORY, **changes}, gender=gender, assessmentDate="9999-12-31")
        assert all(isinstance(error["message"], str) for error in result.errors)


def _required_fields(version: str) -> list[str]:
    """Every field some predictor of ``version`` requires, as its coefficients and modules name them."""
    model = load_model(version)
    linear = (model.all_reoffending, model.violent_reoffending, model.serious_violent_reoffending)
    return sorted(
        {
            *(
                field
                for predictor in linear
                for field in (*predictor.required_static, *predictor.required_dynamic)
            ),
            *DIRECT_CONTACT_REQUIRED,
            *INDIRECT_CONTACT_REQUIRED,
            *COMBINED_SERIOUS_REQUIRED,
            *OGRS3_REQUIRED,
        }
        - {"assessmentDate"}  # today when absent
    )


@pytest.mark.parametrize(
    ("version", "field"),
    [(version, field) for version in available_versions() for field in _required_fields(version)],
)
@pytest.mark.parametrize("how", ["left out", "null"])
def test_every_required_field_is_named_when_missing(version: str, field: str, how: str) -> None:
    # The calculator tells most fields were given as it reads them, rather than read them all again: each
    # must still be found missing, however it is missing.
    fields: dict[str, Any] = {**BASE_CASE, **SEXUAL_HISTORY, "version": version}
    if how == "null":
        fields[field] = None
    else:
        del fields[field]

    result = calculate(RiskCalculationRequest.model_validate(fields), today=date(2025, 1, 1))

    assert any(message.startswith(f"{field} is required") for message in errors_of(result, field)), (
        result.errors
    )


def test_a_required_field_the_checks_do_not_read_is_still_found_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A model version whose ARP also requires hasCustodialSentence, which no check tells was given: the
    # calculator must read every required field to find it missing.
    shipped = load_model("V1_0")
    arp = shipped.all_reoffending
    model = replace(
        shipped,
        all_reoffending=replace(arp, required_static=(*arp.required_static, "hasCustodialSentence")),
    )
    monkeypatch.setattr(calculator, "load_model", lambda version: model)
    monkeypatch.setattr(calculator, "_prepare", functools.cache(calculator._prepare.__wrapped__))

    result = score()

    assert result.all_reoffending == {"static": None, "dynamic": None}
    assert result.violent_reoffending["static"] is not None
    assert errors_of(result, "hasCustodialSentence") == [
        "hasCustodialSentence is required. [MISSING_MANDATORY_INPUT] Affects: allReoffending."
    ]
