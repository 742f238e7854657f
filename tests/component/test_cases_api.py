"""The case records handler on moto: every route, its validation, and what it writes (or does not)."""

from typing import Any

import boto3
import pytest

from infrastructure.template import Template
from probation.adapters import aws
from tests.component.conftest import Caller, new_case, table_items

CONVICTION = {
    "convictionDate": "2025-03-01",
    "court": "Highbury Corner Magistrates' Court",
    "offences": [{"offenceCode": "04600", "offenceDate": "2025-01-10", "main": True}],
    "sentence": {
        "type": "COMMUNITY",
        "sentenceDate": "2025-03-01",
        "lengthMonths": 12,
        "requirements": [{"type": "UNPAID_WORK", "length": 120, "lengthUnit": "HOURS"}],
    },
}
CONTACT = {
    "type": "OFFICE_APPOINTMENT",
    "contactDate": "2026-01-05T10:00:00Z",
    "outcome": "ATTENDED_COMPLIED",
}


def events_of(template: Template, crn: str) -> list[str]:
    return [item["detailType"] for item in table_items(template, f"EVENTS#{crn}")]


def audit_actions(template: Template, crn: str) -> list[tuple[str, str]]:
    return [(item["action"], item["resource"]) for item in table_items(template, f"AUDIT#{crn}")]


# ------------------------------------------------------------------ person


@pytest.mark.usefixtures("team")
def test_creating_a_case_assigns_a_crn_and_writes_its_event_and_audit_in_one_go(
    api: Caller, template: Template
) -> None:
    response = api("POST", "/cases", new_case(pncNumber="2002/0073319Z"))
    assert response.status == 201
    crn = response.body["crn"]
    assert response.headers["Location"] == f"/cases/{crn}"
    assert response.headers["ETag"] == '"1"'
    assert (response.body["version"], response.body["pncNumber"]) == (1, "2002/0073319Z")
    assert events_of(template, crn) == ["probation-case.engagement.created"]
    assert audit_actions(template, crn) == [("CREATE", "case")]


def test_reading_a_case_returns_its_etag_and_is_recorded(api: Caller, template: Template, crn: str) -> None:
    response = api("GET", f"/cases/{crn}", subject="reader")
    assert response.status == 200
    assert response.headers["ETag"] == '"1"'
    assert response.body["lastName"] == "Doe"
    reads = [item for item in table_items(template, f"AUDIT#{crn}") if item["action"] == "READ"]
    assert [(item["actor"], item["resource"]) for item in reads] == [("reader", "case")]


def test_an_unknown_case_is_404_problem_json(api: Caller) -> None:
    response = api("GET", "/cases/Z999999")
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.body["title"] == "Not Found"


def test_a_malformed_crn_names_the_path_parameter(api: Caller) -> None:
    response = api("GET", "/cases/not-a-crn")
    assert response.status == 422
    assert response.field_errors == {"crn"}


def test_malformed_json_is_400_and_creates_nothing(api: Caller, template: Template) -> None:
    response = api("POST", "/cases", raw_body='{"firstName": ')
    assert response.status == 400
    assert response.body["type"].endswith("/malformed-request")
    assert _count_cases(template) == 0


def test_a_body_not_sent_as_json_is_415_naming_the_header_and_creates_nothing(
    api: Caller, template: Template
) -> None:
    response = api("POST", "/cases", new_case(), headers={"content-type": "text/plain"})
    assert response.status == 415
    assert response.field_errors == {"Content-Type"}
    assert _count_cases(template) == 0


def test_every_response_names_the_callers_correlation_id(api: Caller) -> None:
    response = api("GET", "/cases/X000000", headers={"X-Correlation-Id": "from-the-caller"})
    assert response.headers["X-Correlation-Id"] == "from-the-caller"


def test_invalid_fields_are_all_named_and_nothing_is_written(api: Caller, template: Template) -> None:
    response = api("POST", "/cases", new_case(gender="X", dateOfBirth="2999-01-01", teamCode=""))
    assert response.status == 422
    assert response.field_errors == {"gender", "dateOfBirth", "teamCode"}
    assert _count_cases(template) == 0


