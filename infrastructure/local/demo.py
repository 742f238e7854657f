"""Demo data: teams, practitioners and 30 cases with convictions, sanctions, registrations, contacts and
appointment histories (mixed outcomes, some failures, one case in breach, unpaid work and RAR progress);
a few sentences ending within 30 days (and one past its end), one case closed by its sentence's
termination, one transfer from Hackney to Camden and Islington waiting to be accepted, and sentence plans:
two agreed, one waiting for its countersignature.

Cases go in through the public API (so every write raises its events like any other); teams and
practitioners are written straight to the table until the allocation service owns their API.
The same seed gives the same people every time, so a demo script can rely on them.
"""

import os
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

from probation.assessments.answers import AnswerValue
from probation.assessments.catalogue import AnswerType, Question, load_catalogue
from probation.assessments.screening import ROSH_SUMMARY_QUESTIONS, SCREENING_QUESTIONS
from probation.domain.cases.models import expected_end_date
from probation.domain.identifiers import pnc_check_character
from probation.risk.dates import add_months

SEED = 2026
TODAY = date.today()

# Cases (by index) whose sentence ends this many days from today, whatever its length: the "due to end"
# lists always have some, one of them overdue. Each is a third case, so allocate_some allocates it.
ENDING_IN_DAYS = {3: 5, 9: -10, 12: 12, 15: -4, 18: 26}
# The case whose sentence (ended 10 days ago) is terminated as completed, which closes the case.
CLOSED_CASE = 9
TRANSFER_FROM, TRANSFER_TO = "N07HAC", "N07CAM"
TRANSFER_REQUESTER = "N07P006"  # Hackney's senior probation officer
TRANSFER_REASON = "Moved to a new tenancy in Islington; reports to the Camden office from next month."

TEAMS = [
    {"code": "N07CAM", "name": "Camden and Islington", "region": "London"},
    {"code": "N07HAC", "name": "Hackney", "region": "London"},
    {"code": "N54SHF", "name": "Sheffield North", "region": "Yorkshire and the Humber"},
]

PRACTITIONERS = [
    ("N07P001", "Amara Okafor", "SPO", "N07CAM", 37.0),
    ("N07P002", "Tom Whitfield", "PO", "N07CAM", 37.0),
    ("N07P003", "Priya Raman", "PO", "N07CAM", 30.0),
    ("N07P004", "Dan Hughes", "PQiP", "N07CAM", 37.0),
    ("N07P005", "Siobhan Kelly", "PSO", "N07CAM", 37.0),
    ("N07P006", "Marcus Bell", "SPO", "N07HAC", 37.0),
    ("N07P007", "Leah Cohen", "PO", "N07HAC", 37.0),
    ("N07P008", "Jamal Ahmed", "PO", "N07HAC", 22.5),
    ("N07P009", "Ruth Evans", "PSO", "N07HAC", 37.0),
    ("N54P010", "Gareth Lloyd", "SPO", "N54SHF", 37.0),
    ("N54P011", "Helen Marsh", "PO", "N54SHF", 37.0),
    ("N54P012", "Kwame Mensah", "PQiP", "N54SHF", 37.0),
    ("N54P013", "Sophie Turner", "PSO", "N54SHF", 18.5),
]


def sign_in_identities() -> list[dict[str, Any]]:
    """Whom the web app offers to sign in as locally: each demo practitioner, as themselves (the token's
    subject is their staff code), and each senior probation officer as their team's manager."""
    teams = {team["code"]: team["name"] for team in TEAMS}
    return [
        {
            "sub": code,
            "name": name,
            "roles": ["manager"] if grade == "SPO" else ["practitioner"],
            "description": f"{'Manager' if grade == 'SPO' else 'Practitioner'} ({grade}), {teams[team_code]}",
        }
        for code, name, grade, team_code, _ in PRACTITIONERS
    ]


