"""The whole stack on loopback: moto for AWS, the template's resources, pollers and the HTTP gateway."""

import functools
import json
import logging
import os
import socket
import threading
import time
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
from infrastructure.local.gateway import Gateway, UsagePlanThrottle, no_such_resource
from infrastructure.local.identity import AUDIENCE, LocalIssuer
from infrastructure.local.lambdas import LocalFunction
from infrastructure.local.pollers import Poller, QueuePoller, RulePoller, StreamPoller
from infrastructure.local.resources import (
    create_buses,
    create_queues,
    create_rule_deliveries,
    create_tables,
    create_usage_plans,
    create_user_pools,
)
from infrastructure.openapi import merged_spec
from infrastructure.template import TEMPLATE, FunctionSpec, Template

log = logging.getLogger("local")
REGION = "eu-west-2"
STAGE = "local"
SWAGGER_ASSETS = Path(generate_swagger_html.__code__.co_filename).parent


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
    _moto: ThreadedMotoServer | None = None
    _server: LocalDevServer | None = None
    _pollers: list[Poller] = field(default_factory=list)
    template: Template | None = None
    functions: dict[str, LocalFunction] = field(default_factory=dict)

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
        moto_patches.install()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._moto.start()
        self.template = Template.load(
            {
                "Stage": STAGE,
                "TokenIssuer": self.base_url,
                "TokenAudience": AUDIENCE,
                "JwksUrl": f"{self.base_url}/.well-known/jwks.json",
                # Webhook failures are retried after 1, 2... seconds and dead-lettered after 3 attempts,
                # so that a test sees the whole course of a failing webhook in seconds.
                "WebhookRetryBaseSeconds": "1",
                "WebhookMaxAttempts": "3",
                # The local stack serves one invocation at a time, slower than AWS's default rate of 25
                # a second, so a partner overrunning its plan is seen at a lower one.
                "PartnerRateLimit": "10",
                "PartnerBurstLimit": "20",
            },
            self.template_path,
        )
        create_tables(self.template, self.client("dynamodb"))
        create_buses(self.template, self.client("events"))
        create_user_pools(self.template, self.client("cognito-idp"))
        create_usage_plans(self.template, self.client("apigateway"))
        queues = create_queues(self.template, self.client("sqs"))
        self._configure_environment()
        self.functions = {
            spec.logical_id: LocalFunction(spec, takes_turns=not _is_authorizer(spec))
            for spec in self.template.functions()
        }
        self._start_stream_pollers(queues)
        self._start_queue_pollers(queues)
        self._start_rule_pollers()
        self._start_alarm_poller()
        self._start_gateway()

    def _configure_environment(self) -> None:
        """Every function runs in this process, so they share one environment, as they share one stack."""
        assert self.template is not None
        environment = {
            "AWS_ENDPOINT_URL": self.aws_endpoint,
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
        for spec in self.template.functions():
            environment.update({k: v for k, v in spec.environment.items() if not k.startswith("POWERTOOLS_")})
        os.environ.update(environment)

    def _start_stream_pollers(self, queues: dict[str, str]) -> None:
        assert self.template is not None
        sqs = self.client("sqs")
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
                poller = StreamPoller(
                    name=f"stream:{spec.logical_id}",
                    streams=self.client("dynamodbstreams"),
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
                    sqs=self.client("sqs"),
                    queue_url=url_by_arn[properties["Queue"]],
                    queue_arn=properties["Queue"],
                    target=self.functions[spec.logical_id],
                    batch_size=int(properties.get("BatchSize", 10)),
                )
                poller.start()
                self._pollers.append(poller)

    def _start_rule_pollers(self) -> None:
        assert self.template is not None
        sqs = self.client("sqs")
        for delivery in create_rule_deliveries(self.template, self.client("events"), sqs):
            poller = RulePoller(
                name=f"rule:{delivery.function}",
                sqs=sqs,
                delivery=delivery,
                target=self.functions[delivery.function],
            )
            poller.start()
            self._pollers.append(poller)

    def _start_alarm_poller(self) -> None:
        assert self.template is not None
        cloudwatch = self.client("cloudwatch")
        poller = QueueDepthAlarmPoller(
            name="alarms",
            sqs=self.client("sqs"),
            cloudwatch=cloudwatch,
            alarms=create_alarms(self.template, cloudwatch),
        )
        poller.start()
        self._pollers.append(poller)

    def _start_gateway(self) -> None:
        assert self.template is not None
        issuer = LocalIssuer(issuer=self.base_url)
        authorizer = next(f for f in self.functions.values() if _is_authorizer(f.spec))
        gateway = Gateway(
            routes=self.template.api_routes(),
            functions=self.functions,
            authorizer=authorizer,
            issuer=issuer,
            stage=STAGE,
            openapi=functools.cache(merged_spec),
            swagger_html=functools.cache(_swagger_html),
            throttle=self._partner_throttle(),
            web_config={"apiBaseUrl": "", "auth": {"mode": "local", "identities": sign_in_identities()}},
        )
        self._server = LocalDevServer(
            gateway.app,
            Config(),
            self.host,
            self.port,
            handler_cls=QuietRequestHandler,
            server_cls=GatewayServer,
        )
        threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True).start()

    def _partner_throttle(self) -> UsagePlanThrottle:
        assert self.template is not None
        [plan] = self.template.of_type("AWS::ApiGateway::UsagePlan")
        throttle = self.template.properties(plan)["Throttle"]
        return UsagePlanThrottle(rate=float(throttle["RateLimit"]), burst=int(throttle["BurstLimit"]))

    def wait_until_idle(self, quiet_seconds: float = 1.0, timeout_seconds: float = 120.0) -> bool:
        """Waits until every poller has had nothing to do for ``quiet_seconds``: all events delivered."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if all(time.monotonic() - poller.last_busy >= quiet_seconds for poller in self._pollers):
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        for poller in self._pollers:
            poller.stop()
        if self._server:
            self._server.shutdown()
        if self._moto:
            self._moto.stop()


class GatewayServer(ThreadedHTTPServer):
    """Chalice's threaded server with room for a burst of connections (the default backlog is 5)."""

    request_queue_size = 128


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
    ) -> None:
        self._routes = app_object.routes  # before the base class handles the request
        super().__init__(request, client_address, server, app_object, config)

    @override
    def do_GET(self) -> None:
        served = web.static_file(urlsplit(self.path).path)
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
        self._send_http_response(*no_such_resource())

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
