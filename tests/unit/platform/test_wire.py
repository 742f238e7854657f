"""AWS calls over the runner's socket: botocore's request arrives whole, and its answer comes back."""

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from infrastructure.local.wire import (
    SOCKET_ENVIRONMENT,
    SOCKET_FOLDER_PREFIX,
    StandInSocket,
    send_to_stand_in,
    sweep_socket_folders,
)

ENDPOINT = "http://127.0.0.1:5999"  # never listened on: a call that went over HTTP would fail to connect


class RecordingApplication:
    """A WSGI application answering every request with ``answer``, remembering what it was sent."""

    def __init__(self, status: str, answer: dict[str, Any]) -> None:
        self.status, self.answer = status, answer
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.seen.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "host": environ["HTTP_HOST"],
                "target": environ.get("HTTP_X_AMZ_TARGET"),
                "signed": environ.get("HTTP_AUTHORIZATION", "").startswith("AWS4-HMAC-SHA256"),
                "body": json.loads(body),
            }
        )
        start_response(self.status, [("Content-Type", "application/x-amz-json-1.0")])
        return [json.dumps(self.answer).encode()]


@pytest.fixture
def socket_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Unix socket paths are short (108 bytes): pytest's temporary folders can be longer.
    path = Path("/tmp") / f"wire-{tmp_path.name[-20:]}.sock"
    monkeypatch.setenv(SOCKET_ENVIRONMENT, str(path))
    return path


def dynamodb(retries: int = 1) -> Any:
    client = boto3.client(
        "dynamodb",
        endpoint_url=ENDPOINT,
        region_name="eu-west-2",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"mode": "standard", "max_attempts": retries}),
    )
    client.meta.events.register("before-send", send_to_stand_in)
    return client


@pytest.fixture
def serving(socket_path: Path) -> Iterator[RecordingApplication]:
    application = RecordingApplication("200 OK", {"Item": {"pk": {"S": "CASE#X123456"}}})
    server = StandInSocket(socket_path, application)
    server.start()
    yield application
    server.stop()


def test_a_call_reaches_the_application_signed_and_whole_and_its_answer_is_parsed(
    serving: RecordingApplication,
) -> None:
    client = dynamodb()
    for _ in range(2):  # the second over the same connection
        item = client.get_item(TableName="cases", Key={"pk": {"S": "CASE#X123456"}})["Item"]
        assert item == {"pk": {"S": "CASE#X123456"}}
    assert len(serving.seen) == 2
    assert serving.seen[0] == {
        "method": "POST",
        "path": "/",
        "host": "127.0.0.1:5999",
        "target": "DynamoDB_20120810.GetItem",
        "signed": True,
        "body": {"TableName": "cases", "Key": {"pk": {"S": "CASE#X123456"}}},
    }


def test_an_error_answer_is_the_service_s_error(socket_path: Path) -> None:
    refusal = {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": "no"}
    server = StandInSocket(socket_path, RecordingApplication("400 Bad Request", refusal))
    server.start()
    try:
        with pytest.raises(ClientError) as refused:
            dynamodb().put_item(TableName="cases", Item={"pk": {"S": "A"}})
    finally:
        server.stop()
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_a_stand_in_that_is_not_there_is_a_connection_error_as_over_http(socket_path: Path) -> None:
    with pytest.raises(EndpointConnectionError):
        dynamodb().get_item(TableName="cases", Key={"pk": {"S": "A"}})


def test_the_socket_folders_of_runners_no_longer_running_are_swept(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])  # a process that has certainly ended, once waited for
    gone.wait()
    ours = tmp_path / f"{SOCKET_FOLDER_PREFIX}{os.getpid()}-abc"
    theirs = tmp_path / f"{SOCKET_FOLDER_PREFIX}{gone.pid}-def"
    unrelated = tmp_path / "probation-other-1-x"
    for folder in (ours, theirs, unrelated):
        folder.mkdir()
        (folder / "aws.sock").touch()

    sweep_socket_folders(tmp_path)

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([ours.name, unrelated.name])
