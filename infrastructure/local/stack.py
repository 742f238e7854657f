"""The whole stack on loopback: moto for AWS, the template's resources, pollers and the HTTP gateway."""

import functools
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html
from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, RouteMatcher, ThreadedHTTPServer
from moto.server import ThreadedMotoServer
from typing_extensions import override

from infrastructure import web
from infrastructure.local import moto_patches
from infrastructure.local.alarms import QueueDepthAlarmPoller, create_alarms
from infrastructure.local.demo import sign_in_identities
from infrastructure.local.gateway import Gateway, UsagePlanThrottle
from infrastructure.local.heap import Freezer
from infrastructure.local.identity import (
    PARTNER_ISSUER_PATH,
    STAFF_ISSUER_PATH,
    AppClient,
    LocalIdentity,
    LocalIssuer,
)
from infrastructure.local.lambdas import PooledFunction, start_fork_server
from infrastructure.local.pollers import Poller, QueuePoller, RulePoller, SchedulePoller, StreamPoller
from infrastructure.local.resources import (
    create_buses,
    create_queues,
    create_rule_deliveries,
    create_tables,
    create_usage_plans,
    create_user_pools,
)
from infrastructure.local.state import (
    RunnerState,
    Saved,
    SigningKey,
    StateFolder,
    install,
    load_private_key,
    private_key_pem,
)
from infrastructure.local.wire import SOCKET_ENVIRONMENT, StandInSocket, new_socket_path
from infrastructure.openapi import merged_spec
from infrastructure.template import TEMPLATE, FunctionSpec, Template, rule_name