FIRST_NAMES = {
    "MALE": [
        "James",
        "Liam",
        "Mohammed",
        "Connor",
        "Kyle",
        "Daniel",
        "Jordan",
        "Reece",
        "Adam",
        "Tyler",
        "Bilal",
        "Callum",
        "Jamie",
        "Lewis",
        "Nathan",
        "Marek",
        "Dwayne",
        "Aaron",
    ],
    "FEMALE": ["Chloe", "Jade", "Amy", "Leanne", "Fatima", "Stacey", "Kirsty", "Danielle", "Aisha", "Megan"],
}
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Clarke",
    "Murphy",
    "Campbell",
    "Nowak",
    "O'Brien",
    "Begum",
]
ADDRESSES = [
    ("Holloway Road", "London", "N7 6PA"),
    ("Caledonian Road", "London", "N1 9GU"),
    ("Mare Street", "London", "E8 1DY"),
    ("Chatsworth Road", "London", "E5 0LH"),
    ("Ecclesall Road", "Sheffield", "S11 8PR"),
    ("Fir Vale Road", "Sheffield", "S5 6UB"),
]

# Home Office offence codes from the offence list, with the sentences they typically draw.
OFFENCES = {
    "acquisitive": ["04600", "03900", "04900", "02803", "05301"],
    "violent": ["10500", "00801", "03401", "12500", "05800"],
    "drugs": ["09200"],
    "other": ["08301", "03702"],
}
SEXUAL_OFFENCE = "01908"
COURTS = [
    "Highbury Corner Magistrates' Court",
    "Thames Magistrates' Court",
    "Wood Green Crown Court",
    "Snaresbrook Crown Court",
    "Sheffield Magistrates' Court",
    "Sheffield Crown Court",
]
CONTACT_NOTES = [
    "Discussed accommodation: staying with a friend, looking for a tenancy.",
    "Reported on employment search; has an interview next week.",
    "Reviewed progress on the rehabilitation activity requirement.",
    "Attended; engaged well and completed the thinking skills worksheet.",
    "Home visit: address confirmed, no concerns noted.",
]


@dataclass
class DemoSummary:
    base_url: str
    crns: list[str] = field(default_factory=list)

    def describe(self) -> str:
        teams = ", ".join(f"{team['code']} ({team['name']})" for team in TEAMS)
        return (
            f"\n  Demo data     {len(TEAMS)} teams: {teams}\n"
            f"                {len(PRACTITIONERS)} practitioners, {len(self.crns)} cases "
            f"(e.g. {self.base_url}/cases/{self.crns[0]}/overview)\n"
        )


class ApiClient:
    def __init__(self, base_url: str, subject: str, roles: list[str]) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        token = self.session.post(
            f"{base_url}/local/token", json={"sub": subject, "roles": roles}, timeout=TIMEOUT
        )
        token.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def post(
        self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return self.send("POST", path, body, headers)

    def patch(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        return self.send("PATCH", path, body, headers)

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str] | None
    ) -> dict[str, Any]:
        response = self.session.request(
            method, f"{self.base_url}{path}", json=body, headers=headers, timeout=TIMEOUT
        )
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        result: dict[str, Any] = response.json()
        return result


CASES = 30
LOADERS = 4
RUNNER_CHECK_SECONDS = 1.0
# The demo loads while the machine may be busy with much else (a test suite, say): a slow answer is
# waited for, since a loader that gave up could not tell whether its write was made.
TIMEOUT = 120


def stop_with(runner: int) -> None:
    """Stops this process (the demo's loader) when the runner that started it is gone: a runner killed
    outright cannot stop it, and it would wait for work for ever (keeping the fork server alive too)."""

    def watch() -> None:
        while True:
            time.sleep(RUNNER_CHECK_SECONDS)
            try:
                os.kill(runner, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, name="runner-watch", daemon=True).start()


