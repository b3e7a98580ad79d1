"""`webctl status <env>`: is the environment healthy right now, and what is it running?

One read of every stack, the service and its deployments, the target group's targets, the
environment's alarms, the certificate and the URLs, all found from the stacks (their outputs,
parameters and resources). It only reads. Exit 0 all well, 1 something needs attention, 2 cannot
tell (a stack missing, no credentials): so it can gate a script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from typing import Any

from sceptre_fargate_cognito.webctl import table
from sceptre_fargate_cognito.webctl.environment import Environment
from sceptre_fargate_cognito.webctl.errors import ATTENTION, OK, WebctlError

SERVICE_STACK = "alb-ecs"
MONITORING_STACK = "monitoring"
# The container that serves (templates/alb-ecs.yaml.j2); the task's other one is the init container.
APP_CONTAINER = "app"
CERTIFICATE_WARNING_DAYS = 30
# Target states that are part of a normal rollout (a new task being checked, an old one draining).
TARGET_STATES_IN_ROLLOUT = {"healthy", "initial", "draining"}
_IMAGE = re.compile(
    r"^(?P<registry>[^/]+)/(?P<repository>[^@:]+)(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]+))?$"
)
_ECR_REGISTRY = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "status",
        help="stacks, service, deployments, targets, alarms, certificate: exit 0 well, 1 attention, 2 cannot tell",
    )
    parser.add_argument("environment", help="the environment (a folder of config/, e.g. prod)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.set_defaults(run=run)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(value)


# ------------------------------------------------------------------ stacks


def launch_order(environment: Environment) -> list[str]:
    """The stacks' short names in the order `sceptre launch` takes them (by dependency level)."""
    levels: dict[str, int] = {}

    def level(stack) -> int:
        if stack.name not in levels:
            levels[stack.name] = 1 + max((level(d) for d in stack.dependencies), default=0)
        return levels[stack.name]

    return sorted(environment.stack_names(), key=lambda name: (level(environment.stack(name)), name))


def stacks(environment: Environment) -> list[dict]:
    """Each stack's status and last change; an error naming every stack that is not launched."""
    found, missing = [], []
    for name in launch_order(environment):
        try:
            description = environment.describe(name)
        except WebctlError as err:
            if "is not launched" not in str(err):
                raise
            missing.append(f"{environment.stack(name).external_name} ({environment.name}/{name}.yaml)")
            continue
        found.append(
            {
                "name": name,
                "stackName": description["StackName"],
                "status": description["StackStatus"],
                "lastChanged": _iso(description.get("LastUpdatedTime") or description["CreationTime"]),
            }
        )
    if missing:
        raise WebctlError(
            f"cannot tell: {'stack' if len(missing) == 1 else 'stacks'} {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not launched: run `sceptre launch {environment.name}` first"
        )
    return found


def _parameters(description: dict) -> dict[str, str]:
    return {
        p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue", ""))
        for p in description.get("Parameters", [])
    }


def _resources(environment: Environment, stack: str) -> list[dict]:
    name = environment.stack(stack).external_name
    resources: list[dict] = []
    for page in environment.paginate(
        stack, "cloudformation", "list_stack_resources", "NextToken", {"StackName": name}
    ):
        resources.extend(page.get("StackResourceSummaries", []))
    return resources


# ------------------------------------------------------------------ service and deployments