log = logging.getLogger("local")
REGION = moto_patches.REGION
STAGE = "local"
# A change is on disk within this many seconds (plus the time to write it): what a hard kill can lose.
SAVE_INTERVAL_SECONDS = 2.0
SAVE_TIMEOUT_SECONDS = 60
# The process writing a save gives way to those answering requests: it has the time they leave.
SAVER_NICENESS = 10
SETTLED_CHECK_SECONDS = 0.05
SWAGGER_ASSETS = Path(generate_swagger_html.__code__.co_filename).parent
# The template's pool whose app clients are the partners (the partners function registers them there).
PARTNER_POOL = "PartnerUserPool"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LocalStack:
    port: int
    host: str = "127.0.0.1"
    template_path: Path = TEMPLATE
    moto_port: int = field(default_factory=free_port)
    data_dir: Path | None = None
    """Where the state is kept between runs; None keeps nothing (a stack for one test)."""
    _moto: ThreadedMotoServer | None = None
    _aws_socket: StandInSocket | None = None
    _aws_socket_path: Path = field(default_factory=new_socket_path)
    _server: LocalDevServer | None = None
    _gateway: Gateway | None = None
    _pollers: list[Poller] = field(default_factory=list)
    _identity: LocalIdentity | None = None
    _saver: "Saver | None" = None
    _freezer: Freezer = field(default_factory=Freezer)
    template: Template | None = None
    functions: dict[str, PooledFunction] = field(default_factory=dict)
    restored: bool = False
    """Whether the stack started from saved state (else it started empty)."""
    demo_summary: str = ""

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto's stand-in takes any credentials
        )

    def start(self) -> None:
        """Starts everything, from the saved state where there is some; IncompatibleState (before anything
        has started) where the data folder holds state this stand-in cannot read."""
        folder = StateFolder(self.data_dir) if self.data_dir is not None else None
        saved = folder.load() if folder is not None else None
        moto_patches.install()
        if saved is not None:
            install(saved.backends)
            self.restored = True
            self.demo_summary = saved.runner.demo_summary
        self._freezer.start()
        self.template = Template.load(
            {
                "Stage": STAGE,
                # Webhook failures are retried after 1, 2... seconds and dead-lettered after 3 attempts,
                # so that a test sees the whole course of a failing webhook in seconds.
                "WebhookRetryBaseSeconds": "1",
                "WebhookMaxAttempts": "3",
                # A low rate, so that a test sees a partner overrunning its plan in a few requests.
                "PartnerRateLimit": "10",
                "PartnerBurstLimit": "20",
            },
            self.template_path,
        )
        # The fork server imports every function while the resources are made: set what the imported
        # modules read now; each environment gets the rest when it starts.
        os.environ.update(self._runtime_environment())
        start_fork_server(
            [*(spec.module for spec in self.template.functions()), "infrastructure.local.preload"]
        )
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._moto.start()
        assert self._moto._server is not None
        self._aws_socket = StandInSocket(
            self._aws_socket_path, self._moto._server.app, moto_patches.answer_directly
        )
        self._aws_socket.start()
        if saved is None:
            create_tables(self.template, self.client("dynamodb"))
            create_buses(self.template, self.client("events"))
            create_user_pools(self.template, self.client("cognito-idp"))
            create_usage_plans(self.template, self.client("apigateway"))
        else:
            self.template.physical_ids.update(saved.runner.physical_ids)
        queues = create_queues(self.template, self.client("sqs"))  # as they are, where they were kept
        self._identity = self._local_identity(saved)
        environment = self._function_environment()
        os.environ.update(environment)
        self.functions = {
            spec.logical_id: PooledFunction(spec, environment) for spec in self.template.functions()
        }
        for function in self.functions.values():
            function.warm()
        checkpoints = saved.runner.stream_checkpoints if saved is not None else {}
        self._start_stream_pollers(queues, checkpoints)
        self._start_queue_pollers(queues)
        self._start_rule_pollers()
        self._start_schedule_pollers()
        self._start_alarm_poller()
        self._start_gateway()
        if folder is not None:
            self._saver = Saver(folder, self.runner_state, self.forget_done_stream_records)

    def mark_ready(self) -> None:
        """From now on /health says the stack is ready to use, and its state is kept. A new stack's state is
        first saved whole, demo and all: a stop or a kill while the demo loads leaves the folder empty, so
        the next start seeds the demo afresh rather than finding half of one (and saving each second of the
        load would cost the load a fifth of its time)."""
        assert self._gateway is not None
        if self._saver is not None:
            self._saver.start()
        self._gateway.ready.set()

    def record_demo(self, summary: str) -> None:
        self.demo_summary = summary
        moto_patches.CHANGES.add()  # kept with the next save

    def runner_state(self) -> RunnerState:
        assert self.template is not None
        assert self._identity is not None
        return RunnerState(
            # The template's names are the YAML decoder's string type: kept as plain strings.
            physical_ids={str(name): str(value) for name, value in self.template.physical_ids.items()},
            signing_keys={
                path: SigningKey(issuer.key_id, private_key_pem(issuer.key))
                for path, issuer in (
                    (STAFF_ISSUER_PATH, self._identity.staff),
                    (PARTNER_ISSUER_PATH, self._identity.partners),
                )
            },
            stream_checkpoints={
                poller.name: str(done)
                for poller in self._pollers
                if isinstance(poller, StreamPoller) and (done := poller.done_through()) is not None
            },
            demo_summary=self.demo_summary,
        )

    def forget_done_stream_records(self) -> None:
        """Forgets each table stream's records that every poller of it has done with (before a save, with
        writes held, so that none is added meanwhile)."""
        done: dict[str, list[int | None]] = {}
        for poller in self._pollers:
            if isinstance(poller, StreamPoller):
                done.setdefault(poller.table_name, []).append(poller.done_through())
        for table_name, throughs in done.items():
            if None not in throughs:
                moto_patches.trim_stream(table_name, min(t for t in throughs if t is not None))

    def _local_identity(self, saved: Saved | None) -> LocalIdentity:
        """The runner's two issuers, on its own address, with the keys they had if the stack was kept;
        staff tokens go to the client the authorizer expects them for (the template's web app client)."""
        assert self.template is not None
        kept = saved.runner.signing_keys if saved is not None else {}

        def issuer(path: str) -> LocalIssuer:
            url = f"{self.base_url}{path}"
            key = kept.get(path)
            return LocalIssuer(url, key.key_id, load_private_key(key.pem)) if key else LocalIssuer(url)

        authorizer = next(spec for spec in self.template.functions() if _is_authorizer(spec))
        [web_client, *_] = authorizer.environment["STAFF_TOKEN_AUDIENCES"].split(",")
        return LocalIdentity(issuer(STAFF_ISSUER_PATH), issuer(PARTNER_ISSUER_PATH), web_client)

    def _partner_client(self, client_id: str) -> AppClient | None:
        """A partner's app client as the partner pool holds it, for the local token endpoint."""
        assert self.template is not None
        cognito = self.client("cognito-idp")
        try:
            client = cognito.describe_user_pool_client(
                UserPoolId=self.template.physical_name(PARTNER_POOL), ClientId=client_id
            )["UserPoolClient"]
        except cognito.exceptions.ResourceNotFoundException:
            return None
        return AppClient(client.get("ClientSecret", ""), frozenset(client.get("AllowedOAuthScopes", [])))

    def _runtime_environment(self) -> dict[str, str]:
        """What Lambda's runtime and the stack's settings give every function, before any resource."""
        return {
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            SOCKET_ENVIRONMENT: str(self._aws_socket_path),
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            # Test webhook receivers listen on loopback over plain http; in AWS neither is allowed.
            "ALLOW_LOOPBACK_WEBHOOKS": "true",
        }

    def _function_environment(self) -> dict[str, str]:
        """The functions' environment once the resources exist (their names and ids resolved). The
        functions of one stack share it, as they share the stack, and so does this process, whose
        pollers and ops commands address the same resources."""
        assert self.template is not None
        assert self._identity is not None
        environment = self._runtime_environment()
        for spec in self.template.functions():
            environment.update(
                {str(k): str(v) for k, v in spec.environment.items() if not k.startswith("POWERTOOLS_")}
            )
        return environment | self._identity.environment()

    def _start_stream_pollers(self, queues: dict[str, str], checkpoints: dict[str, str]) -> None:
        assert self.template is not None
        sqs = moto_patches.LocalQueues()
        for spec in self.template.functions():
            for event in spec.events.values():
                if event["Type"] != "DynamoDB":
                    continue
                properties = event["Properties"]
                table_name = properties["Stream"].split(":table/")[1].split("/")[0]
                stream_arn = self.client("dynamodb").describe_table(TableName=table_name)["Table"][
                    "LatestStreamArn"
                ]
                dead_letter = (
                    properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination", "")
                )
                dead_letter_url = next(
                    (
                        url
                        for logical_id, url in queues.items()
                        if self.template.arn(logical_id) == dead_letter
                    ),
                    None,
                )
                name = f"stream:{spec.logical_id}"
                poller = StreamPoller(
                    name=name,
                    checkpoint=checkpoints.get(name),
                    read=functools.partial(moto_patches.stream_records, table_name),
                    table_name=table_name,
                    stream_arn=stream_arn,
                    target=self.functions[spec.logical_id],
                    filters=[
                        json.loads(f["Pattern"])
                        for f in properties.get("FilterCriteria", {}).get("Filters", [])
                    ],
                    batch_size=int(properties.get("BatchSize", 100)),
                    on_failure=functools.partial(_send_to_dead_letter_queue, sqs, dead_letter_url),
                )
                poller.start()
                self._pollers.append(poller)

    def _start_queue_pollers(self, queues: dict[str, str]) -> None:
        assert self.template is not None
        url_by_arn = {self.template.arn(logical_id): url for logical_id, url in queues.items()}
        for spec in self.template.functions():
            for event in spec.events.values():
                if event["Type"] != "SQS":
                    continue
                properties = event["Properties"]
                poller = QueuePoller(
                    name=f"queue:{spec.logical_id}",
                    sqs=moto_patches.LocalQueues(),
                    queue_url=url_by_arn[properties["Queue"]],
                    queue_arn=properties["Queue"],
                    target=self.functions[spec.logical_id],
                    batch_size=int(properties.get("BatchSize", 10)),
                )
                poller.start()
                self._pollers.append(poller)

    def _start_rule_pollers(self) -> None:
        assert self.template is not None
        for delivery in create_rule_deliveries(self.template, self.client("events"), self.client("sqs")):
            poller = RulePoller(
                name=f"rule:{delivery.function}",
                sqs=moto_patches.LocalQueues(),
                delivery=delivery,
                target=self.functions[delivery.function],
            )
            poller.start()
            self._pollers.append(poller)

    def _start_schedule_pollers(self) -> None:
        assert self.template is not None
        for spec in self.template.functions():
            for event_name, event in spec.events.items():
                if event["Type"] != "Schedule":
                    continue
                poller = SchedulePoller(
                    name=f"schedule:{spec.logical_id}",
                    target=self.functions[spec.logical_id],
                    rule_arn=f"arn:aws:events:{self.template.region}:{self.template.account}:rule/"
                    f"{rule_name(spec.logical_id, event_name)}",
                    region=self.template.region,
                )
                poller.start()
                self._pollers.append(poller)

    def _start_alarm_poller(self) -> None:
        assert self.template is not None
        cloudwatch = self.client("cloudwatch")
        poller = QueueDepthAlarmPoller(
            name="alarms",
            sqs=moto_patches.LocalQueues(),
            cloudwatch=cloudwatch,
            alarms=create_alarms(self.template, cloudwatch),
        )
        poller.start()
        self._pollers.append(poller)

    def _start_gateway(self) -> None:
        assert self.template is not None
        assert self._identity is not None
        authorizer = next(f for f in self.functions.values() if _is_authorizer(f.spec))
        self._gateway = Gateway(
            routes=self.template.api_routes(),
            functions=self.functions,
            authorizer=authorizer,
            authorizer_cache_seconds=self.template.authorizer_cache_seconds(),
            responses=self.template.gateway_responses(),
            identity=self._identity,
            partner_clients=self._partner_client,
            stage=STAGE,
            openapi=functools.cache(merged_spec),
            swagger_html=functools.cache(_swagger_html),
            throttle=self._partner_throttle(),
            web_config={"apiBaseUrl": "", "auth": {"mode": "local", "identities": sign_in_identities()}},
        )
        self._server = LocalDevServer(
            self._gateway.app,
            Config(),
            self.host,
            self.port,
            handler_cls=functools.partial(QuietRequestHandler, no_route=self._gateway.no_such_resource()),
            server_cls=GatewayServer,
        )
        threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True).start()

    def _partner_throttle(self) -> UsagePlanThrottle:
        assert self.template is not None
        [plan] = self.template.of_type("AWS::ApiGateway::UsagePlan")
        throttle = self.template.properties(plan)["Throttle"]
        return UsagePlanThrottle(rate=float(throttle["RateLimit"]), burst=int(throttle["BurstLimit"]))

    def wait_until_settled(self, timeout_seconds: float = 120.0) -> bool:
        """Waits until every event raised so far has been delivered: no stream record left unread or
        undelivered, no message left on a queue (a retry waiting included), no delivery under way. The
        deliveries are counted before and after looking, so one that ends (having raised more) while the
        sources are looked at is seen."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            before = sum(poller.deliveries for poller in self._pollers)
            if all(poller.settled() for poller in self._pollers) and before == sum(
                poller.deliveries for poller in self._pollers
            ):
                return True
            time.sleep(SETTLED_CHECK_SECONDS)
        return False

    def wait_until_idle(self, quiet_seconds: float = 1.0, timeout_seconds: float = 120.0) -> bool:
        """Waits until every poller has had nothing to do for ``quiet_seconds``: all events delivered."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if all(time.monotonic() - poller.last_busy >= quiet_seconds for poller in self._pollers):
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """A clean stop: no new requests, what is in flight delivered, then everything saved."""
        if self._server:
            self._server.shutdown()
        self.wait_until_idle(quiet_seconds=0.5, timeout_seconds=15)
        for poller in self._pollers:
            poller.stop()
        if self._saver and (self._saver.started or self.restored):
            self._saver.stop()
            self._saver.save()
        for function in self.functions.values():
            function.close()
        if self._aws_socket:
            self._aws_socket.stop()
            self._aws_socket.path.parent.rmdir()
        if self._moto:
            self._moto.stop()
        self._freezer.stop()