def test_a_case_for_a_team_that_does_not_exist_is_refused_naming_the_team(
    api: Caller, template: Template, team: str
) -> None:
    response = api("POST", "/cases", new_case(teamCode="N99XYZ"))
    assert (response.status, response.body["errors"]) == (
        422,
        [{"field": "teamCode", "message": "N99XYZ is not a team: create it first"}],
    )
    assert _count_cases(template) == 0
    assert api("POST", "/cases", new_case(teamCode=team)).status == 201


def test_a_partner_cannot_use_the_staff_case_api(api: Caller) -> None:
    response = api("POST", "/cases", new_case(), roles=("partner",), partner_id="CRC01")
    assert response.status == 403


def _count_cases(template: Template) -> int:
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    items = table.scan()["Items"]
    return sum(1 for item in items if item["PK"].startswith("CASE#") and item["SK"] == "PROFILE")


# ------------------------------------------------------------------ updates


def test_a_patch_needs_if_match(api: Caller, crn: str) -> None:
    response = api("PATCH", f"/cases/{crn}", {"lastName": "Smith"})
    assert response.status == 428
    assert api("GET", f"/cases/{crn}").body["lastName"] == "Doe"


def test_a_patch_without_if_match_is_428_whatever_else_is_wrong_with_it(api: Caller, crn: str) -> None:
    """The contract declares If-Match required; leaving it out is still RFC 6585's 428, not a 422."""
    response = api("PATCH", f"/cases/{crn}", {"lastName": "<Smith>", "shoeSize": 9})
    assert (response.status, response.body["type"]) == (
        428,
        "https://probation.justice.example/problems/precondition-required",
    )


def test_a_patch_may_be_sent_as_json_merge_patch(api: Caller, crn: str) -> None:
    headers = {"content-type": "application/merge-patch+json", "If-Match": '"1"'}
    patched = api("PATCH", f"/cases/{crn}", {"phoneNumber": "0113 496 0000"}, headers=headers)
    cleared = api("PATCH", f"/cases/{crn}", {"phoneNumber": None}, headers={**headers, "If-Match": '"2"'})

    assert (patched.status, patched.body["phoneNumber"]) == (200, "0113 496 0000")
    assert (cleared.status, cleared.body["phoneNumber"]) == (200, None)


def test_json_merge_patch_is_for_patches_only(api: Caller, template: Template) -> None:
    headers = {"content-type": "application/merge-patch+json"}
    assert api("POST", "/cases", new_case(), headers=headers).status == 415
    assert _count_cases(template) == 0