def _image(environment: Environment, uri: str, configured_tag: str | None) -> dict:
    """Repository, digest and the tag(s) the digest came from: ECR's tags for that digest, else the
    tag the stack was launched with (the config's image_tag) when its parameter is this image."""
    match = _IMAGE.match(uri)
    if not match:
        return {"uri": uri, "repository": None, "tags": [], "digest": None, "tagSource": None}
    image: dict[str, Any] = {
        "uri": uri,
        "repository": match["repository"],
        "tags": [match["tag"]] if match["tag"] else [],
        "digest": match["digest"],
        "tagSource": "image" if match["tag"] else None,
    }
    registry = _ECR_REGISTRY.match(match["registry"])
    if match["digest"] and registry:
        try:
            described = environment.call(
                SERVICE_STACK,
                "ecr",
                "describe_images",
                {
                    "registryId": registry["account"],
                    "repositoryName": match["repository"],
                    "imageIds": [{"imageDigest": match["digest"]}],
                },
            )
            tags = sorted(described["imageDetails"][0].get("imageTags", []))
            if tags:
                image["tags"], image["tagSource"] = tags, "ecr"
        except Exception:  # noqa: BLE001 - a tag is a nicety: no ECR permission or a deleted image leaves it unknown
            pass
    if not image["tags"] and configured_tag:
        image["tags"], image["tagSource"] = [configured_tag], "config"
    return image


def _capacity_from_template(parameters: dict[str, str]) -> list[dict]:
    """The strategy the alb-ecs template gives the service, from the stack's parameters."""
    try:
        base, on_demand, spot = (int(parameters[k]) for k in ("OnDemandBase", "OnDemandWeight", "SpotWeight"))
    except (KeyError, ValueError):
        return []
    strategy = [{"capacityProvider": "FARGATE", "base": base, "weight": on_demand}]
    if spot:
        strategy.append({"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": spot})
    return strategy


def capacity_mix(strategy: list[dict]) -> str:
    """`FARGATE base 2 weight 1, FARGATE_SPOT weight 3` as words: what runs where."""
    if not strategy:
        return "unknown"
    parts = []
    for item in strategy:
        words = [item["capacityProvider"]]
        if item.get("base"):
            words.append(f"base {item['base']}")
        words.append(f"weight {item.get('weight', 0)}")
        parts.append(" ".join(words))
    used = [item["capacityProvider"] for item in strategy if item.get("base") or item.get("weight")]
    summary = {"FARGATE": "all on demand (Fargate)", "FARGATE_SPOT": "all Fargate Spot"}
    if len(used) == 1 and used[0] in summary:
        return f"{summary[used[0]]}: {', '.join(parts)}"
    return ", ".join(parts)


def _task_definition(environment: Environment, arn: str) -> dict:
    """The task definition of a deployment; empty when it can no longer be described (a revision
    deleted since), so the deployment still shows, with its image unknown."""
    from botocore.exceptions import ClientError

    try:
        return environment.call(SERVICE_STACK, "ecs", "describe_task_definition", {"taskDefinition": arn})[
            "taskDefinition"
        ]
    except ClientError:
        return {}