def seed(base_url: str) -> DemoSummary:
    """Cases go in from a few clients at once, each case from its own seeded generator, so the
    people are the same every time whatever order the requests land in."""
    seed_staff(ApiClient(base_url, "demo.loader", ["admin", "manager"]))

    def load(index: int) -> str:
        return seed_case(
            ApiClient(base_url, "demo.loader", ["admin", "manager"]), random.Random(SEED + index), index
        )

    with ThreadPoolExecutor(max_workers=LOADERS) as pool:
        return DemoSummary(base_url, list(pool.map(load, range(CASES))))


def seed_staff(client: ApiClient) -> None:
    for team in TEAMS:
        client.post("/allocation/teams", team)
    for code, name, grade, team_code, hours in PRACTITIONERS:
        practitioner = {
            "code": code,
            "name": name,
            "grade": grade,
            "teamCode": team_code,
            "contractedHours": hours,
        }
        if code.endswith("3"):
            training = {
                "reason": "Training",
                "hours": 7.4,
                "start": TODAY.isoformat(),
                "end": TODAY.isoformat(),
            }
            practitioner["reductions"] = [{**training, "end": (TODAY + timedelta(days=30)).isoformat()}]
        client.post("/allocation/practitioners", practitioner)


def sentenced_to_end_on(end: date, length_months: int) -> date:
    """The sentence date that makes a sentence of this length expected to end on ``end`` (or the day after,
    where the month it starts in is shorter)."""
    day = add_months(end, -length_months)
    while expected_end_date(day, length_months) < end:
        day += timedelta(days=1)
    return day


def allocate_some(base_url: str, crns: list[str]) -> int:
    """Every third case goes to the practitioner ranked first; the others wait in their team's queue. Then
    one allocated case is closed (its sentence completed) and one asks for a transfer to another team."""
    client = ApiClient(base_url, "demo.manager", ["manager"])
    allocated = 0
    teams: dict[str, str] = {}
    for crn in crns[::3]:
        ranked = client.session.get(
            f"{base_url}/cases/{crn}/allocation/recommendations", timeout=TIMEOUT
        ).json()
        current = client.session.get(f"{base_url}/cases/{crn}/allocation", timeout=TIMEOUT)
        if not ranked.get("practitioners") or current.status_code != 200:
            continue
        choice = ranked["practitioners"][0]
        teams[crn] = current.json()["teamCode"]
        body = {"practitionerCode": choice["code"], "justification": "Most capacity after allocation."}
        url = f"{base_url}/cases/{crn}/allocation"

        def allocate(etag: str, url: str = url, body: dict[str, str] = body) -> requests.Response:
            return client.session.post(url, json=body, headers={"If-Match": etag}, timeout=TIMEOUT)

        # The case's own events may re-tier it meanwhile: like any client, re-read and send again.
        until_current(allocate, current.headers["ETag"], url)
        allocated += 1
    close_and_transfer(client, crns, teams)
    return allocated


# Sentence plans on cases with a completed assessment (every third case, allocated): agreed by a probation
# officer of the case's team, and one written by a PSO, waiting for its senior probation officer's
# countersignature.
AGREED_PLANS = (0, 6)
AWAITING_COUNTERSIGN = 24
PLAN_GOALS = {
    "ACCOMMODATION": ("Move into settled accommodation", "Register with the council's housing options team"),
    "EDUCATION_TRAINING_EMPLOYMENT": ("Find steady work", "Sign up to the employment support course"),
    "FINANCES": ("Get debts under control", "Book an appointment with the debt advice service"),
    "RELATIONSHIPS": ("Rebuild contact with family", "Agree a first visit with the family support worker"),
    "LIFESTYLE": ("Spend time away from old associates", "Join the Saturday football sessions"),
    "DRUGS": ("Stay drug free", "Attend the substance misuse service's assessment"),
    "ALCOHOL": ("Drink less and more safely", "Start the alcohol awareness sessions"),
    "HEALTH_AND_WELLBEING": (
        "Look after my mental health",
        "Register with a GP and ask about talking therapy",
    ),
    "THINKING_AND_BEHAVIOUR": ("Manage my temper", "Complete the thinking skills programme"),
    "ATTITUDES": ("Think differently about offending", "Talk through the offence with my probation officer"),
}


