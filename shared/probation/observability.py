"""One Logger, Tracer and Metrics per function, configured the same way everywhere."""

from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = "Probation"


def logger(service: str) -> Logger:
    return Logger(service=service)


def tracer(service: str) -> Tracer:
    return Tracer(service=service)


def metrics(service: str) -> Metrics:
    return Metrics(namespace=METRICS_NAMESPACE, service=service)
