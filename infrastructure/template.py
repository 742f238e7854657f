"""template.yaml read the way CloudFormation would: intrinsic functions resolved for one stage.

Only what this project's template uses is resolved: Ref, Fn::Sub and Fn::GetAtt. Resource names are
the physical names the template gives them (TableName, Name, QueueName...). The YAML is read by PyYAML with
the short forms of those three (`!Ref`, `!Sub`, `!GetAtt`); cfn-lint reads it as well, in the tests, where
its checks belong (importing it took the local runner a second before it could start).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Events::EventBus": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Serverless::Function": "FunctionName",
}
_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


# libyaml's parser, which PyYAML's wheels include (the pure-Python one, for a PyYAML built without it,
# took half a second of the local runner's start).
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateLoader(_SafeLoader):  # type: ignore[misc]
    """YAML with CloudFormation's short forms of the intrinsic functions the template uses, read as their
    long forms (``!Ref X`` is ``{"Ref": "X"}``, ``!GetAtt A.B`` is ``{"Fn::GetAtt": ["A", "B"]}``)."""


def _short_form(name: str) -> Any:
    def construct(loader: yaml.constructor.SafeConstructor, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            raise yaml.constructor.ConstructorError(None, None, f"!{name} of a mapping", node.start_mark)
        return {name: value}

    return construct


for _tag, _function in (("!Ref", "Ref"), ("!Sub", "Fn::Sub"), ("!GetAtt", "Fn::GetAtt")):
    _TemplateLoader.add_constructor(_tag, _short_form(_function))


def rule_name(function: str, event_name: str) -> str:
    """The name the local runner gives a function's EventBridgeRule event (at most 64 characters)."""
    return f"{function}-{event_name}"[:64]


@dataclass(frozen=True)
class ApiRoute:
    function: str
    method: str
    path: str
    authorized: bool
    metered: bool = False
    """Needs a usage plan key (from the authorizer): the route counts against the caller's usage plan."""


@dataclass(frozen=True)
class GatewayResponse:
    """What API Gateway answers by itself, no function involved: a refused token, an unknown route, a
    partner over its rate..."""

    status: int
    headers: dict[str, str]
    body: str


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    module: str
    handler: str
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]