def seed_sentence_plans(base_url: str, crns: list[str]) -> None:
    """Three plans, four or five requests each: the plan, a goal with its steps in its top-ranked area, the
    person's agreement (recorded by a PO, or by a PSO so that it waits for countersigning)."""
    for index in (*AGREED_PLANS, AWAITING_COUNTERSIGN):
        if index < len(crns):
            seed_plan(base_url, crns[index], by_pso=index == AWAITING_COUNTERSIGN)


def seed_plan(base_url: str, crn: str, *, by_pso: bool) -> None:
    planner = ApiClient(base_url, "demo.loader", ["practitioner"])
    plan = planner.session.post(f"{base_url}/cases/{crn}/sentence-plans", timeout=TIMEOUT)
    if plan.status_code != 201:  # no completed assessment (the demo's did not complete), or a plan already
        return
    made = plan.json()
    team = next((t for c, _, _, t, _ in PRACTITIONERS if c == made.get("staffCode")), TEAMS[0]["code"])
    grade = "PSO" if by_pso else "PO"
    author_code = next(c for c, _, g, team_of, _ in PRACTITIONERS if team_of == team and g == grade)
    author = ApiClient(base_url, author_code, ["practitioner"])
    path = f"{base_url}/cases/{crn}/sentence-plans/{made['id']}"
    area = made["areasOfNeed"][0]["area"]
    title, step = PLAN_GOALS[area]
    goal = {
        "title": title,
        "areaOfNeed": area,
        "targetMonths": 6,
        "steps": [
            {"description": step, "actor": "PERSON_ON_PROBATION"},
            {
                "description": "Check in on progress at each supervision appointment",
                "actor": "PROBATION_PRACTITIONER",
            },
        ],
    }

    def add_goal(etag: str) -> requests.Response:
        return author.session.post(f"{path}/goals", json=goal, headers={"If-Match": etag}, timeout=TIMEOUT)

    def agree(etag: str) -> requests.Response:
        body = {"status": "AGREED", "notes": "Talked through each goal; agreed in the office."}
        return author.session.post(
            f"{path}/agreement", json=body, headers={"If-Match": etag}, timeout=TIMEOUT
        )

    etag = plan.headers["ETag"]
    for send in (add_goal, agree):
        etag = until_current(send, etag, path).headers["ETag"]


def close_and_transfer(client: ApiClient, crns: list[str], teams: dict[str, str]) -> None:
    """Two requests: the closed case's sentence completed on its expected end, and a Hackney case (allocated,
    not ending soon) asked to move to Camden and Islington by Hackney's senior probation officer."""
    closed = crns[CLOSED_CASE]
    ended = TODAY + timedelta(days=ENDING_IN_DAYS[CLOSED_CASE])
    client.post(
        f"/cases/{closed}/convictions/1/termination",
        {"date": ended.isoformat(), "reason": "COMPLETED", "notes": "Order completed; no further action."},
        headers={"Idempotency-Key": f"demo-termination-{closed}"},
    )
    moving = next(
        (
            crn
            for index, crn in enumerate(crns)
            if teams.get(crn) == TRANSFER_FROM and index not in ENDING_IN_DAYS
        ),
        None,
    )
    if moving is not None:
        requester = ApiClient(client.base_url, TRANSFER_REQUESTER, ["manager"])
        requester.post(f"/cases/{moving}/transfers", {"teamCode": TRANSFER_TO, "reason": TRANSFER_REASON})