def service(environment: Environment, alb_ecs: dict) -> dict:
    outputs = {o["OutputKey"]: o["OutputValue"] for o in alb_ecs.get("Outputs", [])}
    parameters = _parameters(alb_ecs)
    cluster, name = outputs.get("ClusterName"), outputs.get("ServiceName")
    if not cluster or not name:
        raise WebctlError(
            f"stack {alb_ecs['StackName']} has no output ClusterName/ServiceName: run "
            f"`sceptre launch {environment.name}` to update it"
        )
    described = environment.call(
        SERVICE_STACK, "ecs", "describe_services", {"cluster": cluster, "services": [name]}
    )
    if not described.get("services"):
        raise WebctlError(f"cannot tell: the ECS service {name} of cluster {cluster} does not exist")
    ecs_service = described["services"][0]
    configured_tag = _configured_tag(environment, parameters)
    deployments = []
    task_definitions: dict[str, dict] = {}
    for deployment in ecs_service.get("deployments", []):
        arn = deployment["taskDefinition"]
        if arn not in task_definitions:
            task_definitions[arn] = _task_definition(environment, arn)
        containers = task_definitions[arn].get("containerDefinitions", [])
        container = next(
            (c for c in containers if c["name"] == APP_CONTAINER), containers[0] if containers else {}
        )
        image = container.get("image", "(task definition not found)")
        deployments.append(
            {
                "id": deployment.get("id"),
                "status": deployment.get("status"),
                "rolloutState": deployment.get("rolloutState"),
                "rolloutStateReason": deployment.get("rolloutStateReason"),
                "taskDefinition": arn,
                "revision": task_definitions[arn].get("revision") or int(arn.rsplit(":", 1)[-1]),
                "image": _image(
                    environment, image, configured_tag if image == parameters.get("ImageUri") else None
                ),
                "desiredCount": deployment.get("desiredCount"),
                "runningCount": deployment.get("runningCount"),
                "pendingCount": deployment.get("pendingCount"),
                "failedTasks": deployment.get("failedTasks", 0),
                "createdAt": _iso(deployment.get("createdAt")),
                "updatedAt": _iso(deployment.get("updatedAt")),
                "capacityProviderStrategy": deployment.get("capacityProviderStrategy", []),
            }
        )
    strategy, source = ecs_service.get("capacityProviderStrategy") or [], "service"
    primary = next((d for d in deployments if d["status"] == "PRIMARY"), None)
    if not strategy and primary and primary["capacityProviderStrategy"]:
        strategy, source = primary["capacityProviderStrategy"], "deployment"
    if not strategy:
        # The API did not say (an emulator drops it): what the template asked for.
        strategy, source = _capacity_from_template(parameters), "template"
    return {
        "clusterName": cluster,
        "serviceName": name,
        "status": ecs_service.get("status"),
        "desiredCount": ecs_service.get("desiredCount"),
        "runningCount": ecs_service.get("runningCount"),
        "pendingCount": ecs_service.get("pendingCount"),
        "capacityProviderStrategy": strategy,
        "capacitySource": source,
        "deployments": deployments,
    }


def _configured_tag(environment: Environment, parameters: dict[str, str]) -> str | None:
    """The image_tag of config/<env>/config.yaml (what the stack's ImageUri was resolved from)."""
    from sceptre_fargate_cognito.config_schema import ConfigError
    from sceptre_fargate_cognito.config_schema.validate import load_environment

    if "ImageUri" not in parameters:
        return None
    try:
        return str(load_environment(environment.project, environment.name)["image_tag"])
    except (ConfigError, KeyError, OSError):
        return None


# ------------------------------------------------------------------ targets, alarms, certificate


def targets(environment: Environment, target_group_arn: str) -> list[dict]:
    health = environment.call(
        SERVICE_STACK, "elbv2", "describe_target_health", {"TargetGroupArn": target_group_arn}
    )
    found = []
    for description in health.get("TargetHealthDescriptions", []):
        state = description.get("TargetHealth", {})
        found.append(
            {
                "id": description["Target"]["Id"],
                "port": description["Target"].get("Port"),
                "state": state.get("State"),
                "reason": state.get("Reason"),
                "description": state.get("Description"),
            }
        )
    return sorted(found, key=lambda t: (t["id"], t["port"] or 0))


def alarms_in_alarm(environment: Environment, stack_names: list[str]) -> list[dict]:
    """The alarms the environment's stacks created that are now in ALARM, with since when."""
    names = [
        resource["PhysicalResourceId"]
        for stack in stack_names
        for resource in _resources(environment, stack)
        if resource["ResourceType"] == "AWS::CloudWatch::Alarm" and resource.get("PhysicalResourceId")
    ]
    firing = []
    for start in range(0, len(names), 100):  # DescribeAlarms takes at most 100 names
        for page in environment.paginate(
            MONITORING_STACK,
            "cloudwatch",
            "describe_alarms",
            "NextToken",
            {"AlarmNames": names[start : start + 100]},
        ):
            # Filtered here rather than with StateValue: the emulator ignores StateValue beside
            # AlarmNames, and the alarms of one environment are few.
            for alarm in page.get("MetricAlarms", []) + page.get("CompositeAlarms", []):
                if alarm.get("StateValue") != "ALARM":
                    continue
                firing.append(
                    {
                        "name": alarm["AlarmName"],
                        "since": _iso(
                            alarm.get("StateTransitionedTimestamp") or alarm.get("StateUpdatedTimestamp")
                        ),
                        "reason": alarm.get("StateReason"),
                    }
                )
    return sorted(firing, key=lambda a: a["name"])