@dataclass
class Template:
    parameters: dict[str, str]
    region: str = "eu-west-2"
    account: str = "123456789012"
    raw: dict[str, Any] = field(default_factory=dict)
    physical_ids: dict[str, str] = field(default_factory=dict)
    """Ids the stand-in generated for resources that cannot be named (e.g. Cognito user pools)."""
    ref_values: dict[str, str] = field(default_factory=dict)
    """What ``Ref`` gives where it is not the name, as the stand-in made it (e.g. a queue's URL)."""

    @classmethod
    def load(cls, parameters: dict[str, str], path: Path = TEMPLATE) -> "Template":
        raw = yaml.load(path.read_text(), Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader, with 3 tags
        if not isinstance(raw, dict) or "Resources" not in raw:
            raise ValueError(f"{path} is not a CloudFormation template")
        defaults = {name: str(spec.get("Default", "")) for name, spec in raw.get("Parameters", {}).items()}
        return cls(parameters={**defaults, **parameters}, raw=raw)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.raw["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: spec for name, spec in self.resources.items() if spec["Type"] == resource_type}

    def properties(self, logical_id: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolve(self.resources[logical_id].get("Properties", {}))
        return resolved

    def physical_name(self, logical_id: str) -> str:
        if logical_id in self.physical_ids:
            return self.physical_ids[logical_id]
        if logical_id not in self.resources and logical_id in self.rule_dead_letter_queues():
            return self.rule_dead_letter_queues()[logical_id]
        if logical_id not in self.resources and logical_id.removesuffix("Role") in self.of_type(
            "AWS::Serverless::Function"
        ):
            return logical_id  # the execution role SAM makes for a function
        spec = self.resources[logical_id]
        name_property = _NAME_PROPERTY.get(spec["Type"])
        if name_property and name_property in spec.get("Properties", {}):
            return str(self.resolve(spec["Properties"][name_property]))
        return logical_id

    def arn(self, logical_id: str) -> str:
        spec = self.resources.get(logical_id) or {"Type": "AWS::SQS::Queue"}  # else a rule's generated DLQ
        name = self.physical_name(logical_id)
        service = {
            "AWS::SQS::Queue": f"sqs:{self.region}:{self.account}:{name}",
            "AWS::Events::EventBus": f"events:{self.region}:{self.account}:event-bus/{name}",
            "AWS::DynamoDB::Table": f"dynamodb:{self.region}:{self.account}:table/{name}",
        }.get(spec["Type"], f"lambda:{self.region}:{self.account}:function:{name}")
        return f"arn:aws:{service}"

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(str(argument))
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::GetAtt":
                logical_id, attribute = (
                    argument if isinstance(argument, list) else str(argument).split(".", 1)
                )
                return self._get_att(logical_id, attribute)
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": self.account, "AWS::Partition": "aws"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.ref_values:
            return self.ref_values[name]
        if name.endswith(".Stage"):  # SAM's reference to an API's stage
            return str(self.resolve(self.resources[name.removesuffix(".Stage")]["Properties"]["StageName"]))
        return self.physical_name(name)

    def _sub(self, argument: Any) -> str:
        text, variables = (
            (argument[0], self.resolve(argument[1])) if isinstance(argument, list) else (argument, {})
        )

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                return str(self._get_att(*name.split(".", 1)))
            return self._ref(name)

        return _SUB_VARIABLE.sub(substitute, str(text))

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute in ("QueueName", "Name"):
            return self.physical_name(logical_id)
        if attribute == "StreamArn":
            return f"{self.arn(logical_id)}/stream/latest"
        return f"{logical_id}.{attribute}"

    def rule_dead_letter_queues(self) -> dict[str, str]:
        """The dead-letter queue SAM generates for each EventBridgeRule event with a DeadLetterConfig, by
        its logical id (``<Function><Event>Queue``), with the name the local runner gives it."""
        queues = {}
        for logical_id, spec in self.of_type("AWS::Serverless::Function").items():
            for event_name, event in spec["Properties"].get("Events", {}).items():
                if event["Type"] == "EventBridgeRule" and "DeadLetterConfig" in event.get("Properties", {}):
                    queues[f"{logical_id}{event_name}Queue"] = (
                        f"rule-{rule_name(logical_id, event_name)}-dlq"[:80]
                    )
        return queues

    def functions(self) -> list[FunctionSpec]:
        global_environment = self.resolve(
            self.raw.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        )
        specs = []
        for logical_id in self.of_type("AWS::Serverless::Function"):
            properties = self.properties(logical_id)
            module_file, handler = str(properties["Handler"]).rsplit(".", 1)
            package = str(properties["CodeUri"]).strip("/").replace("/", ".")
            specs.append(
                FunctionSpec(
                    logical_id=logical_id,
                    module=f"{package}.{module_file}",
                    handler=handler,
                    environment={
                        **global_environment,
                        **properties.get("Environment", {}).get("Variables", {}),
                    },
                    events=properties.get("Events", {}),
                )
            )
        return specs

    def gateway_responses(self) -> dict[str, GatewayResponse]:
        """The API's gateway responses by type (UNAUTHORIZED, THROTTLED, DEFAULT_4XX...)."""
        [api] = self.of_type("AWS::Serverless::Api")
        responses: dict[str, dict[str, Any]] = self.properties(api)["GatewayResponses"]
        return {
            response_type: GatewayResponse(
                status=int(spec["StatusCode"]),
                # Header values are mapping expressions: a literal is written in single quotes.
                headers={
                    str(name): str(value).strip("'")
                    for name, value in spec.get("ResponseParameters", {}).get("Headers", {}).items()
                },
                body=str(spec["ResponseTemplates"]["application/json"]),
            )
            for response_type, spec in responses.items()
        }

    def authorizer_cache_seconds(self) -> int:
        """How long API Gateway keeps an authorizer's answer for a token (its ``ReauthorizeEvery``)."""
        [api] = self.of_type("AWS::Serverless::Api")
        auth = self.properties(api)["Auth"]
        identity = auth["Authorizers"][auth["DefaultAuthorizer"]].get("Identity", {})
        return int(identity.get("ReauthorizeEvery", 300))  # SAM's default, as API Gateway's

    def api_routes(self) -> list[ApiRoute]:
        routes = []
        for function in self.functions():
            for event in function.events.values():
                if event["Type"] != "Api":
                    continue
                properties = event["Properties"]
                auth = properties.get("Auth", {})
                routes.append(
                    ApiRoute(
                        function=function.logical_id,
                        method=str(properties["Method"]).upper(),
                        path=str(properties["Path"]),
                        authorized=auth.get("Authorizer") != "NONE",
                        metered=auth.get("ApiKeyRequired") is True,
                    )
                )
        return routes
