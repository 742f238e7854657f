"""The local runner's execution environments: functions run side by side, each invocation in a process of
its own, as Lambda runs them."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infrastructure.local.lambdas import InvocationFailed, PooledFunction, start_fork_server
from infrastructure.template import FunctionSpec
from tests.component import slow_handlers

MODULE = "tests.component.slow_handlers"


def function(name: str, handler: str = "slow") -> PooledFunction:
    return PooledFunction(FunctionSpec(name, MODULE, handler, {}, {}), {"FUNCTION_UNDER_TEST": name})


@pytest.fixture(scope="module", autouse=True)
def fork_server() -> None:
    start_fork_server([MODULE])


def invoke_at_once(calls: list[tuple[PooledFunction, str]]) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call[0].invoke({"name": call[1]}), calls))


def overlap(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return bool(first["started"] < second["ended"] and second["started"] < first["ended"])


def test_two_slow_invocations_of_different_functions_overlap() -> None:
    cases, risk = function("Cases"), function("Risk")
    try:
        first, second = invoke_at_once([(cases, "a"), (risk, "b")])
        assert overlap(first, second), "neither function waited for the other"
        assert first["process"] != second["process"]
    finally:
        cases.close()
        risk.close()


def test_two_slow_invocations_of_one_function_get_an_environment_each() -> None:
    cases = function("Cases")
    try:
        first, second = invoke_at_once([(cases, "a"), (cases, "b")])
        assert overlap(first, second), "the second invocation did not wait for the first"
        assert first["process"] != second["process"]
        # An idle environment is kept warm and used again, as Lambda reuses one.
        third = cases.invoke({"name": "c"})
        assert third["process"] in {first["process"], second["process"]}
        assert third["ended"] - third["started"] >= slow_handlers.SECONDS
    finally:
        cases.close()


def test_a_function_error_is_reported_with_its_traceback_and_the_environment_lives_on() -> None:
    failing = function("Failing", "failing")
    try:
        with pytest.raises(InvocationFailed, match="no cake today"):
            failing.invoke({"name": "cake"})
        with pytest.raises(InvocationFailed, match="ValueError: no tea today"):
            failing.invoke({"name": "tea"})
    finally:
        failing.close()