def test_a_patch_with_the_current_etag_applies_and_a_stale_one_is_refused(
    api: Caller, template: Template, crn: str
) -> None:
    first = api(
        "PATCH",
        f"/cases/{crn}",
        {"lastName": "Smith", "phoneNumber": "0113 496 0000"},
        headers={"If-Match": '"1"'},
    )
    assert first.status == 200
    assert (first.body["lastName"], first.body["version"], first.headers["ETag"]) == ("Smith", 2, '"2"')

    stale = api("PATCH", f"/cases/{crn}", {"lastName": "Jones"}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    assert stale.headers["ETag"] == '"2"'
    assert api("GET", f"/cases/{crn}").body["lastName"] == "Smith"
    assert events_of(template, crn) == [
        "probation-case.engagement.created",
        "probation-case.personal-details.updated",
    ]


def test_a_patch_moves_the_case_in_the_name_search(api: Caller, crn: str) -> None:
    api("PATCH", f"/cases/{crn}", {"lastName": "Smith"}, headers={"If-Match": '"1"'})
    old = api("GET", "/cases", query={"lastName": "Doe", "dateOfBirth": "1990-05-17"})
    new = api("GET", "/cases", query={"lastName": "smith", "dateOfBirth": "1990-05-17"})
    assert old.body["items"] == []
    assert [case["crn"] for case in new.body["items"]] == [crn]


def test_a_patch_can_clear_an_optional_field(api: Caller, crn: str) -> None:
    api("PATCH", f"/cases/{crn}", {"phoneNumber": "0113 496 0000"}, headers={"If-Match": '"1"'})
    cleared = api("PATCH", f"/cases/{crn}", {"phoneNumber": None}, headers={"If-Match": '"2"'})
    assert cleared.status == 200
    assert api("GET", f"/cases/{crn}").body["phoneNumber"] is None


@pytest.mark.parametrize("if_match", ['W/"1"', "1", '"one"', "*"])
def test_an_if_match_that_names_no_version_never_matches(api: Caller, crn: str, if_match: str) -> None:
    response = api("PATCH", f"/cases/{crn}", {"lastName": "Smith"}, headers={"If-Match": if_match})
    assert response.status == 412
    assert api("GET", f"/cases/{crn}").body["version"] == 1


def test_an_invalid_patch_changes_nothing(api: Caller, template: Template, crn: str) -> None:
    response = api(
        "PATCH", f"/cases/{crn}", {"lastName": None, "gender": "FEMALE"}, headers={"If-Match": '"1"'}
    )
    assert response.status == 422
    assert api("GET", f"/cases/{crn}").body["version"] == 1
    assert events_of(template, crn) == ["probation-case.engagement.created"]


# ------------------------------------------------------------------ search


@pytest.mark.usefixtures("team")
def test_search_pages_through_matches_with_a_cursor(api: Caller) -> None:
    crns = {api("POST", "/cases", new_case()).body["crn"] for _ in range(3)}
    api("POST", "/cases", new_case(dateOfBirth="1991-05-17"))
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        query = {"lastName": "DOE", "dateOfBirth": "1990-05-17", "limit": "2"}
        if cursor:
            query["cursor"] = cursor
        page = api("GET", "/cases", query=query)
        assert page.status == 200
        seen += [case["crn"] for case in page.body["items"]]
        cursor = page.body["cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(crns)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"dateOfBirth": "1990-05-17"}, "lastName"),
        ({"lastName": "Doe", "dateOfBirth": "17/05/1990"}, "dateOfBirth"),
        ({"lastName": "Doe", "dateOfBirth": "1990-05-17", "limit": "101"}, "limit"),
        ({"lastName": "Doe", "dateOfBirth": "1990-05-17", "limit": "0"}, "limit"),
        ({"lastName": "Doe", "dateOfBirth": "1990-05-17", "cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_search_parameters_are_named(api: Caller, query: dict[str, str], field: str) -> None:
    response = api("GET", "/cases", query=query)
    assert response.status == 422, "parameters that parse but say nothing valid are 422, as bodies are"
    assert field in response.field_errors


# ------------------------------------------------------------------ convictions and sanctions


def test_convictions_are_numbered_in_order_and_raise_sentence_created(
    api: Caller, template: Template, crn: str
) -> None:
    first = api("POST", f"/cases/{crn}/convictions", CONVICTION)
    second = api(
        "POST",
        f"/cases/{crn}/convictions",
        {**CONVICTION, "convictionDate": "2025-06-01"}
        | {
            "sentence": {**CONVICTION["sentence"], "sentenceDate": "2025-06-01"}  # type: ignore[dict-item]
        },
    )
    assert (first.status, second.status) == (201, 201)
    assert (first.body["convictionNumber"], second.body["convictionNumber"]) == (1, 2)
    assert first.body["offences"][0]["description"].startswith("Theft and handling")
    sentence_events = [e for e in events_of(template, crn) if e == "probation-case.sentence.created"]
    assert len(sentence_events) == 2


def test_an_unknown_offence_code_is_named_and_nothing_is_written(
    api: Caller, template: Template, crn: str
) -> None:
    bad = {**CONVICTION, "offences": [{"offenceCode": "99999", "offenceDate": "2025-01-10", "main": True}]}
    response = api("POST", f"/cases/{crn}/convictions", bad)
    assert response.status == 422
    assert response.field_errors == {"offences[0].offenceCode"}
    assert not [i for i in table_items(template, f"CASE#{crn}") if i["SK"].startswith("CONVICTION#")]


def test_a_conviction_before_birth_is_refused(api: Caller, crn: str) -> None:
    early = {
        **CONVICTION,
        "convictionDate": "1985-03-01",
        "offences": [{"offenceCode": "04600", "offenceDate": "1985-01-10", "main": True}],
        "sentence": {**CONVICTION["sentence"], "sentenceDate": "1985-03-01"},  # type: ignore[dict-item]
    }
    response = api("POST", f"/cases/{crn}/convictions", early)
    assert response.status == 422
    assert response.field_errors == {"convictionDate"}


def test_a_conviction_for_a_missing_case_is_404(api: Caller, template: Template) -> None:
    assert api("POST", "/cases/Z999999/convictions", CONVICTION).status == 404
    assert table_items(template, "CASE#Z999999") == []


def test_sanctions_are_recorded_with_their_offence_facts(api: Caller, template: Template, crn: str) -> None:
    response = api(
        "POST",
        f"/cases/{crn}/sanctions",
        {
            "sanctions": [
                {"sanctionDate": "2010-02-01", "offenceCode": "10500"},
                {"sanctionDate": "2012-07-09", "offenceCode": "04600"},
            ]
        },
    )
    assert response.status == 201
    assert [(s["offenceCode"], s["violent"]) for s in response.body["sanctions"]] == [
        ("10500", True),
        ("04600", False),
    ]
    assert "probation-case.sanctions.recorded" in events_of(template, crn)


def test_one_bad_sanction_refuses_the_whole_batch(api: Caller, template: Template, crn: str) -> None:
    response = api(
        "POST",
        f"/cases/{crn}/sanctions",
        {
            "sanctions": [
                {"sanctionDate": "2010-02-01", "offenceCode": "10500"},
                {"sanctionDate": "2012-07-09", "offenceCode": "12345"},
            ]
        },
    )
    assert response.status == 422
    assert response.field_errors == {"sanctions[1].offenceCode"}
    assert not [i for i in table_items(template, f"CASE#{crn}") if i["SK"].startswith("SANCTION#")]


# ------------------------------------------------------------------ contacts


@pytest.mark.parametrize(
    ("contact_date", "refusal"),
    [
        ("0026-02-03T14:30:00Z", "10th birthday (17 May 2000)"),  # a year typed as "26"
        ("1900-02-03T14:30:00Z", "10th birthday"),
        ("1995-06-01T09:00:00Z", "10th birthday"),  # after birth (1990), before the age of responsibility
        ("2031-02-03T14:30:00Z", "appointment, not a contact"),
    ],
)
def test_a_contact_on_an_impossible_date_is_refused_and_nothing_recorded(
    api: Caller, template: Template, crn: str, contact_date: str, refusal: str
) -> None:
    response = api(
        "POST",
        f"/cases/{crn}/contacts",
        {**CONTACT, "contactDate": contact_date},
        headers={"Idempotency-Key": f"date-{contact_date}"},
    )
    assert response.status == 422, response.body
    assert response.field_errors == {"contactDate"}
    assert refusal in response.body["errors"][0]["message"]
    assert not [i for i in table_items(template, f"TIMELINE#{crn}") if i["SK"].startswith("CONTACT#")]


def test_a_contact_on_the_persons_10th_birthday_is_possible(api: Caller, crn: str) -> None:
    response = api(
        "POST",
        f"/cases/{crn}/contacts",
        {**CONTACT, "contactDate": "2000-05-17T09:00:00Z"},
        headers={"Idempotency-Key": "tenth-birthday"},
    )
    assert response.status == 201, response.body


def test_a_contact_is_signed_with_its_authors_name_from_the_staff_register(
    api: Caller, allocation_api: Caller, team: str, crn: str
) -> None:
    manager = ("manager",)
    officer = {"code": "N07P777", "name": "Tess Ogundipe", "grade": "PO", "teamCode": team}
    assert allocation_api("POST", "/allocation/practitioners", officer, roles=manager).status == 201

    signed = api(
        "POST", f"/cases/{crn}/contacts", CONTACT, subject="N07P777", headers={"Idempotency-Key": "s-1"}
    )
    unknown = api(
        "POST", f"/cases/{crn}/contacts", CONTACT, subject="visitor", headers={"Idempotency-Key": "s-2"}
    )

    assert (signed.status, signed.body["author"], signed.body["authorName"]) == (
        201,
        "N07P777",
        "Tess Ogundipe",
    )
    assert (unknown.status, unknown.body["author"], unknown.body["authorName"]) == (201, "visitor", None)


def test_a_contact_needs_an_idempotency_key(api: Caller, crn: str) -> None:
    response = api("POST", f"/cases/{crn}/contacts", CONTACT)
    assert response.status == 422
    assert response.field_errors == {"Idempotency-Key"}


def test_a_replayed_contact_returns_the_first_response_and_writes_once(
    api: Caller, template: Template, crn: str
) -> None:
    first = api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": "k-1"})
    again = api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": "k-1"})
    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body
    assert again.headers.get("Idempotent-Replayed") == "true"
    contacts = [i for i in table_items(template, f"TIMELINE#{crn}") if i["SK"].startswith("CONTACT#")]
    assert len(contacts) == 1
    assert events_of(template, crn).count("probation-case.contact.created") == 1


def test_a_key_reused_for_a_different_contact_is_refused(api: Caller, crn: str) -> None:
    api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": "k-2"})
    other = api(
        "POST", f"/cases/{crn}/contacts", {**CONTACT, "notes": "changed"}, headers={"Idempotency-Key": "k-2"}
    )
    assert other.status == 422
    assert other.field_errors == {"Idempotency-Key"}


def test_the_same_key_from_another_caller_is_a_separate_request(
    api: Caller, template: Template, crn: str
) -> None:
    api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": "shared"}, subject="a")
    api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": "shared"}, subject="b")
    contacts = [i for i in table_items(template, f"TIMELINE#{crn}") if i["SK"].startswith("CONTACT#")]
    assert sorted(c["author"] for c in contacts) == ["a", "b"]


def test_a_refused_request_is_not_replayed_so_its_key_can_be_retried(api: Caller, crn: str) -> None:
    path = f"/cases/{crn}/contacts"
    refused = api("POST", path, CONTACT, headers={"Idempotency-Key": "k-3"}, roles=("auditor",))
    assert refused.status == 403
    retried = api("POST", path, CONTACT, headers={"Idempotency-Key": "k-3"})
    assert retried.status == 201


def test_a_contact_with_a_stale_if_match_is_412_and_writes_nothing(
    api: Caller, template: Template, crn: str
) -> None:
    """A note written against details someone has since changed is refused, not filed unseen."""
    read = api("GET", f"/cases/{crn}")
    changed = api(
        "PATCH", f"/cases/{crn}", {"lastName": "Changed"}, headers={"If-Match": read.headers["ETag"]}
    )
    assert changed.status == 200
    headers = {"Idempotency-Key": "stale-1", "If-Match": read.headers["ETag"]}
    stale = api("POST", f"/cases/{crn}/contacts", CONTACT, headers=headers)
    assert stale.status == 412
    assert stale.headers["ETag"] == '"2"'
    assert not [i for i in table_items(template, f"TIMELINE#{crn}") if i["SK"].startswith("CONTACT#")]
    # The refusal is not remembered: the same key, now with the current ETag, records it once.
    current = api("POST", f"/cases/{crn}/contacts", CONTACT, headers={**headers, "If-Match": '"2"'})
    assert current.status == 201


def test_contacts_list_newest_first_across_pages(api: Caller, crn: str) -> None:
    for day in (3, 1, 2):
        body = {**CONTACT, "contactDate": f"2026-01-0{day}T10:00:00Z"}
        api("POST", f"/cases/{crn}/contacts", body, headers={"Idempotency-Key": f"day-{day}"})
    first = api("GET", f"/cases/{crn}/contacts", query={"limit": "2"})
    second = api("GET", f"/cases/{crn}/contacts", query={"limit": "2", "cursor": first.body["cursor"]})
    dates = [c["contactDate"][:10] for c in first.body["items"] + second.body["items"]]
    assert dates == ["2026-01-03", "2026-01-02", "2026-01-01"]
    assert second.body["cursor"] is None or second.body["items"] == []


def test_the_author_is_the_caller_not_the_body(api: Caller, crn: str) -> None:
    response = api(
        "POST",
        f"/cases/{crn}/contacts",
        {**CONTACT, "author": "someone-else"},
        headers={"Idempotency-Key": "k-4"},
    )
    assert response.status == 422
    assert response.field_errors == {"author"}


# ------------------------------------------------------------------ registrations


def register(api: Caller, crn: str, **body: Any) -> Any:
    return api("POST", f"/cases/{crn}/registrations", {"registrationDate": "2025-04-01", **body})


def test_a_new_rosh_level_supersedes_the_old_one(api: Caller, template: Template, crn: str) -> None:
    high = register(api, crn, type="RHRH")
    very_high = register(api, crn, type="RVHR")
    assert (high.status, very_high.status) == (201, 201)
    registrations = {r["type"]: r for r in api("GET", f"/cases/{crn}/overview").body["registrations"]}
    assert registrations["RHRH"]["status"] == "DEREGISTERED"
    assert registrations["RHRH"]["deregistrationReason"] == "Superseded by RVHR"
    assert registrations["RVHR"]["status"] == "ACTIVE"
    assert events_of(template, crn)[-2:] == [
        "probation-case.registration.added",
        "probation-case.registration.deregistered",
    ]


def test_a_flag_cannot_be_registered_twice(api: Caller, crn: str) -> None:
    assert register(api, crn, type="RMDO").status == 201
    duplicate = register(api, crn, type="RMDO")
    assert duplicate.status == 409


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"type": "MAPP"}, {"mappaLevel", "mappaCategory"}),
        ({"type": "MAPP", "mappaLevel": "M2"}, {"mappaCategory"}),
        ({"type": "RMDO", "mappaLevel": "M2"}, {"mappaLevel"}),
        ({"type": "XXXX"}, {"type"}),
        ({"type": "MAPP", "mappaLevel": "M4", "mappaCategory": "M1"}, {"mappaLevel"}),
    ],
)
def test_registration_rules_name_the_field(
    api: Caller, crn: str, body: dict[str, str], fields: set[str]
) -> None:
    response = register(api, crn, **body)
    assert response.status == 422
    assert response.field_errors == fields


