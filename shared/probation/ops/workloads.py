"""The workload audit: every practitioner's workload added up afresh from the allocations and compared with
the one kept on the practitioner, which every allocation, move, re-tiering and closure moves in its own
transaction and nothing recounts."""

from probation import config
from probation.adapters import aws
from probation.adapters.dynamodb import from_attributes, from_document
from probation.domain.allocation.ledger import Drift, drift
from probation.domain.allocation.models import Allocation, Practitioner, Workload
from probation.ops.operations import scan


def workload_drift() -> list[Drift]:
    """Each practitioner whose kept workload is not the sum of their allocated cases, by code."""
    stored: dict[str, Workload] = {}
    allocations: list[Allocation] = []
    # An offline audit of the whole table: a filtered Scan is the honest tool; no request path scans.
    for item in scan(
        aws.table(config.table_name()),
        FilterExpression="itemType IN (:practitioner, :allocation)",
        ExpressionAttributeValues={":practitioner": "PRACTITIONER", ":allocation": "ALLOCATION"},
    ):
        if item["itemType"] == "PRACTITIONER":
            practitioner = Practitioner.model_validate(from_attributes(item))
            stored[practitioner.code] = practitioner.workload
        else:
            allocations.append(from_document(item, Allocation))
    return drift(stored, allocations)