@dataclass
class Saver:
    """Saves the stack's state whenever it has changed, at most every SAVE_INTERVAL_SECONDS.

    The state is saved as Redis saves in the background: requests are held for the moment it takes to
    fork this process, and the child, holding a copy of memory that no request was half-way through
    changing, writes it out while the stack goes on serving."""

    folder: StateFolder
    runner_state: Callable[[], RunnerState]
    forget_done_stream_records: Callable[[], None]
    _saved_changes: int = -1
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="saver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def save(self) -> None:
        """Saves now, in this process (when the stack is stopping)."""
        with moto_patches.GATE.closed():
            changes = moto_patches.CHANGES.count
            self.forget_done_stream_records()
            self.folder.write(self.runner_state())
        self._saved_changes = changes

    def _run(self) -> None:
        while not self._stop.wait(SAVE_INTERVAL_SECONDS):
            if moto_patches.CHANGES.count == self._saved_changes:
                continue
            try:
                self._save_in_background()
            except Exception:
                log.exception("saving the local state failed; it will be tried again")

    def _save_in_background(self) -> None:
        with moto_patches.GATE.closed():
            changes = moto_patches.CHANGES.count
            self.forget_done_stream_records()
            runner = self.runner_state()
            child = os.fork()
            if child == 0:  # pragma: no cover - the child only writes and exits
                status = 1
                try:
                    os.nice(SAVER_NICENESS)
                    self.folder.write(runner)
                    status = 0
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(status)
        # A child forked from a process with threads can, rarely, inherit a lock some thread held: one
        # that has not finished in time is ended, and the state is saved again on the next round.
        deadline = time.monotonic() + SAVE_TIMEOUT_SECONDS
        while (finished := os.waitpid(child, os.WNOHANG))[0] == 0:
            if time.monotonic() > deadline:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                raise RuntimeError(f"saving the state took over {SAVE_TIMEOUT_SECONDS} s")
            time.sleep(0.05)
        if os.waitstatus_to_exitcode(finished[1]) != 0:
            raise RuntimeError(f"the process saving the state exited with status {finished[1]}")
        self._saved_changes = changes