def seed_case(client: ApiClient, rng: random.Random, index: int) -> str:
    gender = "FEMALE" if index % 5 == 4 else "MALE"
    birth = TODAY - timedelta(days=rng.randint(19 * 365, 58 * 365))
    street, town, postcode = rng.choice(ADDRESSES)
    team = TEAMS[2]["code"] if town == "Sheffield" else TEAMS[index % 2]["code"]
    pnc_year, pnc_serial = str(birth.year + 18 + rng.randint(0, 4)), f"{rng.randint(1, 9_999_999):07d}"
    case = client.post(
        "/cases",
        {
            "firstName": rng.choice(FIRST_NAMES[gender]),
            "lastName": rng.choice(LAST_NAMES),
            "dateOfBirth": birth.isoformat(),
            "gender": gender,
            "teamCode": team,
            "pncNumber": f"{pnc_year}/{pnc_serial}{pnc_check_character(pnc_year, pnc_serial)}",
            "address": {
                "addressLine1": f"{rng.randint(1, 240)} {street}",
                "town": town,
                "postcode": postcode,
            },
            "phoneNumber": f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            "preferredLanguage": "English",
        },
    )
    crn: str = case["crn"]
    profile = rng.choice(["acquisitive", "violent", "drugs", "violent", "acquisitive", "other"])
    first_sanction = birth + timedelta(days=rng.randint(15 * 365, 22 * 365))
    history = rng.randint(0, 14)
    if history:
        client.post(
            f"/cases/{crn}/sanctions",
            {
                "sanctions": [
                    {
                        "sanctionDate": _before_today(first_sanction + timedelta(days=300 * n)).isoformat(),
                        "offenceCode": rng.choice(OFFENCES[rng.choice([profile, profile, "other"])]),
                        "outcome": rng.choice(
                            ["Caution", "Fine", "Community order", "Conditional discharge"]
                        ),
                    }
                    for n in range(history)
                ]
            },
        )
    sentence_type = rng.choice(["COMMUNITY", "COMMUNITY", "SUSPENDED", "CUSTODY"])
    sexual = index in (7, 21)
    main_code = SEXUAL_OFFENCE if sexual else rng.choice(OFFENCES[profile])
    convicted = TODAY - timedelta(days=rng.randint(20, 400))
    length_months = rng.choice([6, 12, 18, 24, 36]) if not sexual else 72
    if index in ENDING_IN_DAYS:
        convicted = sentenced_to_end_on(TODAY + timedelta(days=ENDING_IN_DAYS[index]), length_months)
    sentence: dict[str, Any] = {
        "type": "CUSTODY" if sexual else sentence_type,
        "sentenceDate": convicted.isoformat(),
        "lengthMonths": length_months,
    }
    if sentence["type"] == "CUSTODY":
        sentence["releaseDate"] = (convicted + timedelta(days=15 * sentence["lengthMonths"])).isoformat()
    else:
        sentence["requirements"] = [
            {"type": "REHABILITATION_ACTIVITY", "length": rng.choice([10, 20, 30]), "lengthUnit": "DAYS"},
            *(
                [{"type": "UNPAID_WORK", "length": rng.choice([80, 120, 200]), "lengthUnit": "HOURS"}]
                if index % 2
                else []
            ),
            *(
                [{"type": "DRUG_REHABILITATION", "length": 6, "lengthUnit": "MONTHS"}]
                if profile == "drugs"
                else []
            ),
        ]
    client.post(
        f"/cases/{crn}/convictions",
        {
            "convictionDate": convicted.isoformat(),
            "court": rng.choice(COURTS),
            "offences": [
                {
                    "offenceCode": main_code,
                    "offenceDate": (convicted - timedelta(days=60)).isoformat(),
                    "main": True,
                }
            ],
            "sentence": sentence,
        },
    )
    registered = (convicted + timedelta(days=3)).isoformat()
    if sexual or profile == "violent":
        rosh = "RVHR" if sexual else rng.choice(["RHRH", "RHRH", "RMRH"])
        client.post(f"/cases/{crn}/registrations", {"type": rosh, "registrationDate": registered})
    else:
        client.post(
            f"/cases/{crn}/registrations",
            {"type": rng.choice(["RLRH", "RMRH"]), "registrationDate": registered},
        )
    if sexual or (profile == "violent" and index % 3 == 0):
        client.post(
            f"/cases/{crn}/registrations",
            {
                "type": "MAPP",
                "registrationDate": registered,
                "mappaLevel": "M2" if sexual else rng.choice(["M1", "M2"]),
                "mappaCategory": "M1" if sexual else "M2",
            },
        )
    if index % 4 == 0:
        client.post(
            f"/cases/{crn}/registrations",
            {"type": rng.choice(["RMDO", "ALSH", "ADVP"]), "registrationDate": registered},
        )
    # Recorded by a probation officer of the case's team, as they would be, so the timeline names them.
    author_code = next(c for c, _, grade, team_of, _ in PRACTITIONERS if team_of == team and grade == "PO")
    author = ApiClient(client.base_url, author_code, ["practitioner"])
    for visit in range(rng.randint(2, 5)):
        when = datetime.combine(convicted, datetime.min.time(), UTC) + timedelta(
            days=14 * (visit + 1), hours=10
        )
        if when.date() >= TODAY:
            break
        author.post(
            f"/cases/{crn}/contacts",
            {
                "type": rng.choice(["OFFICE_APPOINTMENT", "OFFICE_APPOINTMENT", "HOME_VISIT", "PHONE_CALL"]),
                "contactDate": when.isoformat(),
                "outcome": rng.choice(["ATTENDED_COMPLIED"] * 4 + ["FAILED_TO_ATTEND_UNACCEPTABLE"]),
                "notes": rng.choice(CONTACT_NOTES),
            },
            headers={"Idempotency-Key": f"demo-{crn}-{visit}"},
        )
    seed_supervision(author, author_code, rng, index, crn, convicted, sentence)
    if index % 3 == 0:
        complete_an_assessment(client, rng, crn)
    if index % 3 in (0, 1):
        client.post(f"/cases/{crn}/assessments")  # a draft, pre-filled, waiting for its assessor
    return crn


