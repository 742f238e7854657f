"""Workload stays true: random sequences of allocations, reallocations, transfers (asked, accepted, rejected,
withdrawn), re-tierings, closures and reopenings, through the real handlers on moto, and after every step
each practitioner's workload is what their allocated cases add up to."""

import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from infrastructure.template import Template
from tests.component.conftest import MANAGER, Caller, deliver, new_case
from tests.component.test_allocation_lifecycle import COUNTED, conviction, months_ago, set_status

CASES = 2
HIGH_ROSH = {"HIGH", "VERY_HIGH"}
REGISTRATIONS = [
    {"type": "RHRH"},
    {"type": "RVHR"},
    {"type": "RLRH"},
    {"type": "MAPP", "mappaLevel": "M2", "mappaCategory": "M2"},
    {"type": "MAPP", "mappaLevel": "M1", "mappaCategory": "M1"},
]


def expected_workloads(allocations: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """What each practitioner's allocated cases add up to, worked out here from the allocations as read."""
    sums: dict[str, dict[str, int]] = {}
    for allocation in allocations:
        if allocation["status"] != "ALLOCATED" or allocation["practitionerCode"] is None:
            continue
        total = sums.setdefault(allocation["practitionerCode"], dict.fromkeys(COUNTED, 0))
        total["points"] += allocation["points"]
        total["cases"] += 1
        total[allocation["caseType"].lower()] += 1
        total["highRosh"] += allocation["facts"]["rosh"] in HIGH_ROSH
        total["mappa"] += allocation["facts"]["mappaLevel"] is not None
    return sums


def is_open(allocation: dict[str, Any]) -> bool:
    return bool(allocation["status"] != "CLOSED")


def is_waiting(allocation: dict[str, Any]) -> bool:
    return allocation["pendingTransfer"] is not None


def is_movable(allocation: dict[str, Any]) -> bool:
    return is_open(allocation) and not is_waiting(allocation)


def test_every_workload_is_what_its_allocated_cases_add_up_to(
    api: Caller, allocation_api: Caller, template: Template
) -> None:
    class CaseLives(RuleBasedStateMachine):
        """One example's own teams, practitioners and cases (fresh codes, so examples share the table)."""

        def __init__(self) -> None:
            super().__init__()
            tag = uuid.uuid4().hex[:5].upper()
            self.teams = [f"H{tag}", f"A{tag}"]
            self.staff = {team: [f"{team}PO", f"{team}PS"] for team in self.teams}
            for team in self.teams:
                body = {"code": team, "name": f"Team {team}", "region": "London"}
                assert allocation_api("POST", "/allocation/teams", body, roles=MANAGER).status == 201
                for code, grade in zip(self.staff[team], ("PO", "PSO"), strict=True):
                    body = {"code": code, "name": "A Practitioner", "grade": grade, "teamCode": team}
                    made = allocation_api("POST", "/allocation/practitioners", body, roles=MANAGER)
                    assert made.status == 201
            self.crns = []
            for _ in range(CASES):
                crn = api("POST", "/cases", new_case(teamCode=self.teams[0])).body["crn"]
                assert api("POST", f"/cases/{crn}/convictions", conviction(months_ago(3))).status == 201
                deliver(crn, "probation-case.engagement.created", uuid.uuid4().hex, teamCode=self.teams[0])
                deliver(crn, "probation-case.sentence.created", uuid.uuid4().hex)
                self.crns.append(crn)

            self.seen: list[dict[str, Any]] = []  # each case's allocation, as the last check read it

        def cases(self, test: Callable[[dict[str, Any]], bool]) -> list[int]:
            return [case for case, allocation in enumerate(self.seen) if test(allocation)]

        def allocate_to(self, case: int, code: str) -> None:
            current = allocation_api("GET", f"/cases/{self.crns[case]}/allocation")
            decision = {"practitionerCode": code, "justification": "Property test."}
            made = allocation_api(
                "POST",
                f"/cases/{self.crns[case]}/allocation",
                decision,
                roles=MANAGER,
                headers={"If-Match": current.headers["ETag"]},
            )
            assert made.status in {200, 422}, made.body  # 422: a PSO for a high-risk case

        @initialize()
        def allocate_every_case(self) -> None:
            for case in range(CASES):
                self.allocate_to(case, self.staff[self.teams[0]][0])

        @precondition(lambda self: self.cases(is_open))
        @rule(data=st.data(), member=st.integers(0, 1))
        def reallocate(self, data: st.DataObject, member: int) -> None:
            case = data.draw(st.sampled_from(self.cases(is_open)))
            self.allocate_to(case, self.staff[self.seen[case]["teamCode"]][member])

        @precondition(lambda self: self.cases(is_waiting))
        @rule(data=st.data(), member=st.integers(0, 1))
        def accept_transfer(self, data: st.DataObject, member: int) -> None:
            """An allocation to a practitioner of the team a transfer waits for."""
            case = data.draw(st.sampled_from(self.cases(is_waiting)))
            self.allocate_to(case, self.staff[self.seen[case]["pendingTransfer"]["toTeamCode"]][member])

        @precondition(lambda self: self.cases(is_movable))
        @rule(data=st.data())
        def request_transfer(self, data: st.DataObject) -> None:
            case = data.draw(st.sampled_from(self.cases(is_movable)))
            team = next(team for team in self.teams if team != self.seen[case]["teamCode"])
            body = {"teamCode": team, "reason": "Moving."}
            asked = allocation_api("POST", f"/cases/{self.crns[case]}/transfers", body, roles=MANAGER)
            assert asked.status == 201, asked.body

        @precondition(lambda self: self.cases(is_waiting))
        @rule(data=st.data(), decision=st.sampled_from(["rejection", "withdrawal"]))
        def decide_transfer(self, data: st.DataObject, decision: str) -> None:
            case = data.draw(st.sampled_from(self.cases(is_waiting)))
            path = f"/cases/{self.crns[case]}/transfers/{self.seen[case]['pendingTransfer']['id']}/{decision}"
            body = {"reason": "Not ours."} if decision == "rejection" else None
            assert allocation_api("POST", path, body, roles=MANAGER).status == 200

        @rule(case=st.integers(0, CASES - 1), registration=st.sampled_from(REGISTRATIONS))
        def retier(self, case: int, registration: dict[str, str]) -> None:
            crn = self.crns[case]
            added = api(
                "POST", f"/cases/{crn}/registrations", {**registration, "registrationDate": "2025-04-01"}
            )
            assert added.status == 201, added.body
            deliver(crn, "probation-case.registration.added", uuid.uuid4().hex)

        @precondition(lambda self: self.cases(is_open))
        @rule(data=st.data())
        def close(self, data: st.DataObject) -> None:
            case = data.draw(st.sampled_from(self.cases(is_open)))
            set_status(template, self.crns[case], "CLOSED")
            deliver(self.crns[case], "probation-case.closed", uuid.uuid4().hex)

        @precondition(lambda self: self.cases(lambda allocation: not is_open(allocation)))
        @rule(data=st.data())
        def reopen(self, data: st.DataObject) -> None:
            case = data.draw(st.sampled_from(self.cases(lambda allocation: not is_open(allocation))))
            set_status(template, self.crns[case], "ACTIVE")
            deliver(self.crns[case], "probation-case.reopened", uuid.uuid4().hex)

        @invariant()
        def workloads_are_their_cases_sum(self) -> None:
            allocations = [allocation_api("GET", f"/cases/{crn}/allocation").body for crn in self.crns]
            self.seen = allocations
            expected = expected_workloads(allocations)
            for code in (code for team in self.teams for code in self.staff[team]):
                workload = allocation_api("GET", f"/allocation/practitioners/{code}").body["workload"]
                assert {name: workload[name] for name in COUNTED} == expected.get(
                    code, dict.fromkeys(COUNTED, 0)
                ), code
            for crn, allocation in zip(self.crns, allocations, strict=True):
                assert api("GET", f"/cases/{crn}").body["teamCode"] == allocation["teamCode"]

    run_state_machine_as_test(
        CaseLives,
        settings=settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,  # the same sequences every run: a red build reproduces
            database=None,
            # Replaying a sequence on moto takes seconds: a failure is reported as found (at most a dozen
            # steps, each named), not shrunk for minutes.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
