"""Creates the template's tables, buses and queues in moto, and the queues that stand in for rule targets."""

import json
from dataclasses import dataclass
from typing import Any

from infrastructure.template import Template, rule_name

# SAM's default for an EventBridgeRule target with no RetryPolicy would be 185 attempts; locally a
# poison event should reach its dead-letter queue within seconds.
LOCAL_MAX_DELIVERY_ATTEMPTS = 3


@dataclass(frozen=True)
class RuleDelivery:
    """An EventBridge rule whose target is a function: delivered locally through an SQS queue."""

    function: str
    queue_url: str
    dead_letter_queue_url: str | None
    max_attempts: int


def create_tables(template: Template, dynamodb: Any) -> None:
    for logical_id in template.of_type("AWS::DynamoDB::Table"):
        properties = template.properties(logical_id)
        request: dict[str, Any] = {
            "TableName": properties["TableName"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if "GlobalSecondaryIndexes" in properties:
            request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        if "StreamSpecification" in properties:
            request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
        dynamodb.create_table(**request)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=properties["TableName"], TimeToLiveSpecification=ttl)


def create_user_pools(template: Template, cognito: Any) -> None:
    """User pools and their app clients get generated ids: they are recorded on the template, so ``!Ref``
    resolves to them (the authorizer's audiences are the template's app clients)."""
    for logical_id in template.of_type("AWS::Cognito::UserPool"):
        name = template.properties(logical_id)["UserPoolName"]
        template.physical_ids[logical_id] = cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
    for logical_id in template.of_type("AWS::Cognito::UserPoolClient"):
        properties = template.properties(logical_id)
        created = cognito.create_user_pool_client(
            UserPoolId=properties["UserPoolId"], ClientName=properties["ClientName"]
        )
        template.physical_ids[logical_id] = created["UserPoolClient"]["ClientId"]
    for logical_id in template.of_type("AWS::Cognito::UserPoolResourceServer"):
        properties = template.properties(logical_id)
        cognito.create_resource_server(
            UserPoolId=properties["UserPoolId"],
            Identifier=properties["Identifier"],
            Name=properties["Name"],
            Scopes=properties["Scopes"],
        )


def create_usage_plans(template: Template, apigateway: Any) -> None:
    """Usage plans get generated ids, recorded on the template; the local gateway applies their throttles."""
    for logical_id in template.of_type("AWS::ApiGateway::UsagePlan"):
        properties = template.properties(logical_id)
        created = apigateway.create_usage_plan(name=properties["UsagePlanName"])
        template.physical_ids[logical_id] = created["id"]


def create_buses(template: Template, events: Any) -> None:
    for logical_id in template.of_type("AWS::Events::EventBus"):
        events.create_event_bus(Name=template.properties(logical_id)["Name"])


_QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod")


def create_queues(template: Template, sqs: Any) -> dict[str, str]:
    """Queue URL by logical id, also recorded as the queues' ``Ref``. Redrive policies are set once
    every queue exists, as they name their dead-letter queue by ARN."""
    urls = {}
    queues = template.of_type("AWS::SQS::Queue")
    for logical_id in queues:
        properties = template.properties(logical_id)
        attributes = {name: str(properties[name]) for name in _QUEUE_ATTRIBUTES if name in properties}
        url = sqs.create_queue(QueueName=template.physical_name(logical_id), Attributes=attributes)[
            "QueueUrl"
        ]
        urls[logical_id] = template.ref_values[logical_id] = url
    for logical_id in queues:
        redrive = template.properties(logical_id).get("RedrivePolicy")
        if redrive:
            sqs.set_queue_attributes(
                QueueUrl=urls[logical_id], Attributes={"RedrivePolicy": json.dumps(redrive)}
            )
    return urls


def create_rule_deliveries(template: Template, events: Any, sqs: Any) -> list[RuleDelivery]:
    deliveries = []
    for function in template.functions():
        for event_name, event in function.events.items():
            if event["Type"] != "EventBridgeRule":
                continue
            properties = event["Properties"]
            bus = properties.get("EventBusName", "default")
            name = rule_name(function.logical_id, event_name)
            queue_url = sqs.create_queue(QueueName=f"rule-{name}"[:80])["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(properties["Pattern"]))
            events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "function", "Arn": queue_arn}])
            dead_letter = None
            if "DeadLetterConfig" in properties:
                dead_letter = sqs.create_queue(
                    QueueName=template.rule_dead_letter_queues()[f"{function.logical_id}{event_name}Queue"]
                )["QueueUrl"]
            retries = properties.get("RetryPolicy", {}).get("MaximumRetryAttempts")
            attempts = min(LOCAL_MAX_DELIVERY_ATTEMPTS, int(retries) + 1) if retries is not None else 3
            deliveries.append(RuleDelivery(function.logical_id, queue_url, dead_letter, attempts))
    return deliveries