def seed_supervision(
    author: ApiClient,
    staff_code: str,
    rng: random.Random,
    index: int,
    crn: str,
    convicted: date,
    sentence: dict[str, Any],
) -> None:
    """A weekly series of appointments (one request), the past ones partly with outcomes (a few requests), so
    each case has a history: mostly attended, some absences, some failures; one case in breach. A case with
    unpaid work has a fortnightly series of sessions with hours credited. Outcomes left unrecorded are the
    practitioner's "outcomes to record"."""
    ends = expected_end_date(convicted, sentence["lengthMonths"])
    last = min(ends, TODAY + timedelta(days=35))
    first = max(convicted + timedelta(days=7), last - timedelta(days=7 * 11))
    weeks = (last - first).days // 7 + 1
    if weeks < 2:
        return
    requirements = sentence.get("requirements", [])
    rar = "1-1" if requirements else None
    upw = "1-2" if any(r["type"] == "UNPAID_WORK" for r in requirements) else None
    start = datetime.combine(first, datetime.min.time(), UTC) + timedelta(hours=9 + index % 6)
    made = [
        _series(
            author,
            crn,
            start,
            timedelta(hours=1),
            "WEEK",
            min(weeks, 12),
            "OFFICE_APPOINTMENT",
            rar,
            staff_code,
        )
    ]
    if upw is not None and weeks >= 4:
        made.append(
            _series(
                author,
                crn,
                start + timedelta(days=2),
                timedelta(hours=7),
                "FORTNIGHT",
                4,
                "UNPAID_WORK_SESSION",
                upw,
                staff_code,
            )
        )
    listed = author.session.get(
        f"{author.base_url}/cases/{crn}/appointments?limit=100", timeout=TIMEOUT
    ).json()
    past = [a for a in listed["items"] if datetime.fromisoformat(a["start"]) < datetime.now(UTC)]
    plan = ["ATTC", "ATTC", "AAME", "ATTC"]
    if index % 5 == 1:
        plan = ["ATTC", "UAAB+WARNING_LETTER", "ATTC", "AFTC"]
    elif index % 7 == 2:
        plan = ["ATTC", "AFTA", "ATTC"]
    for appointment, code in zip(past, plan, strict=False):
        outcome, _, action = code.partition("+")
        body: dict[str, Any] = {"outcome": outcome}
        if action:
            body["enforcementAction"] = action
        if appointment["type"] == "UNPAID_WORK_SESSION" and outcome == "ATTC":
            body["minutesCredited"] = 420
        author.send(
            "PUT",
            f"/cases/{crn}/appointments/{appointment['id']}/outcome",
            body,
            {"If-Match": f'"{appointment["version"]}"'},
        )
    if index == 1 and len(past) >= 4:
        author.post(
            f"/cases/{crn}/breaches",
            {"startedOn": TODAY.isoformat(), "reason": DEMO_BREACH_REASON},
            headers={"Idempotency-Key": f"demo-breach-{crn}"},
        )