def certificate(environment: Environment, alb_ecs: dict) -> dict:
    """The HTTPS listener's certificate and its days to expiry."""
    listener = next(
        (
            r["PhysicalResourceId"]
            for r in _resources(environment, SERVICE_STACK)
            if r["LogicalResourceId"] == "HttpsListener" and r.get("PhysicalResourceId")
        ),
        None,
    )
    arn = None
    if listener:
        described = environment.call(
            SERVICE_STACK, "elbv2", "describe_listeners", {"ListenerArns": [listener]}
        )
        certificates = described["Listeners"][0].get("Certificates", []) if described.get("Listeners") else []
        arn = next((c["CertificateArn"] for c in certificates if c.get("IsDefault")), None) or next(
            (c["CertificateArn"] for c in certificates), None
        )
    # The listener does not say (an emulator may not keep it): the certificate the stack was given.
    arn = arn or _parameters(alb_ecs).get("CertificateArn")
    if not arn:
        raise WebctlError(f"cannot tell: stack {alb_ecs['StackName']} names no certificate")
    details = environment.call(SERVICE_STACK, "acm", "describe_certificate", {"CertificateArn": arn})[
        "Certificate"
    ]
    not_after = details.get("NotAfter")
    days = None
    if isinstance(not_after, dt.datetime):
        days = (not_after - dt.datetime.now(dt.timezone.utc)).days
    return {
        "arn": arn,
        "domainName": details.get("DomainName"),
        "status": details.get("Status"),
        "notAfter": _iso(not_after),
        "daysToExpiry": days,
    }


# ------------------------------------------------------------------ verdict


def attention(report: dict) -> list[str]:
    """What needs an operator, one line each; empty when all is well."""
    problems = []
    for stack in report["stacks"]:
        if stack["status"].endswith("FAILED") or "ROLLBACK" in stack["status"]:
            problems.append(f"stack {stack['stackName']} is {stack['status']}")
    for deployment in report["service"]["deployments"]:
        reason = deployment.get("rolloutStateReason") or ""
        if deployment["rolloutState"] == "FAILED":
            problems.append(f"deployment {deployment['id']} FAILED: {reason}".rstrip(": "))
        elif re.search(r"roll(ing)?[ -]?back", reason, re.I):
            problems.append(f"deployment {deployment['id']} is rolling back: {reason}")
    for target in report["targets"]:
        if target["state"] not in TARGET_STATES_IN_ROLLOUT:
            problems.append(
                f"target {target['id']}:{target['port']} is {target['state']}"
                f" ({target['reason'] or 'no reason given'}: {target['description'] or ''})".replace(
                    ": )", ")"
                )
            )
    for alarm in report["alarms"]:
        problems.append(f"alarm {alarm['name']} in ALARM since {alarm['since']}")
    days = report["certificate"]["daysToExpiry"]
    if days is not None and days <= CERTIFICATE_WARNING_DAYS:
        problems.append(
            f"certificate {report['certificate']['domainName']} expires in {days} days ({report['certificate']['notAfter']})"
        )
    return problems


