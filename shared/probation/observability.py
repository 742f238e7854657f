"""One Logger, Tracer and Metrics per function, configured the same way everywhere."""

import gc

from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = "Probation"


def logger(service: str) -> Logger:
    return Logger(service=service)


def tracer(service: str) -> Tracer:
    return Tracer(service=service)


def metrics(service: str) -> Metrics:
    return Metrics(namespace=METRICS_NAMESPACE, service=service)


def initialised() -> None:
    """Called once a function's module has imported everything and built its handler (the end of Lambda's
    init phase). What exists now lives as long as the execution environment, so it is frozen out of the
    garbage collector's sight: otherwise every collection on the first request (made by boto3's first
    client, pydantic's first validations) walks the ~100,000 objects the imports left, for nothing."""
    gc.freeze()