DEMO_BREACH_REASON = "A further failure within 12 months of a warning"


def _series(
    author: ApiClient,
    crn: str,
    start: datetime,
    length: timedelta,
    interval: str,
    count: int,
    kind: str,
    requirement_id: str | None,
    staff_code: str,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind,
        "start": start.isoformat(),
        "end": (start + length).isoformat(),
        "staffCode": staff_code,
        "allowClash": True,
        **({"repeat": {"interval": interval, "count": count}} if count > 1 else {}),
        **({"requirementId": requirement_id} if requirement_id else {}),
    }
    return author.post(
        f"/cases/{crn}/appointments", body, headers={"Idempotency-Key": f"demo-{crn}-{kind}-{start:%Y%m%d}"}
    )


def complete_an_assessment(client: ApiClient, rng: random.Random, crn: str) -> None:
    """An assessment done last time: plausible answers to what the draft could not fill in."""
    draft = client.post(f"/cases/{crn}/assessments")
    catalogue = load_catalogue()
    # What completion requires, and what the screening tools read, so that the scores show their results.
    codes = dict.fromkeys([*catalogue.required_for_completion(), *SCREENING_QUESTIONS])
    answers = {
        code: {"value": _plausible_answer(rng, catalogue.questions[code])}
        for code in codes
        if code not in draft["answers"]
    }
    if answers.get("6.7da", {}).get("value") == "YES":
        answers["6.7.2.1da"] = {"value": rng.choice(["YES", "NO"])}
    path = f"{client.base_url}/cases/{crn}/assessments/{draft['assessmentId']}"
    version = draft["version"]

    def answer(etag: str) -> requests.Response:
        return client.session.patch(
            path, json={"answers": answers}, headers={"If-Match": etag}, timeout=TIMEOUT
        )

    def complete(etag: str) -> requests.Response:
        return client.session.post(f"{path}/complete", headers={"If-Match": etag}, timeout=TIMEOUT)

    # New risk scores may refresh the draft at any moment: like any client, re-read and apply again.
    etag = f'"{version}"'
    for send in (answer, complete):
        etag = until_current(send, etag, path).headers["ETag"]


def until_current(send: Callable[[str], requests.Response], etag: str, what: str) -> requests.Response:
    """Sends a conditional write, again with the current ETag each time the resource changed first (a
    412 carries the current ETag)."""
    for _ in range(5):
        response = send(etag)
        if response.status_code != 412:
            response.raise_for_status()
            return response
        etag = response.headers["ETag"]
    raise RuntimeError(f"{what} kept changing under the demo loader")


def _plausible_answer(rng: random.Random, question: Question) -> AnswerValue:
    """A recorded answer rather than "missing" or "don't know"; mostly no or some problems, and a RoSH
    summary level (where "M" is Medium) mostly low."""
    if question.code in ROSH_SUMMARY_QUESTIONS:
        return rng.choice(["L", "L", "M", "H"])
    known = [code for code in question.option_codes if code not in ("M", "DK")]
    choice = rng.choice([*known, *(code for code in known if code in ("0", "1", "NO"))])
    return [choice] if question.answer_type is AnswerType.MULTI_SELECT else choice


def _before_today(day: date) -> date:
    return min(day, TODAY - timedelta(days=30))