def without_delay(accepted: tuple[socket.socket, Any]) -> tuple[socket.socket, Any]:
    """An accepted connection that sends each write at once. http.server writes a response's status line,
    headers and body separately, and Nagle's algorithm holds each small write until the last is
    acknowledged, which a client delays by up to 40 ms: 40 ms on nearly every request on loopback."""
    connection, address = accepted
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection, address


class GatewayServer(ThreadedHTTPServer):
    """Chalice's threaded server with room for a burst of connections (the default backlog is 5)."""

    request_queue_size = 128

    def get_request(self) -> tuple[socket.socket, Any]:
        return without_delay(super().get_request())


class QuietRequestHandler(ChaliceRequestHandler):
    """Chalice's handler without a stderr line per request (the functions' own logs say what happened),
    serving the web app's static files, as CloudFront does in AWS, where no API route matches, and with
    the template's answer to a path or method the API does not have."""

    def __init__(
        self,
        request: bytes,
        client_address: tuple[str, int],
        server: Any,
        app_object: Chalice,
        config: Config,
        no_route: tuple[int, dict[str, str], str],
    ) -> None:
        self._routes = app_object.routes  # before the base class handles the request
        self._no_route = no_route
        super().__init__(request, client_address, server, app_object, config)

    @override
    def do_GET(self) -> None:
        served = None if self._routed() else web.static_file(urlsplit(self.path).path)
        if served is None:
            self._generic_handle()
            return
        body = served.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", web.content_type(served))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _generic_handle(self) -> None:
        if self._routed():
            super()._generic_handle()
            return
        self._parse_payload()  # read the body, so the connection stays usable
        self._send_http_response(*self._no_route)

    def _routed(self) -> bool:
        try:
            matched = RouteMatcher(list(self._routes)).match_route(self.path)
        except ValueError:
            return False
        # Chalice answers the CORS preflight itself for every route.
        return self.command == "OPTIONS" or self.command in self._routes[matched.route]

    def __getattr__(self, name: str) -> Any:
        # A method http.server has no handler for (QUERY, say) gets the same answer as any unknown method.
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    # http.server dispatches on these names; every method, known or not, goes through the route check.
    do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle  # noqa: N815


def _is_authorizer(spec: FunctionSpec) -> bool:
    return spec.module.endswith("authorizer.app")


def _send_to_dead_letter_queue(sqs: Any, queue_url: str | None, records: list[dict[str, Any]]) -> None:
    if queue_url is None:
        log.error("dropping %d records: no dead-letter queue", len(records))
        return
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"records": records}))


def _swagger_html() -> str:
    return generate_swagger_html(
        spec=json.dumps(merged_spec()),
        swagger_js=(SWAGGER_ASSETS / "swagger-ui-bundle.min.js").read_text(),
        swagger_css=(SWAGGER_ASSETS / "swagger-ui.min.css").read_text(),
        swagger_base_url="",
        oauth2_config=None,
    )