def test_deregistering_needs_a_reason_and_happens_once(api: Caller, template: Template, crn: str) -> None:
    mappa = register(api, crn, type="MAPP", mappaLevel="M2", mappaCategory="M1").body
    path = f"/cases/{crn}/registrations/{mappa['registrationId']}"
    assert api("DELETE", path, {}).field_errors == {"reason"}
    done = api("DELETE", path, {"reason": "MAPPA management ended"})
    assert done.status == 200
    assert (done.body["status"], done.body["version"]) == ("DEREGISTERED", 2)
    assert api("DELETE", path, {"reason": "again"}).status == 409
    # The slot is free again: a new MAPPA registration is accepted.
    assert register(api, crn, type="MAPP", mappaLevel="M1", mappaCategory="M1").status == 201


def test_deregistering_with_a_stale_etag_is_refused(api: Caller, crn: str) -> None:
    flag = register(api, crn, type="ALSH").body
    path = f"/cases/{crn}/registrations/{flag['registrationId']}"
    response = api("DELETE", path, {"reason": "x"}, headers={"If-Match": '"7"'})
    assert response.status == 412
    assert response.headers["ETag"] == '"1"'


def test_deregistering_an_unknown_registration_is_404(api: Caller, crn: str) -> None:
    assert api("DELETE", f"/cases/{crn}/registrations/{'0' * 32}", {"reason": "x"}).status == 404


