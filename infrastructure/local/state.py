"""The local stack's state on disk, so that stopping `make run` loses nothing.

What is kept is the AWS stand-in's own state (every table with its stream, queue, bus, rule, user pool
client, API key and alarm), together with what the runner itself holds: the ids the stand-in generated,
the local issuers' signing keys, how far each stream poller has delivered, and the demo's summary.

The stand-in's objects are written as they are (pickled), so only the stand-in that wrote them can read
them: a file written by another version of moto, of Python or of this format is refused whole, and
`make reset` starts again. A file is written beside the old one and renamed over it, so a crash while
writing leaves the previous state, never half of one.
"""

import copyreg
import gc
import os
import pickle
import platform
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import moto
from cryptography.hazmat.bindings._rust import openssl as openssl_keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.backends import get_backend

# 2: a signing key for each of the two local issuers.
FORMAT = 2
STATE_FILE = "state.pickle"
# The services the template's resources live in.
SERVICES = ("dynamodb", "dynamodbstreams", "sqs", "events", "cognito-idp", "apigateway", "cloudwatch")


class IncompatibleState(Exception):
    """The data folder holds state this stand-in cannot read; nothing of it was loaded."""


def stand_in_version() -> dict[str, Any]:
    return {"format": FORMAT, "moto": moto.__version__, "python": platform.python_version()}


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    pem: bytes


@dataclass
class RunnerState:
    """What the runner holds beside the stand-in's services."""

    physical_ids: dict[str, str] = field(default_factory=dict)
    signing_keys: dict[str, SigningKey] = field(default_factory=dict)
    """Each local issuer's signing key, by the issuer's path, so the tokens it issued stay valid."""
    stream_checkpoints: dict[str, str] = field(default_factory=dict)
    """The sequence number of the last record each stream poller delivered."""
    demo_summary: str = ""


@dataclass
class Saved:
    runner: RunnerState
    backends: dict[str, dict[str, dict[str, Any]]]


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)


def _new_condition() -> threading.Condition:
    return threading.Condition()


# Locks and conditions are made afresh (no thread holds or waits on them in a new process), and keys
# travel as PEM.
_REDUCERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    type(threading.Lock()): lambda _: (threading.Lock, ()),
    type(threading.RLock()): lambda _: (threading.RLock, ()),
    threading.Condition: lambda _: (_new_condition, ()),
    openssl_keys.rsa.RSAPrivateKey: lambda key: (load_private_key, (private_key_pem(key),)),
}


def _backends() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        service: {account: dict(regions) for account, regions in get_backend(service).items()}  # type: ignore[call-overload]
        for service in SERVICES
    }


def install(backends: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Puts saved services in place of the stand-in's (before its server serves anything)."""
    for service, accounts in backends.items():
        backend_dict = get_backend(service)  # type: ignore[call-overload]
        for account, regions in accounts.items():
            for region, backend in regions.items():
                backend_dict[account][region] = backend


@dataclass
class StateFolder:
    path: Path

    @property
    def file(self) -> Path:
        return self.path / STATE_FILE

    def load(self) -> Saved | None:
        """The saved state, or None for an empty folder; IncompatibleState if it cannot be read whole."""
        if not self.file.exists():
            return None
        with self.file.open("rb") as stream:
            try:
                written_by = pickle.load(stream)  # noqa: S301 - the runner's own file, in its own folder
            except Exception as error:
                raise IncompatibleState(f"{self.file} is not a state file this runner wrote") from error
            if written_by != stand_in_version():
                raise IncompatibleState(
                    f"{self.file} was written by another version of the AWS stand-in ({written_by}; "
                    f"this one is {stand_in_version()})"
                )
            # Without the cyclic collector, which would walk the growing heap again and again as it is read:
            # about a third of the time it takes to read.
            gc.disable()
            try:
                saved = pickle.load(stream)  # noqa: S301 - as above
            except Exception as error:
                raise IncompatibleState(f"{self.file} could not be read whole: {error}") from error
            finally:
                gc.enable()
        if not isinstance(saved, Saved):
            raise IncompatibleState(f"{self.file} does not hold the local stack's state")
        return saved

    def write(self, runner: RunnerState) -> None:
        """Writes the stand-in's services and the runner's state, replacing the previous file at once."""
        self.path.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_name(f"{STATE_FILE}.{os.getpid()}.partial")
        with partial.open("wb") as stream:
            pickle.dump(stand_in_version(), stream)
            pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = {**copyreg.dispatch_table, **_REDUCERS}
            pickler.dump(Saved(runner, _backends()))
            stream.flush()
            os.fsync(stream.fileno())
        partial.replace(self.file)

    def clear(self) -> None:
        self.file.unlink(missing_ok=True)
