"""The post-deploy smoke check: what a pipeline runs after ``sam deploy`` to know the stack works end to end.

As a partner's app client would, it takes a token (client credentials), then checks that the API is up, that
a case can be read, that a contact can be written, and that the contact's event comes back through the
outbox, the stream, the publisher, the bus and the partners function into the partner's feed. The client's
partner must hold a test case of its own (README, "Deploying to AWS").
"""

import json
import time
import uuid
from base64 import b64encode
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib import error, parse, request

CONTACT_CREATED = "probation-case.contact.created"
REQUEST_TIMEOUT_SECONDS = 10
FEED_PAGE_SIZE = 100
MAX_RETRY_AFTER_SECONDS = 10
MAX_THROTTLED_ATTEMPTS = 5
EVENT_POLL_SECONDS = 0.5

T = TypeVar("T")


class SmokeFailure(Exception):
    """A check failed; the message says which, and what was seen instead."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    retry_after: str | None

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise SmokeFailure(f"expected JSON, got {self.body[:200]!r}") from None


def send(method: str, url: str, headers: Mapping[str, str], body: bytes | None = None) -> Answer:
    """One HTTP exchange; any status is an answer, no answer at all is a failure."""
    if parse.urlsplit(url).scheme not in ("https", "http"):
        raise SmokeFailure(f"not a web URL: {url}")
    # The scheme is checked above: no file: or other URLs.
    outgoing = request.Request(url, data=body, method=method, headers=dict(headers))  # noqa: S310
    try:
        with request.urlopen(outgoing, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
            return Answer(response.status, response.read(), response.headers.get("Retry-After"))
    except error.HTTPError as refused:
        return Answer(refused.code, refused.read(), refused.headers.get("Retry-After"))
    except (error.URLError, OSError) as failure:
        reason = getattr(failure, "reason", failure)
        raise SmokeFailure(f"{method} {url} got no answer: {reason}") from None


@dataclass
class SmokeCheck:
    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    report: Callable[[str], None]
    """Told each check that passed, as it passes."""
    crn: str | None = None
    """The test case to read and write; by default the first the client's partner holds."""
    event_timeout_seconds: float = 60.0
    _token: str = field(default="", init=False)

    def run(self) -> None:
        """Every check in turn; the first that fails raises SmokeFailure."""
        self._step("health", "", self.health)
        self._step("token", "for client", self.authenticate)
        crn = self._step("read", "case", self.read)
        feed_end = self._step("feed", "ends at", self.feed_end)
        contact_id = self._step("write", "contact", lambda: self.write(crn))
        self._step("event", "", lambda: self.event(contact_id, feed_end))

    def _step(self, name: str, label: str, check: Callable[[], T]) -> T:
        started = time.monotonic()
        try:
            result = check()
        except SmokeFailure as failure:
            raise SmokeFailure(f"{name}: {failure}") from None
        took = (time.monotonic() - started) * 1000
        self.report(f"ok  {name:<7} {f'{label} ' if label else ''}{result}  ({took:.0f} ms)")
        return result

    def health(self) -> str:
        answer = send("GET", f"{self.base_url}/health", {"Accept": "application/json"}, None)
        if answer.status != 200 or answer.json() != {"status": "ok"}:
            raise SmokeFailure(f"GET /health answered {answer.status} {answer.body[:200]!r}")
        return "GET /health 200"

    def authenticate(self) -> str:
        """The client-credentials grant, the client authenticating with its secret (HTTP Basic)."""
        credentials = b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        answer = send(
            "POST",
            self.token_url,
            {"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"},
            b"grant_type=client_credentials",
        )
        token = answer.json().get("access_token") if answer.status == 200 else None
        if not isinstance(token, str):
            raise SmokeFailure(
                f"{self.token_url} gave client {self.client_id} no token: "
                f"{answer.status} {answer.body[:200]!r}"
            )
        self._token = token
        return self.client_id

    def read(self) -> str:
        crn = self.crn
        if crn is None:
            cases = self._api("GET", "/partner/v1/cases?limit=1", expect=200)["items"]
            if not cases:
                raise SmokeFailure(
                    f"the partner of client {self.client_id} holds no case to check with: allocate a test "
                    "case to it"
                )
            crn = str(cases[0]["crn"])
        self._api("GET", f"/partner/v1/cases/{crn}", expect=200)
        return crn

    def feed_end(self) -> int:
        """Where the partner's feed ends now: the write's event must come after it."""
        cursor = 0
        while items := self._api("GET", f"/partner/v1/events?after={cursor}&limit={FEED_PAGE_SIZE}", 200)[
            "items"
        ]:
            cursor = int(items[-1]["sequence"])
        return cursor

    def write(self, crn: str) -> str:
        contact = {
            "type": "CASE_NOTE",
            "contactDate": datetime.now(UTC).isoformat(timespec="seconds"),
            "notes": "Post-deploy smoke check.",
        }
        recorded = self._api(
            "POST",
            f"/partner/v1/cases/{crn}/contacts",
            expect=201,
            body=contact,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        return str(recorded["contactId"])

    def event(self, contact_id: str, after: int) -> str:
        """The contact's event in the feed, after where the feed ended before the write."""
        deadline = time.monotonic() + self.event_timeout_seconds
        while True:
            for entry in self._api("GET", f"/partner/v1/events?after={after}&limit={FEED_PAGE_SIZE}", 200)[
                "items"
            ]:
                event = entry["event"]
                if (
                    event["eventType"] == CONTACT_CREATED
                    and event["additionalInformation"].get("contactId") == contact_id
                ):
                    return f"{CONTACT_CREATED} in the feed at {entry['sequence']}"
                after = int(entry["sequence"])
            if time.monotonic() > deadline:
                raise SmokeFailure(
                    f"contact {contact_id} was recorded, but its event was not in the feed after "
                    f"{self.event_timeout_seconds:.0f} s: look at the publisher and partners functions, "
                    "their dead-letter queues and alarms"
                )
            time.sleep(EVENT_POLL_SECONDS)

    def _api(
        self,
        method: str,
        path: str,
        expect: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """A call to the API with the token; over the partner's rate it waits as Retry-After says."""
        outgoing = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        }
        data = json.dumps(body).encode() if body is not None else None
        for _ in range(MAX_THROTTLED_ATTEMPTS):
            answer = send(method, f"{self.base_url}{path}", outgoing, data)
            if answer.status != 429:
                break
            time.sleep(min(int(answer.retry_after or 1), MAX_RETRY_AFTER_SECONDS))
        if answer.status != expect:
            raise SmokeFailure(f"{method} {path} answered {answer.status}: {answer.body[:300]!r}")
        return answer.json()
