"""DynamoDB calls behind one set of recommendations, for a team of 50 practitioners.

Run from the project root: ``python -m bench.recommendation_calls``. It builds the team on moto,
asks for recommendations for a queued case, counts the DynamoDB operations the request makes and
fails when they exceed the budget. Calls are counted, not timed: the figure does not depend on the
machine.
"""

import os
import sys
from datetime import UTC, datetime

import boto3
from moto import mock_aws

from bench import results
from infrastructure.local import moto_patches
from infrastructure.local.resources import create_tables
from infrastructure.template import Template
from probation.adapters import aws
from probation.adapters.allocation_repository import DynamoAllocationRepository
from probation.adapters.clock import SystemClock, new_id
from probation.domain.allocation.models import (
    Allocation,
    AllocationStatus,
    CaseFacts,
    NewTeam,
    Practitioner,
    Workload,
)
from probation.domain.allocation.service import AllocationService
from probation.domain.audit import AuditAction, AuditRecord
from probation.domain.principal import Caller, Principal, Role

BUDGET_CALLS = 3
TEAM_SIZE = 50
GRADES = ("PO", "PQiP", "PSO", "SPO")
CRN = "X123456"


def build_team(repository: DynamoAllocationRepository, service: AllocationService, manager: Caller) -> None:
    service.create_team(NewTeam(code="BENCH1", name="Bench", region="Test"), manager)
    for number in range(TEAM_SIZE):
        workload = Workload(points=number * 37, cases=number % 9)
        practitioner = Practitioner(
            code=f"P{number:03d}",
            name=f"Practitioner {number}",
            grade=GRADES[number % 4],
            team_code="BENCH1",
            version=1,
            workload=workload,
        )
        repository.create_practitioner(practitioner)
    now = datetime.now(UTC)
    case = Allocation(
        crn=CRN,
        team_code="BENCH1",
        status=AllocationStatus.UNALLOCATED,
        version=1,
        facts=CaseFacts(name="Bench Case", sentence_type="COMMUNITY", mappa_level="M2"),
        waiting_since=now,
    )
    audit = AuditRecord.by(
        manager, audit_id="bench", crn=CRN, at=now, action=AuditAction.CREATE, resource="bench"
    )
    repository.save_allocation(case, None, [], [], audit, None)


def main() -> int:
    os.environ.update(
        {"AWS_DEFAULT_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    template = Template.load({"Stage": "bench"})
    os.environ["TABLE_NAME"] = template.physical_name("CaseTable")
    with mock_aws():
        moto_patches.install()
        aws.forget_clients()
        create_tables(template, boto3.client("dynamodb"))
        repository = DynamoAllocationRepository()
        service = AllocationService(repository=repository, clock=SystemClock(), new_id=new_id)
        manager = Caller(Principal.from_roles("bench", frozenset({Role.MANAGER}), None), None)
        build_team(repository, service, manager)

        calls: list[str] = []
        aws.dynamodb().meta.client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
        )
        recommendations = service.recommendations(CRN, manager)

    ok = len(calls) <= BUDGET_CALLS
    sys.stdout.write(
        f"recommendations for a team of {TEAM_SIZE}: {len(recommendations.practitioners)} eligible ranked, "
        f"{len(calls)} DynamoDB calls ({', '.join(calls)}); budget {BUDGET_CALLS}: "
        f"{'OK' if ok else 'OVER BUDGET'}\n"
    )
    results.record(
        "recommendation_calls",
        budget={"calls": BUDGET_CALLS},
        ok=ok,
        figures={
            "calls": len(calls),
            "operations": calls,
            "teamSize": TEAM_SIZE,
            "eligibleRanked": len(recommendations.practitioners),
        },
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