# ------------------------------------------------------------------ overview and audit


def test_the_overview_is_the_whole_case_from_one_query(api: Caller, crn: str) -> None:
    api("POST", f"/cases/{crn}/convictions", CONVICTION)
    api(
        "POST",
        f"/cases/{crn}/sanctions",
        {"sanctions": [{"sanctionDate": "2010-02-01", "offenceCode": "10500"}]},
    )
    register(api, crn, type="RHRH")
    api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": "k-5"})

    calls: list[str] = []
    client = aws.dynamodb().meta.client
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    response = api("GET", f"/cases/{crn}/overview")

    assert response.status == 200
    body = response.body
    assert (
        len(body["convictions"]),
        len(body["sanctions"]),
        len(body["registrations"]),
        len(body["contacts"]),
    ) == (
        1,
        1,
        1,
        1,
    )
    reads = [name for name in calls if name in {"Query", "GetItem", "Scan", "BatchGetItem"}]
    assert reads == ["Query"]


def test_the_audit_trail_is_for_managers_and_shows_reads_and_changes(api: Caller, crn: str) -> None:
    api("GET", f"/cases/{crn}", subject="nosy")
    assert api("GET", f"/cases/{crn}/audit").status == 403
    trail = api("GET", f"/cases/{crn}/audit", roles=("manager",), subject="boss")
    assert trail.status == 200
    entries = [(e["actor"], e["action"], e["resource"]) for e in trail.body["items"]]
    assert entries == [("nosy", "READ", "case"), ("jsmith", "CREATE", "case")]
    assert trail.body["items"][1]["eventId"]


def test_unknown_routes_are_404_problem_json(api: Caller) -> None:
    response = api("GET", "/nowhere")
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
