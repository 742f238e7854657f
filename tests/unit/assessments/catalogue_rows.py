"""The project's catalogue data file read as plain CSV rows, so that tests check the code against the data."""

import csv
import io
from importlib import resources

CATALOGUE_ROWS: list[dict[str, str]] = list(
    csv.DictReader(
        io.StringIO(
            resources.files("probation.assessments.data")
            .joinpath("oasys_layer3_v1.csv")
            .read_text(encoding="utf-8")
        )
    )
)