def collect(environment: Environment) -> dict:
    stack_rows = stacks(environment)
    alb_ecs = environment.describe(SERVICE_STACK)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in alb_ecs.get("Outputs", [])}
    if "TargetGroupArn" not in outputs:
        raise WebctlError(
            f"stack {alb_ecs['StackName']} has no output TargetGroupArn: run `sceptre launch {environment.name}` to update it"
        )
    report: dict[str, Any] = {
        "environment": environment.name,
        "stacks": stack_rows,
        "service": service(environment, alb_ecs),
        "targets": targets(environment, outputs["TargetGroupArn"]),
        "alarms": alarms_in_alarm(environment, [s["name"] for s in stack_rows]),
        "certificate": certificate(environment, alb_ecs),
        "urls": {
            "application": outputs.get("ServiceUrl"),
            "dashboard": environment.outputs(MONITORING_STACK).get("DashboardUrl"),
        },
    }
    report["attention"] = attention(report)
    return report


# ------------------------------------------------------------------ output


def _image_text(image: dict) -> str:
    if image["repository"] is None:
        return image["uri"]
    tags = ",".join(image["tags"]) if image["tags"] else "(tag unknown)"
    digest = image["digest"] or "(no digest)"
    return f"{image['repository']}:{tags} {digest}"


def render(report: dict) -> str:
    service_ = report["service"]
    lines = [f"environment {report['environment']}", "", "STACKS"]
    lines.append(
        table.render(
            ("STACK", "STATUS", "LAST CHANGED"),
            [(s["stackName"], s["status"], s["lastChanged"]) for s in report["stacks"]],
        )
    )
    lines += [
        "",
        f"SERVICE {service_['serviceName']} (cluster {service_['clusterName']}, {service_['status']})",
        f"  tasks: desired {service_['desiredCount']}, running {service_['runningCount']}, pending {service_['pendingCount']}",
        f"  capacity: {capacity_mix(service_['capacityProviderStrategy'])} (from the {service_['capacitySource']})",
        "",
        "DEPLOYMENTS",
        table.render(
            ("STATUS", "ROLLOUT", "REVISION", "IMAGE", "TASKS", "STARTED"),
            [
                (
                    d["status"],
                    d["rolloutState"],
                    d["revision"],
                    _image_text(d["image"]),
                    f"{d['runningCount']}/{d['desiredCount']} running"
                    + (f", {d['failedTasks']} failed" if d["failedTasks"] else ""),
                    d["createdAt"],
                )
                for d in service_["deployments"]
            ],
        ),
        "",
        "TARGETS",
    ]
    if report["targets"]:
        lines.append(
            table.render(
                ("TARGET", "STATE", "REASON"),
                [
                    (
                        f"{t['id']}:{t['port']}",
                        t["state"],
                        ": ".join(filter(None, (t["reason"], t["description"]))),
                    )
                    for t in report["targets"]
                ],
            )
        )
    else:
        lines.append("  (none registered)")
    lines += ["", "ALARMS IN ALARM"]
    if report["alarms"]:
        lines.append(table.render(("ALARM", "SINCE"), [(a["name"], a["since"]) for a in report["alarms"]]))
    else:
        lines.append("  (none)")
    cert = report["certificate"]
    lines += [
        "",
        f"CERTIFICATE {cert['domainName']}: {cert['status']}, expires {cert['notAfter']} "
        f"({cert['daysToExpiry']} days)",
        f"URL        {report['urls']['application']}",
        f"DASHBOARD  {report['urls']['dashboard']}",
        "",
    ]
    if report["attention"]:
        lines.append("NEEDS ATTENTION")
        lines += [f"  - {problem}" for problem in report["attention"]]
    else:
        lines.append("ALL WELL")
    return "\n".join(lines)


def run(args: argparse.Namespace, environment: Environment) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        report = collect(environment)
    except (ClientError, BotoCoreError) as err:
        # Exit 1 means "needs attention": an AWS error must not look like one (nor be a traceback).
        raise WebctlError(f"cannot tell: {err}") from err
    status = ATTENTION if report["attention"] else OK
    if args.json:
        print(json.dumps(report | {"exitStatus": status}, indent=2))
    else:
        print(render(report))
    return status
